// Messenger-style thread over /ws/chat/<id>/: messages are drawn once the server has
// stored them (it echoes them with their seq), resends carry the same client_id, and a
// dropped connection reconnects and asks for everything after the last seq it has.
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
  const history = JSON.parse(document.getElementById("chat-history").textContent);
  const seen = new Set(history.map((m) => m.seq));
  let lastSeq = history.length ? history[history.length - 1].seq : 0;
  let oldestSeq = history.length ? history[0].seq : null;
  let socket = null;
  let retry = 500;
  const pending = new Map(); // client_id -> text, resent after a reconnect
  let typingTimer = null;

  // A message from the other person shows its translation into my language, when it has
  // one and translation is on, with "See original" (and back) one tap away.
  function bubble(m) {
    const li = document.createElement("li");
    li.className = "bubble" + (m.sender === me ? " mine" : "");
    li.dataset.seq = m.seq;
    messagesBySeq.set(m.seq, m);
    for (const frame of early.get(m.seq) || []) remember(m, frame);
    early.delete(m.seq);
    draw(li, m);
    return li;
  }

  function draw(li, m) {
    li.replaceChildren();
    const mine = (m.translations || []).find((t) => t.language === myLanguage);
    const text = document.createElement("span");
    text.textContent = m.text;
    li.append(text);
    if (m.sender === me || !translating || !mine) return;
    const meta = document.createElement("div");
    meta.className = "translation muted";
    const note = document.createElement("span");
    meta.append(note);
    li.append(meta);
    if (mine.status === "unavailable") {
      note.textContent = label.unavailable;
      return;
    }
    let original = false;
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link";
    const show = () => {
      text.textContent = original ? m.text : mine.text;
      text.lang = original ? m.language : mine.language;
      toggle.textContent = original ? label.seeTranslation : label.seeOriginal;
      note.textContent = mine.engine === "apertium" ? label.basic : label.translated;
      note.hidden = original;
    };
    toggle.addEventListener("click", () => { original = !original; show(); });
    show();
    meta.append(toggle);
  }

  function remember(m, frame) {
    m.translations = (m.translations || []).filter((t) => t.language !== frame.language);
    m.translations.push({ language: frame.language, status: frame.status, text: frame.text, engine: frame.engine });
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
    if (seen.has(m.seq)) return;
    seen.add(m.seq);
    pending.delete(m.client_id);
    const after = [...thread.children].find((li) => Number(li.dataset.seq) > m.seq);
    thread.insertBefore(bubble(m), after || null);
    // A live message past a gap: the broadcast of one in between was missed (the channel
    // layer is at-most-once), so fetch it; the stored messages are the truth.
    if (m.seq > lastSeq + 1) send({ type: "resync", after_seq: lastSeq });
    lastSeq = Math.max(lastSeq, m.seq);
    if (m.sender !== me) send({ type: "read", seq: lastSeq });
    thread.lastElementChild.scrollIntoView({ block: "end" });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/chat/${box.dataset.conversation}/`);
    socket.addEventListener("open", () => {
      retry = 500;
      status.textContent = "";
      send({ type: "resync", after_seq: lastSeq });
      for (const [client_id, text] of pending) send({ type: "message", text, client_id });
      if (lastSeq) send({ type: "read", seq: lastSeq });
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "message") add(frame);
      else if (frame.type === "translation") translated(frame);
      else if (frame.type === "typing" && frame.sender !== me) {
        status.textContent = `${frame.sender} …`;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => (status.textContent = ""), 3000);
      } else if (frame.type === "read" && frame.sender !== me) status.textContent = "✓✓ " + frame.seq;
      else if (frame.type === "error") status.textContent = frame.detail;
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4403) { status.textContent = "—"; return; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.elements.text;
    const text = input.value.trim();
    if (!text) return;
    const client_id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random());
    pending.set(client_id, text);
    send({ type: "message", text, client_id });
    input.value = "";
  });
  form.elements.text.addEventListener("input", () => send({ type: "typing" }));

  older.hidden = !oldestSeq || oldestSeq <= 1;
  older.addEventListener("click", async () => {
    const response = await fetch(`${box.dataset.history}?before_seq=${oldestSeq}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = await response.json();
    for (const m of page.results) { if (!seen.has(m.seq)) { seen.add(m.seq); thread.prepend(bubble(m)); } }
    if (page.results.length) oldestSeq = page.results[page.results.length - 1].seq;
    older.hidden = !page.next_before_seq;
  });

  for (const m of history) {
    messagesBySeq.set(m.seq, m);
    const li = thread.querySelector(`[data-seq="${m.seq}"]`);
    if (li) draw(li, m);
  }
  connect();
})();
