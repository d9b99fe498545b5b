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
  function tips(root) {
    var t = root.querySelectorAll("time[datetime]");
    for (var i = 0; i < t.length; i++) {
      var d = new Date(t[i].getAttribute("datetime"));
      if (!isNaN(d)) { t[i].title = d.toLocaleString(); }
    }
  }
  // Live pages (<main data-live="N">): every N seconds while the tab is
  // visible, fetch this URL again and swap each [data-live-region] with
  // the fetched one. Stops on navigation or on any error.
  var main = document.querySelector("main[data-live]");
  var secs = main && +main.getAttribute("data-live");
  if (secs > 0 && window.fetch && window.DOMParser) {
    var regions = main.querySelectorAll("[data-live-region]");
    var seen = [], timer = 0, busy = false, stopped = false;
    var status = main.querySelector("[data-live-status]");
    for (var i = 0; i < regions.length; i++) { seen[i] = regions[i].innerHTML; }
    var say = function (m) { if (status) { status.textContent = m; } };
    var stop = function (m) { stopped = true; clearTimeout(timer); if (m) { say(m); } };
    var later = function () { clearTimeout(timer); if (!stopped) { timer = setTimeout(tick, secs * 1000); } };
    var key = function (e) { return e.tagName + (e.getAttribute("href") || (e.form && e.form.getAttribute("action")) || e.id || e.textContent); };
    var swap = function (doc) {
      var x = window.scrollX, y = window.scrollY, changed = false;
      for (var i = 0; i < regions.length; i++) {
        var r = regions[i], n = doc.querySelector("[data-live-region='" + r.getAttribute("data-live-region") + "']");
        if (!n) { return stop("Live updates stopped; use Refresh."); }
        if (n.innerHTML === seen[i]) { continue; }
        var a = document.activeElement, k = r.contains(a) && a !== r ? key(a) : null;
        r.innerHTML = seen[i] = n.innerHTML;
        tips(r);
        changed = true;
        var all = k ? r.querySelectorAll(a.tagName) : [];
        for (var j = 0; j < all.length; j++) {
          if (key(all[j]) === k) { all[j].focus({ preventScroll: true }); break; }
        }
      }
      if (changed) { window.scrollTo(x, y); say("Updated " + new Date().toLocaleTimeString()); }
    };
    var tick = function () {
      if (stopped || busy || document.visibilityState !== "visible") { return; }
      busy = true;
      fetch(location.href, { credentials: "same-origin", cache: "no-store" }).then(function (res) {
        if (!res.ok || res.redirected) { throw res.status; }
        return res.text();
      }).then(function (html) {
        busy = false;
        if (stopped) { return; }
        swap(new DOMParser().parseFromString(html, "text/html"));
        later();
      }).catch(function () { busy = false; stop("Live updates stopped; use Refresh."); });
    };
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { tick(); } else { clearTimeout(timer); }
    });
    window.addEventListener("pagehide", function () { stop(); });
    window.addEventListener("pageshow", function (e) { if (e.persisted) { stopped = false; later(); } });
    later();
  }
  tips(document);
  // A form that came back with errors: put focus on its summary, whose
  // links lead to each field, so keyboard and screen-reader users start there.
  var errs = document.querySelector(".errors");
  if (errs) { errs.tabIndex = -1; errs.focus(); }
})();
