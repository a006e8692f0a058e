// The header's bell: its unread count follows the server without a reload.
//
// The socket (ws/notifications/, apps/core/notifications/consumers.py) sends
// {"type": "notification", "kind": "notifications.unread", "data": {"unread": n}} on connect (when
// the count differs from the page's) and whenever the count changes (pushed through Redis, or found by the server's poll on the
// in-memory layer). htmx answers that change the count (mark read) swap #bell-count themselves.
(() => {
  "use strict";

  const bell = document.querySelector("[data-notification-bell]");
  if (!bell || !("WebSocket" in window)) return;

  const RETRY_MAX = 30000;
  const PING_EVERY = 25000;
  const CLOSE_UNAUTHENTICATED = 4401;

  function show(count) {
    const badge = document.getElementById("bell-count");
    const text = bell.querySelector("[data-unread-text]");
    if (badge) {
      badge.textContent = String(count);
      badge.dataset.unreadCount = String(count);
      badge.hidden = count === 0;
    }
    if (text) text.textContent = `${count} unread`;
  }

  let retry = 1000;
  let pinger = null;

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    // The count this page shows: the server sends the real one at once if it differs.
    const badge = document.getElementById("bell-count");
    const shown = badge ? Number(badge.dataset.unreadCount) || 0 : 0;
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/?unread=${shown}`);
    socket.addEventListener("open", () => {
      retry = 1000;
      bell.dataset.live = "true";
      pinger = window.setInterval(() => socket.send(JSON.stringify({ type: "ping" })), PING_EVERY);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "notification" && message.kind === "notifications.unread") {
        const count = Number(message.data && message.data.unread);
        if (Number.isInteger(count) && count >= 0) show(count);
      }
    });
    socket.addEventListener("close", (event) => {
      window.clearInterval(pinger);
      delete bell.dataset.live;
      if (event.code === CLOSE_UNAUTHENTICATED) return; // signed out in another tab
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, RETRY_MAX);
    });
  }

  connect();
})();
