// Small behaviours of the pages, kept in a static file: the Content-Security-Policy allows no
// inline script or event handler attribute.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form when a value is chosen.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
      if (typeof field.form.requestSubmit === "function") {
        field.form.requestSubmit();
      } else {
        field.form.submit();
      }
    }
  });

  // <form data-reset-after-save> empties itself once htmx saved it successfully.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-reset-after-save") &&
        event.detail && event.detail.successful) {
      form.reset();
    }
  });
})();
