// The bell's and the Messages link's unread counts, kept live over /ws/notifications/.
// The server sends "notifications.unread" {count} when a notification arrives or is read,
// and "chat.unread" {total} when someone writes to you. Other scripts may listen to the
// "socialapp:notification" event on document for every event the socket brings.
(function () {
  "use strict";
  const FORBIDDEN = 4403;

  function show(name, count) {
    for (const badge of document.querySelectorAll(`[data-badge="${name}"]`)) {
      badge.querySelector("[data-count]").textContent = count > 99 ? "99+" : String(count);
      badge.hidden = count <= 0;
    }
  }

  let delay = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/notifications/`);
    // "live" while the counts follow the server (the offline state styles and tests read it).
    socket.addEventListener("open", () => { delay = 1000; document.documentElement.dataset.notifications = "live"; });
    socket.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event.type === "notifications.unread") show("notifications", event.count);
      else if (event.type === "chat.unread") show("messages", event.total);
      document.dispatchEvent(new CustomEvent("socialapp:notification", { detail: event }));
    });
    socket.addEventListener("close", (closed) => {
      document.documentElement.dataset.notifications = "off";
      if (closed.code === FORBIDDEN) return; // signed out
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  if (document.querySelector("[data-badge]")) connect();
})();
