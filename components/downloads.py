"""File downloads shared by the pages: one table per CSV file, parameters as JSON, graph image format.

A CSV file holds ONE table: the row of column names (units in the names, e.g. ``t_ps``), then
comment lines ``# key = value`` (no commas, so a reader that skips comments sees a clean table),
then the numbers; missing or non-finite values are written ``nan``.  The names come first so that
every common reader takes them as the header and skips the comments:
``pandas.read_csv(path, comment="#")``, ``numpy.genfromtxt(path, delimiter=",", names=True)``,
``numpy.loadtxt(path, delimiter=",", skiprows=1)``.  Both pages write their files with
:func:`write_table` (``components/export.py``, ``components/magnetic_export.py``).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable, Mapping, Sequence

from .common import graph_config, svg_config

IMAGE_FORMATS = ("png", "svg")
HEADER_KEY = re.compile(r"[a-z0-9_]+")


def cell(v: Any) -> str:
    """A number as short as exact (repr; whole numbers without ".0"), ``nan`` for a missing or
    non-finite value; text (a name column) without commas or '#', so it stays one cell."""
    if isinstance(v, str):
        return " ".join(v.replace(",", ";").replace("#", "No.").split())
    if v is None or isinstance(v, bool):
        return "nan"
    f = float(v)
    if not math.isfinite(f):
        return "nan"
    return repr(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


def header_value(value: Any) -> str:
    """A header value on one line without commas (commas would make CSV readers quote the line)."""
    text = cell(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    return " ".join(text.replace(",", ";").split())


def write_table(cols: Mapping[str, Sequence[Any]], meta: Iterable[tuple[str, Any]]) -> str:
    """Column names, ``# key = value`` lines, then the rows: one table, one-call loadable.
    Columns hold numbers (None: nan) or short texts; keys are lower-case identifiers."""
    names = list(cols)
    if any("," in n or "#" in n for n in names):
        raise ValueError("column names must not contain ',' or '#'")
    n_rows = {len(cols[n]) for n in names}
    if len(n_rows) != 1:
        raise ValueError("all columns need the same length")
    lines = [",".join(names)]
    for key, value in meta:
        if not HEADER_KEY.fullmatch(key):
            raise ValueError(f"header key {key!r} must be a lower-case identifier")
        lines.append(f"# {key} = {header_value(value)}")
    for row in zip(*(cols[n] for n in names)):
        lines.append(",".join(cell(v) for v in row))
    return "\n".join(lines) + "\n"


def _finite(obj: Any) -> Any:
    """JSON has no NaN/Infinity: non-finite numbers become null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Mapping):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def json_text(obj: Any) -> str:
    return json.dumps(_finite(obj), indent=2, ensure_ascii=False, allow_nan=False)


def file_stem(*parts: Any) -> str:
    """Parts joined by underscores, each reduced to safe file-name characters."""
    out = []
    for part in parts:
        s = cell(part) if isinstance(part, float) else str(part)
        s = re.sub(r"[^A-Za-z0-9.+-]+", "-", s).strip("-")
        if s:
            out.append(s)
    return "_".join(out) or "download"


def download(content: str, filename: str, mime: str) -> dict:
    """What a dcc.Download's ``data`` takes."""
    return dict(content=content, filename=filename, type=mime)


def image_configs(fmt: Any, export_names: Sequence[str]) -> tuple[dict, ...]:
    """Graph configs whose camera button saves ``fmt`` (png or svg; anything else -> png)."""
    fmt = fmt if fmt in IMAGE_FORMATS else "png"
    return tuple((svg_config if fmt == "svg" else graph_config)(name) for name in export_names)
