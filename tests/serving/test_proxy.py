"""The compose stack's reverse proxy (deploy/nginx/explorer.conf.template on Debian's nginx) in
front of the real app on gunicorn: slow clients, TLS and basic auth, security headers on every
response (nginx's own error pages included), a killed worker's request resent."""
from __future__ import annotations

import os
import random
import signal
import socket
import ssl
import threading
import time

import pytest
from conftest import Nginx, start_server, wait_until
from dash_http import DISPATCH, DashApp

pytestmark = pytest.mark.serving

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
           "strict-transport-security")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proxied")
    server = start_server(tmp, name="gunicorn-proxied")
    nginx = None
    try:
        nginx = Nginx(tmp, server.port)
        h = nginx.http()
        app = DashApp(h).settle(h)
        h.close()
        yield server, nginx, app
    finally:
        if nginx is not None:
            nginx.stop()
        server.stop()


def _slow_client(nginx: Nginx, kind: str, seconds: float, stop: threading.Event, outcome: list) -> None:
    """A client that trickles its request: ``body`` sends headers then 100 bytes a second of a body
    it never finishes; ``header`` sends one header line every 2 s and never ends the header."""
    ctx = nginx.ssl_context()
    raw = socket.create_connection(("127.0.0.1", nginx.https_port), timeout=5)
    try:
        s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        s.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        if kind == "body":
            s.sendall(b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds and not stop.is_set():
            s.sendall(b"x" * 100 if kind == "body" else f"X-Slow-{int(time.monotonic() * 1000)}: 1\r\n".encode())
            stop.wait(1.0 if kind == "body" else 2.0)
        outcome.append(kind)
    except OSError as exc:  # nginx may drop it (client_header_timeout): that is the point
        outcome.append(f"{kind}: dropped ({type(exc).__name__})")
    finally:
        raw.close()


def test_twelve_slow_clients_leave_the_app_responsive(proxied):
    server, nginx, app = proxied
    stop = threading.Event()
    outcome: list = []
    slow = [threading.Thread(target=_slow_client, args=(nginx, "body" if i % 2 else "header", 14, stop, outcome))
            for i in range(12)]
    for t in slow:
        t.start()
    spec = next(c for c in app.server_callbacks() if c.output == "mb-key.data")
    health, callbacks = [], []
    h = nginx.http(timeout=10)
    try:
        t_end = time.monotonic() + 12
        while time.monotonic() < t_end:
            t0 = time.monotonic()
            r = h.get("health")
            health.append((time.monotonic() - t0, r.status, r.body))
            t0 = time.monotonic()
            c = h.post_json(DISPATCH, spec.payload(app.props))
            callbacks.append((time.monotonic() - t0, c.status))
            time.sleep(0.2)
    finally:
        h.close()
        stop.set()
        for t in slow:
            t.join(10)
    slowest = max(s for s, _, _ in health) * 1000
    print(f"\n12 slow clients for 12 s: /health {len(health)} probes, slowest {slowest:.0f} "
          f"ms; callbacks {len(callbacks)}, slowest {max(s for s, _ in callbacks) * 1000:.0f} ms; {sorted(outcome)}")
    assert all(s == 200 and b == b"OK" and t < 1.0 for t, s, b in health), health
    assert all(s == 200 and t < 1.0 for t, s in callbacks), callbacks
    assert len(health) >= 20
    # gunicorn never saw the unfinished requests: nginx holds them until they are complete.
    assert "POST /_dash-update-component HTTP/1.1\" 400" not in server.proc.log()


def test_tls_auth_and_security_headers_on_every_response(proxied):
    server, nginx, app = proxied
    h = nginx.http()
    anon = nginx.http(auth=False)
    try:
        page = h.get("")
        assert page.status == 200 and b"_dash-config" in page.body
        for name in HEADERS:
            assert page.header_count(name) == 1, (name, page.raw_headers)  # once: the app's copies are hidden
        assert "sha256-" in page.headers["content-security-policy"]  # the app's CSP with Dash's script hashes
        assert anon.get("").status == 401
        assert anon.get("health").body == b"OK"  # monitoring without credentials
        errors = {
            "401": anon.get(""),
            "414": h.get("x" * 9000),
            "400 (header too large)": h.request("GET", "health", headers={"X-Big": "y" * 9000}),
            "413": h.request("POST", DISPATCH, b"{" + b" " * (3 * 1024 * 1024) + b"}",
                             {"Content-Type": "application/json"}),
        }
        for what, r in errors.items():
            assert r.status == int(what[:3]), (what, r.status)
            for name in HEADERS:
                assert r.header_count(name) == 1, (what, name, r.raw_headers)
            assert "default-src 'none'" in r.headers["content-security-policy"], what
            assert b"nginx/" not in r.body  # server_tokens off
    finally:
        h.close()
        anon.close()
    # Plain HTTP redirects to HTTPS.
    import http.client

    c = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=5)
    c.request("GET", "/")
    r = c.getresponse()
    assert r.status == 301 and r.getheader("Location", "").startswith("https://")
    c.close()
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):  # real TLS, our certificate
        urllib.request.urlopen(f"https://127.0.0.1:{nginx.https_port}/health", timeout=5,
                               context=ssl.create_default_context())


def test_a_killed_worker_s_requests_are_resent_by_the_proxy(proxied):
    """SIGKILL a gunicorn worker under load: nginx resends the requests it was serving (the
    callbacks are pure), so no client sees an error."""
    server, nginx, app = proxied
    specs = [c for c in app.server_callbacks() if not app.is_job_poll(c)]
    errors: list = []
    done = threading.Event()
    counts = [0]

    def client(i: int) -> None:
        rng = random.Random(i)
        h = nginx.http(timeout=30)
        try:
            while not done.is_set():
                r = h.post_json(DISPATCH, rng.choice(specs).payload(app.props))
                counts[0] += 1
                if r.status not in (200, 204):
                    errors.append(r.status)
        except OSError as exc:
            errors.append(type(exc).__name__)
        finally:
            h.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: counts[0] > 50, 30, "load through the proxy")
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: victim not in server.worker_pids() and len(server.worker_pids()) == 2, 30,
                   "the worker to be replaced")
        n0 = counts[0]
        wait_until(lambda: counts[0] > n0 + 50, 30, "load after the kill")
    finally:
        done.set()
        for t in threads:
            t.join(30)
    print(f"\nworker killed under load through nginx: {counts[0]} requests, errors {errors}")
    assert not errors, errors
