// htmx 2 leaves 4xx answers unswapped. A form marked data-swap-errors is re-rendered by the server
// with its errors even then (the sign-in form answers 429 while locked out), so swap those too.
document.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr, elt } = event.detail;
  if (xhr.status >= 400 && xhr.status < 500 && elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
