// Hashtag autocomplete for any input or textarea marked data-hashtag-autocomplete:
//   "caption": completes the #word under the cursor; the rest of the text goes as caption
//              (and data-photo-id, when set, as photo; data-analysis, which the upload
//              form sets for the photo chosen, as analysis), so suggestions follow what
//              is typed and what the photo shows;
//   "query":   the whole value is the query (the search box); completes once it starts with #.
// Answers come from GET /api/hashtags/suggest/ (see the API schema). An ARIA combobox:
// Up/Down move, Enter or Tab choose, Escape closes; a click chooses too. Each hashtag says
// how many posts carry it (data-posts-one and data-posts-other on the input word it). No inline styles:
// the list is styled by .hashtag-autocomplete in app.css.
(function () {
  const API = "/api/hashtags/suggest/";
  // A caption may hold 2,200 characters, which can be 20 KB once in a query string (a sun
  // is %E2%98%80), past what servers take in a URL (nginx 8 KB, daphne 16 KB). Over this
  // many characters encoded, its hashtags go, then as much of its text as fits.
  const CAPTION_SENT = 6000;
  const HASHTAG = /#[^\s#]+/g;
  const utf8 = new TextEncoder();
  let counter = 0;
  const language = document.documentElement.lang || undefined;
  const plurals = new Intl.PluralRules(language);
  const counts = new Intl.NumberFormat(language, { notation: "compact" });
  // A press (mouse or finger) moves the focus on its mousedown, and clicks only after.
  // Closing the list (which pushes what is below it down) as the caption loses the focus
  // would move Share up in between, and the click would land on nothing: the list of a
  // caption that loses the focus to a press closes after that press's click instead. A
  // press lasts from its pointerdown to its click (a finger's pointerup comes before
  // its mousedown), or until it is cancelled or a key is pressed.
  let pressed = false;
  addEventListener("pointerdown", () => { pressed = true; }, true);
  for (const end of ["click", "pointercancel", "keydown"]) addEventListener(end, () => { pressed = false; }, true);

  function sent(caption) {
    const cost = (text) => utf8.encode(text).length * 3; // at most %XX per byte
    if (cost(caption) <= CAPTION_SENT) return caption;
    let left = CAPTION_SENT, kept = "";
    for (const hashtag of caption.match(HASHTAG) || []) {
      if (cost(hashtag) + 3 <= left) {
        left -= cost(hashtag) + 3;
        kept += hashtag + " ";
      }
    }
    for (const character of caption.replace(HASHTAG, " ")) { // the text from its start
      if (cost(character) > left) break;
      left -= cost(character);
      kept += character;
    }
    return kept;
  }

  function attach(input) {
    const mode = input.dataset.hashtagAutocomplete || "caption";
    const list = document.createElement("ul");
    list.className = "hashtag-autocomplete";
    list.id = "hashtag-autocomplete-" + ++counter;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    let items = [], active = -1, pending = null, token = null;

    function current() {
      // The #word being typed: [start, end) in the value, and its text without '#'.
      if (mode === "query") {
        const value = input.value.trim();
        return value.startsWith("#") ? { start: 0, end: input.value.length, text: value.slice(1) } : null;
      }
      const end = input.selectionStart ?? input.value.length;
      const match = /(^|[\s(])#([^\s#]*)$/.exec(input.value.slice(0, end));
      return match ? { start: end - match[2].length - 1, end: end, text: match[2] } : null;
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + index);
    }

    function choose(index) {
      const name = items[index] && items[index].name;
      const at = token;
      close();
      if (!name || !at) return;
      const before = input.value.slice(0, at.start), after = input.value.slice(at.end);
      const inserted = "#" + name + (mode === "caption" ? " " : "");
      input.value = before + inserted + after;
      const cursor = before.length + inserted.length;
      if (mode === "caption") input.setSelectionRange(cursor, cursor);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    // "12 posts", as Instagram says how used a hashtag is: the input's data-posts-one and
    // data-posts-other ("{n} post", "{n} posts" in the page's language), the number compact
    // (1.2K) in that language's way.
    function postsText(n) {
      const form = input.dataset[plurals.select(n) === "one" ? "postsOne" : "postsOther"];
      return form ? form.replace("{n}", counts.format(n)) : "";
    }

    function draw(hashtags) {
      items = hashtags;
      list.replaceChildren(...hashtags.map((h, i) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.textContent = "#" + h.name;
        li.append(name);
        const count = h.posts ? postsText(h.posts) : "";
        if (count) {
          const posts = document.createElement("span");
          posts.className = "muted";
          posts.textContent = count;
          li.append(" ", posts);
        }
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        return li;
      }));
      list.hidden = hashtags.length === 0;
      input.setAttribute("aria-expanded", String(hashtags.length > 0));
      active = -1;
      // A box at the foot of the page (a post's caption, edited) opens its list below the
      // fold: scrolled into view, clear of a phone's tab bar (its scroll-margin in app.css).
      if (!list.hidden) list.scrollIntoView({ block: "nearest" });
    }

    async function update() {
      token = current();
      if (!token) return close();
      const params = new URLSearchParams({ q: token.text, limit: "8" });
      if (mode === "caption") {
        params.set("caption", sent(input.value.slice(0, token.start) + input.value.slice(token.end)));
        if (input.dataset.photoId) params.set("photo", input.dataset.photoId);
        else if (input.dataset.analysis) params.set("analysis", input.dataset.analysis);
      }
      const asked = token;
      pending?.abort();
      pending = new AbortController();
      try {
        const response = await fetch(API + "?" + params, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: pending.signal,
        });
        if (response.status === 404 && params.get("analysis") === input.dataset.analysis) {
          delete input.dataset.analysis; // expired: the caption alone, from now on
          return asked === token ? update() : undefined;
        }
        if (!response.ok || asked !== token) return;
        draw((await response.json()).hashtags);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    input.addEventListener("input", (event) => { if (event.isTrusted !== false || !list.hidden) update(); });
    input.addEventListener("blur", () => {
      if (!pressed) return close();
      const after = () => {
        removeEventListener("click", after);
        removeEventListener("pointercancel", after);
        if (document.activeElement !== input) close();
      };
      addEventListener("click", after); // bubbling, on the window: after the click's own work
      addEventListener("pointercancel", after);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + items.length) % items.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  document.querySelectorAll("[data-hashtag-autocomplete]").forEach(attach);
})();
