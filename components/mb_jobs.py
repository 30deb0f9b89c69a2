"""Maxwell-Bloch jobs: the slow curves never hold up the analytic figures, and their state is true.

``state-params`` -> ``mb-key`` (only the parameters the MB curves depend on; unchanged keys do not
re-run anything, so moving the fluence slider costs nothing here).  Each curve (three-level gain,
two-level transmission) has a cheap status callback, driven by the key and by a 1 s
``dcc.Interval`` while its job is in flight.  Each call asks the app's job service
(serving/jobs.py: the host pool, Celery or inline) for the curve: the first call submits it, later
calls keep it wanted and report it.  The status line shows

    queued (position) / running (elapsed of the estimate) / done (the pulses actually used, how
    long) / busy (queue full, retrying) / failed (why) / lost (the service restarted, retrying)

and the poll stops when the curve is done or failed.  On "done" a small record (parameters only,
no arrays) goes into ``mb-gain-store`` / ``mb-transmission-store``; the figure callbacks read the
curves from the memoized cache.

Each job's cost is estimated before it starts and the ensemble is cut to the job budget
(serving/budget.py); the result records the pulses used.
"""
from __future__ import annotations

import logging
import secrets
from types import MappingProxyType
from typing import Any, Callable

from dash import Input, Output, State, dcc, html, no_update

from physics import maxwell_bloch
from serving.budget import Estimate, OverBudget, plan
from serving.jobs import InlineJobs, JobService, service_of

from . import engine as eng
from . import ids

log = logging.getLogger(__name__)

KEY_STORE = ids.MB_KEY
GAIN_STORE = ids.MB_GAIN_STORE
TRANSMISSION_STORE = ids.MB_TRANSMISSION_STORE
GAIN_JOB = "mb-gain-job"  # the page's handle on each job (client token, key, last state)
TRANSMISSION_JOB = "mb-transmission-job"
GAIN_STATUS = "mb-gain-status"
TRANSMISSION_STATUS = "mb-transmission-status"
GAIN_POLL = "mb-gain-poll"
TRANSMISSION_POLL = "mb-transmission-poll"

KINDS = MappingProxyType({"gain": "mb-gain", "transmission": "mb-transmission"})  # read-only
LABELS = MappingProxyType({"gain": "three-level gain curve",
                           "transmission": "two-level transmission curves"})  # atomic dipole and Eq. 4 rate
POLL_MS = 1000
MAX_LOST_RETRIES = 3  # a job the service lost (restart) is resubmitted this often
MAX_UNAVAILABLE_POLLS = 15  # polls in a row without an answer from the job service before giving up


class JobFailed(RuntimeError):
    pass


def stores() -> html.Div:
    return html.Div([dcc.Store(id=i) for i in (KEY_STORE, GAIN_STORE, TRANSMISSION_STORE, GAIN_JOB, TRANSMISSION_JOB)]
                    + [dcc.Interval(id=i, interval=POLL_MS, disabled=True) for i in (GAIN_POLL, TRANSMISSION_POLL)])


def status(id_: str) -> html.Div:
    """Where the job state shows (a spinner via CSS while queued or running)."""
    return html.Div(id=id_, className="mb-status", role="status", **{"aria-live": "polite"})


def update_key(params_data: Any, current: Any):
    """Validated params -> the MB key; no_update when it has not changed (no recomputation)."""
    params, error = eng.params_from_store(params_data)
    if error:
        return no_update
    key = eng.mb_key(params)
    return no_update if key == current else key


# --------------------------------------------------------------------------- cost
# A job process holds the interpreter, numpy/scipy and the app (~110 MB measured by
# bench/bench_jobs.py) on top of what the solver needs; the solver's peak memory and time come from
# the physics' own cost model (chunked ensembles, fitted on the reference machine, good to 2x in time).
PROCESS_BASE_MB = 110.0


def estimate_cost(which: str, key: dict, n_pulses: int) -> Estimate:
    """Peak memory (whole job process) and time of one MB curve with ``n_pulses`` pulses."""
    d, n = float(key["duration_fs"]), int(n_pulses)
    if which == "gain":
        est = maxwell_bloch.estimate_cost(d, n, len(maxwell_bloch.default_fluences()))
    else:  # both Fig. 6 models, one after the other: memory of the larger, time of both
        ests = [maxwell_bloch.transmission_estimate(d, n, len(maxwell_bloch.default_intensities()), model=m)
                for m in eng.TRANSMISSION_MODELS]
        est = {"peak_memory_mb": max(e["peak_memory_mb"] for e in ests), "seconds": sum(e["seconds"] for e in ests)}
    return Estimate((PROCESS_BASE_MB + est["peak_memory_mb"]) * 1e6, float(est["seconds"]))


def plan_for(which: str, key: dict, service: JobService):
    """The ensemble the job will use: the transmission cap, then the job budget."""
    wanted = int(key["n_pulses"]) if which == "gain" else eng.transmission_pulses(key)
    return plan(wanted, lambda n: estimate_cost(which, key, n), service.budget)


def run_job(engine: eng.Engine, which: str, key_data: Any, set_progress: Callable | None = None,
            service: JobService | None = None, raise_errors: bool = False) -> dict:
    """Compute one MB curve within the budget and cache it; returns a small JSON record.  Never raises
    unless ``raise_errors`` (the job services want the exception itself, e.g. Celery's time limit)."""
    key = eng.mb_key_from_store(key_data)
    if key is None:
        return {"key": None, "error": "Maxwell-Bloch parameters were malformed; nothing computed."}
    try:
        job_plan = plan_for(which, key, service or InlineJobs(None))
    except OverBudget as exc:
        return {"key": key, "error": f"Maxwell-Bloch {which} curve is over the job budget: {exc}"}
    if set_progress is not None:
        set_progress(f"Computing the Maxwell-Bloch {LABELS[which]} for {job_plan.n_pulses} SASE pulses…")
    try:
        curve = engine.compute_mb(which, key, job_plan.n_pulses)
    except Exception as exc:  # noqa: BLE001 - a physics failure becomes a message in the page
        if raise_errors:
            raise
        log.exception("Maxwell-Bloch %s failed for %s", which, key)
        return {"key": key, "error": f"Maxwell-Bloch {which} curve failed: {exc}"}
    return {"key": key, "ok": True, "n_pulses": curve["n_pulses"], "compute_s": curve.get("compute_s")}


def job_function(engine: eng.Engine, which: str, service: JobService):
    """The job the service runs (pool child, Celery worker or inline): raises on failure."""
    def job(key: dict, progress: Callable[[str], None]) -> dict:
        record = run_job(engine, which, key, progress, service, raise_errors=True)
        if record.get("error"):
            raise JobFailed(record["error"])
        return record
    return job


# --------------------------------------------------------------------------- status
def _done_text(which: str, curve: dict, from_cache: bool) -> str:
    n, asked = curve.get("n_pulses"), curve.get("n_pulses_requested")
    text = f"Done: {LABELS[which]} for {n} SASE pulses"
    if isinstance(asked, int) and isinstance(n, int) and n < asked:
        why = "the transmission curve's cap" if which == "transmission" and n == eng.transmission_pulses(
            {"n_pulses": asked}) else "the job budget"
        text += f" (of {asked} asked; {why})"
    if from_cache:
        return text + ", from the cache."
    took = curve.get("compute_s")
    return text + (f", computed in {took:.1f} s." if isinstance(took, (int, float)) else ".")


def _count(value: Any) -> int:
    """A retry counter from the page's handle (client data: anything that is not a small int is 0)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000 else 0


def poll(engine: eng.Engine, service: JobService, which: str, key_data: Any, handle: Any):
    """One status call -> (handle, status text, status class, poll disabled, ready record or no_update)."""
    key = eng.mb_key_from_store(key_data)
    if key is None:
        return None, "", "mb-status", True, no_update
    h = handle if isinstance(handle, dict) and isinstance(handle.get("client"), str) \
        and 0 < len(handle["client"]) <= 64 else {"client": secrets.token_hex(8)}
    if h.get("key") != key:  # new parameters: the old job is no longer wanted by this page
        if isinstance(h.get("job"), str) and h.get("state") in ("queued", "running"):
            service.release(h["job"][:64], h["client"])
        h = {"client": h["client"], "key": key, "job": None, "state": None, "lost": 0, "unavailable": 0}
    label = LABELS[which]

    curve = engine.peek_curve(which, key)
    if curve is not None:
        if isinstance(h.get("job"), str) and h.get("state") in ("queued", "running"):
            service.release(h["job"][:64], h["client"])
        ready = {"key": key, "ok": True, "n_pulses": curve.get("n_pulses")}
        return ({**h, "state": "done"}, _done_text(which, curve, from_cache=not h.get("job")), "mb-status done",
                True, ready)

    try:
        job_plan = plan_for(which, key, service)
    except OverBudget as exc:
        msg = f"Failed: the {label} is over the job budget ({exc})."
        return {**h, "state": "failed"}, msg, "mb-status failed", True, {"key": key, "error": msg}
    n = job_plan.n_pulses
    st = service.want(KINDS[which], key, h["client"], estimate_s=job_plan.estimate.seconds)

    def failed(msg: str):
        return {**h, "state": "failed"}, msg, "mb-status failed", True, {"key": key, "error": msg}

    if st.state == "unavailable":
        h["unavailable"] = _count(h.get("unavailable")) + 1
        if h["unavailable"] > MAX_UNAVAILABLE_POLLS:
            return failed(f"Failed: {st.message or 'the job service is unreachable'}; the {label} was lost. "
                          "Change a parameter or reload the page to try again.")
        return (h, f"Lost contact with the job service ({st.message}); retrying "
                   f"({h['unavailable']}/{MAX_UNAVAILABLE_POLLS})…", "mb-status busy lost", False, no_update)
    h["unavailable"] = 0
    lost = st.created and h.get("job") == st.job and h.get("state") in ("queued", "running")
    if lost:
        h["lost"] = _count(h.get("lost")) + 1
        if h["lost"] > MAX_LOST_RETRIES:
            return failed(f"Failed: the {label} was lost {MAX_LOST_RETRIES} times (the job service restarted). "
                          "Change a parameter or reload the page to try again.")
    h.update(job=st.job, state=st.state)
    lost_n = _count(h.get("lost"))
    retry = f" Lost once (the job service restarted); retry {lost_n}/{MAX_LOST_RETRIES}." if lost_n else ""
    est = f"about {st.estimate_s:.0f} s" if st.estimate_s else "an unknown time"
    what = f"{label}, {n} SASE pulses"
    if st.state == "queued":
        text = f"Queued: position {st.position} of {st.waiting} - {what} ({est} once started).{retry}"
        return h, text, "mb-status busy queued", False, no_update
    if st.state == "running":
        text = f"Running: {st.elapsed_s:.0f} s of {est} - {what}.{retry}"
        return h, text, "mb-status busy running", False, no_update
    if st.state == "busy":
        h["state"] = None  # nothing was submitted; the next poll tries again
        text = f"Busy: {st.message}; the {label} will be queued as soon as there is room (trying every second)."
        return h, text, "mb-status busy full", False, no_update
    if st.state == "failed":
        return failed(f"Failed: {label}: {st.message}. Change a parameter to try again.")
    if st.state == "done":  # finished a moment ago; the next poll reads the curve from the cache
        return h, f"Finishing: {what}…", "mb-status busy running", False, no_update
    return h, f"Waiting: {what} ({st.state})…", "mb-status busy", False, no_update


def curve_for(engine: eng.Engine, which: str, key: dict, ready: Any) -> tuple[dict | None, str]:
    """The cached MB curve for ``key`` or (None, why).  Never computes: the job does that."""
    curve = engine.peek_curve(which, key)
    if curve is not None:
        return curve, ""
    if isinstance(ready, dict) and ready.get("key") == key and ready.get("error"):
        return None, str(ready["error"])
    return None, "Maxwell-Bloch curve is being computed…"


def register(app, cache) -> None:
    engine = eng.make_engine(cache)
    service = service_of(app)
    if service is None:
        log.warning("no job service on the app: the Maxwell-Bloch curves run in the request")
        service = InlineJobs(None)
    for which in ("gain", "transmission"):
        service.register(KINDS[which], job_function(engine, which, service))
    app.callback(Output(KEY_STORE, "data"), Input(ids.PARAMS, "data"), State(KEY_STORE, "data"))(update_key)
    for which, job_store, status_id, poll_id, ready_store in (
            ("gain", GAIN_JOB, GAIN_STATUS, GAIN_POLL, GAIN_STORE),
            ("transmission", TRANSMISSION_JOB, TRANSMISSION_STATUS, TRANSMISSION_POLL, TRANSMISSION_STORE)):
        def update(key_data, _tick, handle, _which=which):
            return poll(engine, service, _which, key_data, handle)

        app.callback(
            Output(job_store, "data"), Output(status_id, "children"), Output(status_id, "className"),
            Output(poll_id, "disabled"), Output(ready_store, "data"),
            Input(KEY_STORE, "data"), Input(poll_id, "n_intervals"), State(job_store, "data"),
        )(update)
