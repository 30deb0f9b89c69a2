/* Clientside helpers of the Nonlinear X-ray Spectra Explorer (registered from components/*.py).
 * Kept in the browser because they need no physics: no server round trip, instant response. */
function plotOf(id) {
  var holder = document.getElementById(id);
  var gd = holder && (holder.classList.contains("js-plotly-plot") ? holder : holder.querySelector(".js-plotly-plot"));
  return (gd && window.Plotly) ? gd : null;
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  explorer: {
    /* Zoom one spectral figure's energy axis -> zoom the other two.  Plotly.relayout on a
     * partner emits its own relayoutData, which calls us again: the equality guard stops that. */
    syncZoom: function () {
      var ctx = window.dash_clientside.callback_context;
      var ids = (ctx && ctx.inputs_list || []).map(function (inp) { return inp.id; });
      if (!ctx || !ctx.triggered || !ctx.triggered.length) { return window.dash_clientside.no_update; }
      var trig = ctx.triggered[0];
      var src = trig.prop_id.split(".")[0];
      var rd = trig.value || {};
      var range = null, reset = false;
      ["xaxis", "xaxis2"].forEach(function (ax) {
        if (range || reset) { return; }
        if (rd[ax + ".range[0]"] !== undefined && rd[ax + ".range[1]"] !== undefined) {
          range = [rd[ax + ".range[0]"], rd[ax + ".range[1]"]];
        } else if (Array.isArray(rd[ax + ".range"])) {
          range = rd[ax + ".range"].slice(0, 2);
        } else if (rd[ax + ".autorange"] === true) {
          reset = true;  /* double click: every partner returns to its own full range */
        }
      });
      if (reset) {
        ids.forEach(function (id) {
          if (id === src) { return; }
          var gd = plotOf(id);
          if (!gd || !gd.layout) { return; }
          var axes = gd.layout.xaxis2 ? ["xaxis", "xaxis2"] : ["xaxis"];
          if (axes.every(function (ax) { return (gd.layout[ax] || {}).autorange === true; })) { return; }
          var upd = {};
          axes.forEach(function (ax) { upd[ax + ".autorange"] = true; });
          window.Plotly.relayout(gd, upd);
        });
        return {source: src, range: null};
      }
      if (!range || !isFinite(range[0]) || !isFinite(range[1])) { return window.dash_clientside.no_update; }
      ids.forEach(function (id) {
        if (id === src) { return; }
        var gd = plotOf(id);
        if (!gd || !gd.layout) { return; }
        var axes = gd.layout.xaxis2 ? ["xaxis", "xaxis2"] : ["xaxis"];
        var cur = (gd.layout[axes[axes.length - 1]] || {}).range || [null, null];
        if (Math.abs(cur[0] - range[0]) < 1e-6 && Math.abs(cur[1] - range[1]) < 1e-6) { return; }
        var upd = {};
        axes.forEach(function (ax) { upd[ax + ".range"] = [range[0], range[1]]; upd[ax + ".autorange"] = false; });
        window.Plotly.relayout(gd, upd);
      });
      return {source: src, range: range};
    },

    /* Live slider label (mirrors controls._readout): log sliders hold log10 of the value.
     * Anything non-finite or outside the bounds shows a dash, like the server-side version. */
    readout: function (drag, value, unit, scale, isInt, lo, hi, width) {
      var raw = (typeof drag === "number") ? drag : value;
      if (typeof raw !== "number" || !isFinite(raw)) { return "\u2014"; }
      var x = scale === "log" ? Math.pow(10, raw) : scale === "asinh" ? Math.sinh(raw) * (width || 1) : raw;
      if (!(x >= lo - 1e-9 * Math.abs(lo) && x <= hi + 1e-9 * Math.abs(hi))) { return "\u2014"; }
      var s = isInt ? String(Math.round(x)) : String(Number(x.toPrecision(scale === "linear" ? 6 : 4)));
      return unit ? s + " " + unit : s;
    },

    /* I = F / tau while dragging either slider (3 significant digits). */
    intensity: function (f, d, fd, dd, logLo, logHi, dLo, dHi) {
      var lf = (typeof fd === "number") ? fd : f;
      var tau = (typeof dd === "number") ? dd : d;
      if (typeof lf !== "number" || typeof tau !== "number" || !isFinite(lf) || !isFinite(tau)) { return ""; }
      if (lf < logLo - 1e-9 || lf > logHi + 1e-9 || tau < dLo || tau > dHi) { return ""; }
      var i = Math.pow(10, lf) / tau;
      return "Intensity I = F/\u03c4 = " + String(Number(i.toPrecision(3))) + " mJ/cm\u00b2/fs";
    },

    /* The page's state -> the address bar (replaceState: no reload, no re-render, no history
     * entry per slider move), and remembered per page for the navigation links.  Writes the same
     * query as components/url_state.encode_query. */
    writeUrl: function (params, views, meta, nav) {
      var nu = window.dash_clientside.no_update;
      if (!params || typeof params !== "object") { return nu; }
      var q = new URLSearchParams();
      meta.params.forEach(function (name) {
        if (params[name] !== undefined && params[name] !== null) { q.append(name, String(params[name])); }
      });
      meta.views.forEach(function (kv, i) {
        var v = views[i];
        if (typeof v === "string" && v !== kv[1]) { q.append(kv[0], v); }
      });
      var search = "?" + q.toString();
      if (window.location.search !== search) {
        window.history.replaceState(window.history.state, "", window.location.pathname + search);
      }
      var state = Object.assign({}, (nav && typeof nav === "object") ? nav : {});
      state[window.location.pathname] = search;
      return state;
    },

    /* Navigation links reopen each page with the query it had when the user left it. */
    navLinks: function (state, pathname, paths, pages) {
      state = (state && typeof state === "object") ? state : {};
      var hrefs = pages.map(function (page) {
        var path = paths[page];
        var q = state[path];
        return (typeof q === "string" && q.charAt(0) === "?") ? path + q : path;
      });
      var classes = pages.map(function (page) {
        return paths[page] === pathname ? "nav-link active" : "nav-link";
      });
      return hrefs.concat(classes);
    },

    rootClass: function (value) {
      return (Array.isArray(value) && value.indexOf("large") >= 0) ? "app large" : "app";
    },

    /* Refuse files over 1 MB in the browser (with a message) before they are sent. */
    checkUpload: function (contents, filename) {
      var nu = window.dash_clientside.no_update;
      if (typeof contents !== "string") { return [nu, nu]; }
      var comma = contents.indexOf(",");
      var bytes = Math.floor((contents.length - comma - 1) * 3 / 4);
      if (bytes > 1000000) {
        var mb = (bytes / 1e6).toFixed(1);
        return [nu, "\u201c" + String(filename || "file").slice(0, 80) + "\u201d was not used: the file is " + mb +
                " MB, more than the 1 MB limit; a spectrum needs far less."];
      }
      return [{contents: contents, filename: filename}, "Checking \u201c" + String(filename || "file").slice(0, 80) + "\u201d\u2026"];
    },

    /* Play button of a slider (components/slider_animation.py): start or pause the interval.
     * Starting at the upper bound restarts from the lower one. */
    toggleAnimation: function (n, disabled, value, meta) {
      var nu = window.dash_clientside.no_update;
      if (disabled === false) { return [true, meta.play, nu]; }
      if (window.__sliderAnimations) { delete window.__sliderAnimations[meta.key]; }  // a fresh start
      var atEnd = typeof value !== "number" || !isFinite(value) || value >= meta.hi - 1e-9;
      return [false, meta.pause, atEnd ? meta.lo : nu];
    },

    /* One frame of the animation: move the slider by meta.step, stop at the upper bound.  A frame
     * waits until the page has drawn the previous one: nothing marked loading by Dash and, when the
     * page names one (meta.gated), its "ready" value (e.g. a figure note) changed since the last step
     * (after meta.maxWait ticks it steps anyway, e.g. when a frame changed nothing). */
    stepSlider: function (n, value, ready, meta) {
      var nu = window.dash_clientside.no_update;
      if (document.querySelector("[data-dash-is-loading='true']")) { return [nu, nu, nu]; }
      var all = window.__sliderAnimations = window.__sliderAnimations || {};
      var s = all[meta.key] = all[meta.key] || {pending: false, ready: null, waited: 0};
      var readyNow = JSON.stringify(ready === undefined ? null : ready);
      if (meta.gated && s.pending && readyNow === s.ready && s.waited < meta.maxWait) {
        s.waited += 1;
        return [nu, nu, nu];
      }
      var v = (typeof value === "number" && isFinite(value)) ? value : meta.lo;
      var next = Math.round((v + meta.step) * 1e5) / 1e5;
      s.pending = true; s.ready = readyNow; s.waited = 0;
      if (next >= meta.hi - 1e-9) { s.pending = false; return [meta.hi, true, meta.play]; }
      return [Math.max(next, meta.lo), nu, nu];
    }
  }
});
