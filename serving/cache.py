"""The physics cache: Flask-Caching on the app, shared by every worker (and replica).

* A FileSystemCache shared by the gunicorn workers of one host (embedded default), pruned in
  one pass to a low-water mark (:class:`PrunedFileSystemCache`).
* A Redis cache shared by every replica (scale-out), which degrades to the local file cache
  while Redis is unreachable and logs each outage once (:class:`ResilientCache`).
"""
from __future__ import annotations

import logging
import os
import struct
import threading
import time
from typing import Any, Callable

import flask
from flask_caching import Cache
from flask_caching.backends.base import BaseCache
from flask_caching.backends.filesystemcache import FileSystemCache

from .settings import Settings

log = logging.getLogger("explorer.cache")

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

    on_get: Callable[[bool], None] | None = None  # hit/miss counter (serving.metrics), set by the app

    def get(self, key: str) -> Any:
        value = self._call("get", key)
        if self.on_get is not None:
            self.on_get(value is not None)
        return value

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
        """Flask-Caching entry point (``CACHE_TYPE="serving.cache.ResilientCache"``)."""
        from flask_caching.backends.rediscache import RedisCache

        from .celery_jobs import quick_redis

        timeout = kwargs.get("default_timeout", 300)
        client = quick_redis(config["CACHE_REDIS_URL"])  # a host that is gone must not hold a request
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
    on_get: Callable[[bool], None] | None = None  # hit/miss counter (serving.metrics), set by the app

    def get(self, key: str) -> Any:
        value = super().get(key)
        if self.on_get is not None:
            self.on_get(value is not None)
        return value

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


def backend_of(cache: Cache) -> BaseCache:
    """The cachelib backend behind a Flask-Caching ``Cache`` on its app."""
    return cache.app.extensions["cache"][cache]


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
        config["CACHE_TYPE"] = "serving.cache.PrunedFileSystemCache"
    if settings.cache_type == "RedisCache":
        config.update({
            "CACHE_TYPE": "serving.cache.ResilientCache",
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
