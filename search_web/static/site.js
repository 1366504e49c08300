/* govsearch site: progressive enhancement only. Every feature works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var form = document.getElementById("search-form");

    // Facet checkboxes apply at once (the 应用筛选 button stays for keyboard users and the date range).
    if (form) {
      // Leave empty fields out of the URL so shared links stay short.
      form.addEventListener("submit", function () {
        Array.prototype.forEach.call(form.elements, function (el) {
          if ((el.name === "from" || el.name === "to") && !el.value) { el.disabled = true; }
        });
      });
      // coming back from the results (back-forward cache): make them usable again
      window.addEventListener("pageshow", function () {
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name === "from" || el.name === "to") { el.disabled = false; }
        });
      });
      document.querySelectorAll('.facet input[type="checkbox"]').forEach(function (box) {
        box.addEventListener("change", function () {
          // a new selection is a new result set: start at page 1 (the form has no page field)
          if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        });
      });
    }

    // On a phone the filters start folded unless some are in use, so results come first.
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia && window.matchMedia("(max-width: 820px)").matches) {
      if (!document.querySelector(".active-filters")) { filters.removeAttribute("open"); }
    }

    // "/" jumps to the search box, as on many search sites.
    var box = document.getElementById("q");
    if (box) {
      document.addEventListener("keydown", function (event) {
        var t = event.target;
        var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
        if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
          event.preventDefault();
          box.focus();
          box.select();
        }
      });
    }
  });
})();
