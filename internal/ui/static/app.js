// lmshooks console: small progressive enhancements. Every page works
// without this script.
(function () {
  "use strict";
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };

  // Times arrive in UTC; show them in the viewer's time zone and keep UTC
  // in the tooltip.
  function localTimes(root) {
    var opts = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" };
    var thisYear = new Intl.DateTimeFormat(undefined, opts);
    opts.year = "numeric";
    var otherYear = new Intl.DateTimeFormat(undefined, opts);
    var year = new Date().getFullYear();
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (!el.title) el.title = d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
      el.textContent = (d.getFullYear() === year ? thisYear : otherYear).format(d);
    });
    root.querySelectorAll(".js-chart-time").forEach(function (el) {
      var d = new Date(el.getAttribute("data-datetime"));
      if (isNaN(d)) return;
      el.textContent = el.getAttribute("data-step") === "hour"
        ? pad(d.getHours()) + ":" + pad(d.getMinutes())
        : d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
    });
  }

  // Copy buttons: data-copy holds the id of the element whose text to copy.
  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var src = document.getElementById(btn.getAttribute("data-copy"));
        if (!src || !navigator.clipboard) return;
        navigator.clipboard.writeText(src.value || src.textContent.trim()).then(function () {
          var label = btn.textContent;
          btn.textContent = "Copied";
          setTimeout(function () { btn.textContent = label; }, 1500);
        });
      });
    });
  }

  // Selecting "all actions" of an entity unchecks (and dims) its single
  // actions, which the server would drop anyway.
  function entityGroups(root) {
    root.querySelectorAll("[data-entity-all]").forEach(function (all) {
      var group = all.closest(".entity");
      var sync = function () {
        group.querySelectorAll("[data-action]").forEach(function (cb) {
          cb.disabled = all.checked;
          if (all.checked) cb.checked = false;
        });
      };
      all.addEventListener("change", sync);
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    copyButtons(document);
    entityGroups(document);
    document.documentElement.classList.add("js");
  });
})();
