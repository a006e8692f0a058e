// Small progressive enhancements. Everything works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-dismiss]");
  if (button) button.parentElement.remove();
});

// A failed htmx request (403, 404, 500, an expired form ...) is not swapped into the page (see
// responseHandling in base.html): say what happened in the messages region instead of failing
// silently. The site's error pages name their reason in a header (the page itself is not parsed:
// even an inert parse of it would meet its styles under this page's CSP); Django's own pages
// under DEBUG name none and get a sentence per status.
(() => {
  const FALLBACK = {
    400: "The request was not understood.",
    403: "You are not allowed to do this.",
    404: "This is no longer here: reload the page to see it as it is now.",
    429: "Too many requests: wait a moment and try again.",
  };

  function say(text) {
    const region = document.getElementById("messages");
    const toast = document.getElementById("error-toast");
    if (!region || !toast) return;
    const message = toast.content.firstElementChild.cloneNode(true);
    message.querySelector(".message__text").textContent = text;
    region.append(message);
  }

  function reason(xhr) {
    const said = xhr.getResponseHeader("X-Error-Message");
    if (said) {
      try {
        return decodeURIComponent(said);
      } catch {
        // a malformed header: fall through to the status's sentence
      }
    }
    if (xhr.status >= 500) return "Something went wrong on our side. Please try again in a moment.";
    return FALLBACK[xhr.status] || `The request failed (${xhr.status}).`;
  }

  document.addEventListener("htmx:responseError", (event) => say(reason(event.detail.xhr)));
  document.addEventListener("htmx:sendError", () => say("The site could not be reached. Check your connection and try again."));
})();
