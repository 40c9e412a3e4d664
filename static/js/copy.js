/*
 * Staff session page: "Copy link" and "Print the card" buttons (hidden until this script shows them;
 * without JavaScript the link is a selectable text field and the browser's print prints the card).
 */
(function () {
  "use strict";

  var status = document.querySelector("[data-copy-status]");

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { say("Link copied."); };
      var failed = function () {
        say(fallbackCopy(field) ? "Link copied." : "Could not copy: the link is selected, press Ctrl+C (or Cmd+C).");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
