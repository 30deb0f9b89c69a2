"""Logging: one stdout handler (containers collect stdout), level from the settings."""
from __future__ import annotations

import logging
import sys

from .settings import Settings

_LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Log to stdout (containers collect stdout) at ``settings.log_level``; idempotent."""
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    if not any(getattr(h, "_explorer", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        handler._explorer = True  # type: ignore[attr-defined]
        root.addHandler(handler)
