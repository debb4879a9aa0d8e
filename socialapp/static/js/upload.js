// The upload form: a preview of the chosen photo, a progress bar while it is sent, and
// Share disabled until the server answers. Then the post's page (where the suggestion
// chips appear when ready), or the same form with what to fix, the chosen file kept.
// Without JavaScript the form posts as usual.
// As soon as a photo is chosen, a small copy of it (what the tagger reads: 320 px on its
// shorter side) goes to POST /api/hashtags/analyses/, and the caption's hashtag
// autocomplete sends the answer's id as analysis=, so that "#" offers what the photo shows
// while the caption is written. A photo the browser cannot draw (HEIC in most) is not
// analysed; the autocomplete then reads the caption alone.
(function () {
  const form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData) return;
  const input = form.elements.image;
  const preview = form.querySelector("[data-role=preview]");
  const progress = form.querySelector("[data-role=progress]");
  const failure = form.querySelector("[data-role=upload-error]");
  const share = form.querySelector("button[type=submit]");
  const caption = form.elements.caption;
  const ANALYSES = "/api/hashtags/analyses/";
  const ANALYSED_SIDE = 320;
  let previewUrl = null;
  let chosen = 0; // which choice of photo an analysis answers

  input.addEventListener("change", () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    const file = input.files[0];
    previewUrl = file ? URL.createObjectURL(file) : null;
    preview.hidden = !file;
    if (file) preview.src = previewUrl;
    delete caption.dataset.analysis;
    chosen++; // an analysis still on its way answers a choice no longer made
    if (file) analyse(chosen);
  });

  // The smallest copy that still has ANALYSED_SIDE pixels across its shorter side, as a
  // JPEG, drawn from the preview (upright, as its EXIF says), which the browser decodes
  // anyway: a 12 MP photo is not decoded twice.
  async function copyOf() {
    await preview.decode();
    const width = preview.naturalWidth, height = preview.naturalHeight;
    const scale = Math.min(1, ANALYSED_SIDE / Math.min(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(preview, 0, 0, canvas.width, canvas.height);
    return new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.9));
  }

  async function analyse(choice) {
    try {
      const copy = await copyOf();
      if (!copy || choice !== chosen) return;
      const body = new FormData();
      body.append("image", copy, "photo.jpg");
      const response = await fetch(ANALYSES, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      });
      if (!response.ok || choice !== chosen) return;
      caption.dataset.analysis = String((await response.json()).id);
    } catch (error) {
      // Not drawable here, or offline: the autocomplete reads the caption alone.
    }
  }
  // A format the browser cannot draw (HEIC in most): no preview, the upload still works.
  preview.addEventListener("error", () => (preview.hidden = true));

  function sending(yes) {
    share.disabled = yes;
    form.setAttribute("aria-busy", String(yes));
    progress.hidden = !yes;
    if (yes) progress.value = 0;
  }

  // The server's form again: its messages in place of ours, the fields left as they are.
  function showErrors(html) {
    const answer = new DOMParser().parseFromString(html, "text/html").querySelector("form[data-upload]");
    if (!answer) return false;
    form.querySelectorAll(".field .error, .errors").forEach((error) => error.remove());
    const fields = form.querySelectorAll(".field");
    answer.querySelectorAll(".field").forEach((field, i) => {
      if (!fields[i]) return;
      fields[i].classList.toggle("has-error", field.classList.contains("has-error"));
      field.querySelectorAll(".error").forEach((error) => fields[i].append(document.importNode(error, true)));
    });
    const general = answer.querySelector(".errors");
    if (general) form.prepend(document.importNode(general, true));
    return true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (share.disabled) return;
    failure.hidden = true;
    sending(true);
    const request = new XMLHttpRequest();
    request.open("POST", form.action || location.href);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    request.addEventListener("load", () => {
      const landed = new URL(request.responseURL || location.href);
      if (request.status < 400 && landed.pathname !== location.pathname) {
        location.assign(landed.href); // the new post
        return;
      }
      sending(false);
      if (!showErrors(request.responseText)) {
        failure.textContent = form.dataset.failed;
        failure.hidden = false;
      }
    });
    request.addEventListener("error", () => {
      sending(false);
      failure.textContent = form.dataset.failed;
      failure.hidden = false;
    });
    request.send(new FormData(form));
  });
})();
