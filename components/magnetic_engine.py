"""Validated inputs and memoized physics of the magnetic-scattering page.

The page calls one physics function (``physics.scattering_model``, after Lunin et al., Light Sci.
Appl. 14, 394 (2025))::

    prepared = prepare_pattern(params)   # domain pattern + FFT: 10-200 ms, cached per pattern_key
    result = evaluate(params, prepared)  # everything else: about 12-40 ms, cached per params

``make_engine(cache)`` wraps both with flask-caching's ``memoize`` (shared by the panels and, with
a file or Redis cache, by every worker).

One update of the page is two steps, so that the physics runs once per state and not once per
panel: the page's params store -> :func:`update_result` (validates, evaluates into the cache,
writes the small ``ids.MAG_RESULT`` record; and ``ids.MAG_STATIC``, the params without the delay,
only when they changed) -> every panel reads the memoized result.  Panels that do not depend on
the delay listen to ``MAG_STATIC`` and stay still while the delay slider (or the play button)
moves.  No module-level mutable state.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from dash import Input, Output, State, dcc, html, no_update

from physics import scattering_model as sm
from physics import scattering_parameters as sp
from physics.parameters import ParameterError

from . import ids
from .common import figure_panel, is_large, message_figure
from .validation import params_from_store as _params_from_store

log = logging.getLogger(__name__)

DELAY = "delay_ps"


def params_from_store(data: Any) -> tuple[dict | None, str | None]:
    """Validate and quantize the page's parameter dict from the browser: (params, error)."""
    return _params_from_store(data, sp.TABLE)


def static_params(params: Mapping[str, Any]) -> dict:
    """The parameters every delay shares (the delay-free panels depend on these only)."""
    return {k: v for k, v in params.items() if k != DELAY}


def _items(d: Mapping[str, Any]) -> tuple:
    return tuple(sorted(d.items()))


@dataclass(frozen=True)
class Engine:
    """The memoized physics of the page (built per app in ``register``)."""

    _pattern: Callable
    _result: Callable
    cache: Any

    def pattern(self, params: Mapping[str, Any]) -> sm.PreparedPattern:
        return self._pattern(sp.pattern_key(params))

    def evaluate(self, params: Mapping[str, Any]) -> sm.ScatteringResult:
        return self._result(_items(params))


def make_engine(cache) -> Engine:
    """Wrap the physics with ``cache.memoize`` (arguments are validated, quantized tuples)."""

    @cache.memoize()
    def magnetic_pattern(key: tuple):
        return sm.prepare_pattern(dict(key))

    @cache.memoize()
    def magnetic_result(items: tuple):
        params = dict(items)
        return sm.evaluate(params, magnetic_pattern(sp.pattern_key(params)))

    return Engine(magnetic_pattern, magnetic_result, cache)


def compute(engine: Engine, params: Mapping[str, Any]) -> tuple[sm.ScatteringResult | None, str]:
    """Validated params -> (result, "") or (None, why).  Never raises for a parameter problem."""
    try:
        return engine.evaluate(params), ""
    except (ParameterError, ValueError, ArithmeticError) as exc:
        log.warning("magnetic scattering not evaluated for %s: %s", params, exc)
        return None, f"The model cannot be evaluated for these parameters: {str(exc)[:200]}"


def resolve(engine: Engine, record: Any) -> tuple[sm.ScatteringResult | None, str]:
    """The ``MAG_RESULT`` record from the browser -> (memoized result, note).  Never raises:
    the record is client data, so it is validated again before it becomes a cache key."""
    if isinstance(record, Mapping) and isinstance(record.get("error"), str):
        return None, record["error"][:300]
    params, error = params_from_store(record.get("params") if isinstance(record, Mapping) else None)
    if error:
        return None, error
    return compute(engine, params)


def update_result(engine: Engine, params_data: Any, static_current: Any) -> tuple:
    """Params store -> (result record, static params or no_update).  Evaluates into the cache."""
    params, error = params_from_store(params_data)
    if error:
        return {"error": error}, no_update
    result, note = compute(engine, params)
    if result is None:
        return {"error": note}, no_update
    static = static_params(params)
    return {"params": params}, (no_update if static == static_current else static)


def stores() -> html.Div:
    return html.Div([dcc.Store(id=ids.MAG_RESULT), dcc.Store(id=ids.MAG_STATIC)])


def figure_update(engine: Engine, builder: Callable) -> Callable:
    """Callback body of a figure drawn from one result: (record, large) -> (figure, note)."""
    def update(record, large):
        result, note = resolve(engine, record)
        if result is None:
            return message_figure(note or "No valid parameters.", large=is_large(large)), note
        fig, text = builder(result, large=is_large(large))
        return fig, text
    return update


def static_figure_update(engine: Engine, builder: Callable) -> Callable:
    """As :func:`figure_update` for a delay-free figure: fired by ``MAG_STATIC`` (and the text size),
    drawn from the current record (a State)."""
    inner = figure_update(engine, builder)

    def update(_static, large, record):
        return inner(record, large)
    return update


def figure_key(result, large: bool) -> dict:
    """What a delay figure's full drawing depends on: everything but the delay (JSON-comparable)."""
    return {"params": static_params(result.params), "large": bool(large)}


def drawn_id(graph: ids.Graph) -> str:
    """Store of the key of the figure on screen (a delay move then sends a patch, not a figure)."""
    return f"{graph.id}-drawn"


def drawn_store(graph: ids.Graph) -> dcc.Store:
    return dcc.Store(id=drawn_id(graph))


def panel(graph: ids.Graph, head: str, caption_text: str, panel_id: str, *, patched: bool = False) -> html.Section:
    """A figure panel of the page.  A patched delay figure holds its drawn-key store and has no
    loading overlay (a patch is drawn at once; the overlay's state changes cost renderer time)."""
    section = figure_panel(head, graph.id, graph.note, graph.export_name, caption_text, panel_id,
                           loading=not patched)
    if patched:
        section.children.append(drawn_store(graph))
    return section


def patched_figure_update(engine: Engine, builder: Callable, patcher: Callable, key_of: Callable) -> Callable:
    """Callback body of a delay figure that can be patched: (record, large, drawn key) -> (figure or
    Patch, note, drawn key).  The full figure is sent when its key (``key_of(result, large)``) is not
    the one on screen; otherwise only the delay-dependent parts (``patcher(result, large=...)``, a
    dash.Patch): a few hundred bytes instead of 50-100 kB, and Plotly restyles instead of redrawing.
    Figure and key travel in one response, so a patch always meets the figure it was made for."""
    def update(record, large, drawn):
        result, note = resolve(engine, record)
        big = is_large(large)
        if result is None:
            return message_figure(note or "No valid parameters.", large=big), note, None
        key = key_of(result, big)
        if drawn == key:
            patch, text = patcher(result, large=big)
            return patch, text, no_update
        fig, text = builder(result, large=big)
        return fig, text, key
    return update


def register_figure(app, engine: Engine, graph: ids.Graph, builder: Callable, *, delay: bool = True,
                    patcher: Callable | None = None, key_of: Callable = figure_key) -> None:
    """Register a figure panel's callback.  ``builder(result, large=...) -> (figure dict, note)``;
    ``delay=False`` for figures that do not change with the delay; ``patcher`` (same signature,
    returns a dash.Patch) for delay figures whose delay-dependent parts can be patched (the panel's
    layout then holds ``drawn_store(graph)``)."""
    if patcher is not None:
        app.callback(Output(graph.id, "figure"), Output(graph.note, "children"), Output(drawn_id(graph), "data"),
                     Input(ids.MAG_RESULT, "data"), Input(ids.LARGE, "value"), State(drawn_id(graph), "data"),
                     )(patched_figure_update(engine, builder, patcher, key_of))
    elif delay:
        app.callback(Output(graph.id, "figure"), Output(graph.note, "children"),
                     Input(ids.MAG_RESULT, "data"), Input(ids.LARGE, "value"))(figure_update(engine, builder))
    else:
        app.callback(Output(graph.id, "figure"), Output(graph.note, "children"),
                     Input(ids.MAG_STATIC, "data"), Input(ids.LARGE, "value"), State(ids.MAG_RESULT, "data"),
                     )(static_figure_update(engine, builder))


def register(app, cache) -> None:
    engine = make_engine(cache)
    app.callback(
        Output(ids.MAG_RESULT, "data"), Output(ids.MAG_STATIC, "data"),
        Input(ids.MAG_PARAMS, "data"), State(ids.MAG_STATIC, "data"),
    )(lambda params_data, static_current: update_result(engine, params_data, static_current))
