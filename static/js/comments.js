// A live comment thread (any commentable kind): a small enhancement; the thread works without it.
//
// A socket per thread (see apps/core/comments/consumers.py) announces each newly published comment
// by id. The comment is then fetched as this reader would see it (their own buttons) and put at
// the end of its level. Cancel links of reply forms close the form instead of leaving the page.
(() => {
  "use strict";

  const RETRY_MAX = 30000;
  const CLOSE_NOT_FOUND = 4404; // the post is gone or not published: nothing to wait for
  const PING_EVERY = 25000; // keeps proxies from closing an idle socket

  document.addEventListener("click", (event) => {
    const cancel = event.target.closest("[data-comment-cancel]");
    const form = cancel && cancel.closest("form");
    if (form && form.closest(".comment__reply-slot")) {
      event.preventDefault();
      form.remove();
    }
  });

  // The same comment may arrive twice (a reader's own reply, also announced on the socket):
  // the copy htmx just swapped in stays.
  document.addEventListener("htmx:load", (event) => {
    const element = event.detail.elt;
    if (!element.classList || !element.classList.contains("comment")) return;
    document.querySelectorAll(".comment").forEach((other) => {
      if (other !== element && other.id === element.id) other.remove();
    });
  });

  const thread = document.querySelector("[data-comments-socket]");
  if (!thread || !("WebSocket" in window)) return;

  const isStale = (element) =>
    element.classList.contains("comment--pending") || element.classList.contains("comment--hidden");

  async function show(commentId, parentId) {
    const present = document.getElementById(`comment-${commentId}`);
    if (present && !isStale(present)) return;
    const url = thread.dataset.commentsFragment.replace(/0\/$/, `${commentId}/`);
    let response;
    try {
      response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    } catch {
      return; // offline for a moment: the comment shows on the next visit
    }
    if (!response.ok) return;
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const element = template.content.firstElementChild;
    if (!element) return;
    const current = document.getElementById(`comment-${commentId}`);
    if (current) {
      if (!isStale(current)) return; // htmx put it there while we were fetching
      current.replaceWith(element); // was waiting for approval here; now published
    } else {
      const list = document.getElementById(parentId ? `replies-${parentId}` : "comment-list");
      if (!list) return;
      element.classList.add("comment--arrived");
      list.append(element);
    }
    window.htmx.process(element);
  }

  let delay = 1000;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${thread.dataset.commentsSocket}`);
    let ping;
    socket.addEventListener("open", () => {
      delay = 1000;
      thread.dataset.live = "true";
      ping = window.setInterval(() => socket.send(JSON.stringify({ type: "ping" })), PING_EVERY);
    });
    socket.addEventListener("message", (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data.type === "comment.created") show(data.comment_id, data.parent_id);
    });
    socket.addEventListener("close", (event) => {
      delete thread.dataset.live;
      window.clearInterval(ping);
      if (event.code === CLOSE_NOT_FOUND) return;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, RETRY_MAX);
    });
  }
  connect();
})();
