// The site editor's live preview: after each pause in typing, the form is sent to the preview
// frame beside it (the same request the "Refresh the live preview" button makes without script).
(() => {
  "use strict";
  const start = () => {
    const form = document.querySelector("form[data-live-preview]");
    const button = form?.querySelector("[data-refresh-preview]");
    if (!form || !button) return;
    let timer = null;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => form.requestSubmit(button), 400);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    form.requestSubmit(button); // the first preview, as the editor opens
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
