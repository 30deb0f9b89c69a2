"""The app's settings, read once from the environment (12-factor).  Debug is off by default."""
from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    debug: bool
    secret_key: str
    cache_type: str  # FileSystemCache (default), RedisCache, SimpleCache, NullCache
    cache_dir: str
    cache_timeout_s: int
    redis_url: str | None
    background: str  # "pool" (default), "celery", or "inline" (jobs run in the request: tests, one user)
    jobs_dir: str  # the pool's job table (SQLite), shared by every worker of the host
    url_base_pathname: str
    log_level: str
    max_upload_bytes: int
    cache_threshold: int = 5000  # file cache: entries before pruning (to 80 %)
    redis_retry_s: float = 30.0  # after a Redis error, serve from the local fallback this long
    hsts: bool = False  # Strict-Transport-Security: only behind a TLS-terminating proxy
    job_pool_size: int = 2  # jobs running at once on this host (pool) - the number of cores by default
    job_queue_max: int = 8  # jobs waiting; one more is answered "busy"
    job_time_limit_s: float = 120.0  # a running job is killed after this long
    job_abandon_s: float = 10.0  # a job nobody has polled for this long is cancelled (or never started)
    job_max_mb: float = 500.0  # cost budget: larger ensembles are degraded to fit (peak memory) ...
    job_max_s: float = 60.0  # ... and estimated run time


def _with_password(url: str | None, password: str | None) -> str | None:
    """REDIS_PASSWORD put into REDIS_URL (so the password lives in one secret, not in compose files)."""
    if not url or not password or "@" in url.partition("://")[2]:
        return url
    from urllib.parse import quote

    scheme, _, rest = url.partition("://")
    return f"{scheme}://:{quote(password, safe='')}@{rest}"


_CACHE_TYPES = {"FileSystemCache", "RedisCache", "SimpleCache", "NullCache"}
_BACKGROUNDS = {"pool", "celery", "inline"}
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


def _shared_secret(cache_dir: str) -> str:
    """One secret for all workers on a host when SECRET_KEY is not set: created once, on disk."""
    path = Path(cache_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; a wrong value raises ValueError naming the variable (fail at start)."""
    env = os.environ if environ is None else environ
    base = env.get("EXPLORER_DATA_DIR", os.path.join(tempfile.gettempdir(), "xray-explorer"))
    cache_dir = env.get("CACHE_DIR", os.path.join(base, "cache"))
    redis_url = _with_password(env.get("REDIS_URL") or None, env.get("REDIS_PASSWORD") or None)
    cache_type = env.get("CACHE_TYPE", "RedisCache" if redis_url else "FileSystemCache")
    prefix = env.get("URL_PREFIX", "/")
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    if not prefix.endswith("/"):
        prefix += "/"
    background = env.get("BACKGROUND", "celery" if redis_url and env.get("CELERY", "") in _TRUE else "pool")
    background = background.strip().lower()
    if background == "diskcache":  # the former name of the embedded default
        background = "pool"
    log_level = env.get("LOG_LEVEL", "INFO").strip().upper()
    if cache_type not in _CACHE_TYPES:
        raise ValueError(f"CACHE_TYPE={cache_type!r}: must be one of {sorted(_CACHE_TYPES)}")
    if cache_type == "RedisCache" and not redis_url:
        raise ValueError("CACHE_TYPE=RedisCache needs REDIS_URL")
    if background not in _BACKGROUNDS:
        raise ValueError(f"BACKGROUND={background!r}: must be one of {sorted(_BACKGROUNDS)}")
    if background == "celery" and not redis_url:
        raise ValueError("BACKGROUND=celery needs REDIS_URL (the Celery broker and result backend)")
    if log_level not in _LOG_LEVELS:
        raise ValueError(f"LOG_LEVEL={log_level!r}: must be one of {sorted(_LOG_LEVELS)}")
    return Settings(
        debug=env.get("DEBUG", "").strip().lower() in _TRUE,
        secret_key=env.get("SECRET_KEY") or _shared_secret(base),
        cache_type=cache_type,
        cache_dir=cache_dir,
        cache_timeout_s=int(env.get("CACHE_TIMEOUT", "3600")),
        redis_url=redis_url,
        background=background,
        jobs_dir=env.get("JOBS_DIR") or env.get("DISKCACHE_DIR") or os.path.join(base, "jobs"),
        url_base_pathname=prefix,
        log_level=log_level,
        max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", str(2 * 1024 * 1024))),
        cache_threshold=int(env.get("CACHE_THRESHOLD", "5000")),
        redis_retry_s=float(env.get("REDIS_RETRY_S", "30")),
        hsts=env.get("HSTS", "").strip().lower() in _TRUE,
        job_pool_size=_positive(env, "JOB_POOL_SIZE", len(os.sched_getaffinity(0)) or 1, int),
        job_queue_max=_positive(env, "JOB_QUEUE_MAX", 8, int, allow_zero=True),
        job_time_limit_s=_positive(env, "JOB_TIME_LIMIT_S", 120.0, float),
        job_abandon_s=_positive(env, "JOB_ABANDON_S", 10.0, float),
        job_max_mb=_positive(env, "JOB_MAX_MB", 500.0, float),
        job_max_s=_positive(env, "JOB_MAX_SECONDS", 60.0, float),
    )


def _positive(env: Mapping[str, str], name: str, default, kind, allow_zero: bool = False):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: must be a number") from None
    if not (value > 0 or allow_zero and value == 0) or value != value or value == float("inf"):
        raise ValueError(f"{name}={raw!r}: must be {'>= 0' if allow_zero else '> 0'} and finite")
    return value
