// Messenger-style thread over /ws/chat/<id>/: messages are drawn once the server has
// stored them (it echoes them with their seq), resends carry the same client_id, and a
// dropped connection reconnects and asks, a page at a time, for everything after the last
// seq it has. A message typed stays in `pending` ("Sending…") until the server stores it:
// it is sent again after a reconnect, after the retry_after of a "rate_limited" answer, or
// when no answer came; any other refusal shows it as not sent, with a Retry button, and
// so does a block closing the socket (Retry then opens it again).
// Like Messenger: times and day separators, links that open (http and https only, text
// never parsed as HTML), "Seen" with the time under your last message, a banner while
// offline (what you type waits as "Sending…"), and the page kept at the newest message
// unless you scrolled up (then "Jump to newest"). A MarianMT translation is shown in
// place of the original, with "See original"; a basic (Apertium) one only on demand.
(function () {
  const box = document.getElementById("chat");
  if (!box) return;
  const me = box.dataset.me;
  const myLanguage = box.dataset.language;
  const translating = box.dataset.translate === "on";
  const label = JSON.parse(document.getElementById("chat-labels").textContent);
  const messagesBySeq = new Map();
  const early = new Map(); // seq -> translation frames that beat their message here
  const thread = box.querySelector("[data-role=thread]");
  const status = box.querySelector("[data-role=status]");
  const form = box.querySelector("[data-role=composer]");
  const older = box.querySelector("[data-role=older]");
  const footer = box.querySelector("[data-role=footer]");
  const receipt = box.querySelector("[data-role=receipt]");
  const offline = box.querySelector("[data-role=offline]");
  const jump = box.querySelector("[data-role=jump]");
  let otherRead = JSON.parse(document.getElementById("chat-read").textContent);
  let reconnectTimer = null;
  const history = JSON.parse(document.getElementById("chat-history").textContent);
  const seen = new Set(history.map((m) => m.seq));
  let lastSeq = history.length ? history[history.length - 1].seq : 0;
  let oldestSeq = history.length ? history[0].seq : null;
  let socket = null;
  let retry = 500;
  const pending = new Map(); // client_id -> {text, li, state: queued | sent | failed, sentAt}
  let holdUntil = 0; // a "rate_limited" answer: nothing more is sent before then
  let askAgain = false; // a refused resync or read, asked again once the hold is over
  let closed = false; // a block closed the socket (4403): nothing waits, Retry opens it again
  let flushTimer = null;
  let readTimer = null;
  let typingAt = 0;
  let typingTimer = null;
  const NO_ANSWER_MS = 10000; // a stored message's echo can be lost: send it again

  const locale = document.documentElement.lang || undefined;
  const clock = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" });
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "long" });
  const longDate = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric" });

  // "Today", "Yesterday", a weekday within the week, else the date (the reader's clock).
  function dayLabel(date) {
    const now = new Date();
    const days = Math.round(
      (new Date(now.getFullYear(), now.getMonth(), now.getDate()) -
        new Date(date.getFullYear(), date.getMonth(), date.getDate())) / 86400000
    );
    if (days === 0) return label.today;
    if (days === 1) return label.yesterday;
    if (days > 1 && days < 7) return weekday.format(date);
    return longDate.format(date);
  }

  function when(iso) {
    const date = new Date(iso);
    const day = dayLabel(date);
    return day === label.today ? clock.format(date) : `${day} ${clock.format(date)}`;
  }

  // URLs become links; everything else stays text (textContent, never HTML). Only http(s)
  // is ever a link, so a message cannot carry a javascript: or data: one.
  const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

  function linkify(element, text) {
    element.replaceChildren();
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      let url = match[0].replace(/[.,;:!?'"]+$/, "");
      // A closing bracket belongs to the sentence unless the link opened one.
      while (url.endsWith(")") && url.split("(").length < url.split(")").length) {
        url = url.slice(0, -1).replace(/[.,;:!?'"]+$/, "");
      }
      let href = null;
      try {
        href = new URL(/^www\./i.test(url) ? `https://${url}` : url);
      } catch (error) {
        href = null;
      }
      if (!href || !["http:", "https:"].includes(href.protocol)) continue;
      element.append(text.slice(last, match.index));
      const a = document.createElement("a");
      a.href = href.href;
      a.rel = "noopener nofollow";
      a.target = "_blank";
      a.textContent = url;
      element.append(a);
      last = match.index + url.length;
    }
    element.append(text.slice(last));
  }

  function bubble(m) {
    const li = document.createElement("li");
    li.dataset.seq = m.seq;
    messagesBySeq.set(m.seq, m);
    for (const frame of early.get(m.seq) || []) remember(m, frame);
    early.delete(m.seq);
    draw(li, m);
    return li;
  }

  // A message from the other person in another language: a MarianMT translation is shown
  // instead of the original ("See original" brings it back); a basic one is only offered
  // ("See translation · basic"), since it is often poor.
  function draw(li, m) {
    li.className = "bubble" + (m.sender === me ? " mine" : "");
    li.dataset.at = m.created_at;
    li.replaceChildren();
    const mine = (m.translations || []).find((t) => t.language === myLanguage);
    const text = document.createElement("span");
    text.className = "text";
    linkify(text, m.text);
    li.append(text);
    if (m.sender !== me && translating && mine) li.append(translation(m, mine, text));
    const time = document.createElement("time");
    time.className = "stamp";
    time.dateTime = m.created_at;
    time.textContent = clock.format(new Date(m.created_at));
    li.append(time);
  }

  function translation(m, mine, text) {
    const meta = document.createElement("div");
    meta.className = "translation muted";
    const note = document.createElement("span");
    meta.append(note);
    if (mine.status === "unavailable") {
      note.textContent = label.unavailable;
      return meta;
    }
    let original = Boolean(mine.basic);
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link";
    const show = () => {
      linkify(text, original ? m.text : mine.text);
      text.lang = original ? m.language : mine.language;
      toggle.textContent = !original ? label.seeOriginal : mine.basic ? label.seeBasic : label.seeTranslation;
      note.textContent = mine.basic ? label.basic : label.translated;
      note.hidden = original;
    };
    toggle.addEventListener("click", () => {
      original = !original;
      show();
    });
    show();
    meta.append(toggle);
    return meta;
  }

  // One separator before the first message of each day.
  function separate() {
    thread.querySelectorAll("li.day").forEach((li) => li.remove());
    let previous = null;
    for (const li of [...thread.children]) {
      const date = li.dataset.at ? new Date(li.dataset.at) : new Date();
      const day = date.toDateString();
      if (day !== previous) {
        const separator = document.createElement("li");
        separator.className = "day";
        const time = document.createElement("time");
        time.dateTime = date.toISOString().slice(0, 10);
        time.textContent = dayLabel(date);
        separator.append(time);
        thread.insertBefore(separator, li);
      }
      previous = day;
    }
  }

  // "Seen" and when, under my last message once the other person has read it (none while
  // one of mine is still being sent).
  function drawReceipt() {
    const bubbles = thread.querySelectorAll("li.bubble");
    const newest = bubbles[bubbles.length - 1];
    const last = newest && newest.dataset.seq ? messagesBySeq.get(Number(newest.dataset.seq)) : null;
    const seen = last && last.sender === me && otherRead.seq >= last.seq;
    receipt.hidden = !seen;
    receipt.textContent = seen ? [label.seen, otherRead.read_at ? when(otherRead.read_at) : ""].join(" ").trim() : "";
  }

  // The newest message sits just above the composer (which stays on screen).
  function nearNewest() {
    const end = (receipt.hidden ? thread : receipt).getBoundingClientRect().bottom;
    return end - footer.getBoundingClientRect().top < 48;
  }

  function scrollToNewest() {
    const end = (receipt.hidden ? thread : receipt).getBoundingClientRect().bottom;
    window.scrollBy(0, end - footer.getBoundingClientRect().top + 8);
    jump.hidden = true;
  }

  function remember(m, frame) {
    m.translations = (m.translations || []).filter((t) => t.language !== frame.language);
    // as a message frame lists it (translation.frames.translation_item): "basic" included
    const { language, status, text, engine, basic } = frame;
    m.translations.push({ language, status, text, engine, basic });
  }

  function translated(frame) {
    const m = messagesBySeq.get(frame.seq);
    if (!m) {
      early.set(frame.seq, [...(early.get(frame.seq) || []), frame]);
      return;
    }
    remember(m, frame);
    const li = thread.querySelector(`[data-seq="${frame.seq}"]`);
    if (li) draw(li, m);
  }

  function add(m) {
    const mine = m.sender === me && pending.get(m.client_id);
    if (mine) {
      mine.li.remove();
      pending.delete(m.client_id);
    }
    if (seen.has(m.seq)) return;
    seen.add(m.seq);
    const follow = m.sender === me || nearNewest();
    // Stored messages go above the ones still being sent.
    const after = [...thread.children].find((li) => li.dataset.clientId || Number(li.dataset.seq) > m.seq);
    thread.insertBefore(bubble(m), after || null);
    separate();
    drawReceipt();
    if (follow) scrollToNewest();
    else jump.hidden = false;
    // A live message past a gap: the broadcast of one in between was missed (the channel
    // layer is at-most-once), so fetch it; the stored messages are the truth.
    if (m.seq > lastSeq + 1) send({ type: "resync", after_seq: lastSeq });
    lastSeq = Math.max(lastSeq, m.seq);
    if (m.sender !== me) markRead();
  }

  // One read frame for a burst of messages (a resync page), not one each: they count
  // against the same per-person limit as typing and resync.
  function markRead() {
    if (readTimer) return;
    readTimer = setTimeout(() => {
      readTimer = null;
      if (lastSeq) send({ type: "read", seq: lastSeq });
    }, 500);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  // A message not stored yet, drawn below the stored ones: "Sending…", or why it was
  // not sent and a Retry button.
  function drawPending(entry, detail) {
    const li = entry.li;
    li.replaceChildren();
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = entry.text;
    const note = document.createElement("div");
    note.className = "muted small";
    li.append(text, note);
    li.classList.toggle("failed", entry.state === "failed");
    if (entry.state !== "failed") {
      note.textContent = label.sending || "Sending…";
      return;
    }
    note.setAttribute("role", "alert"); // heard at once, not only seen
    note.textContent = `${label.notSent || "Not sent"}: ${detail} `;
    const again = document.createElement("button");
    again.type = "button";
    again.className = "link";
    again.textContent = label.retry || "Retry";
    again.addEventListener("click", () => {
      entry.state = "queued";
      drawPending(entry);
      if (closed) {
        // The block may be over: open the socket again (a refusal closes it again).
        closed = false;
        status.textContent = "";
        connect();
      }
      flush();
    });
    note.append(again);
  }

  // Sends what is queued, in the order it was typed, unless the server asked to wait.
  function flush() {
    clearTimeout(flushTimer);
    if (closed) {
      failWaiting();
      return;
    }
    const wait = holdUntil - Date.now();
    if (wait > 0) {
      flushTimer = setTimeout(flush, wait);
      return;
    }
    if (!socket || socket.readyState !== WebSocket.OPEN) return; // the next "open" flushes
    if (askAgain) {
      askAgain = false;
      send({ type: "resync", after_seq: lastSeq });
      if (lastSeq) send({ type: "read", seq: lastSeq });
    }
    for (const [client_id, entry] of pending) {
      if (entry.state !== "queued") continue;
      entry.state = "sent";
      entry.sentAt = Date.now();
      send({ type: "message", text: entry.text, client_id });
    }
  }

  // Closed by a block: what waits to be sent is not sent, and says why.
  function failWaiting() {
    for (const entry of pending.values()) {
      if (entry.state === "failed") continue;
      entry.state = "failed";
      drawPending(entry, label.closed);
    }
  }

  function refused(frame) {
    const entry = frame.client_id && pending.get(frame.client_id);
    if (frame.code === "rate_limited") {
      // Wait as long as the server says (and a little more, so tabs do not send in step).
      holdUntil = Math.max(holdUntil, Date.now() + frame.retry_after * 1000 + Math.random() * 500);
      if (entry) {
        entry.state = "queued";
        drawPending(entry);
      } else askAgain = true;
      flush();
      return;
    }
    if (entry) {
      entry.state = "failed";
      drawPending(entry, frame.detail);
    } else status.textContent = frame.detail;
  }

  setInterval(() => {
    let late = false;
    for (const entry of pending.values()) {
      if (entry.state === "sent" && Date.now() - entry.sentAt > NO_ANSWER_MS) {
        entry.state = "queued";
        late = true;
      }
    }
    if (late) flush();
  }, NO_ANSWER_MS / 2);

  function connected(yes) {
    offline.hidden = yes;
    box.dataset.connection = yes ? "open" : "closed";
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (socket && socket.readyState <= WebSocket.OPEN) return; // connecting or open
    if (navigator.onLine === false) {
      connected(false); // the "online" event reconnects
      return;
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const current = new WebSocket(`${scheme}://${location.host}/ws/chat/${box.dataset.conversation}/`);
    socket = current;
    current.addEventListener("open", () => {
      retry = 500;
      connected(true);
      status.textContent = "";
      send({ type: "resync", after_seq: lastSeq });
      if (lastSeq) send({ type: "read", seq: lastSeq });
      for (const entry of pending.values()) if (entry.state === "sent") entry.state = "queued";
      flush();
    });
    current.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "message") add(frame);
      else if (frame.type === "translation") translated(frame);
      else if (frame.type === "resync" && frame.more) send({ type: "resync", after_seq: frame.after_seq });
      else if (frame.type === "typing" && frame.sender !== me) {
        status.textContent = `${frame.sender} …`;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => (status.textContent = ""), 3000);
      } else if (frame.type === "read" && frame.sender !== me) {
        otherRead = { seq: frame.seq, read_at: frame.read_at };
        drawReceipt();
      } else if (frame.type === "read") {
        // My read is stored: the header's counts ask again (this page's notifications
        // socket may have joined after the read's own event went out).
        document.dispatchEvent(new CustomEvent("socialapp:counts-stale"));
      } else if (frame.type === "error") refused(frame);
    });
    current.addEventListener("close", (event) => {
      if (socket !== current) return;
      if (event.code === 4403) {
        closed = true;
        clearTimeout(typingTimer);
        box.dataset.connection = "refused";
        status.textContent = label.closed;
        failWaiting();
        return;
      }
      connected(false);
      reconnectTimer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }

  window.addEventListener("offline", () => {
    connected(false);
    if (socket) socket.close();
  });
  window.addEventListener("online", () => {
    retry = 500;
    connect();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.elements.text;
    const text = input.value.trim();
    if (!text) return;
    const client_id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random());
    const li = document.createElement("li");
    li.className = "bubble mine pending";
    li.dataset.clientId = client_id;
    const entry = { text, li, state: "queued", sentAt: 0 };
    pending.set(client_id, entry);
    drawPending(entry);
    thread.append(li);
    separate();
    drawReceipt();
    scrollToNewest();
    input.value = "";
    flush();
  });
  // The other side shows "typing" for 3 s, and the server forwards one every 2 s.
  form.elements.text.addEventListener("input", () => {
    if (Date.now() - typingAt < 2000) return;
    typingAt = Date.now();
    send({ type: "typing" });
  });

  older.hidden = !oldestSeq || oldestSeq <= 1;
  older.addEventListener("click", async () => {
    const response = await fetch(`${box.dataset.history}?before_seq=${oldestSeq}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = await response.json();
    const height = document.documentElement.scrollHeight;
    for (const m of page.results) {
      if (!seen.has(m.seq)) {
        seen.add(m.seq);
        thread.prepend(bubble(m));
      }
    }
    separate();
    window.scrollBy(0, document.documentElement.scrollHeight - height); // stay where you were
    if (page.results.length) oldestSeq = page.results[page.results.length - 1].seq;
    older.hidden = !page.next_before_seq;
  });

  for (const m of history) {
    messagesBySeq.set(m.seq, m);
    const li = thread.querySelector(`[data-seq="${m.seq}"]`);
    if (li) draw(li, m);
  }
  separate();
  drawReceipt();
  scrollToNewest();
  window.addEventListener("scroll", () => (jump.hidden = nearNewest()), { passive: true });
  jump.addEventListener("click", scrollToNewest);
  connect();
})();
