/*
 * mlpbook-site.js: small fixes to sphinx-book-theme's page behaviour (every page).
 * Added by mlpbook.book.sphinxext with `defer`.
 *
 * The sidebar buttons themselves work once the theme's hidden header bar is
 * gone (see sphinxext._config_inited). This script only gives both buttons an
 * accessible name and an aria-expanded state that follows the sidebar.
 */
(function () {
  "use strict";

  function wire() {
    var primary = document.querySelector(".bd-header-article .primary-toggle");
    var sidebar = document.getElementById("pst-primary-sidebar");
    var secondary = document.querySelector(".bd-header-article .secondary-toggle");
    if (primary) primary.setAttribute("aria-label", "Show or hide the chapter list");
    if (secondary) secondary.setAttribute("aria-label", "Show or hide the contents of this page");
    if (primary && sidebar) {
      var update = function () {
        var hidden = sidebar.classList.contains("pst-sidebar-hidden");
        var wide = window.matchMedia("(min-width: 992px)").matches;
        primary.setAttribute("aria-expanded", String(wide && !hidden));
      };
      new MutationObserver(update).observe(sidebar, { attributes: true, attributeFilter: ["class"] });
      window.addEventListener("resize", update);
      update();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
