"""Serving infrastructure: logging, cache, background jobs, Celery, security hardening.

Everything here is a factory that takes the :class:`settings.Settings`; nothing is
created at import time, so the module holds no state of its own.

* :func:`make_cache` - Flask-Caching on the app: a FileSystemCache shared by every worker
  of one host (embedded default) or a Redis cache shared by every replica (scale-out).
  The Redis cache degrades to the local file cache while Redis is unreachable, and
  logs each outage once.
* :func:`make_celery` / :func:`background_manager` - background callbacks run in
  diskcache-managed processes (default) or on a Celery worker (``BACKGROUND=celery``).
  The Celery worker is started with ``celery -A app:celery_app worker``: it imports the
  app module, which registers the background callbacks as Celery tasks.
* :func:`harden` - security headers and Content-Security-Policy, clean 413/400/503
  answers, structural check of callback requests, the Dash MCP server kept off.
"""
from __future__ import annotations

import json
import logging
import math
import os
import struct
import sys
import threading
import time
from typing import Any

import flask
from flask_caching import Cache
from flask_caching.backends.base import BaseCache
from flask_caching.backends.filesystemcache import FileSystemCache

from settings import Settings

log = logging.getLogger("explorer.infra")

__all__ = [
    "configure_logging",
    "ResilientCache",
    "make_cache",
    "make_celery",
    "background_manager",
    "content_security_policy",
    "harden",
    "DISPATCH_PATH",
]

DISPATCH_PATH = "_dash-update-component"
_LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


# --------------------------------------------------------------------------- logging
def configure_logging(settings: Settings) -> None:
    """Log to stdout (containers collect stdout) at ``settings.log_level``; idempotent."""
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    if not any(getattr(h, "_explorer", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        handler._explorer = True  # type: ignore[attr-defined]
        root.addHandler(handler)


# --------------------------------------------------------------------------- cache
def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        import redis.exceptions
    except ImportError:  # pragma: no cover - redis is a runtime requirement
        return (OSError,)
    return (redis.exceptions.RedisError, OSError)


class ResilientCache(BaseCache):
    """A shared (Redis) cache that falls back to a local cache while Redis is down.

    Every operation goes to ``primary``; on a connection error the cache serves from
    ``fallback`` for ``retry_s`` seconds before trying Redis again.  Each outage and each
    recovery is logged once (not once per request).  Cache values are pure functions of
    the physics parameters, so a stale or missing entry only costs a recomputation.
    """

    def __init__(self, primary: BaseCache, fallback: BaseCache, retry_s: float = 30.0,
                 default_timeout: int = 300, name: str = "Redis"):
        super().__init__(default_timeout=default_timeout)
        self.primary = primary
        self.fallback = fallback
        self.retry_s = float(retry_s)
        self.name = name
        self._errors = _redis_errors()
        self._lock = threading.Lock()
        self._down_until = 0.0  # monotonic time; 0 = primary believed up
        self._outage_logged = False

    # The state machine: up -> (error) -> down for retry_s -> probe -> up or down again.
    def _use_primary(self) -> bool:
        return time.monotonic() >= self._down_until

    def _mark_down(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_s
            first = not self._outage_logged
            self._outage_logged = True
        if first:
            log.warning("%s cache unreachable (%s: %s); serving from the local fallback cache, "
                        "retrying every %.0f s", self.name, type(exc).__name__, exc, self.retry_s)

    def _mark_up(self) -> None:
        if self._outage_logged:
            with self._lock:
                was_down, self._outage_logged = self._outage_logged, False
            if was_down:
                log.warning("%s cache reachable again; using the shared cache", self.name)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self._use_primary():
            try:
                result = getattr(self.primary, method)(*args, **kwargs)
            except self._errors as exc:
                self._mark_down(exc)
            else:
                self._mark_up()
                return result
        return getattr(self.fallback, method)(*args, **kwargs)

    @property
    def degraded(self) -> bool:
        """True while operations go to the fallback cache."""
        return not self._use_primary()

    def get(self, key: str) -> Any:
        return self._call("get", key)

    def delete(self, key: str) -> bool:
        return self._call("delete", key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._call("get_many", *keys)

    def get_dict(self, *keys: str) -> dict[str, Any]:
        return self._call("get_dict", *keys)

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call("set", key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return self._call("add", key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> Any:
        return self._call("set_many", mapping, timeout)

    def delete_many(self, *keys: str) -> Any:
        return self._call("delete_many", *keys)

    def has(self, key: str) -> bool:
        return self._call("has", key)

    def clear(self) -> bool:
        return self._call("clear")

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._call("inc", key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._call("dec", key, delta)

    def unlink(self, *keys: str) -> Any:
        return self._call("unlink", *keys) if hasattr(self.primary, "unlink") else self.delete_many(*keys)

    @classmethod
    def factory(cls, app: flask.Flask, config: dict[str, Any], args: list[Any],
                kwargs: dict[str, Any]) -> "ResilientCache":
        """Flask-Caching entry point (``CACHE_TYPE="infra.ResilientCache"``)."""
        import redis
        from flask_caching.backends.rediscache import RedisCache

        timeout = kwargs.get("default_timeout", 300)
        client = redis.Redis.from_url(
            config["CACHE_REDIS_URL"],
            socket_connect_timeout=1.0,  # a host that is gone must not hold a request
            socket_timeout=2.0,
            health_check_interval=30,
        )
        primary = RedisCache(host=client, default_timeout=timeout,
                             key_prefix=config.get("CACHE_KEY_PREFIX") or "xray:")
        fallback = PrunedFileSystemCache(config["CACHE_DIR"], default_timeout=timeout,
                                         threshold=config.get("CACHE_THRESHOLD", 5000))
        return cls(primary, fallback, retry_s=config.get("CACHE_REDIS_RETRY_S", 30.0),
                   default_timeout=timeout)


class PrunedFileSystemCache(FileSystemCache):
    """FileSystemCache that prunes down to 80 % of its threshold in one pass.

    cachelib prunes only down to the threshold, so once the cache is full *every* set scans
    and reads the whole directory (measured: 86 ms per set at 2,000 entries) - a slider
    class at random positions fills it in minutes.  With a low-water mark the scan runs
    once per ``threshold / 5`` new entries.
    """

    low_water = 0.8

    def _prune(self) -> None:
        if not self._over_threshold():
            return
        self._remove_expired(time.time())
        target = int(self._threshold * self.low_water)
        if self._file_count <= target:
            return
        entries = []
        for fname in self._list_dir():
            try:
                with open(fname, "rb") as fh:
                    expires = struct.unpack("I", fh.read(4))[0]
                # expiry has 1 s resolution: break ties by write time so the oldest go first
                entries.append((expires, os.stat(fname).st_mtime_ns, fname))
            except (OSError, EOFError, struct.error):
                continue
        entries.sort()
        excess = len(entries) - target
        for _, _, fname in entries[:max(excess, 0)]:
            try:
                os.remove(fname)
            except OSError:
                continue
        self._update_count(value=min(len(entries), target))


def make_cache(server: flask.Flask, settings: Settings) -> Cache:
    """Flask-Caching for ``server`` per the settings (see the module docstring)."""
    os.makedirs(settings.cache_dir, exist_ok=True)
    config: dict[str, Any] = {
        "CACHE_TYPE": settings.cache_type,
        "CACHE_DIR": settings.cache_dir,
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout_s,
        "CACHE_THRESHOLD": settings.cache_threshold,  # file cache entries before pruning
    }
    if settings.cache_type == "FileSystemCache":
        config["CACHE_TYPE"] = "infra.PrunedFileSystemCache"
    if settings.cache_type == "RedisCache":
        config.update({
            "CACHE_TYPE": "infra.ResilientCache",
            "CACHE_REDIS_URL": settings.redis_url,
            "CACHE_KEY_PREFIX": "xray:",
            "CACHE_REDIS_RETRY_S": settings.redis_retry_s,
        })
    cache = Cache(server, config=config)
    backend = server.extensions["cache"][cache]
    if isinstance(backend, ResilientCache):
        try:  # check once at start so an outage is in the log before the first request
            backend.primary._write_client.ping()
        except backend._errors as exc:
            backend._mark_down(exc)
    log.info("cache: %s%s", type(backend).__name__,
             f" at {settings.cache_dir}" if isinstance(backend, FileSystemCache) else "")
    return cache


# --------------------------------------------------------------------------- background jobs
def make_celery(settings: Settings, name: str = "explorer"):
    """The Celery app on ``settings.redis_url`` (broker and result backend).

    Timeouts are short so that a Redis outage turns a background request into a quick
    503 instead of a hung worker thread.
    """
    from celery import Celery

    if not settings.redis_url:
        raise ValueError("make_celery needs REDIS_URL")
    celery_app = Celery(name, broker=settings.redis_url, backend=settings.redis_url)
    celery_app.conf.update(
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5,
                                  "visibility_timeout": 3600},
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                                   "interval_step": 0.5, "interval_max": 1},
        redis_socket_connect_timeout=2,
        redis_socket_timeout=5,
        redis_retry_on_timeout=False,
        result_backend_transport_options={"retry_policy": {"timeout": 3.0}},
        result_expires=3600,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        task_time_limit=600,
    )
    return celery_app


def background_manager(settings: Settings, celery_app=None):
    """The Dash background-callback manager: diskcache (default) or Celery."""
    if settings.background == "celery":
        from dash import CeleryManager

        celery_app = celery_app or make_celery(settings)
        log.info("background callbacks: Celery on %s", _redacted(settings.redis_url))
        return CeleryManager(celery_app, expire=3600)
    import diskcache
    from dash import DiskcacheManager

    os.makedirs(settings.diskcache_dir, exist_ok=True)
    log.info("background callbacks: diskcache in %s", settings.diskcache_dir)
    return DiskcacheManager(diskcache.Cache(settings.diskcache_dir), expire=3600)


def _redacted(url: str | None) -> str:
    """A Redis URL without its password, for logs."""
    if not url or "@" not in url:
        return url or ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


# --------------------------------------------------------------------------- hardening
def content_security_policy(script_hashes: list[str]) -> str:
    """A CSP that the Dash renderer, Plotly and MathJax work under (checked in headless
    Chromium by tests/serving/test_browser_csp.py).

    Scripts: same origin plus the hashes of Dash's inline scripts (the renderer bootstrap
    and the clientside callbacks) - neither 'unsafe-inline' nor 'unsafe-eval': Dash 4.4's
    renderer, Plotly's SVG traces and MathJax run without eval (only Plotly's WebGL traces,
    e.g. scattergl, would need 'unsafe-eval').  Styles need 'unsafe-inline': Plotly and
    MathJax write inline styles.  frame-ancestors replaces X-Frame-Options in new browsers.
    """
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]).strip()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} overflows a double")
    return value


def _double_int(text: str) -> int:
    if len(text) > 320:  # longer than any integer a double can hold
        raise ValueError("integer out of range")
    value = int(text)
    if abs(value) > sys.float_info.max:
        raise ValueError("integer out of range")
    return value


_STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float,
                                   parse_int=_double_int)


def strict_json_loads(data: bytes | str) -> Any:
    """Standard JSON as a browser's ``JSON.stringify`` writes it: no NaN/Infinity tokens and
    no number beyond a double's range (Python's json would turn those into nan, inf or
    unbounded ints).  Raises ValueError."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return _STRICT_DECODER.decode(text)


def _json_error(status: int, message: str) -> flask.Response:
    return flask.Response(json.dumps({"error": message}), status=status, mimetype="application/json")


def _valid_id(value: Any) -> bool:
    if isinstance(value, str):
        return 0 < len(value) <= 500
    if isinstance(value, dict):  # pattern-matching id
        return 0 < len(value) <= 20 and all(
            isinstance(k, str) and (isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                    or isinstance(v, dict) and "wildcard" in v)
            for k, v in value.items())
    return False


def _valid_dep(entry: Any, spec: Any = None) -> bool:
    """One input/state/output entry: {"id": ..., "property": ...} or a list of them (ALL/ALLSMALLER)."""
    if isinstance(entry, list):
        return len(entry) <= 1000 and all(_valid_dep(e) for e in entry)
    if not (isinstance(entry, dict) and _valid_id(entry.get("id")) and isinstance(entry.get("property"), str)):
        return False
    if isinstance(spec, dict) and isinstance(spec.get("id"), str):  # fixed ids must match the callback
        return entry["id"] == spec["id"] and entry["property"] == spec.get("property")
    return True


def _output_count(output: str) -> int:
    return len(output[2:-2].split("...")) if output.startswith("..") and output.endswith("..") else 1


def check_callback_request(app, body: Any) -> str | None:
    """Why a ``_dash-update-component`` body is malformed, or None if its shape is right.

    Only the envelope is checked here (the callback exists; inputs, state and outputs have
    the registered count and ids).  The values are the callbacks' business: every
    callback validates its own inputs.
    """
    if not isinstance(body, dict):
        return "body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str):
        return "'output' must be a string"
    cb = app.callback_map.get(output)
    if cb is None:
        return "no callback for this output"
    for key in ("inputs", "state"):
        got = body.get(key, [])
        want = cb.get(key, [])
        if not isinstance(got, list) or len(got) != len(want):
            return f"'{key}' must be a list of {len(want)} entries"
        if not all(_valid_dep(e, s) for e, s in zip(got, want)):
            return f"'{key}' entries must match the callback's ids and properties"
    outputs = body.get("outputs")
    if not cb.get("no_output"):
        if outputs is None:  # the renderer always sends it; Dash fails without it
            return "'outputs' is missing"
        n = _output_count(output)
        if not output.startswith(".."):
            if not _valid_dep(outputs):
                return "'outputs' must be an {id, property} object"
        elif not (isinstance(outputs, list) and len(outputs) == n and all(_valid_dep(o) for o in outputs)):
            return f"'outputs' must be a list of {n} entries"
    changed = body.get("changedPropIds", [])
    if not (isinstance(changed, list) and len(changed) <= 1000 and all(isinstance(c, str) for c in changed)):
        return "'changedPropIds' must be a list of strings"
    return None


def warm_up(app, settings: Settings) -> None:
    """Run Dash's one-time server setup now, in this process, before it takes traffic.

    Dash sets its "set up" flag at the start of the first request and registers the
    component libraries afterwards, so with gthread workers the browser's parallel script
    requests to a fresh worker can arrive meanwhile and get a 500 ("dash is not a registered
    library").  One internal request at start closes that window, and validates the layout.
    """
    with app.server.test_client() as client:
        reply = client.get(settings.url_base_pathname + "health")
    if reply.status_code != 200:
        raise RuntimeError(f"warm-up request failed with {reply.status_code}")


def harden(app, settings: Settings) -> None:
    """Security headers, CSP, request checks and clean error answers on the Dash app.

    Call after every callback is registered (the CSP hashes cover inline clientside
    callbacks).
    """
    server: flask.Flask = app.server
    if getattr(app, "_enable_mcp", False):  # Dash(enable_mcp=False) is passed in app.py
        raise RuntimeError("the Dash MCP server must stay off in the Explorer")
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    server.config["SESSION_COOKIE_HTTPONLY"] = True
    server.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    csp = content_security_policy(list(app.csp_hashes()))
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if settings.hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    dispatch_path = settings.url_base_pathname + DISPATCH_PATH

    @server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @server.before_request
    def _check_callback_request():
        if flask.request.path != dispatch_path or flask.request.method != "POST":
            return None
        try:  # get_data raises 413 for an oversized body; Dash re-reads the cached bytes
            body = strict_json_loads(flask.request.get_data(cache=True))
        except ValueError as exc:
            return _json_error(400, f"callback request is not standard JSON: {exc}"[:300])
        problem = check_callback_request(app, body)
        if problem:
            return _json_error(400, "malformed callback request: " + problem)
        return None

    @server.errorhandler(413)
    def _too_large(_exc):
        return _json_error(413, f"request larger than {settings.max_upload_bytes} bytes")

    unavailable: list[type[BaseException]] = []
    try:
        import redis.exceptions
        unavailable += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover
        pass
    try:
        import kombu.exceptions
        unavailable.append(kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover
        pass

    def _unavailable(exc: BaseException):
        log.warning("background service unavailable: %s: %s", type(exc).__name__, exc)
        return _json_error(503, "background service unavailable; try again shortly")

    for exc_type in unavailable:
        server.register_error_handler(exc_type, _unavailable)
