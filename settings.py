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
    background: str  # "diskcache" (default) or "celery"
    diskcache_dir: str
    url_base_pathname: str
    log_level: str
    max_upload_bytes: int


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
    env = os.environ if environ is None else environ
    base = env.get("EXPLORER_DATA_DIR", os.path.join(tempfile.gettempdir(), "xray-explorer"))
    cache_dir = env.get("CACHE_DIR", os.path.join(base, "cache"))
    redis_url = env.get("REDIS_URL") or None
    cache_type = env.get("CACHE_TYPE", "RedisCache" if redis_url else "FileSystemCache")
    prefix = env.get("URL_PREFIX", "/")
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    if not prefix.endswith("/"):
        prefix += "/"
    return Settings(
        debug=env.get("DEBUG", "").strip().lower() in _TRUE,
        secret_key=env.get("SECRET_KEY") or _shared_secret(base),
        cache_type=cache_type,
        cache_dir=cache_dir,
        cache_timeout_s=int(env.get("CACHE_TIMEOUT", "3600")),
        redis_url=redis_url,
        background=env.get("BACKGROUND", "celery" if redis_url and env.get("CELERY", "") in _TRUE else "diskcache"),
        diskcache_dir=env.get("DISKCACHE_DIR", os.path.join(base, "jobs")),
        url_base_pathname=prefix,
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", str(2 * 1024 * 1024))),
    )
