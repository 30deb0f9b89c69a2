"""Shared view helpers: palette, figure styling, number rounding and graph config.

Pure functions and constants only (no mutable state): every figure builder uses them so that the
panels look alike and so that the numbers exported to CSV are exactly the ones drawn.
"""
from __future__ import annotations

import base64
import math
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np
import plotly.graph_objects as go
from dash import dcc, html

from physics import spectra

# The photon-energy window of every spectral figure: the physics grid's (physics.spectra).
ENERGY_RANGE_EV = (spectra.ENERGY_MIN_EV, spectra.ENERGY_MAX_EV)
ENERGY_RANGE_TEXT = f"{spectra.ENERGY_MIN_EV:g}-{spectra.ENERGY_MAX_EV:g} eV"

# Okabe & Ito (2008) colour-blind-safe palette; names say what each colour means in the figures.
OKABE_ITO = MappingProxyType({
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#7F7F7F",
})
# Lines and markers need 3:1 against the white plot (WCAG 1.4.11); Okabe-Ito orange (2.3:1), sky
# blue (2.3:1) and purple (3.1:1) are darkened along their own hue, so the palette stays
# colour-blind-safe.  tests/web/test_presentation.py computes every ratio.
LINE_SAFE = MappingProxyType({
    **OKABE_ITO,
    "orange": "#B07A00",  # 3.7:1
    "sky": "#318CC9",  # 3.7:1
    "purple": "#B8659A",  # 3.9:1
    "grey": "#767676",  # 4.5:1
})
COLOR = MappingProxyType({
    "incident": LINE_SAFE["grey"],
    "spontaneous": LINE_SAFE["blue"],
    "nonlinear": LINE_SAFE["vermillion"],
    "stim_rixs": LINE_SAFE["green"],
    "stim_rexs": LINE_SAFE["orange"],
    "redistribution": LINE_SAFE["purple"],
    "difference": LINE_SAFE["black"],
    "xas": LINE_SAFE["blue"],
    "rixs": LINE_SAFE["green"],
    "pulse": LINE_SAFE["grey"],
    "khd": LINE_SAFE["sky"],
    "mb": LINE_SAFE["vermillion"],
    "measured": LINE_SAFE["black"],
    "operating": LINE_SAFE["black"],
    "reference": "#595959",  # thin reference lines (zero line): 7:1
})
TEXT_COLOR = "#1b1f24"  # every figure text (16.6:1 on white); data colours never carry text
# Semi-transparent fills for gain (transmission up) and loss (down): green/vermillion stay
# distinguishable for deuteranopes and protanopes.
GAIN_FILL = "rgba(0,158,115,0.30)"
LOSS_FILL = "rgba(213,94,0,0.30)"
BAND_FILL = "rgba(49,140,201,0.18)"  # a shaded range (not data): the spectrometer's acceptance
BEYOND_FILL = "rgba(120,120,120,0.12)"  # where the model extrapolates beyond the paper's measurements
BEYOND_NAME = "beyond the measurements"  # the caption says more: the model is extrapolated there

SIGNIFICANT_DIGITS = 4  # figure and CSV precision: 4 significant digits of each array's peak
FONT_SIZE_PX = MappingProxyType({False: 13, True: 19})  # normal / large-text (projector) mode


def round_sig(values: Any, digits: int = SIGNIFICANT_DIGITS) -> list[float]:
    """Round an array to ``digits`` significant digits of its largest |value| and return a list.

    One number of decimals per array (not per element) keeps small wings of a curve readable as
    zero-ish values while cutting the JSON payload roughly in half.  Non-finite -> None (a gap).
    """
    a = np.asarray(values, dtype=float)
    finite = np.isfinite(a)
    peak = float(np.abs(a[finite]).max()) if finite.any() else 0.0
    decimals = digits - 1 - int(math.floor(math.log10(peak))) if peak > 0 else digits
    decimals = max(min(decimals, 12), -6)
    r = np.round(a, decimals)
    out = r.tolist()
    if not finite.all():
        out = [x if f else None for x, f in zip(out, finite)]
    return out


def round_energy(energy_ev: Any) -> list[float]:
    """Photon energies on the 0.05 eV grid need 2 decimals (meV precision is not resolved)."""
    return np.round(np.asarray(energy_ev, dtype=float), 3).tolist()


def fmt(x: float | None, digits: int = 3, unit: str = "") -> str:
    """A readable number for readouts and captions: 3 significant digits, thin-space unit."""
    if x is None or not isinstance(x, (int, float)) or not math.isfinite(x):
        return "—"
    s = f"{x:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}×10^{int(exp)}"
    return f"{s} {unit}".strip()


def as_figure(fig: dict) -> go.Figure:
    """dict -> go.Figure without re-validating (the dicts are built from known-good parts).

    Callbacks send the dicts themselves: plotly's object layer would cost ~10x the physics."""
    return go.Figure(fig, _validate=False)


def scatter(x, y, name: str, **kw) -> dict:
    return dict(type="scatter", x=x, y=y, name=name, **kw)


def axis(title: str, **kw) -> dict:
    return dict(title=dict(text=title), showgrid=True, gridcolor="#e5e5e5", ticks="outside", showline=True,
                linecolor="#444", mirror=False, zeroline=False, automargin=True, **kw)


def base_layout(*, large: bool = False, uirevision: str = "keep", **kw) -> dict:
    """Common styling as a layout dict; ``uirevision`` keeps the user's zoom across rebuilds.

    The figure's size comes from its container (``figure_panel``'s responsive graph, heights in
    assets/style.css), so the same figure fills a laptop panel, a projector or a phone.  The
    legend sits above the plot in *container* coordinates: Plotly then reserves its height before
    placing the axes, on every redraw, so it never lies on the data - also when a mode switch
    changes the font and the width at once (paper-anchored legends were left over the data then).
    Nothing else is written inside the plot area: reference lines are named in the legend.
    """
    size = FONT_SIZE_PX[bool(large)]
    layout = dict(
        template=dict(layout=dict(paper_bgcolor="white", plot_bgcolor="white")),
        autosize=True,
        margin=dict(l=70, r=42, t=12, b=55),
        modebar=dict(orientation="v"),  # on the right edge: the legend keeps the top free
        font=dict(size=size, family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", color=TEXT_COLOR),
        legend=dict(orientation="h", xref="container", yref="container", x=0, xanchor="left", y=1, yanchor="top",
                    font=dict(size=size - 1, color=TEXT_COLOR), bgcolor="rgba(255,255,255,0)",
                    tracegroupgap=4),
        hovermode="x unified",
        uirevision=uirevision,
        hoverlabel=dict(font=dict(size=size)),
        shapes=[],
        annotations=[],
    )
    layout.update(kw)
    return layout


def vline(x: float, *, color: str, dash: str = "dot", width: float = 1.5, xref: str = "x", yref: str = "y domain",
          name: str | None = None, legendgroup: str | None = None) -> dict:
    """A vertical line shape in data coordinates (shapes take plain values on log axes too).

    With a ``name`` the line gets its own legend entry (what it marks is said there, not in
    a label on top of the data)."""
    d = dict(type="line", xref=xref, yref=yref, x0=x, x1=x, y0=0, y1=1, line=dict(color=color, dash=dash, width=width))
    return _named(d, name, legendgroup)


def hline(y: float, *, color: str, dash: str = "dot", width: float = 1.5, name: str | None = None,
          legendgroup: str | None = None) -> dict:
    d = dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=y, y1=y, line=dict(color=color, dash=dash, width=width))
    return _named(d, name, legendgroup)


def beyond_measured(x0: float, *, in_legend: bool = True) -> dict:
    """Shade everything right of ``x0`` (data units; also on log axes): the range where the
    three-channel model is an extrapolation of laws calibrated inside the paper's measurements.
    (``in_legend=False`` where the legend is full: the caption says what the shade is.)"""
    return _named(dict(type="rect", xref="x", yref="y domain", x0=x0, x1=x0 * 1e6, y0=0, y1=1, layer="below",
                       fillcolor=BEYOND_FILL, line=dict(width=0)), BEYOND_NAME if in_legend else None, None)


def _named(shape: dict, name: str | None, legendgroup: str | None) -> dict:
    if name:
        shape.update(name=name, showlegend=True)
    else:
        shape["showlegend"] = False
    if legendgroup:
        shape["legendgroup"] = legendgroup
    return shape


def label(text: str, *, x: float, y: float, xref: str = "paper", yref: str = "paper", color: str | None = None,
          **kw) -> dict:
    """An annotation (note: on a log axis, x/y of an annotation are log10 values)."""
    d = dict(text=text, x=x, y=y, xref=xref, yref=yref, showarrow=False)
    if color:
        d["font"] = dict(color=color)
    d.update(kw)
    return d


def graph_config(filename: str) -> dict:
    """Modebar: PNG by default with a high scale for slides; SVG via the download format option."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 3, "width": 1200, "height": 600},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def svg_config(filename: str) -> dict:
    cfg = graph_config(filename)
    cfg["toImageButtonOptions"] = dict(cfg["toImageButtonOptions"], format="svg")
    return cfg


def caption(*children: Iterable, id: str | None = None) -> html.P:  # noqa: A002 - Dash's id kwarg
    kwargs = {"id": id} if id else {}
    return html.P(list(children), className="caption", **kwargs)


def message_figure(text: str, *, large: bool = False) -> dict:
    """An empty figure that says why there is nothing to draw (never a blank box)."""
    layout = base_layout(large=large)
    layout.update(xaxis=dict(visible=False), yaxis=dict(visible=False))
    layout["annotations"] = [label(text, x=0.5, y=0.5, font=dict(size=FONT_SIZE_PX[bool(large)] + 2))]
    return dict(data=[], layout=layout)


def pending_name(curve: str, note: str) -> str:
    """Legend text of a curve that is not drawn: 'Maxwell-Bloch curve: being computed…' or its error."""
    return f"{curve}: being computed…" if "being computed" in note else f"{curve}: {note}"


def is_large(value: Any) -> bool:
    """The 'large text' checklist value (client-controlled: anything unexpected means no)."""
    return isinstance(value, list) and "large" in value


def round_each(values: Any, digits: int = SIGNIFICANT_DIGITS) -> list[float | None]:
    """Round every element to ``digits`` significant digits (for log-scale curves, where a
    common number of decimals would flatten the small values into steps)."""
    out: list[float | None] = []
    for x in np.asarray(values, dtype=float).ravel().tolist():
        out.append(float(f"{x:.{digits}g}") if math.isfinite(x) else None)
    return out


def figure_panel(head, graph_id: str, note_id: str, export_name: str, caption_text: str, panel_id: str,
                 *, loading: bool = True, key_numbers: tuple[str, ...] = ()) -> html.Section:
    """One figure panel: heading (text or components), graph, caption and a status note.

    The panel is a ``figure`` for assistive technology: named by its heading and described by
    its caption, its note and ``key_numbers`` (ids of key-number cards), which together say in
    words what the plot shows.  The graph is responsive: its height comes from the stylesheet
    (taller in projector mode and in the "Present" view, which shows this figure alone).
    Analytic figures sit in a delayed dcc.Loading (only visible if an update is slow); the
    background-job figures show their own job status instead, so ``loading=False``.
    """
    title_id, caption_id = f"{panel_id}-title", f"{panel_id}-caption"
    present = html.Button(
        "Present", className="present-button", type="button", title="Show this figure alone, large (Esc returns)",
        **{"aria-pressed": "false", "data-panel": panel_id, "aria-describedby": title_id},
    )
    if isinstance(head, str):
        head = [html.H2(head)]
    head = list(head)
    for part in head:
        if isinstance(part, html.H2):
            part.id = title_id
            break
    heading = html.Div([*head, present], className="panel-head")
    graph = dcc.Graph(id=graph_id, config=graph_config(export_name), figure=message_figure("Loading…"),
                      responsive=True, className="figure-graph")
    if loading:
        graph = dcc.Loading(graph, delay_show=400, type="dot")
    described = " ".join((caption_id, note_id, *key_numbers))
    return html.Section(
        [heading, graph, caption(caption_text, id=caption_id),
         html.P(id=note_id, className="figure-note", role="status")],
        className="panel figure-panel", id=panel_id, role="figure",
        **{"aria-labelledby": title_id, "aria-describedby": described},
    )


NOTICE_KINDS = ("info", "success", "warning", "error")
NOTICE_ICON = MappingProxyType({"info": "ℹ", "success": "✓", "warning": "⚠", "error": "⚠"})
NOTICE_DISMISS = "notice-dismiss"  # pattern-id type of the close buttons (components/notices.py)


def notice(text: Any, kind: str = "warning", *, target: str) -> Any:
    """The content of the notice area ``target``: ``text`` with an icon, a style by ``kind``
    (success / info / warning / error; never colour alone) and a close button.  Empty text ->
    "" (the area collapses).  ``text`` that is already a component is passed through."""
    if not isinstance(text, str):
        return text
    if not text:
        return ""
    kind = kind if kind in NOTICE_KINDS else "warning"
    return html.Div(
        [html.Span(NOTICE_ICON[kind], className="notice-icon", **{"aria-hidden": "true"}),
         html.Span(text, className="notice-text"),
         html.Button("×", id={"type": NOTICE_DISMISS, "notice": target}, className="notice-dismiss", type="button",
                     title="Dismiss", **{"aria-label": "Dismiss this message"})],
        className=f"notice-body {kind}",
    )


# The model's vocabulary, shared by the figures, the key numbers and the exports.
FEATURE_LABEL = MappingProxyType({"alpha": "α", "beta": "β", "gamma": "γ"})
FEATURE_MEANING = MappingProxyType({
    "alpha": "stimulated RIXS gain",
    "beta": "redistribution loss",
    "gamma": "stimulated REXS gain",
})
CHANNELS = (("stim_rixs", "stimulated RIXS"), ("stim_rexs", "stimulated REXS"), ("redistribution", "electron redistribution"))


def typed_array(values: Any, dtype: str) -> dict:
    """An array as plotly.js's typed-array spec (base64 ``bdata``, plotly.js >= 2.28).

    A 256² heatmap of ``int8``/``uint8`` levels is 87 kB in JSON instead of about 450 kB of
    numbers as text.  ``dtype``: a numpy dtype code plotly.js reads (i1, u1, i2, u2, i4, u4, f4, f8).
    """
    a = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    spec = {"dtype": dtype, "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in a.shape)
    return spec


def decode_typed_array(spec: Mapping[str, Any]) -> np.ndarray:
    """Inverse of :func:`typed_array` (tests and exports read the numbers a figure carries)."""
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]).newbyteorder("<"))
    if "shape" in spec:
        a = a.reshape(tuple(int(n) for n in str(spec["shape"]).split(",")))
    return a
