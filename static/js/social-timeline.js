// The timelines' live bar: "N new posts" without a reload.
//
// The socket (ws/social/timeline/<home|public>/?since=<newest id shown>,
// apps/social/consumers_timelines.py) sends {"type": "timeline.new", "count": n} whenever the
// number of posts above the page's newest one changes. A click on the bar loads the newest page
// into #timeline with htmx and tells the socket where the page now starts.
(() => {
  "use strict";

  const bar = document.querySelector("[data-timeline-live]");
  if (!bar || !("WebSocket" in window)) return;

  const row = bar.querySelector("[data-timeline-new-row]");
  const button = bar.querySelector("[data-timeline-new]");
  const text = bar.querySelector("[data-timeline-new-text]");
  const stream = bar.dataset.timelineLive;
  const url = bar.dataset.timelineUrl;
  const RETRY_MAX = 30000;
  const PING_EVERY = 25000;
  const CLOSE_UNAUTHENTICATED = 4401;
  let socket = null;
  let retry = 1000;
  let pinger = null;

  function newestShown() {
    const timeline = document.getElementById("timeline");
    return timeline ? Number(timeline.dataset.newestId) || 0 : 0;
  }

  function show(count) {
    row.hidden = count <= 0;
    text.textContent = count === 1 ? "1 new post" : `${count >= 99 ? "99+" : count} new posts`;
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/ws/social/timeline/${stream}/?since=${newestShown()}`);
    socket.addEventListener("open", () => {
      retry = 1000;
      pinger = window.setInterval(() => socket.send(JSON.stringify({ type: "ping" })), PING_EVERY);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "timeline.new" && Number.isInteger(message.count)) show(message.count);
    });
    socket.addEventListener("close", (event) => {
      window.clearInterval(pinger);
      if (event.code === CLOSE_UNAUTHENTICATED) return;
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, RETRY_MAX);
    });
  }

  button.addEventListener("click", () => {
    if (!window.htmx) {
      window.location.assign(url);
      return;
    }
    window.htmx.ajax("GET", url, { target: "#timeline", swap: "outerHTML" }).then(() => {
      show(0);
      window.scrollTo({ top: 0 });
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "timeline.seen", since: newestShown() }));
      }
    });
  });

  connect();
})();
