// The progress bar of an application processed in the background: poll until done.
(function () {
  var box = document.querySelector(".progress[data-url]");
  if (!box) { return; }
  var bar = box.querySelector(".progress-bar"), note = box.querySelector(".progress-message");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      bar.style.width = s.progress + "%"; bar.textContent = s.progress + "%"; note.textContent = s.message || s.label;
      if (s.done) { window.location.reload(); } else { setTimeout(poll, 1000); }
    });
  }
  poll();
})();
