// The result page's live progress: polls the submission's progress.json (submissions.progress)
// and shows each stage as the harness reports it; once graded, swaps in the result from the
// page itself (no reload). Without JavaScript the page's <noscript> refresh does the same job.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !live.dataset.progressUrl) { return; }
  var url = live.dataset.progressUrl;
  var label = document.getElementById("stage-label");
  var status = document.getElementById("status-text");
  var steps = live.querySelectorAll("[data-stage]");
  var delay = 1000;
  var order = ["queued", "static", "starting", "correctness", "peak_memory", "latency", "throughput",
               "benchmark", "profile", "degeneracy", "rubric", "trace_answers", "result"];

  function mark(stage) {
    var at = order.indexOf(stage);
    steps.forEach(function (item) {
      var mine = order.indexOf(item.dataset.stage);
      item.classList.toggle("stage-done", mine >= 0 && at >= 0 && mine < at);
      item.classList.toggle("stage-now", item.dataset.stage === stage);
      if (item.dataset.stage === stage) { item.setAttribute("aria-current", "step"); } else { item.removeAttribute("aria-current"); }
    });
  }

  function swapInResult(resultUrl) {
    fetch(resultUrl, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("submission-body");
        var current = document.getElementById("submission-body");
        if (!fresh || !current) { throw new Error("no result block"); }
        current.replaceWith(fresh);
        var verdict = document.getElementById("verdict") || document.getElementById("status");
        if (verdict) { verdict.setAttribute("tabindex", "-1"); verdict.focus({preventScroll: true}); }
      })
      .catch(function () { window.location.reload(); });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (progress) {
        delay = 1000;
        if (label && label.textContent !== progress.label) { label.textContent = progress.label; }
        if (status && status.textContent !== progress.status) { status.textContent = progress.status; }
        live.dataset.stage = progress.stage;
        mark(progress.stage);
        if (progress.done) { swapInResult(progress.result_url); return; }
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); window.setTimeout(poll, delay); });
  }

  poll();
})();
