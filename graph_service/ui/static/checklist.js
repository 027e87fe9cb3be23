// Isolation checklist: a step can only be ticked after the one before it; unticking a step
// unticks the ones after it. Ticks survive reloads (a feedback post re-derives the battery) in
// sessionStorage, keyed by the battery and its list of isolation steps: when a new derivation
// changes the steps, the checklist starts again.
(function () {
  "use strict";
  var section = document.querySelector("[data-checklist]");
  if (!section) { return; }
  var boxes = Array.prototype.slice.call(section.querySelectorAll("input[type=checkbox]"));
  var progress = document.getElementById("isolation-progress");
  var pending = document.getElementById("isolation-pending");
  var key = "dbp-isolation:" + section.getAttribute("data-checklist") + ":" +
    boxes.map(function (box) { return box.value; }).join(" ");

  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(key) || "0") || 0; }
    catch (e) { return 0; }
  }
  function save(count) {
    try { window.sessionStorage.setItem(key, JSON.stringify(count)); } catch (e) { /* private mode */ }
  }
  function update() {
    var done = 0;
    while (done < boxes.length && boxes[done].checked) { done += 1; }
    boxes.forEach(function (box, i) {
      if (i > done) { box.checked = false; }
      box.disabled = i > done;
      box.closest("li").classList.toggle("done", box.checked);
    });
    if (progress) {
      progress.textContent = done === boxes.length
        ? "All " + boxes.length + " isolation steps confirmed."
        : done + " of " + boxes.length + " isolation steps confirmed.";
    }
    if (pending) { pending.hidden = done === boxes.length; }
    save(done);
  }
  var restored = load();
  boxes.forEach(function (box, i) {
    box.checked = i < restored;
    box.addEventListener("change", update);
  });
  update();
})();
