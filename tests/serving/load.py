"""Load generation shared by the serving tests and bench/bench_load.py: clients that "move
sliders" (analytic-figure callbacks with random parameters) and measure latency."""
from __future__ import annotations

import math
import random
import threading
import time

from dash_http import DISPATCH, DashApp, Http

from physics import parameters

SLIDERS = ("fluence_mj_cm2", "duration_fs", "center_ev", "bandwidth_ev")


def random_params(rng: random.Random, base: dict) -> dict:
    """The parameter store after a slider release: one to four sliders at random positions."""
    out = dict(base)
    for name in rng.sample(SLIDERS, rng.randint(1, len(SLIDERS))):
        p = parameters.BY_NAME[name]
        if p.scale == "log":
            x = 10 ** rng.uniform(math.log10(p.minimum), math.log10(p.maximum))
        else:
            x = rng.uniform(p.minimum, p.maximum)
        out[name] = parameters.quantize(name, parameters.validate(name, x))
    return out


def figure_callbacks(app: DashApp):
    """Analytic-figure callbacks: a figure output and the parameter store as an input."""
    out = []
    for spec in app.server_callbacks(background=False):
        store = [d for d in spec.inputs if isinstance(app.props.get(d["id"], {}).get(d["property"]), dict)
                 and "fluence_mj_cm2" in app.props[d["id"]][d["property"]]]
        if store and any(prop.split("@")[0] == "figure" for _, prop in spec.outputs):
            out.append((spec, (store[0]["id"], store[0]["property"])))
    return out


class Load:
    """N client threads, each on its own keep-alive connection, until stop or max_requests."""

    def __init__(self, port: int, app: DashApp, clients: int, think_s: float, max_requests: int, seed: int = 1,
                 http_factory=None):
        self.port, self.app, self.clients, self.think_s = port, app, clients, think_s
        # A client's connection (e.g. HTTPS through the proxy); plain HTTP to ``port`` by default.
        self.http_factory = http_factory or (lambda: Http(self.port, timeout=30, retry=True))
        self.max_requests = max_requests
        self.callbacks = figure_callbacks(app)
        if not self.callbacks:
            raise SystemExit("no analytic-figure callback found in /_dash-dependencies")
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.samples: list[tuple[float, float, bool]] = []  # (end time, latency s, ok)
        self.errors: dict[str, int] = {}
        self.retried = 0
        self.t0 = 0.0

    def _client(self, idx: int) -> None:
        rng = random.Random(self.seed * 1000 + idx)
        # Like a browser: a request whose reused keep-alive connection was dropped is resent once
        # (counted in `retried`); a request that still fails is an error.
        http = self.http_factory()
        time.sleep(rng.uniform(0, self.think_s))  # desynchronise the clients
        try:
            while not self.stop.is_set():
                with self.lock:
                    if len(self.samples) >= self.max_requests:
                        self.stop.set()
                        break
                spec, store = rng.choice(self.callbacks)
                params = random_params(rng, self.app.props[store[0]][store[1]])
                payload = spec.payload(self.app.props, {store: params})
                t = time.monotonic()
                try:
                    r = http.post_json(DISPATCH, payload)
                    ok = r.status in (200, 204)
                    err = None if ok else f"HTTP {r.status}"
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    ok, err = False, type(exc).__name__
                    http.close()
                end = time.monotonic()
                with self.lock:
                    self.samples.append((end - self.t0, end - t, ok))
                    if err:
                        self.errors[err] = self.errors.get(err, 0) + 1
                if self.think_s:
                    self.stop.wait(rng.expovariate(1 / self.think_s))
        finally:
            with self.lock:
                self.retried += http.retried
            http.close()

    def run(self, seconds: float, during=None) -> "Load":
        self.t0 = time.monotonic()
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)]
        for t in threads:
            t.start()
        if during:
            during(self)
        self.stop.wait(seconds)
        self.stop.set()
        for t in threads:
            t.join(40)
        self.elapsed = time.monotonic() - self.t0
        return self

    def summary(self) -> dict:
        lat = sorted(s[1] for s in self.samples if s[2])
        n, bad = len(self.samples), sum(1 for s in self.samples if not s[2])

        def pct(q):
            return 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")

        return {"requests": n, "rps": (n - bad) / self.elapsed, "p50": pct(0.50), "p95": pct(0.95),
                "p99": pct(0.99), "errors": bad, "error_pct": 100 * bad / max(n, 1), "retried": self.retried}

    def per_second(self) -> list[int]:
        buckets = [0] * (int(self.elapsed) + 1)
        for end, _, ok in self.samples:
            if ok and int(end) < len(buckets):
                buckets[int(end)] += 1
        return buckets
