// Presence: this tab's heartbeat, and the live status of the people the page shows.
//
// base.html includes this for signed-in people only. The socket (ws/presence/,
// apps/core/platform/presence_consumer.py) takes {"type": "heartbeat", "away": bool} every
// ~25 s and at once when the tab turns hidden, idle or active again; and {"type": "watch", "ids":
// [...]} with the ids of the page's badges (components/presence.html, [data-presence]). It answers
// {"type": "presence", "statuses": {"<id>": {"state", "last_seen"}}} for the people the viewer may
// see, now and on every change. Reconnects with backoff; stops when the server says signed out.
(() => {
  "use strict";

  if (!("WebSocket" in window)) return;

  const HEARTBEAT_EVERY = 25000;
  const IDLE_AFTER = 5 * 60 * 1000; // no input for this long: away
  const RETRY_MIN = 1000;
  const RETRY_MAX = 30000;
  const CLOSE_UNAUTHENTICATED = 4401;
  const LABELS = { online: "Online", away: "Away", offline: "Offline" };

  let socket = null;
  let retry = RETRY_MIN;
  let beater = null;
  let lastInput = Date.now();
  let sentAway = null;
  let watched = "";

  const isAway = () => document.hidden || Date.now() - lastInput > IDLE_AFTER;

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function beat(force) {
    const away = isAway();
    if (!force && away === sentAway) return;
    sentAway = away;
    send({ type: "heartbeat", away });
  }

  function pageIds() {
    const ids = new Set();
    document.querySelectorAll("[data-presence]").forEach((element) => {
      const id = Number(element.dataset.presence);
      if (Number.isInteger(id) && id > 0) ids.add(id);
    });
    return [...ids].sort((a, b) => a - b);
  }

  function watch(force) {
    const ids = pageIds();
    const key = ids.join(",");
    // force (a new socket): send the page's list again, unless it is empty.
    if (key === watched && !(force && key)) return;
    watched = key;
    send({ type: "watch", ids });
  }

  function ago(iso) {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return "just now";
    const units = [
      [86400, "day"],
      [3600, "hour"],
      [60, "minute"],
    ];
    for (const [size, name] of units) {
      if (seconds >= size) {
        const n = Math.floor(seconds / size);
        return `${n} ${name}${n === 1 ? "" : "s"} ago`;
      }
    }
    return "just now";
  }

  function render(element, status) {
    const state = LABELS[status.state] ? status.state : "offline";
    element.classList.remove("presence--online", "presence--away", "presence--offline", "badge--success", "badge--warning");
    element.classList.add(`presence--${state}`);
    if (state === "online") element.classList.add("badge--success");
    if (state === "away") element.classList.add("badge--warning");
    element.dataset.presenceState = state;
    const label = element.querySelector("[data-presence-label]");
    if (label) label.textContent = LABELS[state];
    let seen = element.querySelector("[data-presence-seen]");
    if (state === "offline" && status.last_seen) {
      if (!seen) {
        seen = document.createElement("span");
        seen.dataset.presenceSeen = "";
        element.appendChild(seen);
      }
      const time = document.createElement("time");
      time.dateTime = status.last_seen;
      time.textContent = ago(status.last_seen);
      seen.replaceChildren(" · last seen ", time);
    } else if (seen) {
      seen.remove();
    }
  }

  function show(statuses) {
    Object.entries(statuses || {}).forEach(([id, status]) => {
      document.querySelectorAll(`[data-presence="${Number(id)}"]`).forEach((element) => render(element, status));
    });
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/ws/presence/`);
    socket.addEventListener("open", () => {
      retry = RETRY_MIN;
      sentAway = null;
      beat(true);
      watch(true);
      beater = window.setInterval(() => beat(true), HEARTBEAT_EVERY);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "presence") show(message.statuses);
    });
    socket.addEventListener("close", (event) => {
      window.clearInterval(beater);
      socket = null;
      if (event.code === CLOSE_UNAUTHENTICATED) return; // signed out (perhaps in another tab)
      // Jitter, so a restarted server is not met by every tab in the same instant.
      window.setTimeout(connect, retry * (0.5 + Math.random() / 2));
      retry = Math.min(retry * 2, RETRY_MAX);
    });
  }

  function active() {
    const wasIdle = Date.now() - lastInput > IDLE_AFTER;
    lastInput = Date.now();
    if (wasIdle) beat(false);
  }

  ["pointerdown", "keydown", "scroll", "touchstart"].forEach((name) =>
    document.addEventListener(name, active, { passive: true, capture: true })
  );
  document.addEventListener("visibilitychange", () => beat(false));
  // Turning idle has no event of its own: look each half minute.
  window.setInterval(() => beat(false), 30000);
  // htmx swaps may bring new badges (a follower list's next page).
  document.body.addEventListener("htmx:afterSettle", () => watch(false));

  connect();
})();
