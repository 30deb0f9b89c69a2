/* Presentation and accessibility helpers of the Nonlinear X-ray Spectra Explorer (a file, not an
 * inline script: the CSP allows scripts from 'self' only).
 *  - sliders get an accessible name (their label) and a value in physical units (aria-valuetext);
 *  - "Copy link" is a keyboard button;
 *  - "Present" shows one figure alone, large, for a projector (Esc or the button returns);
 *  - clientside callbacks: the number box beside a log slider, closing a notice. */
(function () {
  "use strict";

  function valueText(row, now) {
    var raw = parseFloat(now);
    if (!isFinite(raw)) { return ""; }
    var scale = row.getAttribute("data-scale"), unit = row.getAttribute("data-unit") || "";
    var x = scale === "log" ? Math.pow(10, raw) : raw;
    var s = row.getAttribute("data-int") === "1" ? String(Math.round(x))
      : String(Number(x.toPrecision(scale === "log" ? 4 : 6)));
    return unit ? s + " " + unit : s;
  }

  function setAttr(el, name, value) {
    if (value && el.getAttribute(name) !== value) { el.setAttribute(name, value); }
  }

  function enhance() {
    document.querySelectorAll(".control[data-label]").forEach(function (row) {
      var thumb = row.querySelector("[role=slider]");
      if (!thumb) { return; }
      setAttr(thumb, "aria-labelledby", row.getAttribute("data-label"));
      setAttr(thumb, "aria-valuetext", valueText(row, thumb.getAttribute("aria-valuenow")));
    });
    patchDashWidgets();
    var copy = document.getElementById("copy-link");
    if (copy && copy.getAttribute("tabindex") !== "0") {
      copy.setAttribute("tabindex", "0");
      copy.setAttribute("role", "button");
      copy.setAttribute("aria-label", "Copy a link to this view");
      copy.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); copy.click(); }
      });
    }
  }

  /* Dash 4.4's option lists and dropdown carry ARIA that assistive technology (and axe-core) reject;
   * patched here, in the DOM, until Dash fixes them (React leaves attributes alone unless their
   * prop changes; the observer re-applies what it does change: aria-selected, tabindex):
   *  - RadioItems/Checklist: role=listbox of role=option labels that each hold a real radio/checkbox
   *    (nested interactive controls) -> a radiogroup/group of plain labels;
   *  - Dropdown: a hidden, aria-hidden input is the tab stop that forwards focus to the menu button
   *    -> the button itself is the tab stop;
   *  - Upload: the file input has no name. */
  function patchDashWidgets() {
    document.querySelectorAll(".dash-options-list[role=listbox]").forEach(function (list) {
      if (!list.querySelector("input")) { return; }
      list.setAttribute("role", list.querySelector("input[type=radio]") ? "radiogroup" : "group");
    });
    document.querySelectorAll(".dash-options-list label.dash-options-list-option").forEach(function (opt) {
      if (opt.hasAttribute("role")) { opt.removeAttribute("role"); }
      if (opt.hasAttribute("aria-selected")) { opt.removeAttribute("aria-selected"); }
    });
    document.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
      var button = target.nextElementSibling;
      if (!button || button.tagName !== "BUTTON" || button.disabled) { return; }
      if (target.getAttribute("tabindex") !== "-1") { target.setAttribute("tabindex", "-1"); }
      if (button.getAttribute("tabindex") !== "0") { button.setAttribute("tabindex", "0"); }
    });
    var file = document.querySelector("#upload-data input[type=file]");
    if (file) { setAttr(file, "aria-label", "Choose a reference spectrum file (CSV)"); }
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; enhance(); });
  }

  /* --- Present: one figure alone, large -------------------------------------------------- */
  /* The projector switch's id, from the shell (components/ids.LARGE, written on the app root). */
  function largeId() {
    var root = document.querySelector("[data-large-id]");
    return root ? root.getAttribute("data-large-id") : null;
  }

  function setLarge(on) {
    var dc = window.dash_clientside;
    if (dc && typeof dc.set_props === "function" && largeId()) { dc.set_props(largeId(), {value: on ? ["large"] : []}); }
  }

  function largeIsOn() {
    var box = largeId() && document.getElementById(largeId());
    box = box && box.querySelector("input");
    return !!(box && box.checked);
  }

  function exitPresent() {
    var body = document.body;
    if (!body.classList.contains("presenting")) { return; }
    var panel = document.querySelector(".figure-panel.is-presented");
    body.classList.remove("presenting");
    if (panel) {
      panel.classList.remove("is-presented");
      var button = panel.querySelector(".present-button");
      if (button) { button.setAttribute("aria-pressed", "false"); button.textContent = "Present"; button.focus(); }
    }
    if (body.getAttribute("data-large-before") === "0") { setLarge(false); }
    body.removeAttribute("data-large-before");
  }

  function enterPresent(panel) {
    exitPresent();
    var body = document.body;
    body.setAttribute("data-large-before", largeIsOn() ? "1" : "0");
    body.classList.add("presenting");
    panel.classList.add("is-presented");
    var button = panel.querySelector(".present-button");
    if (button) { button.setAttribute("aria-pressed", "true"); button.textContent = "Back to all figures"; }
    if (!largeIsOn()) { setLarge(true); }
    window.scrollTo(0, 0);
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target && ev.target.closest && ev.target.closest(".present-button");
    if (!button) { return; }
    var panel = button.closest(".figure-panel");
    if (!panel) { return; }
    if (panel.classList.contains("is-presented")) { exitPresent(); } else { enterPresent(panel); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { exitPresent(); }
  });

  var WATCHED = ["aria-valuenow", "aria-selected", "tabindex", "role"];
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      new MutationObserver(schedule).observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: WATCHED});
      schedule();
    });
  } else {
    new MutationObserver(schedule).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: WATCHED});
    schedule();
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    presentation: {
      /* Number box <-> log slider (components/controls.register_number_boxes). */
      logBox: function (logValue, typed, lo, hi) {
        var dc = window.dash_clientside, nu = dc.no_update, c = dc.callback_context || {};
        var fromBox = (c.triggered || []).some(function (t) { return String(t.prop_id).indexOf('"control-box"') >= 0; });
        if (fromBox) {
          if (typeof typed !== "number" || !isFinite(typed) || typed < lo || typed > hi) { return [nu, nu]; }
          return [Math.round(Math.log10(typed) * 1e5) / 1e5, nu];
        }
        if (typeof logValue !== "number" || !isFinite(logValue)) { return [nu, nu]; }
        var v = Number(Math.pow(10, logValue).toPrecision(4));
        return [nu, v === typed ? nu : v];
      },

      /* A notice's close button empties its notice area (components/notices.py). */
      dismissNotice: function (targets) {
        var dc = window.dash_clientside, nu = dc.no_update, c = dc.callback_context || {};
        var out = targets.map(function () { return nu; });
        (c.triggered || []).forEach(function (t) {
          if (typeof t.value !== "number" || t.value < 1) { return; }
          var key = String(t.prop_id), id;
          try { id = JSON.parse(key.slice(0, key.lastIndexOf("."))); } catch (e) { return; }
          var i = targets.indexOf(id && id.notice);
          if (i >= 0) { out[i] = ""; }
        });
        return out;
      }
    }
  });
}());
