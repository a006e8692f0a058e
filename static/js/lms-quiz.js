// The quiz's countdown (templates/lms/quizzes/_quiz.html). It counts the seconds the server said
// were left when the page was rendered (data-seconds-left), on this browser's monotonic clock, so a
// wrong clock on the learner's machine changes nothing; at zero it submits the form. The server
// is the authority: it refuses answers that arrive after the deadline whatever this shows.
(function () {
  "use strict";

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function start(box) {
    var clock = box.querySelector("[data-quiz-clock]");
    var form = box.closest("form");
    var left = parseInt(box.getAttribute("data-seconds-left"), 10);
    if (!clock || isNaN(left)) return;
    var end = performance.now() + left * 1000;
    var sent = false;
    function tick() {
      var seconds = Math.max(0, Math.ceil((end - performance.now()) / 1000));
      clock.textContent = format(seconds);
      if (seconds <= 60) box.classList.add("message--warning");
      if (seconds === 0) {
        if (!sent && form) {
          sent = true;
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
        return;
      }
      window.setTimeout(tick, 250);
    }
    tick();
  }

  // The submitted form carries every answer, so once it is sent the per-question saves stop:
  // one still waiting for its delay, or in flight, would reach an attempt the submission just
  // closed and be refused (409) while the page is leaving.
  function guard(form) {
    var submitting = false;
    form.addEventListener("submit", function () {
      submitting = true;
      if (!window.htmx) return;
      form.querySelectorAll("[hx-post]").forEach(function (field) {
        window.htmx.trigger(field, "htmx:abort");
      });
    });
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (submitting) event.preventDefault();
    });
  }

  function init() {
    document.querySelectorAll("[data-quiz-countdown]").forEach(start);
    var form = document.getElementById("quiz-form");
    if (form) guard(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
