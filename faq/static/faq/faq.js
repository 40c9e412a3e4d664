// FAQ pages: open the question a link points at (#its-anchor), and print every answer.
// Without JavaScript the page still works: each question opens when selected.
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) {
      return;
    }
    var target = document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      var summary = target.querySelector("summary");
      if (summary) {
        summary.focus({ preventScroll: true });
      }
    }
  }

  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(document.querySelectorAll("details.faq-entry"), function (el) {
      return !el.open;
    });
    closedForPrint.forEach(function (el) { el.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (el) { el.open = false; });
    closedForPrint = [];
  });

  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
