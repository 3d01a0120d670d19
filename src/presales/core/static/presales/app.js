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

  // An element with data-follows-job (and an id) shows what the server says about it whenever
  // the polled job progress (#job-progress) changes state: the poll swaps only the progress, so
  // the page is fetched once per change of state and the element's text and class taken from it.
  var jobState = null;
  function followJob() {
    var progress = document.getElementById("job-progress");
    if (!progress) {
      return;
    }
    var state = progress.getAttribute("data-state");
    if (jobState === null) {
      jobState = state;
      return;
    }
    if (state === jobState) {
      return;
    }
    jobState = state;
    var followers = document.querySelectorAll("[data-follows-job][id]");
    if (!followers.length || typeof window.fetch !== "function") {
      return;
    }
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        Array.prototype.forEach.call(followers, function (element) {
          var now = fresh.getElementById(element.id);
          if (now) {
            element.textContent = now.textContent;
            element.className = now.className;
          }
        });
      })
      .catch(function () { /* the next change of state tries again */ });
  }
  document.addEventListener("DOMContentLoaded", followJob);
  document.addEventListener("htmx:afterSettle", followJob);
})();
