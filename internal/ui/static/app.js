// lmshooks console: small progressive enhancements. Every page works
// without this script.
(function () {
  "use strict";
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };

  // Times arrive in UTC; show them in the viewer's time zone and keep UTC
  // in the tooltip.
  function localTimes(root) {
    var formats = {};
    var format = function (short, otherYear) {
      var key = (short ? "s" : "l") + (otherYear ? "y" : "");
      if (!formats[key]) {
        var opts = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
        if (!short) opts.second = "2-digit";
        if (otherYear) opts.year = "numeric";
        formats[key] = new Intl.DateTimeFormat(undefined, opts);
      }
      return formats[key];
    };
    var year = new Date().getFullYear();
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (!el.title) el.title = d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
      el.textContent = format(el.dataset.style === "short", d.getFullYear() !== year).format(d);
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

  // The "Chosen" line above the picker follows the boxes and the typed
  // patterns, as saving would merge them ("*" and entity.* absorb the
  // single actions they cover).
  function chosenTypes(root) {
    var line = root.querySelector("#chosen-types");
    if (!line) return;
    var form = line.closest("form");
    var sync = function () {
      var all = [].map.call(form.querySelectorAll("input[name=event_types]:checked"), function (i) { return i.value; });
      var other = form.querySelector("#other_types");
      if (other) all = all.concat(other.value.split(/[\s,]+/).filter(Boolean));
      var wild = {};
      all.forEach(function (t) { if (t.slice(-2) === ".*") wild[t.slice(0, -2)] = true; });
      var out = all.indexOf("*") >= 0 ? ["*"] : all.filter(function (t, i) {
        var e = t.split(".")[0];
        return all.indexOf(t) === i && !(wild[e] && t !== e + ".*");
      });
      var label = line.firstElementChild;
      line.textContent = "";
      line.appendChild(label);
      line.appendChild(document.createTextNode(" "));
      if (!out.length) {
        var none = document.createElement("span");
        none.className = "muted small";
        none.textContent = "none yet";
        line.appendChild(none);
      }
      out.forEach(function (t) {
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = t;
        line.appendChild(tag);
        line.appendChild(document.createTextNode(" "));
      });
    };
    ["change", "input"].forEach(function (kind) {
      form.addEventListener(kind, function (e) {
        if (e.target.name === "event_types" || e.target.id === "other_types") sync();
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

  // Time range fields: "Between…" (or "Since a time…") shows them. Their
  // values arrive in UTC (data-utc) and are shown and typed in the
  // viewer's zone; on submit they go back as UTC instants in the hidden
  // field named by data-utc-target, and the zone-less field stays home.
  function timeRanges(root) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    root.querySelectorAll(".tz-name").forEach(function (el) { if (zone) el.textContent = "(" + zone + ")"; });
    var local = function (d) {
      return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
    };
    root.querySelectorAll("input[data-utc]").forEach(function (el) {
      var d = new Date(el.dataset.utc);
      if (el.dataset.utc && !isNaN(d)) el.value = local(d);
    });
    root.querySelectorAll("[data-range-select]").forEach(function (sel) {
      var fields = sel.form.querySelectorAll(".range-field");
      var sync = function () {
        fields.forEach(function (f) { f.classList.toggle("off", sel.value !== "custom"); });
      };
      sel.addEventListener("change", function () {
        sync();
        if (sel.value === "custom" && fields[0]) fields[0].querySelector("input").focus();
      });
      sync();
    });
    root.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-utc-target]")) return;
      form.addEventListener("submit", function () {
        var sel = form.querySelector("[data-range-select]");
        var custom = !sel || sel.value === "custom";
        form.querySelectorAll("[data-utc-target]").forEach(function (el) {
          var target = form.querySelector("input[type=hidden][name='" + el.dataset.utcTarget + "']");
          var d = new Date(el.value);
          el.disabled = true;
          if (!target) return;
          target.disabled = !(custom && el.value && !isNaN(d));
          if (!target.disabled) target.value = d.toISOString();
        });
      });
      // Back from the next page, the fields must work again.
      window.addEventListener("pageshow", function () {
        form.querySelectorAll("[data-utc-target]").forEach(function (el) { el.disabled = false; });
      });
    });
  }

  // Tabs: a nav of links to panels on the same page becomes a tab list
  // that shows one panel at a time (arrow keys move between tabs).
  // Without this script every panel shows and the links jump to them.
  function tabs(root) {
    root.querySelectorAll("[data-tabs]").forEach(function (nav) {
      var links = [].slice.call(nav.querySelectorAll("[data-tab]"));
      if (!links.length) return;
      var show = function (id, focus) {
        links.forEach(function (a) {
          var on = a.dataset.tab === id;
          a.setAttribute("aria-selected", on ? "true" : "false");
          a.tabIndex = on ? 0 : -1;
          var panel = document.getElementById(a.dataset.tab);
          if (panel) panel.hidden = !on;
          if (on && focus) a.focus();
        });
      };
      nav.setAttribute("role", "tablist");
      links.forEach(function (a, i) {
        a.setAttribute("role", "tab");
        a.setAttribute("aria-controls", a.dataset.tab);
        var panel = document.getElementById(a.dataset.tab);
        if (panel) panel.setAttribute("role", "tabpanel");
        a.addEventListener("click", function (e) {
          e.preventDefault();
          show(a.dataset.tab);
          history.replaceState(null, "", "#" + a.dataset.tab);
        });
        a.addEventListener("keydown", function (e) {
          var step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
          if (!step) return;
          e.preventDefault();
          show(links[(i + step + links.length) % links.length].dataset.tab, true);
        });
      });
      var start = links.filter(function (a) { return "#" + a.dataset.tab === location.hash; })[0] || links[0];
      show(start.dataset.tab);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    copyButtons(document);
    entityGroups(document);
    chosenTypes(document);
    fillButtons(document);
    formatPicker(document);
    paramRows(document);
    typeVars(document);
    timeRanges(document);
    tabs(document);
    document.documentElement.classList.add("js");
  });
})();
