"""Maxwell-Bloch background jobs: the slow curves never hold up the analytic figures.

``state-params`` -> ``mb-key`` (only the parameters the MB curves depend on; unchanged keys do
not re-run anything, so moving the fluence slider costs nothing here) -> two background callbacks
(three-level gain curve ~1 s, two-level transmission curve ~2-5 s) that fill the memoized cache
and then write a small "ready" record (parameters only, no arrays) into ``mb-gain-store`` /
``mb-transmission-store``.  The figure callbacks read the curves from the cache.

The background manager comes from the app (DiskcacheManager or CeleryManager).  Without one
(e.g. a bare test app) the jobs run as ordinary callbacks: slower pages, same results.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from dash import Input, Output, State, dcc, html, no_update, set_props

from . import engine as eng
from . import ids

log = logging.getLogger(__name__)

KEY_STORE = ids.MB_KEY
GAIN_STORE = ids.MB_GAIN_STORE
TRANSMISSION_STORE = ids.MB_TRANSMISSION_STORE
GAIN_JOB = "mb-gain-job"  # the jobs' declared outputs (records kept for tests and debugging)
TRANSMISSION_JOB = "mb-transmission-job"
GAIN_STATUS = "mb-gain-status"
TRANSMISSION_STATUS = "mb-transmission-status"


def stores() -> html.Div:
    return html.Div([dcc.Store(id=i) for i in (KEY_STORE, GAIN_STORE, TRANSMISSION_STORE, GAIN_JOB, TRANSMISSION_JOB)])


def status(id_: str) -> html.Div:
    """Where the running/progress state shows (a spinner via CSS while busy)."""
    return html.Div(id=id_, className="mb-status", role="status", **{"aria-live": "polite"})


def update_key(params_data: Any, current: Any):
    """Validated params -> the MB key; no_update when it has not changed (no recomputation)."""
    params, error = eng.params_from_store(params_data)
    if error:
        return no_update
    key = eng.mb_key(params)
    return no_update if key == current else key


def run_job(engine: eng.Engine, which: str, key_data: Any, set_progress: Callable | None = None) -> dict:
    """Compute (or fetch) one MB curve; returns a small JSON record, never raises."""
    key = eng.mb_key_from_store(key_data)
    if key is None:
        return {"key": None, "error": "Maxwell-Bloch parameters were malformed; nothing computed."}
    fn = engine.mb_gain if which == "gain" else engine.mb_transmission
    if set_progress is not None:
        label = "three-level gain curve" if which == "gain" else "two-level transmission curve"
        set_progress(f"Computing the Maxwell-Bloch {label} for {key['n_pulses']} SASE pulses…")
    try:
        fn(key)
    except Exception as exc:  # noqa: BLE001 - a physics failure becomes a message in the page
        log.exception("Maxwell-Bloch %s failed for %s", which, key)
        return {"key": key, "error": f"Maxwell-Bloch {which} curve failed: {exc}"}
    return {"key": key, "ok": True}


def _finish(store: str, record: dict) -> dict:
    """Hand the record to the figures with set_props, not as a declared Output: Dash holds back
    every callback whose Input is the Output of a job still running, and the figures must not
    wait for the Maxwell-Bloch job (they show KHD and the analytic curves meanwhile)."""
    set_props(store, {"data": record})
    return record


def _register_jobs(app, engine) -> None:
    background = getattr(app, "_background_manager", None) is not None
    if not background:
        log.warning("no background callback manager on the app: the Maxwell-Bloch curves run in the request")

    # Two functions with different source on purpose: Dash keys background jobs by source + args.
    def gain_job(set_progress, key_data):
        return _finish(GAIN_STORE, run_job(engine, "gain", key_data, set_progress))

    def transmission_job(set_progress, key_data):
        return _finish(TRANSMISSION_STORE, run_job(engine, "transmission", key_data, set_progress))

    for fn, job_store, status_id in ((gain_job, GAIN_JOB, GAIN_STATUS), (transmission_job, TRANSMISSION_JOB, TRANSMISSION_STATUS)):
        running = [(Output(status_id, "className"), "mb-status busy", "mb-status")]
        if background:
            app.callback(
                Output(job_store, "data"), Input(KEY_STORE, "data"),
                background=True, running=running, progress=[Output(status_id, "children")], progress_default="",
            )(fn)
        else:
            running.append((Output(status_id, "children"), "Computing the Maxwell-Bloch curve…", ""))
            app.callback(Output(job_store, "data"), Input(KEY_STORE, "data"), running=running)(
                lambda key_data, _fn=fn: _fn(None, key_data))


def curve_for(engine: eng.Engine, which: str, key: dict, ready: Any) -> tuple[dict | None, str]:
    """The cached MB curve for ``key`` or (None, why).  Computes only if a job said it is ready
    for this very key but this process cannot see the value (a per-process cache)."""
    fn = engine._mb_gain if which == "gain" else engine._mb_transmission
    curve = engine.peek(fn, key)
    if curve is not None:
        return curve, ""
    if isinstance(ready, dict) and ready.get("key") == key:
        if ready.get("error"):
            return None, str(ready["error"])
        try:
            return (engine.mb_gain(key) if which == "gain" else engine.mb_transmission(key)), ""
        except Exception as exc:  # noqa: BLE001
            return None, f"Maxwell-Bloch {which} curve failed: {exc}"
    return None, "Maxwell-Bloch curve is being computed…"


def register(app, cache) -> None:
    engine = eng.make_engine(cache)
    app.callback(Output(KEY_STORE, "data"), Input(ids.PARAMS, "data"), State(KEY_STORE, "data"))(update_key)
    _register_jobs(app, engine)
