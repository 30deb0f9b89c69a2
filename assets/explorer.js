/* Clientside helpers of the Nonlinear X-ray Spectra Explorer (registered from components/*.py).
 * Kept in the browser because they need no physics: no server round trip, instant response. */
function toFinite(x) { return (typeof x === "number" && isFinite(x)) ? x : null; }

/* An axis range from a relayoutData event ("xaxis.range[0]"/"[1]" or "xaxis.range"), or null. */
function rangeOf(rd, ax) {
  var r = null;
  if (rd[ax + ".range[0]"] !== undefined && rd[ax + ".range[1]"] !== undefined) {
    r = [rd[ax + ".range[0]"], rd[ax + ".range[1]"]];
  } else if (Array.isArray(rd[ax + ".range"])) {
    r = rd[ax + ".range"].slice(0, 2);
  }
  return (r && toFinite(r[0]) !== null && toFinite(r[1]) !== null && r[0] !== r[1]) ? r : null;
}

function plotOf(id) {
  var holder = document.getElementById(id);
  var gd = holder && (holder.classList.contains("js-plotly-plot") ? holder : holder.querySelector(".js-plotly-plot"));
  return (gd && window.Plotly) ? gd : null;
}

/* Live updates (components/controls.py): control values -> the page's parameters, quantized as
 * the server does (physics.parameters.quantize) -> the committed parameter store and the live
 * store of every panel on screen.  At most one update is in flight: while the figures of the last
 * one are still on their way, newer values only replace the pending one (a drag never queues
 * stale requests) and the latest is sent when they have repainted, so the final state is always
 * the last value.  Panels off screen are skipped and catch up when they scroll into view. */
var live = (function () {
  var pages = {};
  var WAIT_MS = 1500;  /* an update that never repaints (no_update, error) frees the pipe anyway */
  var FOLLOW_MS = 300;  /* text panels follow a continuous change at this pace at least */
  var MARGIN_PX = 0;  /* a panel counts as on screen when any part of it is in the viewport */

  /* JSON with sorted keys: the same parameters always give the same text. */
  function canon(p) { return JSON.stringify(p, Object.keys(p).sort()); }

  function toNumber(x) { return (typeof x === "number" && isFinite(x)) ? x : null; }

  /* One control value -> the parameter's value, or undefined when it is unusable (the server's
   * notice callback says why; the figures keep the last valid state). */
  function physical(m, raw) {
    if (m.kind === "str") { return m.choices.indexOf(raw) >= 0 ? raw : undefined; }
    var x = toNumber(raw);
    if (x === null) { return undefined; }
    if (m.scale === "log") {
      var lo = Math.log10(m.lo), hi = Math.log10(m.hi);
      if (x < lo - 1e-9 || x > hi + 1e-9) { return undefined; }
      x = Math.min(Math.max(Math.pow(10, x), m.lo), m.hi);
      x = Number(x.toPrecision(m.digits || 4));
    } else if (m.scale === "asinh") {  /* a log-like axis through zero: position = asinh(x / width) */
      var w = m.width || 1, alo = Math.asinh(m.lo / w), ahi = Math.asinh(m.hi / w);
      if (x < alo - 1e-9 || x > ahi + 1e-9) { return undefined; }
      x = Math.min(Math.max(Math.sinh(x) * w, m.lo), m.hi);
      if (m.step) { x = Math.min(Math.max(Number((Math.round(x / m.step) * m.step).toFixed(10)), m.lo), m.hi); }
    } else if (m.kind === "int") {
      if (Math.round(x) !== x) { return undefined; }
    } else if (m.step) {
      x = Number((Math.round(x / m.step) * m.step).toFixed(10));
    }
    if (x < m.lo || x > m.hi) { return undefined; }
    return x;
  }

  function state(meta) {
    if (!pages[meta.page]) {
      pages[meta.page] = {meta: meta, latest: null, shown: {}, busy: false, pending: false, waiting: {},
                          timer: null, sent: 0, painted: 0,
                          commitPending: null, noticeUp: false, checks: 0, lastSent: {}};
    }
    /* Callers may know less of the page (the sweep): keep what others told. */
    pages[meta.page].meta = Object.assign({}, pages[meta.page].meta, meta);
    return pages[meta.page];
  }

  /* Which panels are on screen, kept by an IntersectionObserver (asking the layout at every
   * update would force a reflow per panel).  A panel not observed yet counts as on screen. */
  var visible = {};
  var observer = ("IntersectionObserver" in window) ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { visible[e.target.id] = e.isIntersecting; });
    schedule();
  }, {rootMargin: MARGIN_PX + "px 0px"}) : null;
  var observed = {};
  function onScreen(id) {
    var el = document.getElementById(id);
    if (!el) { return false; }
    if (observer && observed[id] !== el) {
      if (observed[id]) { observer.unobserve(observed[id]); }
      observed[id] = el;
      observer.observe(el);
      var r = el.getBoundingClientRect();  /* once per panel, until the observer reports */
      visible[id] = r.bottom > -MARGIN_PX && r.top < (window.innerHeight || 0) + MARGIN_PX && r.width > 0;
    }
    return observer ? visible[id] !== false : true;
  }

  function plotOfPanel(graphId) { return plotOf(graphId); }

  function bind(st, graphId) {
    var gd = plotOfPanel(graphId);
    if (!gd || gd.__explorerLive) { return; }
    gd.__explorerLive = true;
    gd.on("plotly_afterplot", function () { painted(st, graphId); keepView(gd, graphId); });
  }

  function painted(st, graphId) {
    if (!st.busy || !st.waiting[graphId]) { return; }
    delete st.waiting[graphId];
    st.painted += 1;
    if (!Object.keys(st.waiting).length) { finish(st); }
  }

  function finish(st) {
    if (st.timer) { clearTimeout(st.timer); st.timer = null; }
    st.busy = false;
    st.waiting = {};
    flush(st);
    commitWhenIdle(st);
  }

  /* Send the latest parameters to every panel on screen that does not show them yet.  Text panels
   * (no graph: the key numbers) follow the figures: they go out once the figures have repainted,
   * or during a continuous change (a drag, the sweep) with the figures every FOLLOW_MS (their many
   * outputs cost the page about as much as a figure). */
  function flush(st) {
    if (st.busy || st.latest === null) { return; }
    var continuous = st.pending;
    var set = window.dash_clientside.set_props;
    var text = canon(st.latest);
    var now = performance.now();
    var due = st.meta.panels.filter(function (p) { return st.shown[p.store] !== text && onScreen(p.panel); });
    var graphs = due.filter(function (p) { return p.graph; });
    var waiting = {};
    st.pending = false;
    due.forEach(function (p) {
      if (!p.graph && graphs.length && !(continuous && now - (st.lastSent[p.store] || -Infinity) >= FOLLOW_MS)) {
        return;
      }
      st.shown[p.store] = text;
      st.lastSent[p.store] = now;
      set(p.store, {data: JSON.parse(text)});
      if (p.graph) { bind(st, p.graph); waiting[p.graph] = true; }
    });
    if (!due.length) { return; }
    st.sent += 1;
    if (Object.keys(waiting).length) {
      st.busy = true;
      st.waiting = waiting;
      st.timer = setTimeout(function () { finish(st); }, WAIT_MS);
    }
  }

  /* The committed parameters (URL, background jobs, exports) go out once the figures are done:
   * their callbacks do not compete with the repaint the user is waiting for. */
  function commitWhenIdle(st) {
    if (st.busy || !st.commitPending) { return; }
    var params = st.commitPending;
    st.commitPending = null;
    window.dash_clientside.set_props(st.meta.store, {data: params});
  }

  /* ``continuous``: one of a stream of values (the sweep); a drag shows itself by arriving while
   * the last update is still on its way. */
  function submit(meta, params, committed, continuous) {
    var st = state(meta);
    st.latest = params;
    if (continuous) { st.pending = true; }
    if (committed) { st.commitPending = params; }
    if (st.busy) { st.pending = true; return; }
    flush(st);
    commitWhenIdle(st);
  }

  function setText(el, text) {
    if (!el) { return; }
    if (el.firstChild && el.firstChild.nodeType === 3 && el.childNodes.length === 1) { el.firstChild.nodeValue = text; }
    else { el.textContent = text; }
  }

  /* Labels that follow a drag: the dragged slider's value and I = F/tau. */
  function dragLabels(meta, byName, dragged) {
    var api = window.dash_clientside.explorer;
    Object.keys(dragged).forEach(function (name) {
      var m = meta.params[name], id = meta.readouts && meta.readouts[name];
      if (!m || !id) { return; }
      setText(document.getElementById(JSON.stringify(sortKeys(id))),
              api.readout(byName[name], byName[name], m.unit, m.scale, m.kind === "int", m.lo, m.hi, m.width));
    });
    var f = meta.params.fluence_mj_cm2, d = meta.params.duration_fs;
    if (meta.intensity && f && d && (dragged.fluence_mj_cm2 || dragged.duration_fs)) {
      setText(document.getElementById(meta.intensity),
              api.intensity(byName.fluence_mj_cm2, byName.duration_fs, byName.fluence_mj_cm2, byName.duration_fs,
                            Math.log10(f.lo), Math.log10(f.hi), d.lo, d.hi));
    }
  }

  /* Ask the server for the controls' notice (an unusable value, or a notice or link problem that a
   * usable value may clear). */
  function check(meta, changed, bad) {
    var st = state(meta);
    st.checks = (st.checks || 0) + 1;
    st.noticeUp = bad;
    window.dash_clientside.set_props(meta.check, {data: {changed: changed, n: st.checks}});
  }

  function onViewChange() {
    Object.keys(pages).forEach(function (k) { flush(pages[k]); });
  }
  var scheduled = false;
  function schedule() {
    if (scheduled) { return; }
    scheduled = true;
    window.requestAnimationFrame(function () { scheduled = false; onViewChange(); });
  }
  window.addEventListener("scroll", schedule, {passive: true});
  window.addEventListener("resize", schedule);

  /* The committed parameters (the page's store, at load and after each commit): what the panels
   * show already, and the base a drag changes one value of. */
  function setBase(meta, params) {
    var st = state(meta);
    if (!params || typeof params !== "object") { return; }
    st.base = params;
    var text = canon(params);
    meta.panels.forEach(function (p) { if (st.shown[p.store] === undefined) { st.shown[p.store] = text; } });
    watch(st);
  }

  /* A slider moved, seen in the page: its thumb reports the value (aria-valuenow) as soon as it is
   * drawn, a Dash round before the slider's callbacks run; during a drag that is the only path (a
   * Dash callback per pointer event would cost more than the figures).  Keys, presets and the tour
   * then commit through ``value`` (liveControls); the same parameters are never sent twice. */

  function watch(st) {
    var panel = document.getElementById(st.meta.controls);
    if (!panel || st.watched === panel || !("MutationObserver" in window)) { return; }
    if (st.watcher) { st.watcher.disconnect(); }
    st.watched = panel;
    st.watcher = new MutationObserver(function (records) {
      var moved = {};
      records.forEach(function (r) {
        var row = r.target.closest && r.target.closest(".control");
        var name = row && st.meta.rows && st.meta.rows[row.id];
        var x = parseFloat(r.target.getAttribute("aria-valuenow"));
        if (name && isFinite(x)) { moved[name] = x; }
      });
      var names = Object.keys(moved);
      var base = st.latest || st.base;
      if (!names.length || !base) { return; }
      var params = Object.assign({}, base);
      for (var i = 0; i < names.length; i++) {
        var v = physical(st.meta.params[names[i]], moved[names[i]]);
        if (v === undefined) { return; }
        params[names[i]] = v;
      }
      var dragged = {};
      names.forEach(function (n) { dragged[n] = true; });
      var raw = {};
      Object.keys(st.meta.params).forEach(function (n) {
        var m = st.meta.params[n];
        raw[n] = (m.scale === "log") ? Math.log10(params[n])
          : (m.scale === "asinh") ? Math.asinh(params[n] / (m.width || 1)) : params[n];
      });
      names.forEach(function (n) { raw[n] = moved[n]; });
      dragLabels(st.meta, raw, dragged);
      submit(st.meta, params, false);
    });
    st.watcher.observe(panel, {subtree: true, attributes: true, attributeFilter: ["aria-valuenow"]});
  }

  return {
    physical: physical,
    submit: submit,
    setBase: setBase,
    state: state,
    busy: function (page) { return !!(pages[page] && pages[page].busy); },
    check: check,
    dragLabels: dragLabels,
    setText: setText,
    noticeUp: function (page) { return !!(pages[page] && pages[page].noticeUp); },
    latest: function (page) { return pages[page] ? pages[page].latest : null; },
    stats: function (page) {
      var st = pages[page];
      return st ? {sent: st.sent, painted: st.painted, busy: st.busy} : null;
    }
  };
})();

/* The fluence sweep: the fluence goes from its minimum to its maximum in ``seconds`` (log-uniform).
 * Each frame goes straight into the live pipeline (live.submit, uncommitted) and is set only when
 * the figures of the last one have repainted, so they follow as fast as they can.  While it runs,
 * the slider's thumb and labels are moved in the page directly (a Dash round of the slider per
 * frame would cost more than the figures); the end or a stop sets the slider's value, which
 * commits the state (URL, background jobs) like a release. */
var sweep = (function () {
  var st = {running: false, meta: null, base: null, t0: 0, frames: 0, raf: null, lastValue: null, stoppedAt: null};
  function setLabel(label, pressed) {
    window.dash_clientside.set_props(st.meta.button, {children: label, "aria-pressed": pressed ? "true" : "false"});
  }
  function byId(id) { return document.getElementById(typeof id === "string" ? id : JSON.stringify(sortKeys(id))); }
  /* Thumb, range and labels of the slider at log10 value x (what the slider would draw). */
  function paint(x) {
    var m = st.meta;
    var pct = 100 * (x - m.lo) / (m.hi - m.lo);
    var row = byId(m.slider);
    var thumb = row && row.querySelector("[role=slider]");
    if (thumb) {
      thumb.setAttribute("aria-valuenow", String(x));
      thumb.parentElement.style.left = "calc(" + pct + "% + " + (8 - 0.16 * pct) + "px)";
      var range = row.querySelector(".dash-slider-range");
      if (range) { range.style.right = (100 - pct) + "%"; }
    }
    var label = byId(m.readout);
    var api = window.dash_clientside.explorer;
    if (label) { live.setText(label, api.readout(x, x, m.unit, "log", false, Math.pow(10, m.lo), Math.pow(10, m.hi))); }
    var line = document.getElementById(m.intensity);
    if (line && st.base) {
      live.setText(line, api.intensity(x, st.base.duration_fs, x, st.base.duration_fs, m.lo, m.hi, 0, Infinity));
    }
  }
  function frame(now) {
    if (!st.running) { return; }
    var m = st.meta;
    var f = Math.min(1, (now - st.t0) / (1000 * m.seconds));
    if (!live.busy(m.live.page)) {
      var x = Math.round((m.lo + (m.hi - m.lo) * f) * 1e5) / 1e5;
      if (x !== st.lastValue) {
        var p = Object.assign({}, st.base);
        p[m.name] = live.physical(m.live.params[m.name], x);
        st.lastValue = x;
        st.frames += 1;
        paint(x);
        live.submit(m.live, p, false, true);
      }
      if (f >= 1) { stop(); return; }
    }
    st.raf = window.requestAnimationFrame(frame);
  }
  function start(meta, params) {
    var latest = live.latest(meta.live.page);
    var base = latest || params;
    if (!base || typeof base !== "object") { return; }
    st.meta = meta;
    st.base = Object.assign({}, base);
    st.running = true;
    st.frames = 0;
    st.lastValue = null;
    st.stoppedAt = null;
    setLabel(meta.stop, true);
    st.t0 = performance.now();
    st.raf = window.requestAnimationFrame(frame);
  }
  function stop() {
    if (!st.running) { return; }
    st.running = false;
    if (st.raf) { window.cancelAnimationFrame(st.raf); st.raf = null; }
    st.stoppedAt = st.lastValue;
    if (st.lastValue !== null) { window.dash_clientside.set_props(st.meta.slider, {value: st.lastValue}); }
    setLabel(st.meta.play, false);
  }
  /* Stop on Escape or when the user takes a control. */
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { stop(); } });
  document.addEventListener("pointerdown", function (e) {
    if (st.running && e.target && e.target.closest && e.target.closest(".controls .control")) { stop(); }
  }, true);
  return {
    start: start,
    stop: stop,
    isRunning: function () { return st.running; },
    stats: function () {
      return {running: st.running, frames: st.frames, value: st.lastValue, stoppedAt: st.stoppedAt,
              seconds: st.running ? (performance.now() - st.t0) / 1000 : null};
    }
  };
})();

/* The tour's step as this page last set it, and the buttons' clicks seen so far (tourStep). */
var tour = {step: null, clicks: {next: 0, prev: 0}};

/* The user's zoom of every figure as the page last recorded it (trackView).  An update that was
 * already on its way when the user zoomed arrives with the old view: put the zoom back. */
var views = {};
function keepView(gd, graphId) {
  var want = views[graphId];
  if (!want || !gd._fullLayout) { return; }
  var upd = {};
  Object.keys(want).forEach(function (ax) {
    /* An axis set to autorange is the user's reset (double click), which trackView has not seen
     * yet: never fight it (the server's figures always carry an explicit range). */
    if ((gd.layout[ax] || {}).autorange === true) { return; }
    var have = (gd._fullLayout[ax] || {}).range;
    var r = want[ax];
    if (have && (Math.abs(have[0] - r[0]) > 1e-9 || Math.abs(have[1] - r[1]) > 1e-9)) {
      upd[ax + ".range"] = r.slice();
      upd[ax + ".autorange"] = false;
    }
  });
  if (Object.keys(upd).length) { window.Plotly.relayout(gd, upd); }
}

/* Dash writes a pattern-matching id as JSON with sorted keys. */
function sortKeys(obj) {
  var out = {};
  Object.keys(obj).sort().forEach(function (k) { out[k] = obj[k]; });
  return out;
}

/* Tour keys, anywhere outside a form control (sliders, radios and text boxes keep their arrows):
 * right arrow or page down (what presentation clickers send) = next step, left arrow or page up =
 * previous; up and down keep scrolling the page. */
document.addEventListener("keydown", function (e) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) { return; }
  var panel = document.getElementById("tour-panel");
  if (!panel || panel.hidden) { return; }
  var t = e.target;
  if (t && t.closest && t.closest("input, textarea, select, [role=slider], [contenteditable=true], .dash-dropdown, .js-plotly-plot")) {
    return;
  }
  var id = null;
  if (e.key === "ArrowRight" || e.key === "PageDown") { id = "tour-next"; }
  if (e.key === "ArrowLeft" || e.key === "PageUp") { id = "tour-prev"; }
  var button = id && document.getElementById(id);
  if (button) { e.preventDefault(); button.click(); }
});

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  explorer: {
    /* The controls moved (``value``: committed; a slider's ``drag_value``: while the hand moves).
     * While dragging, the slider's label and the derived intensity line are written in the page
     * (their Dash callbacks follow ``value``): a Dash round per pointer event would cost more than
     * the figures.  The server checks the controls only when a notice may be due. */
    liveControls: function (values, issues, meta) {
      var nu = window.dash_clientside.no_update;
      var ctx = window.dash_clientside.callback_context;
      if (!ctx || !ctx.inputs_list) { return nu; }
      var byName = {};
      (ctx.inputs_list[0] || []).forEach(function (inp, i) { byName[inp.id.name] = values[i]; });
      var changed = null;
      (ctx.triggered || []).forEach(function (t) {
        try { changed = JSON.parse(t.prop_id.slice(0, t.prop_id.lastIndexOf("."))).name; } catch (e) { /* not a control */ }
      });
      var params = {};
      var names = Object.keys(meta.params);
      for (var k = 0; k < names.length; k++) {
        var v = live.physical(meta.params[names[k]], byName[names[k]]);
        if (v === undefined) { live.check(meta, changed, true); return nu; }
        params[names[k]] = v;
      }
      live.submit(meta, params, true);
      if (live.noticeUp(meta.page) || (issues && typeof issues === "object" && Object.keys(issues).length)) {
        live.check(meta, changed, false);
      }
      return nu;
    },

    /* The committed parameters (page load, each commit): the base of drags (see live.setBase). */
    liveBase: function (params, meta) {
      live.setBase(meta, params);
      return window.dash_clientside.no_update;
    },

    /* The user's zoom and pan of every figure -> the view store ({graph: {axis: [lo, hi]}}), which
     * the figure callbacks apply so that a parameter change keeps it (components/engine.apply_view);
     * a double click (autorange) forgets it.  Zooming one spectral figure's energy axis zooms the
     * other two: Plotly.relayout on a partner emits its own relayoutData, which calls us again, and
     * the equality guard stops that. */
    trackView: function (args, meta) {
      var nu = window.dash_clientside.no_update;
      var ctx = window.dash_clientside.callback_context;
      if (!ctx || !ctx.triggered || !ctx.triggered.length) { return nu; }
      var old = args[args.length - 1];
      var view = {};
      Object.keys((old && typeof old === "object") ? old : {}).forEach(function (k) {
        if (old[k] && typeof old[k] === "object") { view[k] = Object.assign({}, old[k]); }
      });
      var trig = ctx.triggered[0];
      var src = trig.prop_id.split(".")[0];
      var rd = trig.value || {};
      var entry = view[src] || {};
      var shared = null, reset = false;
      ["xaxis", "yaxis", "xaxis2", "yaxis2"].forEach(function (ax) {
        var r = rangeOf(rd, ax);
        if (r) {
          entry[ax] = r;
          if (ax.charAt(0) === "x" && !shared) { shared = r; }
        } else if (rd[ax + ".autorange"] === true) {
          delete entry[ax];
          if (ax.charAt(0) === "x") { reset = true; }
        }
      });
      view[src] = entry;
      views = view;
      if (meta.spectral.indexOf(src) < 0 || (!shared && !reset)) { return view; }
      meta.spectral.forEach(function (id) {
        if (id === src) { return; }
        var gd = plotOf(id);
        var axes = (gd && gd.layout && gd.layout.xaxis2) ? ["xaxis", "xaxis2"] : ["xaxis"];
        var partner = view[id] || {};
        axes.forEach(function (ax) { if (shared) { partner[ax] = shared.slice(); } else { delete partner[ax]; } });
        view[id] = partner;
        if (!gd || !gd.layout) { return; }
        var upd = {};
        if (shared) {
          var cur = (gd.layout[axes[axes.length - 1]] || {}).range || [null, null];
          if (Math.abs(cur[0] - shared[0]) < 1e-6 && Math.abs(cur[1] - shared[1]) < 1e-6) { return; }
          axes.forEach(function (ax) { upd[ax + ".range"] = shared.slice(); upd[ax + ".autorange"] = false; });
        } else {  /* back to the full energy window of the physics grid (markers would pad an autorange) */
          var full = meta.energy;
          var now = (gd.layout[axes[0]] || {}).range || [null, null];
          if (Math.abs(now[0] - full[0]) < 1e-6 && Math.abs(now[1] - full[1]) < 1e-6) { return; }
          axes.forEach(function (ax) { upd[ax + ".range"] = full.slice(); upd[ax + ".autorange"] = false; });
        }
        window.Plotly.relayout(gd, upd);
      });
      return view;
    },

    /* Tour buttons -> the step ("off" or "1".."n").  Quick presses can reach Dash as one call with
     * several clicks (and the step in the State not yet updated): count the clicks since the last
     * call from the step this function last set, so no press is lost. */
    tourStep: function (start, close, prev, next, step, n) {
      var ctx = window.dash_clientside.callback_context;
      var trig = (ctx && ctx.triggered) ? ctx.triggered.map(function (t) { return t.prop_id.split(".")[0]; }) : [];
      var seen = tour.clicks;
      /* A re-rendered page starts its buttons at 0 clicks again. */
      var delta = function (now, before) { now = now || 0; return now >= before ? now - before : now; };
      var dNext = delta(next, seen.next || 0), dPrev = delta(prev, seen.prev || 0);
      tour.clicks = {next: next || 0, prev: prev || 0};
      if (trig.indexOf("tour-close") >= 0) { tour.step = "off"; return "off"; }
      if (trig.indexOf("tour-start") >= 0) { tour.step = "1"; return "1"; }
      var k = parseInt(tour.step !== null ? tour.step : step, 10);
      if (!(k >= 1 && k <= n)) { k = 0; }
      k = Math.min(n, Math.max(1, k + dNext - dPrev));
      tour.step = String(k);
      return tour.step;
    },

    /* The step's figure gets a highlight and is scrolled into view (smoothly unless the user asked
     * for reduced motion). */
    tourFocus: function (step, meta) {
      tour.step = (typeof step === "string") ? step : null;
      var focus = meta.focus[step];
      var target = null;
      meta.panels.forEach(function (kv) { if (kv[0] === focus) { target = kv[1]; } });
      if (target) {
        var el = document.getElementById(target);
        var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        if (el) {
          window.setTimeout(function () {
            /* Below the tour's panel, which stays on top of the page (sticky) on wide screens. */
            var panel = document.getElementById("tour-panel");
            var sticky = panel && !panel.hidden && window.getComputedStyle(panel).position === "sticky";
            el.style.scrollMarginTop = (sticky ? panel.offsetHeight + 16 : 8) + "px";
            el.scrollIntoView({behavior: reduce ? "auto" : "smooth", block: "start"});
          }, 0);
        }
      }
      return meta.panels.map(function (kv) {
        return "panel figure-panel" + (kv[0] === focus ? " tour-focus" : "");
      });
    },

    /* Play/stop the fluence sweep (components/tour.py). */
    sweepToggle: function (params, meta) {
      if (sweep.isRunning()) { sweep.stop(); } else { sweep.start(meta, params); }
      return window.dash_clientside.no_update;
    },

    sweepStats: function () { return sweep.stats(); },
    liveStats: function (page) { return live.stats(page); },

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

    /* Refuse files over the limit (components/upload.MAX_BYTES) in the browser, with a message,
     * before they are sent. */
    checkUpload: function (contents, filename, maxBytes) {
      var nu = window.dash_clientside.no_update;
      if (typeof contents !== "string") { return [nu, nu]; }
      var comma = contents.indexOf(",");
      var bytes = Math.floor((contents.length - comma - 1) * 3 / 4);
      if (bytes > maxBytes) {
        var mb = (bytes / 1e6).toFixed(1);
        return [nu, "\u201c" + String(filename || "file").slice(0, 80) + "\u201d was not used: the file is " + mb +
                " MB, more than the " + String(maxBytes / 1e6) + " MB limit; a spectrum needs far less."];
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
