// ledger dashboard: progressive enhancement only. Every flow works without it.
(function () {
  "use strict";
  // Ask before submitting forms marked data-confirm (the server still shows
  // its own confirmation page when JS is off).
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    var msg = f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
    var btn = f.querySelector("button[type=submit]");
    if (btn) { btn.setAttribute("aria-busy", "true"); }
  });
  // Render absolute times in the reader's local zone as a tooltip.
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var d = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(d)) { times[i].title = d.toLocaleString(); }
  }
})();
