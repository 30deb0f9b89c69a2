"""Validated inputs and memoized physics shared by the panels.

Everything a browser sends (dcc.Store contents, slider values, click data) is client-controlled:
the helpers here turn it into validated, quantized parameters *before* numpy or a cache key sees
it, and answer bad data with a message instead of an exception.

``make_engine(cache)`` wraps the physics functions (not the callbacks) with flask-caching's
``memoize``.  It is called inside each panel's ``register``; the wrapped functions have the same
qualified name every time, so all panels (and all gunicorn workers sharing a FileSystemCache or
Redis) share one set of cache entries.  No module-level mutable state.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
from dash import Input, Output, State, no_update

from physics import maxwell_bloch, model, parameters, spectra

from . import ids
from .common import ENERGY_RANGE_TEXT, is_large, message_figure, round_each
from .validation import BAD_INPUT, finite_float
from .validation import params_from_store as _params_from_store

log = logging.getLogger(__name__)

# Parameters the Maxwell-Bloch curves depend on (not fluence: the curve spans all fluences, so
# moving the fluence slider only moves the operating-point marker, it never recomputes).
MB_KEYS = ("duration_fs", "bandwidth_ev", "center_ev", "n_pulses", "seed")
# The two-level transmission curves use the 16 XAS absorber classes and slice propagation (the Eq. 4
# option also two orientation nodes): their ensemble is capped; the job budget may cut it further.
TRANSMISSION_MODELS = ("atomic", "khd")  # the transmission job computes both Fig. 6 Bloch curves
TRANSMISSION_MAX_PULSES = 20  # the chunked two-level solver is now as cheap as the gain curve (bench_mb)
GRID_POINTS = spectra.energy_grid().size  # 601 (a constant, not state)


def params_from_store(data: Any) -> tuple[dict | None, str | None]:
    """Validate and quantize the spectra page's parameter dict from the browser: (params, error)."""
    return _params_from_store(data, parameters)


def incident_from_store(data: Any) -> tuple[tuple | None, str | None]:
    """Validate an uploaded incident spectrum kept in the browser (601 values on the grid).

    Returns (values or None, error).  None without error means "use the model pulse".
    """
    if data is None or (isinstance(data, Mapping) and not data.get("intensity")):
        return None, None
    if not isinstance(data, Mapping):
        return None, "The uploaded spectrum in the page is malformed; using the model pulse."
    values = data.get("intensity")
    if not isinstance(values, list) or len(values) != GRID_POINTS:
        return None, f"The uploaded spectrum must hold {GRID_POINTS} grid values; using the model pulse."
    out = []
    for v in values:
        f = finite_float(v)
        if f is None or f < 0:
            return None, "The uploaded spectrum holds invalid numbers; using the model pulse."
        out.append(f)
    if max(out) <= 0:
        return None, f"The uploaded spectrum has no photons in {ENERGY_RANGE_TEXT}; using the model pulse."
    return tuple(out), None


def mb_key(params: Mapping[str, Any]) -> dict:
    """The Maxwell-Bloch subset of validated params (small; kept in a dcc.Store)."""
    return {k: params[k] for k in MB_KEYS}


def mb_key_from_store(data: Any) -> dict | None:
    """Validate an MB key sent back by the browser (None if forged/malformed)."""
    if not isinstance(data, Mapping) or set(data) != set(MB_KEYS):
        return None
    try:
        return {k: parameters.quantize(k, parameters.validate(k, data[k])) for k in MB_KEYS}
    except BAD_INPUT:
        return None


def _items(d: Mapping[str, Any]) -> tuple:
    """Deterministic, hashable form of a dict for memoize keys."""
    return tuple(sorted(d.items()))


@dataclass(frozen=True)
class Engine:
    """The memoized physics used by the callbacks (built per app in ``register``)."""

    _evaluate: Callable
    _mb_gain: Callable
    _mb_transmission: Callable
    _analytic_transmission: Callable
    cache: Any

    def analytic_transmission(self, params: Mapping[str, Any]) -> dict:
        """Fig. 6's analytic curve; fluence is not part of the key (the curve spans intensity)."""
        return self._analytic_transmission(_items({k: v for k, v in params.items() if k != "fluence_mj_cm2"}))

    def evaluate(self, params: Mapping[str, Any], incident: tuple | None = None) -> model.ModelResult:
        return self._evaluate(_items(params), incident)

    def mb_gain(self, key: Mapping[str, Any]) -> dict:
        return self._mb_gain(_items(key))

    def mb_transmission(self, key: Mapping[str, Any]) -> dict:
        return self._mb_transmission(_items(key))

    def peek(self, fn: Callable, key: Mapping[str, Any]):
        """The memoized value if it is already cached, else None (never computes)."""
        try:
            return self.cache.get(fn.make_cache_key(fn.uncached, _items(key)))
        except Exception:  # a cache backend hiccup must not break a figure; recompute later
            log.exception("cache peek failed")
            return None

    def peek_mb(self, key: Mapping[str, Any]) -> tuple[dict | None, dict | None]:
        return self.peek(self._mb_gain, key), self.peek(self._mb_transmission, key)

    def peek_curve(self, which: str, key: Mapping[str, Any]) -> dict | None:
        """The cached MB curve ("gain" or "transmission") for ``key``, else None (never computes)."""
        return self.peek(self._mb_gain if which == "gain" else self._mb_transmission, key)

    def compute_mb(self, which: str, key: Mapping[str, Any], n_pulses: int | None = None) -> dict:
        """Compute an MB curve with ``n_pulses`` (the job's budgeted ensemble, <= the key's) and store it
        under the memoize key of ``key``, so that peeks with the requested key find it."""
        fn = self._mb_gain if which == "gain" else self._mb_transmission
        t0 = time.perf_counter()
        value = (compute_mb_gain if which == "gain" else compute_mb_transmission)(key, n_pulses)
        value["compute_s"] = round(time.perf_counter() - t0, 2)  # shown in the panel's "done" line
        self.cache.set(fn.make_cache_key(fn.uncached, _items(key)), value)
        return value


def compute_mb_gain(key: Mapping[str, Any], n_pulses: int | None = None) -> dict:
    """Adapter to physics.maxwell_bloch.gain_curve: plain lists (small, picklable, cacheable).

    ``n_pulses`` (the job's budget) may be smaller than the key's; the result says what was used."""
    n = int(key["n_pulses"]) if n_pulses is None else min(int(n_pulses), int(key["n_pulses"]))
    g = maxwell_bloch.gain_curve(
        key["duration_fs"], key["bandwidth_ev"], key["center_ev"], n, int(key["seed"]),
        propagation="thin",
    )
    return {
        "fluence_mj_cm2": np.asarray(g.fluence_mj_cm2, float).tolist(),
        "intensity_mj_cm2_fs": np.asarray(g.intensity_mj_cm2_fs, float).tolist(),
        "efficiency": np.asarray(g.efficiency, float).tolist(),
        "efficiency_std": np.asarray(g.efficiency_std, float).tolist(),
        "stimulated_fraction": np.asarray(g.stimulated_fraction, float).tolist(),
        "n_pulses": n,
        "n_pulses_requested": int(key["n_pulses"]),
    }


def transmission_pulses(key: Mapping[str, Any]) -> int:
    """The ensemble the transmission curve uses for ``key`` before any budget (capped)."""
    return min(int(key["n_pulses"]), TRANSMISSION_MAX_PULSES)


def compute_mb_transmission(key: Mapping[str, Any], n_pulses: int | None = None) -> dict:
    """Adapter to physics.maxwell_bloch.transmission_curve (two-level Bloch, Fig. 6), both models on
    the same pulses: the atomic dipole (``peak_transmission``) and the Eq. 4 (KHD) stimulated rate
    that reproduces the paper's Fig. 6 without a free parameter (``khd_peak_transmission``)."""
    n = transmission_pulses(key) if n_pulses is None else min(int(n_pulses), transmission_pulses(key))
    curves = {m: maxwell_bloch.transmission_curve(
        key["duration_fs"], None, bandwidth_ev=key["bandwidth_ev"], center_ev=key["center_ev"],
        n_pulses=n, seed=int(key["seed"]), model=m) for m in TRANSMISSION_MODELS}
    t, k = curves["atomic"], curves["khd"]
    return {
        "intensity_mj_cm2_fs": np.asarray(t.intensity_mj_cm2_fs, float).tolist(),
        "peak_transmission": np.asarray(t.peak_transmission, float).tolist(),
        "std": np.asarray(t.std, float).tolist(),
        "khd_peak_transmission": np.asarray(k.peak_transmission, float).tolist(),
        "khd_std": np.asarray(k.std, float).tolist(),
        "linear_transmission": float(t.linear_transmission),
        "n_pulses": n,
        "n_pulses_requested": int(key["n_pulses"]),
    }




def compute_analytic_transmission(p: Mapping[str, Any]) -> dict:
    """Fig. 6's analytic curve: the three-channel model's intrinsic peak transmission versus
    intensity for this pulse (``physics.model.peak_transmission_curve``, single shots included),
    each point flagged inside or outside the paper's measured range."""
    c = model.peak_transmission_curve(dict(p))
    return {"intensity_mj_cm2_fs": round_each(c["intensity_mj_cm2_fs"], 4),
            "analytic_peak_transmission": round_each(c["peak_transmission"], 4),
            "in_measured_range": [bool(x) for x in c["in_measured_range"]]}


def make_engine(cache) -> Engine:
    """Wrap the physics with ``cache.memoize`` (arguments are validated, quantized tuples)."""

    @cache.memoize()
    def evaluate_model(items: tuple, incident: tuple | None):
        return model.evaluate(dict(items), None if incident is None else np.asarray(incident, dtype=float))

    @cache.memoize()
    def mb_gain_curve(items: tuple):
        return compute_mb_gain(dict(items))

    @cache.memoize()
    def mb_transmission_curve(items: tuple):
        return compute_mb_transmission(dict(items))

    @cache.memoize()
    def analytic_transmission_curve(items: tuple):
        return compute_analytic_transmission(dict(items))

    return Engine(evaluate_model, mb_gain_curve, mb_transmission_curve, analytic_transmission_curve, cache)


def resolve(engine: Engine, params_data: Any, upload_data: Any) -> tuple[model.ModelResult | None, str]:
    """Store contents -> (memoized model result, note for the page).  Never raises on bad data."""
    params, error = params_from_store(params_data)
    if error:
        return None, error
    incident, upload_error = incident_from_store(upload_data)
    try:
        result = engine.evaluate(params, incident)
    except ValueError as exc:  # e.g. a model pulse with no photons on the grid
        return None, f"The model cannot be evaluated for these parameters: {exc}"
    note = upload_error or ""
    if incident is not None:
        name = upload_data.get("name") if isinstance(upload_data, Mapping) else None
        note = f"Incident spectrum: uploaded reference{f' “{name}”' if isinstance(name, str) else ''} (scaled to the fluence)."
    return result, note


def result_figure_update(engine, builder):
    """Callback body for a figure drawn from one model result: (params, upload, large) -> (figure, note)."""
    def update(params_data, upload_data, large):
        result, note = resolve(engine, params_data, upload_data)
        if result is None:
            return message_figure(note or "No valid parameters.", large=is_large(large)), note
        return builder(result, large=is_large(large)), note
    return update


VIEW_AXES = ("xaxis", "yaxis", "xaxis2", "yaxis2")
MAX_AXIS_VALUE = 1e6  # energies in eV, log10 of fluences, transmissions: far below this


def view_ranges(view: Any, graph_id: str) -> dict[str, list[float]]:
    """The user's axis ranges of one figure from the browser's view store (ids.VIEW), validated:
    anything but two distinct finite numbers of a sane size is ignored."""
    entry = view.get(graph_id) if isinstance(view, Mapping) else None
    if not isinstance(entry, Mapping):
        return {}
    out = {}
    for ax in VIEW_AXES:
        r = entry.get(ax)
        if not isinstance(r, list) or len(r) != 2:
            continue
        lo, hi = finite_float(r[0]), finite_float(r[1])
        if lo is not None and hi is not None and lo != hi and max(abs(lo), abs(hi)) < MAX_AXIS_VALUE:
            out[ax] = [lo, hi]
    return out


def apply_view(figure: dict, view: Any, graph_id: str) -> dict:
    """Put the user's zoom/pan into a freshly built figure (in place): the figure arrives with the
    ranges the graph already shows, so a parameter change repaints the curves and keeps the view.
    (Plotly's uirevision does not survive the figures' linked, programmatic zoom.)"""
    layout = figure.get("layout") if isinstance(figure, dict) else None
    if not isinstance(layout, dict):
        return figure
    for ax, r in view_ranges(view, graph_id).items():
        axis = layout.get(ax)
        if isinstance(axis, dict) and axis.get("visible", True):
            layout[ax] = dict(axis, range=r, autorange=False)
    return figure


def with_view(graph_id: str, update: Callable) -> Callable:
    """A figure callback body taking the view store as its last argument: (figure, note) with the
    user's zoom applied."""
    def update_with_view(*args):
        *inputs, view = args
        figure, note = update(*inputs)
        return apply_view(figure, view, graph_id), note
    return update_with_view


def register_figure(app, key: str, update: Callable, *inputs) -> None:
    """Register a figure panel's callback: its live parameter store first, then ``inputs``; the
    view store is passed last (state: zooming never calls the server)."""
    graph = ids.GRAPHS[key]
    app.callback(
        Output(graph.id, "figure"), Output(graph.note, "children"),
        Input(ids.LIVE[key].store, "data"), *inputs, State(ids.VIEW, "data"),
    )(with_view(graph.id, update))


def register_result_figure(app, cache, key: str, builder) -> None:
    """Register a figure drawn from one model result (live params, upload, large-text switch)."""
    register_figure(app, key, result_figure_update(make_engine(cache), builder),
                    Input(ids.UPLOAD_STORE, "data"), Input(ids.LARGE, "value"))


def fluence_from_click(click: Any, params_data: Any, *, x_is_intensity: bool):
    """Click on a curve (x = fluence, or intensity F/tau) -> the fluence slider's value (log10).

    Anything unusable (forged click data, bad store) gives no_update; the result is clamped to
    the fluence bounds and quantized like a slider position.
    """
    params, error = params_from_store(params_data)
    if error or not isinstance(click, dict):
        return no_update
    pts = click.get("points")
    if not isinstance(pts, list) or not pts or not isinstance(pts[0], dict):
        return no_update
    x = finite_float(pts[0].get("x"))
    if x is None or x <= 0:
        return no_update
    fluence = x * params["duration_fs"] if x_is_intensity else x
    p = parameters.BY_NAME["fluence_mj_cm2"]
    fluence = min(max(float(fluence), p.minimum), p.maximum)
    return round(math.log10(parameters.quantize("fluence_mj_cm2", fluence)), 5)  # as controls.to_control
