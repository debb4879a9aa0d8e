// The bell's and the Messages link's unread counts, kept live over /ws/notifications/.
// The server sends "notifications.unread" {count} when a notification arrives or is read,
// and "chat.unread" {total, conversations} when someone writes to you or you read. The
// bell shows the unread notifications plus, unless turned off in the settings, each
// conversation with unread messages (the page gives the parts in the bell's data-bell-*).
// Events sent while the socket is down are lost, so after a reconnect the counts are
// fetched again. Other scripts may listen to the "socialapp:notification" event on
// document for every event the socket brings, and to "socialapp:notifications-open" for
// each time it (re)connects, to fetch what they may have missed.
(function () {
  "use strict";
  const FORBIDDEN = 4403;
  const link = document.querySelector("[data-bell-url]");
  const bell = {
    notifications: Number(link && link.dataset.bellNotifications) || 0,
    conversations: Number(link && link.dataset.bellConversations) || 0,
    messagesOn: !link || link.dataset.bellMessages !== "off",
  };

  function show(name, count) {
    for (const badge of document.querySelectorAll(`[data-badge="${name}"]`)) {
      badge.querySelector("[data-count]").textContent = count > 99 ? "99+" : String(count);
      badge.hidden = count <= 0;
    }
  }

  function showBell() {
    show("notifications", bell.notifications + (bell.messagesOn ? bell.conversations : 0));
  }

  // Socket events per count, so that a fetch answered after a newer event (a busy server
  // answers late) does not put back the count that event replaced.
  const events = { notifications: 0, messages: 0 };

  async function refresh() {
    if (!link) return;
    const asked = { ...events };
    let counts;
    try {
      const response = await fetch(link.dataset.bellUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      counts = await response.json();
    } catch {
      return; // offline again: the next reconnect asks
    }
    bell.messagesOn = counts.messages_on;
    if (events.notifications === asked.notifications) bell.notifications = counts.notifications;
    if (events.messages === asked.messages) {
      bell.conversations = counts.conversations;
      show("messages", counts.messages);
    }
    showBell();
  }

  let delay = 1000;
  let socket = null;
  let timer = null;
  function connect() {
    clearTimeout(timer);
    if (socket && socket.readyState <= WebSocket.OPEN) return; // connecting or open
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const current = new WebSocket(`${scheme}://${location.host}/ws/notifications/`);
    socket = current;
    // "live" while the counts follow the server (the offline state styles and tests read it).
    current.addEventListener("open", () => {
      delay = 1000;
      document.documentElement.dataset.notifications = "live";
      // Fetched on every open, the first included: whatever changed between the page's
      // render and this socket joining its group (a conversation this page just read, a
      // like while offline) sent its event to no socket of ours.
      refresh();
      document.dispatchEvent(new CustomEvent("socialapp:notifications-open"));
    });
    current.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event.type === "notifications.unread") {
        events.notifications += 1;
        bell.notifications = event.count;
        showBell();
      } else if (event.type === "chat.unread") {
        events.messages += 1;
        show("messages", event.total);
        if (typeof event.conversations === "number") {
          bell.conversations = event.conversations;
          showBell();
        }
      }
      document.dispatchEvent(new CustomEvent("socialapp:notification", { detail: event }));
    });
    current.addEventListener("close", (closed) => {
      if (socket !== current) return;
      document.documentElement.dataset.notifications = "off";
      if (closed.code === FORBIDDEN) return; // signed out
      if (navigator.onLine === false) return; // the "online" event reconnects
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  document.addEventListener("socialapp:counts-stale", refresh);
  window.addEventListener("offline", () => {
    if (socket) socket.close();
  });
  window.addEventListener("online", () => {
    delay = 1000;
    connect();
  });

  if (document.querySelector("[data-badge]")) connect();
})();
