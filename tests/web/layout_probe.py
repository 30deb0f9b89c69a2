"""Browser-side geometry and accessibility probes for the presentation tests.

``OVERLAP_JS`` measures, in screen pixels, every figure's legend and annotation boxes against what
its traces draw: line segments (clipped to the plot area), marker boxes and error bars.  A label
"covers data" when one of those crosses its box.  (A trace's bounding *rectangle* would not do: a
rising curve's rectangle is the whole plot, so any label anywhere would count.)  It also reports
whether a legend box enters a plot area at all, and the y-axis title boxes (they must stay inside
the figure and apart from each other).

``AXE_PATH`` is axe-core, vendored under MPL-2.0 (see vendor/README.md).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

AXE_PATH = Path(__file__).with_name("vendor") / "axe.min.js"

GRAPH_IDS = ("spectra-graph", "difference-graph", "model-graph", "gain-graph", "transmission-graph")

OVERLAP_JS = r"""
var ids = arguments[0];
function rectOf(el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
function meets(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
function clip(p, q, r) {  /* Liang-Barsky: the part of segment p-q inside rect r, or null */
  var t0 = 0, t1 = 1, dx = q[0] - p[0], dy = q[1] - p[1];
  var P = [-dx, dx, -dy, dy], Q = [p[0] - r[0], r[2] - p[0], p[1] - r[1], r[3] - p[1]];
  for (var i = 0; i < 4; i++) {
    if (P[i] === 0) { if (Q[i] < 0) { return null; } continue; }
    var t = Q[i] / P[i];
    if (P[i] < 0) { if (t > t1) { return null; } if (t > t0) { t0 = t; } }
    else { if (t < t0) { return null; } if (t < t1) { t1 = t; } }
  }
  return [[p[0] + t0 * dx, p[1] + t0 * dy], [p[0] + t1 * dx, p[1] + t1 * dy]];
}
function axisOf(fl, ref, letter) { return fl[letter + 'axis' + (ref && ref.length > 1 ? ref.slice(1) : '')]; }
var out = [];
ids.forEach(function (id) {
  var holder = document.getElementById(id);
  var gd = holder && (holder.classList.contains('js-plotly-plot') ? holder : holder.querySelector('.js-plotly-plot'));
  if (!gd || !gd._fullLayout || !gd._fullData) { out.push({graph: id, error: 'not drawn'}); return; }
  var fl = gd._fullLayout, g = gd.getBoundingClientRect();
  var res = {graph: id, fig: [g.left, g.top, g.right, g.bottom], labels: [], plots: [], marks: [], ytitles: [],
             font: fl.font.size, traces: 0};
  Object.keys(fl._plots || {}).forEach(function (k) {
    var sp = fl._plots[k], xa = sp.xaxis, ya = sp.yaxis;
    if (!xa || !ya || xa.overlaying || ya.overlaying) { return; }
    res.plots.push([g.left + xa._offset, g.top + ya._offset, g.left + xa._offset + xa._length, g.top + ya._offset + ya._length]);
  });
  var lg = gd.querySelector('.legend .bg');
  if (lg) { res.labels.push({kind: 'legend', text: 'legend', box: rectOf(lg)}); }
  gd.querySelectorAll('.annotation').forEach(function (a) {
    var t = a.querySelector('.annotation-text-g') || a;
    res.labels.push({kind: 'annotation', text: (a.textContent || '').slice(0, 60), box: rectOf(t)});
  });
  gd.querySelectorAll('.g-ytitle text, .g-y2title text').forEach(function (t) { res.ytitles.push(rectOf(t)); });
  gd._fullData.forEach(function (t) {
    if (t.visible !== true || t.type !== 'scatter' || !t.x || !t.y) { return; }
    var xa = axisOf(fl, t.xaxis, 'x'), ya = axisOf(fl, t.yaxis, 'y');
    if (!xa || !ya) { return; }
    var area = [g.left + xa._offset, g.top + ya._offset, g.left + xa._offset + xa._length, g.top + ya._offset + ya._length];
    var mode = t.mode || '', lineW = (t.line && t.line.width) || 0, size = (t.marker && t.marker.size) || 0;
    var errs = t.error_y && t.error_y.visible && t.error_y.array;
    var pts = [];
    for (var j = 0; j < t.x.length; j++) {
      var x = t.x[j], y = t.y[j];
      if (x === null || y === null || x === undefined || y === undefined) { pts.push(null); continue; }
      var lx = xa.d2l(x), ly = ya.d2l(y);
      if (!isFinite(lx) || !isFinite(ly)) { pts.push(null); continue; }
      pts.push([area[0] + xa.l2p(lx), area[1] + ya.l2p(ly)]);
      if (errs && isFinite(errs[j]) && errs[j] > 0) {
        var lo = ya.d2l(y - errs[j]), hi = ya.d2l(y + errs[j]);
        var px = area[0] + xa.l2p(lx);
        var top = area[1] + ya.l2p(hi), bot = isFinite(lo) ? area[1] + ya.l2p(lo) : area[3];
        res.marks.push({trace: t.name, seg: [[px, top], [px, bot]], area: area});
      }
    }
    res.traces += 1;
    if (mode.indexOf('lines') >= 0 && lineW > 0) {
      for (var k = 1; k < pts.length; k++) {
        if (pts[k - 1] && pts[k]) { res.marks.push({trace: t.name, seg: [pts[k - 1], pts[k]], area: area}); }
      }
    }
    if (mode.indexOf('markers') >= 0 && size > 0) {
      pts.forEach(function (p) {
        if (p && p[0] >= area[0] && p[0] <= area[2] && p[1] >= area[1] && p[1] <= area[3]) {
          res.marks.push({trace: t.name, box: [p[0] - size / 2, p[1] - size / 2, p[0] + size / 2, p[1] + size / 2]});
        }
      });
    }
  });
  var hits = [];
  res.labels.forEach(function (lab) {
    res.marks.forEach(function (m) {
      var hit = false;
      if (m.box) { hit = meets(lab.box, m.box); }
      else { var inPlot = clip(m.seg[0], m.seg[1], m.area); hit = !!(inPlot && clip(inPlot[0], inPlot[1], lab.box)); }
      if (hit && hits.length < 20) { hits.push(lab.kind + ' "' + lab.text + '" covers ' + m.trace); }
    });
  });
  res.hits = hits;
  res.legendInPlot = !!(lg && res.plots.some(function (p) { return meets(rectOf(lg), p); }));
  /* wider than the plots: it runs into the right margin, under the toolbar */
  res.legendOverhang = lg ? rectOf(lg)[2] - Math.max.apply(null, res.plots.map(function (p) { return p[2]; })) : 0;
  delete res.marks;
  out.push(res);
});
return out;
"""

PAGE_JS = r"""
var d = document.documentElement;
return {scrollWidth: d.scrollWidth, innerWidth: window.innerWidth, lang: d.getAttribute('lang')};
"""


def wait_until(check: Callable[[], object], timeout: float = 30.0, interval: float = 0.1, what: str = ""):
    """Poll ``check`` until it returns something truthy (readiness, not a fixed sleep)."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = check()
        except Exception as exc:  # noqa: BLE001 - the page may be mid-render
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what or check}: last {last!r}")


def figures(driver, ids=GRAPH_IDS) -> list[dict]:
    return driver.execute_script(OVERLAP_JS, list(ids))


def problems(report: list[dict]) -> list[str]:
    """Everything wrong in an OVERLAP_JS report, as sentences (empty = fine)."""
    out = []
    for r in report:
        if r.get("error"):
            out.append(f"{r['graph']}: {r['error']}")
            continue
        out += [f"{r['graph']}: {h}" for h in r["hits"]]
        if r["legendInPlot"]:
            out.append(f"{r['graph']}: legend box enters a plot area")
        if r["legendOverhang"] > 2:
            out.append(f"{r['graph']}: legend runs {r['legendOverhang']:.0f} px past the plot, under the toolbar")
        fig = r["fig"]
        titles = r["ytitles"]
        for t in titles:
            if t[1] < fig[1] - 1 or t[3] > fig[3] + 1 or t[0] < fig[0] - 1:
                out.append(f"{r['graph']}: a y-axis title is cut off ({t} outside {fig})")
        for i in range(len(titles)):
            for j in range(i + 1, len(titles)):
                a, b = titles[i], titles[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    out.append(f"{r['graph']}: y-axis titles overlap")
    return out
