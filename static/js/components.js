// The design system's small behaviours (templates/components/, docs/design-system.md). Each one
// enhances markup that already works without it: a file input still uploads, a modal's content
// is reachable without JS only where the page also gives a link, tabs fall back to showing every
// panel, and a toast stays until closed.
(() => {
  // Image picker: show the chosen file as a preview before it is uploaded.
  document.addEventListener("change", (event) => {
    const input = event.target.closest("[data-picker-input]");
    if (!input) return;
    const picker = input.closest("[data-picker]");
    const preview = picker && picker.querySelector("[data-picker-preview]");
    const name = picker && picker.querySelector("[data-picker-name]");
    const file = input.files && input.files[0];
    if (name) name.textContent = file ? file.name : name.dataset.empty || "";
    if (!preview) return;
    const old = preview.querySelector("img[data-picker-chosen]");
    if (old) {
      URL.revokeObjectURL(old.src);
      old.remove();
    }
    if (!file || !file.type.startsWith("image/")) {
      preview.classList.remove("picker__preview--chosen");
      return;
    }
    const image = document.createElement("img");
    image.dataset.pickerChosen = "";
    image.alt = "Preview of the chosen image";
    image.src = URL.createObjectURL(file);
    preview.querySelectorAll(":scope > :not([data-picker-chosen])").forEach((node) => {
      node.hidden = true;
    });
    preview.append(image);
    preview.classList.add("picker__preview--chosen");
  });

  // Modal: a button with data-modal-open="<dialog id>" opens it; [data-modal-close] closes it.
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-modal-open]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.modalOpen);
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    const closer = event.target.closest("[data-modal-close]");
    if (closer) {
      const dialog = closer.closest("dialog");
      if (dialog) dialog.close();
      return;
    }
    // A click on the backdrop (the dialog itself, outside its content) closes it.
    if (event.target instanceof HTMLDialogElement && event.target.classList.contains("modal")) {
      const box = event.target.getBoundingClientRect();
      const inside =
        event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) event.target.close();
    }
  });

  // Menu (<details class="menu">): a click elsewhere or Escape closes an open one.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest && event.target.closest("details.menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  // Tabs made of buttons: one panel shown at a time, arrow keys move between tabs (WAI-ARIA APG).
  function selectTab(tab, focus) {
    const list = tab.closest("[role=tablist]");
    list.querySelectorAll("[role=tab]").forEach((other) => {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !chosen;
    });
    if (focus) tab.focus();
  }

  function setUpTabs(root) {
    root.querySelectorAll("[role=tablist][data-tabs]:not([data-tabs-ready])").forEach((list) => {
      list.dataset.tabsReady = "";
      const tabs = [...list.querySelectorAll("[role=tab]")];
      const chosen = tabs.find((tab) => tab.getAttribute("aria-selected") === "true") || tabs[0];
      if (chosen) selectTab(chosen, false);
    });
  }

  document.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-tabs] [role=tab]");
    if (tab) selectTab(tab, false);
  });

  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest("[data-tabs] [role=tab]");
    if (!tab) return;
    const tabs = [...tab.closest("[role=tablist]").querySelectorAll("[role=tab]")];
    const at = tabs.indexOf(tab);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length], true);
  });

  // Toasts: one that is not an error fades after a while, unless the reader is on it.
  const TOAST_MS = 8000;

  function schedule(toast) {
    if (toast.dataset.autodismissScheduled !== undefined) return;
    toast.dataset.autodismissScheduled = "";
    let timer;
    const start = () => {
      timer = window.setTimeout(() => {
        toast.classList.add("message--leaving");
        window.setTimeout(() => toast.remove(), 300);
      }, TOAST_MS);
    };
    const stop = () => window.clearTimeout(timer);
    toast.addEventListener("mouseenter", stop);
    toast.addEventListener("focusin", stop);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusout", start);
    start();
  }

  // A dialog that htmx brought in (a "Report" button's form): opened as a modal at once, and
  // taken off the page when it closes, so opening it again fetches a fresh one.
  function openFetched(dialog) {
    if (dialog.open || typeof dialog.showModal !== "function") return;
    dialog.addEventListener("close", () => dialog.remove(), { once: true });
    dialog.showModal();
  }

  function setUp(root) {
    setUpTabs(root);
    root.querySelectorAll(".message[data-autodismiss]").forEach(schedule);
    if (root.matches && root.matches("dialog[data-modal-fetched]")) openFetched(root);
    root.querySelectorAll("dialog[data-modal-fetched]").forEach(openFetched);
  }

  document.addEventListener("DOMContentLoaded", () => setUp(document));
  document.addEventListener("htmx:load", (event) => setUp(event.target));
})();
