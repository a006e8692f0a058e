// The profile's tabs: each is a link to its own address, and htmx swaps in its panel alone
// (templates/social/profile_detail.html). Mark the tab whose panel is now shown, as the whole
// page would; a failed request leaves the marks as they were.
(() => {
  "use strict";

  document.addEventListener("htmx:afterRequest", (event) => {
    const link = event.detail.elt;
    const strip = link && link.closest ? link.closest("[data-profile-tabs]") : null;
    if (!strip || !event.detail.successful) return;
    for (const tab of strip.querySelectorAll("a")) {
      if (tab === link) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
  });
})();
