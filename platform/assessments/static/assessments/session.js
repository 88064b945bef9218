// The candidate's clock and autosave. The server owns the time: the page starts from the seconds
// it was given, re-asks /clock/ every 30 s (a reload or a second browser shows the same time), and
// autosaves the editor every 5 s after a change; a 409 means time is up and the page says so.
(function () {
  var root = document.getElementById("session");
  if (!root) return;
  var clockUrl = root.dataset.clockUrl, left = parseInt(root.dataset.secondsLeft, 10), clock = document.getElementById("clock");
  function show() {
    if (!clock) return;
    var s = Math.max(0, left), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    clock.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
    if (s <= 0) { clock.textContent = "time is up"; document.body.classList.add("closed"); }
  }
  setInterval(function () { left -= 1; show(); }, 1000);
  setInterval(function () {
    fetch(clockUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) { left = d.seconds_left; show(); });
  }, 30000);
  show();
  // Every file's textarea is in the form (the editor copies its text there and fires "input").
  var form = document.getElementById("work-form"), status = document.getElementById("save-status");
  if (!form) return;
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; if (status) status.textContent = "unsaved changes"; });
  function save() {
    if (!dirty) return;
    dirty = false;
    var body = new FormData(form);
    fetch(root.dataset.saveUrl, {method: "POST", body: body, credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (d) {
        if (status) status.textContent = d.saved ? "saved " + new Date(d.saved_at).toLocaleTimeString() : d.detail;
        if (typeof d.seconds_left === "number") { left = d.seconds_left; show(); }
      });
    }).catch(function () { dirty = true; if (status) status.textContent = "not saved (offline?); retrying"; });
  }
  setInterval(save, 5000);
  window.addEventListener("beforeunload", save);
})();
