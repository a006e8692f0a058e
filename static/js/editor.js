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
  // The preview column is narrower than a desktop: show a desktop-wide window scaled down to it,
  // so the frame renders the layout desktop visitors get. On a phone the phone layout is the
  // honest preview, so the frame is left at its own width there.
  const fitPreview = () => {
    const viewport = document.querySelector("[data-preview-viewport]");
    if (!viewport) return;
    const desktop = Number(viewport.dataset.desktopWidth) || 1100;
    const phone = window.matchMedia("(max-width: 48rem)");
    const fit = () => {
      const scale = phone.matches ? 1 : Math.min(1, viewport.clientWidth / desktop);
      viewport.style.setProperty("--preview-scale", String(scale));
    };
    new ResizeObserver(fit).observe(viewport);
    fit();
  };
  const ready = () => {
    fitPreview();
    start();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
