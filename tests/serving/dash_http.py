"""A minimal Dash HTTP client (stdlib only) for the serving tests and bench/bench_load.py.

It reads ``/_dash-dependencies`` and ``/_dash-layout`` from the running server and builds
``/_dash-update-component`` payloads that match the registered callbacks, with the values
of the initial layout, so the tests keep working as the dashboard changes.
"""
from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

DISPATCH = "_dash-update-component"
PAGES_LOCATION, PAGES_CONTENT, PAGES_STORE = "_pages_location", "_pages_content", "_pages_store"


def router_payload(pathname: str, search: str = "") -> dict:
    """The request the renderer sends to Dash pages' router for a page's layout."""
    return {
        "output": f"..{PAGES_CONTENT}.children...{PAGES_STORE}.data..",
        "outputs": [{"id": PAGES_CONTENT, "property": "children"}, {"id": PAGES_STORE, "property": "data"}],
        "inputs": [{"id": PAGES_LOCATION, "property": "pathname", "value": pathname},
                   {"id": PAGES_LOCATION, "property": "search", "value": search}],
        "state": [], "changedPropIds": [f"{PAGES_LOCATION}.pathname"],
    }


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    raw_headers: list[tuple[str, str]] = field(default_factory=list)  # repeated headers kept

    def header_count(self, name: str) -> int:
        return sum(k.lower() == name.lower() for k, _ in self.raw_headers)

    def json(self) -> Any:
        return json.loads(self.body)


class Http:
    """One keep-alive connection to 127.0.0.1:port (reconnects after errors)."""

    def __init__(self, port: int, prefix: str = "/", timeout: float = 30.0, retry: bool = True,
                 ssl_context=None, headers: dict[str, str] | None = None):
        self.port = port
        self.ssl_context = ssl_context  # HTTPS (through the TLS proxy) when set
        self.default_headers = headers or {}
        self.retry = retry
        self.prefix = prefix
        self.timeout = timeout
        self.max_idle_s = 4.0  # below gunicorn's keepalive (5 s): reconnect like a browser does
        self._last_use = 0.0
        self.retried = 0  # requests resent once after their reused connection was dropped
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        url = self.prefix + path.lstrip("/")
        if self._conn is not None and time.monotonic() - self._last_use > self.max_idle_s:
            self.close()
        for attempt in (0, 1):
            if self._conn is None:
                if self.ssl_context is not None:
                    self._conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                             context=self.ssl_context)
                else:
                    self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self._conn.request(method, url, body=body, headers={**self.default_headers, **(headers or {})})
                r = self._conn.getresponse()
                data = r.read()
                self._last_use = time.monotonic()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return Reply(r.status, data, {k.lower(): v for k, v in r.getheaders()}, r.getheaders())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # A keep-alive connection the server closed (max_requests, worker restart):
                # retry once on a new connection, like a browser does for idempotent reuse.
                self.close()
                if attempt or not self.retry:
                    raise exc
                self.retried += 1
            except Exception:
                self.close()
                raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post_json(self, path: str, payload: Any) -> Reply:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"})


def walk_components(node: Any) -> Iterator[dict]:
    """Every component (``{"type", "namespace", "props"}``) in a layout JSON tree."""
    if isinstance(node, list):
        for item in node:
            yield from walk_components(item)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node
            for value in node["props"].values():
                yield from walk_components(value)
        else:
            for value in node.values():
                yield from walk_components(value)


def split_outputs(output: str) -> list[tuple[str, str]]:
    """``"a.b"`` or ``"..a.b...c.d.."`` -> [(id, property)]."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    out = []
    for part in parts:
        cid, _, prop = part.rpartition(".")
        out.append((cid, prop))  # "prop@hash" (allow_duplicate) is sent as is, like the renderer
    return out


@dataclass
class CallbackSpec:
    output: str
    inputs: list[dict]
    state: list[dict]
    background: bool
    outputs: list[tuple[str, str]]
    initial: bool = True  # fired by the renderer on page load (not prevent_initial_call)

    def payload(self, props: dict[str, dict], overrides: dict[tuple[str, str], Any] | None = None) -> dict:
        """A renderer-like request body with the layout's values (``overrides`` by (id, prop))."""
        overrides = overrides or {}

        def entry(dep: dict) -> dict:
            key = (dep["id"], dep["property"])
            value = overrides[key] if key in overrides else props.get(dep["id"], {}).get(dep["property"])
            return {"id": dep["id"], "property": dep["property"], "value": value}

        outs = [{"id": i, "property": p} for i, p in self.outputs]
        return {
            "output": self.output,
            "outputs": outs if self.output.startswith("..") else outs[0],
            "inputs": [entry(d) for d in self.inputs],
            "state": [entry(d) for d in self.state],
            "changedPropIds": [f"{self.inputs[0]['id']}.{self.inputs[0]['property']}"] if self.inputs else [],
        }


class DashApp:
    """What a browser learns on page load: callbacks and the initial props of every component."""

    def __init__(self, http: Http, path: str = "/", search: str = ""):
        self.http = http
        deps = http.get("_dash-dependencies")
        layout = http.get("_dash-layout")
        assert deps.status == 200 and layout.status == 200, (deps.status, layout.status)
        self.props: dict[str, dict] = {}
        self._add(layout.json())
        if PAGES_LOCATION in self.props:  # Dash pages: the renderer asks the router for the page's layout
            page = http.post_json(DISPATCH, router_payload(http.prefix.rstrip("/") + path, search))
            assert page.status == 200, page.status
            self._add(page.json()["response"][PAGES_CONTENT]["children"])
        self.callbacks: list[CallbackSpec] = []
        for d in deps.json():
            if d.get("clientside_function"):
                continue
            self.callbacks.append(CallbackSpec(
                d["output"], d.get("inputs", []), d.get("state", []), bool(d.get("background")),
                split_outputs(d["output"]) if not d.get("no_output") else [],
                not d.get("prevent_initial_call"),
            ))

    def _add(self, tree: Any) -> None:
        for comp in walk_components(tree):
            cid = comp["props"].get("id")
            if isinstance(cid, str):
                self.props[cid] = comp["props"]

    def simple(self, spec: CallbackSpec) -> bool:
        """Fixed string ids that are all in the initial layout (no pattern matching)."""
        deps = spec.inputs + spec.state
        return bool(spec.inputs) and all(
            isinstance(d["id"], str) and d["id"] in self.props for d in deps
        ) and all(isinstance(i, str) and not i.startswith("{") for i, _ in spec.outputs)

    @staticmethod
    def is_job_poll(spec: CallbackSpec) -> bool:
        """A Maxwell-Bloch status callback (driven by an interval): submits jobs, so not fired by settle."""
        return any(d["property"] == "n_intervals" for d in spec.inputs)

    def server_callbacks(self, background: bool | None = None) -> list[CallbackSpec]:
        return [c for c in self.callbacks if self.simple(c) and (background is None or c.background == background)]

    def apply(self, reply: "Reply") -> bool:
        """Store a callback's answer in ``props`` like the renderer; True if anything changed."""
        if reply.status != 200:
            return False
        changed = False
        for cid, new in reply.json().get("response", {}).items():
            if isinstance(new, dict) and cid in self.props:
                for prop, value in new.items():
                    if self.props[cid].get(prop) != value:
                        self.props[cid][prop] = value
                        changed = True
        return changed

    def settle(self, http: "Http", rounds: int = 4) -> "DashApp":
        """Fire the page-load callbacks (not the job polls) until the stores are filled,
        so that later payloads carry realistic data (e.g. the validated parameter store)."""
        for _ in range(rounds):
            changed = False
            for spec in self.server_callbacks(background=False):
                if spec.initial and not self.is_job_poll(spec):
                    changed |= self.apply(http.post_json(DISPATCH, spec.payload(self.props)))
            if not changed:
                break
        return self


def job_callback(app: DashApp, which: str) -> CallbackSpec:
    """The status callback of one Maxwell-Bloch curve ("gain" or "transmission")."""
    specs = [c for c in app.callbacks if f"mb-{which}-status.children" in c.output]
    assert len(specs) == 1, [c.output for c in app.callbacks]
    return specs[0]


@dataclass
class JobRun:
    """What one page saw of one job: every status line, and how it ended."""

    texts: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds per poll request
    handle: Any = None
    ended: str = ""  # done, failed, busy or "" (still in flight at the deadline)
    seconds: float = 0.0

    @property
    def last(self) -> str:
        return self.texts[-1] if self.texts else ""


def poll_job(http: Http, app: DashApp, which: str, key: dict, timeout_s: float = 60.0, interval_s: float = 0.5,
             until: tuple[str, ...] = ("done", "failed"), handle: Any = None) -> JobRun:
    """Drive a curve's status callback like the renderer (mb-key, then the 1 s interval) until its
    class says one of ``until`` (``done``, ``failed``, ``busy``...) or the deadline passes."""
    spec = job_callback(app, which)
    run = JobRun(handle=handle)
    t0 = time.monotonic()
    tick = 0
    while time.monotonic() - t0 < timeout_s:
        overrides = {}
        for d in spec.inputs + spec.state:
            if d["property"] == "data" and d["id"] == "mb-key":
                overrides[(d["id"], "data")] = key
            elif d["property"] == "n_intervals":
                overrides[(d["id"], "n_intervals")] = tick
            elif d["property"] == "data":
                overrides[(d["id"], "data")] = run.handle
        try:
            t_req = time.monotonic()
            r = http.post_json(DISPATCH, spec.payload(app.props, overrides))
            run.latencies.append(time.monotonic() - t_req)
        except OSError:
            http.close()
            run.statuses.append(0)
            time.sleep(interval_s)
            continue
        run.statuses.append(r.status)
        if r.status == 200:
            resp = r.json()["response"]
            status = resp.get(f"mb-{which}-status", {})
            run.texts.append(status.get("children", ""))
            run.classes.append(status.get("className", ""))
            run.handle = resp.get(f"mb-{which}-job", {}).get("data", run.handle)
            state = next((s for s in until if s in run.classes[-1].split()), "")
            if state:
                run.ended = state
                break
        tick += 1
        time.sleep(interval_s)
    run.seconds = time.monotonic() - t0
    return run
