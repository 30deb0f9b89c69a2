"""Validation of what the browser sends (client-controlled data) before numpy or a cache key sees it.

Every helper answers bad data with a message or None, never an exception.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Mapping

from physics.parameters import ParameterError

# What validation may raise on hostile input: huge ints overflow float(), odd types fail; every
# parameter definition's ParameterError is a ValueError.
BAD_INPUT = (OverflowError, TypeError, ValueError)


def finite_float(x: Any) -> float | None:
    """A client-sent number as a finite float, or None (bools, strings, NaN, 10**400...)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    try:
        f = float(x)
    except (OverflowError, TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def params_from_store(data: Any, defs) -> tuple[dict | None, str | None]:
    """Validate and quantize a parameter dict of definition ``defs`` from the browser.

    Returns (params, None) or (None, message).
    """
    if not isinstance(data, Mapping):
        return None, "The parameter state is missing or malformed; showing nothing until a control changes."
    try:
        p = defs.validate_all(dict(data))
    except ParameterError as exc:
        return None, f"Rejected parameter: {str(exc)[:200]}"
    except BAD_INPUT:
        return None, "Rejected parameters: a value is not a usable number."
    return {k: defs.quantize(k, v) for k, v in p.items()}, None


def choice(value: Any, choices: tuple[str, ...]) -> str:
    """A client-sent choice, or the first (default) choice if it is not one of ``choices``."""
    return value if isinstance(value, str) and value in choices else choices[0]
