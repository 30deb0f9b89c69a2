"""Bring your own data: a measured reference (incident) spectrum as CSV replaces the model pulse.

The file (energy_ev, intensity; header optional; '#' comments allowed) is validated — size,
text, numbers, finite, non-negative, at least MIN_POINTS rows, overlap with the energy grid —
and every failure is answered with a message in the page.  Accepted data are resampled onto the
601-point grid, normalised to a maximum of 1 and kept in the browser (``upload-store``): user
data, not server state.  The fluence slider still sets the absolute scale.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import time
from typing import Any

import numpy as np
from dash import Input, Output, dcc, html, no_update

from physics import spectra

from . import ids
from .common import ENERGY_RANGE_EV, ENERGY_RANGE_TEXT, notice, round_sig

STORE = ids.UPLOAD_STORE
WIDGET = "upload-data"
MESSAGE = "upload-message"
CLEAR = "upload-clear"
PENDING = "upload-pending"  # the file after the browser's size check (big files never leave it)
MAX_BYTES = 1_000_000  # the one limit of an uploaded file; the browser's check gets it from register()
MAX_TEXT = f"{MAX_BYTES / 1e6:g} MB"


def request_bytes_for(file_bytes: int = MAX_BYTES) -> int:
    """The HTTP body that carries such a file: base64 (4/3) inside the callback's JSON, plus room for
    the envelope.  serving/settings.py's MAX_UPLOAD_BYTES default (2 MiB) must be at least this."""
    return -(-4 * file_bytes // 3) + 64 * 1024
MIN_POINTS = 10
MIN_OVERLAP_EV = 1.0


class UploadError(ValueError):
    """A user-facing reason why an uploaded file was rejected."""


def _decode(contents: Any) -> str:
    if not isinstance(contents, str) or "," not in contents:
        raise UploadError("The upload arrived malformed; please choose the file again.")
    head, b64 = contents.split(",", 1)
    if not head.startswith("data:") or ";base64" not in head:
        raise UploadError("The upload arrived malformed; please choose the file again.")
    if len(b64) * 3 // 4 > MAX_BYTES:
        raise UploadError(f"The file is larger than {MAX_TEXT}; a spectrum needs far less.")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("The upload is not valid base64 data; please choose the file again.") from None
    if len(raw) > MAX_BYTES:
        raise UploadError(f"The file is larger than {MAX_TEXT}.")
    utf16 = _utf16_codec(raw)
    if utf16:  # Excel's "Unicode text" and PowerShell write UTF-16: text with a zero byte per ASCII char
        try:
            return raw.decode(utf16)
        except UnicodeDecodeError:
            raise UploadError("The file looks like UTF-16 text but does not decode as such; "
                              "please save it as UTF-8 CSV.") from None
    if b"\x00" in raw[:4096]:
        raise UploadError("This looks like a binary file, not a CSV text file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte string
            raise UploadError("The file is not text.") from None


def _utf16_codec(raw: bytes) -> str | None:
    """'utf-16' (with a byte-order mark), 'utf-16-le'/'-be' (without one: ASCII text then has a
    zero byte at every odd/even position) or None."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = raw[:4096]
    if len(head) < 8:
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


DECIMAL_COMMA_HINT = (" The numbers seem to use decimal commas (770,5): save the file with decimal points "
                      "(770.5) and commas, semicolons or tabs between the two columns.")


def decimal_comma_hint(text: str) -> str:
    """A hint when a rejected file looks like it was written with decimal commas (e.g. '770,5;1,2')."""
    sample = text[:20_000]
    if re.search(r"\d,\d+\s*[;\t]\s*-?\d", sample) or re.search(r"\d;\s*-?\d+,\d", sample):
        return DECIMAL_COMMA_HINT
    return ""


MAX_LINE_CHARS = 400  # a row is two numbers (plus a comment); longer lines are refused before any parsing
MAX_ROWS = 50_000
PARSE_BUDGET_S = 1.0  # wall-clock budget for parsing one file (linear anyway; a second line of defence)
DELIMITERS = (",", ";", "\t", " ")


def _split(line: str, delim: str) -> list[str]:
    parts = line.split() if delim == " " else line.split(delim)
    return [c.strip() for c in parts if c.strip() != ""]


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first rows into >= 2 fields (no csv.Sniffer: it is quadratic
    in the line length, and a hostile one-line file made it run for minutes)."""
    sample = lines[:5]
    for delim in DELIMITERS:
        if all(len(_split(ln, delim)) >= 2 for ln in sample):
            return delim
    return ","


def parse_csv(text: str) -> tuple[np.ndarray, np.ndarray]:
    """CSV text -> (energy_ev, intensity) sorted by energy; raises UploadError with a reason.

    Linear time in the file size: lines longer than MAX_LINE_CHARS are refused before anything
    else looks at them, at most MAX_ROWS rows, and a wall-clock budget as a backstop."""
    deadline = time.monotonic() + PARSE_BUDGET_S
    lines = []
    for n, ln in enumerate(text.splitlines(), start=1):
        if len(ln) > MAX_LINE_CHARS:
            raise UploadError(f"Line {n} is {len(ln)} characters long; a spectrum row holds two numbers "
                              f"(at most {MAX_LINE_CHARS} characters).")
        if ln.strip() and not ln.lstrip().startswith("#"):
            lines.append(ln)
    if not lines:
        raise UploadError("The file is empty: expected two columns, energy_ev and intensity.")
    if len(lines) > MAX_ROWS + 1:
        raise UploadError(f"The file has {len(lines)} rows; at most {MAX_ROWS} are accepted.")
    delim = _delimiter(lines[1:6] if len(lines) > 1 else lines)
    rows = [_split(ln.strip().strip("\ufeff"), delim) for ln in lines]
    e_col, i_col = 0, 1
    first = rows[0]
    if first and not _is_number(first[0]):  # a header row: find the named columns
        names = [c.strip().strip('"').lower() for c in first]
        e_col = next((k for k, n in enumerate(names) if n.startswith("energy")), 0)
        i_col = next((k for k, n in enumerate(names) if n.startswith(("intensity", "counts", "signal"))), 1)
        rows = rows[1:]
    energy, intensity = [], []
    for n, r in enumerate(rows, start=1):
        if n % 1000 == 0 and time.monotonic() > deadline:
            raise UploadError("The file took too long to read; please send a plain two-column CSV.")
        r = [c.strip('"') for c in r]
        if len(r) <= max(e_col, i_col):
            raise UploadError(f"Row {n} has {len(r)} column(s); expected energy_ev and intensity.")
        try:
            e, v = float(r[e_col]), float(r[i_col])
        except ValueError:
            raise UploadError(f"Row {n} is not numeric: {', '.join(r)[:60]!r}.") from None
        if not (math.isfinite(e) and math.isfinite(v)):
            raise UploadError(f"Row {n} holds a non-finite number (NaN or infinity).")
        if v < 0:
            raise UploadError(f"Row {n}: intensity {v:g} is negative; a spectrum must be non-negative.")
        energy.append(e)
        intensity.append(v)
    if len(energy) < MIN_POINTS:
        raise UploadError(f"Only {len(energy)} data rows; at least {MIN_POINTS} are needed.")
    e = np.asarray(energy)
    v = np.asarray(intensity)
    order = np.argsort(e, kind="stable")
    e, v = e[order], v[order]
    if np.any(np.diff(e) == 0):
        raise UploadError("Some energies appear twice; each energy must be listed once.")
    return e, v


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def resample(energy_ev: np.ndarray, intensity: np.ndarray) -> list[float]:
    """Onto the Explorer's grid (zero outside the data), normalised to max 1, 5 digits."""
    grid = spectra.energy_grid()
    lo, hi = max(energy_ev[0], grid[0]), min(energy_ev[-1], grid[-1])
    if hi - lo < MIN_OVERLAP_EV:
        raise UploadError(
            f"The data cover {energy_ev[0]:g}-{energy_ev[-1]:g}, which overlaps the model's {ENERGY_RANGE_TEXT} range by "
            f"less than {MIN_OVERLAP_EV:g} eV. Energies must be in eV."
        )
    y = np.interp(grid, energy_ev, intensity, left=0.0, right=0.0)
    if not y.max() > 0:
        raise UploadError(f"The spectrum is zero everywhere in {ENERGY_RANGE_TEXT}.")
    return [max(0.0, x) for x in round_sig(y / y.max(), 5)]


def handle_upload(pending: Any):
    """{contents, filename} (after the browser's size check) -> (store data or no_update, message)."""
    if not isinstance(pending, dict) or pending.get("contents") is None:
        return no_update, ""
    contents, filename = pending.get("contents"), pending.get("filename")
    name = filename if isinstance(filename, str) else "upload"
    name = "".join(ch for ch in name if ch.isprintable())[:80]
    text = ""
    try:
        text = _decode(contents)
        e, v = parse_csv(text)
        values = resample(e, v)
    except UploadError as exc:
        return no_update, f"“{name}” was not used: {exc}{decimal_comma_hint(text)}"
    inside = int(np.sum((e >= ENERGY_RANGE_EV[0]) & (e <= ENERGY_RANGE_EV[1])))
    return ({"name": name, "intensity": values, "n_points": int(e.size)},
            f"Using “{name}” ({e.size} rows, {inside} within {ENERGY_RANGE_TEXT}) as the incident spectrum.")


def upload_notice(pending: Any):
    """``handle_upload`` with its message as a notice: success when the file is used, else error."""
    store, message = handle_upload(pending)
    return store, notice(message, "success" if store is not no_update else "error", target=MESSAGE)


def clear_notice(n: Any):
    store, message = clear(n)
    return store, notice(message, "info", target=MESSAGE)


def clear(n: Any):
    if not n:
        return no_update, no_update
    return None, "Back to the model SASE pulse."


def layout() -> html.Section:
    return html.Section(
        [
            html.H2("Your reference spectrum"),
            dcc.Upload(id=WIDGET, children=html.Div(["Drop a CSV here or ", html.A("choose a file")]),
                       className="upload", multiple=False, accept=".csv,.txt,.dat,text/csv"),
            dcc.Store(id=PENDING),
            html.P(f"Two columns, energy_ev and intensity (any units), ≥ {MIN_POINTS} rows overlapping "
                   f"{ENERGY_RANGE_TEXT}, ≤ {MAX_TEXT}. "
                   "It replaces the model pulse; the fluence slider sets its total.", className="hint"),
            html.Button("Use the model pulse", id=CLEAR, className="button secondary", type="button"),
            html.Div(id=MESSAGE, className="notice", role="status"),
            dcc.Store(id=STORE, data=None),
        ],
        className="panel upload-panel", id="upload-panel",
    )


def register(app, cache) -> None:
    # Size check in the browser first (assets/explorer.js), so a 50 MB file is refused with a
    # message instead of hitting the server's request limit; the server checks again.
    app.clientside_callback(
        f"function (contents, filename) {{ return window.dash_clientside.explorer.checkUpload(contents, filename, "
        f"{MAX_BYTES}); }}",
        Output(PENDING, "data"), Output(MESSAGE, "children", allow_duplicate=True),
        Input(WIDGET, "contents"), Input(WIDGET, "filename"),
        prevent_initial_call=True,
    )
    app.callback(
        Output(STORE, "data"), Output(MESSAGE, "children"),
        Input(PENDING, "data"),
        prevent_initial_call=True,
    )(upload_notice)
    app.callback(
        Output(STORE, "data", allow_duplicate=True), Output(MESSAGE, "children", allow_duplicate=True),
        Input(CLEAR, "n_clicks"), prevent_initial_call=True,
    )(clear_notice)
