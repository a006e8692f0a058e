// A live conversation (templates/social/messages/thread.html): a small enhancement; the thread
// works without it (plain forms and a redirect).
//
// The conversation's socket (apps/social/consumers.py) announces messages by id; each is fetched
// as this reader sees it (their own edit and delete buttons) and put in place. It also carries
// "typing" (sent at most every two seconds while the reader types) and "read" receipts (sent when
// a new message arrives while the page is visible, or when the page turns visible again with
// messages it has not marked read). "Seen by" names who has read one's newest message: a message
// of one's own sent since hides it until they read that one too.
(() => {
  "use strict";

  const RETRY_MAX = 30000;
  const PING_EVERY = 25000;
  const TYPING_SHOWN = 4000; // how long "X is typing" stays after the last typing event
  const FINAL = new Set([4401, 4403, 4404]); // signed out, blocked, not in it: nothing to wait for

  const thread = document.querySelector("[data-dm-thread]");
  if (!thread || !("WebSocket" in window)) return;
  const me = Number(thread.dataset.me);
  const list = document.getElementById("dm-messages");
  const typingLine = document.getElementById("dm-typing");
  const seenLine = document.getElementById("dm-seen");
  let socket = null;
  let typingTimer = null;
  let unread = false; // a message arrived while the page was hidden
  // Who has read up to which message (the page's [data-read-upto], then the socket's "read").
  const reads = new Map();
  document.querySelectorAll("[data-presence-user][data-read-upto]").forEach((person) => {
    reads.set(Number(person.dataset.presenceUser), Number(person.dataset.readUpto) || 0);
  });

  // A message htmx swapped in may also arrive from the socket: the first copy stays.
  document.addEventListener("htmx:load", (event) => {
    const element = event.detail.elt;
    if (!element.classList || !element.classList.contains("dm-message")) return;
    document.querySelectorAll(".dm-message").forEach((other) => {
      if (other !== element && other.id === element.id) other.remove();
    });
    const empty = list.querySelector("[data-dm-empty]");
    if (empty) empty.remove();
    showSeen();
  });

  const send = (data) => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
  };

  async function fetchMessage(messageId, { replace }) {
    const present = document.getElementById(`message-${messageId}`);
    if (present && !replace) return;
    const url = thread.dataset.fragmentUrl.replace(/0\/$/, `${messageId}/`);
    let response;
    try {
      response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    } catch {
      return; // offline for a moment: the message shows on the next visit
    }
    if (!response.ok) return;
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const element = template.content.firstElementChild;
    if (!element) return;
    const current = document.getElementById(`message-${messageId}`);
    if (current) {
      if (!replace) return; // htmx put it there while we were fetching
      current.replaceWith(element);
    } else if (replace) {
      return; // an edit of a message older than this page: nothing to update
    } else {
      const empty = list.querySelector("[data-dm-empty]");
      if (empty) empty.remove();
      list.append(element);
    }
    window.htmx.process(element);
    showSeen();
  }

  // A person's name from the header (its [data-person-name], not the presence badge beside it).
  function personName(userId) {
    const person = document.querySelector(`[data-presence-user="${userId}"]`);
    if (!person) return "";
    const name = person.querySelector("[data-person-name]") || person;
    return name.textContent.trim();
  }

  function showTyping(userId) {
    if (userId === me || !typingLine) return;
    const name = personName(userId) || "Someone";
    typingLine.textContent = `${name} is typing…`;
    typingLine.hidden = false;
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(() => {
      typingLine.hidden = true;
    }, TYPING_SHOWN);
  }

  // Against the newest message of one's own on the page, whenever either side moves: a receipt
  // that arrives before one's message is in place is kept, and a newer message hides an old one.
  function showSeen() {
    if (!seenLine) return;
    const mine = list.querySelectorAll(`.dm-message--mine`);
    const last = mine.length ? Number(mine[mine.length - 1].dataset.messageId) : 0;
    const names = [...reads]
      .filter(([userId, upto]) => userId !== me && last && upto >= last)
      .map(([userId]) => personName(userId) || "someone");
    seenLine.textContent = names.length ? `Seen by ${names.join(", ")}` : "";
    seenLine.hidden = !names.length;
  }

  function showRead(userId, messageId) {
    reads.set(userId, Math.max(reads.get(userId) || 0, messageId));
    showSeen();
  }

  function handle(data) {
    if (data.type === "message.new") {
      fetchMessage(data.message_id, { replace: false });
      if (data.sender_id !== me) {
        if (typingLine) typingLine.hidden = true;
        if (document.visibilityState === "visible") send({ type: "read", message_id: data.message_id });
        else unread = true;
      }
    } else if (data.type === "message.edited" || data.type === "message.deleted") {
      fetchMessage(data.message_id, { replace: true });
    } else if (data.type === "typing") {
      showTyping(data.user_id);
    } else if (data.type === "read") {
      showRead(data.user_id, data.message_id);
    } else if (data.type === "error" && data.message) {
      const status = document.createElement("p");
      status.className = "form__errors";
      status.setAttribute("role", "alert");
      status.textContent = data.message;
      list.after(status);
    }
  }

  // Back to a page that heard messages while hidden: they are read now (up to the newest).
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !unread) return;
    unread = false;
    send({ type: "read" });
  });

  let lastTyping = 0;
  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-dm-input]")) return;
    const now = Date.now();
    if (now - lastTyping < 2000) return;
    lastTyping = now;
    send({ type: "typing" });
  });

  let delay = 1000;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${window.location.host}${thread.dataset.socket}`);
    let ping;
    socket.addEventListener("open", () => {
      delay = 1000;
      thread.dataset.live = "true";
      ping = window.setInterval(() => send({ type: "ping" }), PING_EVERY);
    });
    socket.addEventListener("message", (event) => {
      try {
        handle(JSON.parse(event.data));
      } catch {
        // not ours to read
      }
    });
    socket.addEventListener("close", (event) => {
      delete thread.dataset.live;
      window.clearInterval(ping);
      if (FINAL.has(event.code)) return;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, RETRY_MAX);
    });
  }
  connect();
})();
