// A video lesson's progress: where the learner is and how much of the video they have really
// watched (seconds played, not the furthest point a seek reached), reported to the lesson's
// progress URL every 10 s of playing, on pause and at the end. The server completes the lesson
// at 90% watched and keeps the position, so the player resumes there next time.
(function () {
  "use strict";
  var REPORT_EVERY = 10; // seconds of playing between reports

  function setUp(video) {
    var url = video.dataset.progressUrl;
    if (!url) return;
    var seen = new Set();
    var last = null;
    var sinceReport = 0;
    var start = parseFloat(video.dataset.start || "0");

    video.addEventListener("loadedmetadata", function () {
      if (start > 0 && start < video.duration - 1) video.currentTime = start;
    });

    function watchedPercent() {
      if (!video.duration || !isFinite(video.duration)) return null;
      return Math.min(100, Math.round((100 * seen.size) / Math.ceil(video.duration)));
    }

    function report() {
      sinceReport = 0;
      var body = new URLSearchParams();
      body.set("position", String(Math.floor(video.currentTime)));
      var watched = watchedPercent();
      if (watched !== null) body.set("watched", String(watched));
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": video.dataset.csrf },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer && answer.completed) {
            video.dispatchEvent(new CustomEvent("lesson:completed", { bubbles: true }));
            var done = document.getElementById("lesson-done");
            if (done && !done.dataset.completed) {
              done.dataset.completed = "1";
              done.insertAdjacentHTML("afterbegin", '<p role="status"><span class="badge badge--success">Done</span> You watched this lesson.</p>');
              var form = done.querySelector("form");
              if (form) form.remove();
            }
          }
        })
        .catch(function () { /* the next report carries the same figures */ });
    }

    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      // Only steady playing counts: a jump (a seek) is not watching what was skipped.
      if (last !== null && now > last && now - last < 2) {
        for (var s = Math.floor(last); s < Math.floor(now); s += 1) seen.add(s);
        sinceReport += now - last;
      }
      last = now;
      if (sinceReport >= REPORT_EVERY) report();
    });
    video.addEventListener("seeking", function () { last = null; });
    video.addEventListener("pause", report);
    video.addEventListener("ended", function () {
      seen.add(Math.ceil(video.duration) - 1);
      report();
    });
  }

  document.querySelectorAll("video[data-progress-url]").forEach(setUp);
})();
