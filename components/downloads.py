"""File downloads shared by the pages: one table per CSV file, parameters as JSON, graph image format.

A CSV file holds ONE table: the row of column names (units in the names, e.g. ``t_ps``), then
comment lines ``# key = value`` (no commas, so a reader that skips comments sees a clean table),
then the numbers; missing or non-finite values are written ``nan``.  The names come first so that
every common reader takes them as the header and skips the comments:
``pandas.read_csv(path, comment="#")``, ``numpy.genfromtxt(path, delimiter=",", names=True)``,
``numpy.loadtxt(path, delimiter=",", skiprows=1)``.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any, Iterable, Mapping, Sequence

from .common import graph_config, svg_config

IMAGE_FORMATS = ("png", "svg")


def clean(value: Any) -> str:
    """A header value on one line without commas (a comma would split it into CSV fields)."""
    text = value if isinstance(value, str) else format_number(value) if isinstance(value, float) else str(value)
    return re.sub(r"\s+", " ", text.replace(",", ";")).strip()


def format_number(x: Any) -> str:
    """A table cell: shortest exact repr of a finite number, ``nan`` for None/NaN/inf."""
    if x is None or isinstance(x, bool):
        return "nan" if x is None else str(int(x))
    if isinstance(x, (int, float)):
        return repr(x) if math.isfinite(x) else "nan"
    return clean(x)


def csv_text(columns: Mapping[str, Sequence[Any]], header: Iterable[tuple[str, Any]] = ()) -> str:
    """Column names, ``# key = value`` lines, then the rows (columns of equal length)."""
    names = list(columns)
    lengths = {len(columns[n]) for n in names}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: { {n: len(columns[n]) for n in names} }")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([clean(n) for n in names])
    for key, value in header:
        buf.write(f"# {clean(key)} = {clean(value)}\n")
    for row in zip(*(columns[n] for n in names)):
        w.writerow([format_number(v) for v in row])
    return buf.getvalue()


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
        s = format_number(part) if isinstance(part, float) else str(part)
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
