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

  // "Use" buttons next to documented examples fill a field: data-fill
  // holds its id, data-value the text.
  function fillButtons(root) {
    root.querySelectorAll("[data-fill]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var field = document.getElementById(btn.getAttribute("data-fill"));
        if (!field) return;
        field.value = btn.getAttribute("data-value");
        field.focus();
      });
    });
  }

  // The format picker shows the chosen format's defaults and options. A
  // webhook whose timeout, retry policy and success range still hold the
  // previous format's defaults takes the new format's, as the API does.
  function formatPicker(root) {
    var sel = root.querySelector("[data-format-select]");
    if (!sel) return;
    var form = sel.form;
    var timeout = form.querySelector("#timeout_seconds");
    var success = form.querySelector("#success_status");
    var retry = function () { var r = form.querySelector("input[name=retry_policy]:checked"); return r ? r.value : ""; };
    var apply = function (opt) {
      if (timeout) timeout.value = opt.dataset.timeout;
      if (success) success.value = opt.dataset.success;
      var r = form.querySelector("input[name=retry_policy][value='" + opt.dataset.retry + "']");
      if (r) r.checked = true;
    };
    var holds = function (opt) {
      return opt && (!timeout || timeout.value === opt.dataset.timeout) &&
        (!success || success.value === opt.dataset.success) && retry() === opt.dataset.retry;
    };
    var show = function () {
      var name = sel.value;
      form.querySelectorAll(".format-info").forEach(function (el) { el.hidden = el.dataset.format !== name; });
      form.querySelectorAll("[data-format-only]").forEach(function (el) { el.hidden = el.dataset.formatOnly !== name; });
      form.querySelectorAll("[data-format-not]").forEach(function (el) {
        var ta = el.querySelector("textarea");
        el.hidden = el.dataset.formatNot === name && !(ta && ta.value.trim());
      });
    };
    var prev = sel.options[sel.selectedIndex];
    sel.addEventListener("change", function () {
      var opt = sel.options[sel.selectedIndex];
      if (holds(prev)) apply(opt);
      prev = opt;
      show();
    });
    form.querySelectorAll("[data-apply-defaults]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () { apply(sel.options[sel.selectedIndex]); });
    });
    show();
  }

  // Parameter rows: "Add parameter" clones the last row, empty; a variable
  // button inserts its name where the cursor was in a value.
  function paramRows(root) {
    root.querySelectorAll("[data-add-row]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var rows = document.getElementById(btn.dataset.addRow).querySelectorAll(".param-row:not(.head)");
        var last = rows[rows.length - 1];
        var row = last.cloneNode(true);
        row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
        last.after(row);
        row.querySelector("input").focus();
      });
    });
    var target = null;
    root.addEventListener("focusin", function (e) {
      if (e.target.name === "cypher_param_value") target = e.target;
    });
    root.querySelectorAll("[data-insert]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var t = target;
        if (!t) {
          var values = root.querySelectorAll("input[name=cypher_param_value]");
          t = [].find.call(values, function (i) { return !i.value; }) || values[values.length - 1];
        }
        if (!t) return;
        var at = t.selectionStart == null ? t.value.length : t.selectionStart;
        var end = t.selectionEnd == null ? at : t.selectionEnd;
        var v = btn.dataset.insert;
        t.value = t.value.slice(0, at) + v + t.value.slice(end);
        t.focus();
        t.setSelectionRange(at + v.length, at + v.length);
      });
    });
  }

  // The variables listed next to the parameters follow the event types
  // chosen in the picker.
  function typeVars(root) {
    var list = root.querySelector("#type-vars");
    if (!list) return;
    var form = list.closest("form");
    var matches = function (p, t) {
      if (p === "*" || p === t) return true;
      if (p.slice(-2) === ".*") return t.indexOf(p.slice(0, -1)) === 0;
      if (p.slice(0, 2) === "*.") return t.slice(-(p.length - 1)) === p.slice(1);
      return false;
    };
    var sync = function () {
      var pats = [].map.call(form.querySelectorAll("input[name=event_types]:checked"), function (i) { return i.value; });
      var other = form.querySelector("#other_types");
      if (other) pats = pats.concat(other.value.split(/[\s,]+/).filter(Boolean));
      var any = false;
      list.querySelectorAll("li[data-types]").forEach(function (li) {
        var types = li.dataset.types.split(" ");
        li.hidden = !types.some(function (t) { return pats.some(function (p) { return matches(p, t); }); });
        any = any || !li.hidden;
      });
      var none = root.querySelector("#no-type-vars");
      if (none) none.hidden = any;
    };
    form.addEventListener("change", function (e) {
      if (e.target.name === "event_types" || e.target.id === "other_types") sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    copyButtons(document);
    entityGroups(document);
    fillButtons(document);
    formatPicker(document);
    paramRows(document);
    typeVars(document);
    document.documentElement.classList.add("js");
  });
})();
