// Suggestion chips that update without reloading: wait for "suggestions.ready" on the
// bell's notifications socket (after the upload's analysis, a re-suggest of a post
// already analysed, or an edit of its caption), then fetch and draw the chips;
// accept/reject through the API, and the post's hashtags follow at once. Redrawn
// buttons keep their accessible names.
// Without JavaScript the same chips are plain forms and a reload shows new suggestions.
(function () {
  const box = document.getElementById("suggestions");
  if (!box) return;
  const photoId = Number(box.dataset.photo);
  const api = box.dataset.api;
  const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
  const names = { accept: box.dataset.acceptLabel, reject: box.dataset.rejectLabel };
  const shown = Number(box.dataset.shown);
  const shownMinScore = Number(box.dataset.shownMinScore);
  const tags = document.querySelector("[data-role=post-hashtags]");

  function chip(s) {
    const el = document.createElement("span");
    el.className = "chip suggestion " + s.state;
    el.append("#" + s.name + " ");
    const score = document.createElement("span");
    score.className = "muted small";
    score.textContent = Math.round(s.score * 100) + "%";
    el.append(score);
    for (const [action, label] of [["accept", "✓"], ["reject", "✗"]]) {
      if ((action === "accept" && s.state === "accepted") || (action === "reject" && s.state === "rejected")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = action === "reject" ? "link danger" : "link";
      button.textContent = label;
      button.dataset.action = action;
      button.setAttribute("aria-label", names[action].replace("{name}", s.name));
      button.addEventListener("click", () => decide(s.id, action));
      el.append(" ", button);
    }
    return el;
  }

  // The best `shown` chips first, but none under `shownMinScore` (a guess); the rest
  // behind "More suggestions (n)", which stays open or closed as the person left it. As
  // the page draws them (templatetags/suggestions.py).
  function draw(data) {
    const chips = box.querySelector("[data-role=chips]");
    const first = data.hashtags.slice(0, shown).filter((s) => s.score >= shownMinScore);
    const rest = data.hashtags.filter((s) => !first.includes(s));
    chips.replaceChildren(...first.map(chip));
    if (!first.length && rest.length) {
      const none = document.createElement("span");
      none.className = "muted";
      none.textContent = box.dataset.noneSure;
      chips.append(none);
    }
    const more = box.querySelector("[data-role=more]");
    more.querySelector("[data-role=more-chips]").replaceChildren(...rest.map(chip));
    more.querySelector("summary").textContent = box.dataset.moreLabel.replace("{count}", rest.length);
    more.hidden = rest.length === 0;
    const pending = box.querySelector("[data-role=pending]");
    if (pending && data.status !== "pending") pending.remove();
    box.dataset.status = data.status;
    if (tags && data.post_hashtags) drawTags(data.post_hashtags);
  }

  // The post's hashtags as its owner wrote them, each linking to its canonical page.
  function drawTags(links) {
    const items = [];
    for (const link of links) {
      const a = document.createElement("a");
      a.className = "chip";
      a.href = link.url;
      a.textContent = "#" + link.typed;
      items.push(a, " ");
    }
    tags.replaceChildren(...items);
    tags.hidden = links.length === 0;
  }

  async function load() {
    const response = await fetch(api, { credentials: "same-origin" });
    if (response.ok) draw(await response.json());
  }

  async function decide(id, action) {
    const response = await fetch(`${api}${id}/${action}/`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": decodeURIComponent(csrf) },
    });
    if (response.ok) draw(await response.json());
  }

  // Progressive enhancement: take over the forms' buttons.
  box.querySelectorAll("button[data-action]").forEach((button) => {
    button.type = "button";
    button.addEventListener("click", () => decide(button.dataset.id, button.dataset.action));
  });

  // "suggestions.ready" (the upload's analysis, `manage.py resuggest` after a new
  // version, or the owner's caption edit in another tab) and "suggestions.failed" come
  // over the bell's socket (notifications.js).
  document.addEventListener("socialapp:notification", (event) => {
    const data = event.detail;
    if (data.photo_id !== photoId || !data.type.startsWith("suggestions.")) return;
    if (data.type === "suggestions.ready") load();
    else if (data.type === "suggestions.failed" && box.dataset.status === "pending") location.reload();
  });
  // An analysis that finished before that socket joined its group sent its event to none.
  document.addEventListener("socialapp:notifications-open", () => {
    if (box.dataset.status === "pending") load();
  });
})();
