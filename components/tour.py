"""Lecture mode: a guided tour through the paper's story, and a fluence sweep to play.

Each step sets every control (the defaults plus the step's overrides), the figures' view
switches, highlights the figure it talks about and says two or three sentences.  The step is part
of the page's URL state (``?tour=3&fluence_mj_cm2=...``: a view option of the page), so every step
has its own link for a slide; a link opens the step with the link's parameters.  Next and previous
by the buttons or, anywhere outside a form control, the arrow and page keys (presentation
clickers send those); Escape stops the sweep (assets/explorer.js).

The sweep animates the fluence slider from 0.1 to 10^4 mJ/cm^2 in the browser; each frame goes out
only when the figures of the last one have repainted (the live pipeline of ``controls``), so it
runs as fast as the figures can follow and stops at any point (the button again, Escape, or
touching a control).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from dash import Input, Output, State, ctx, dcc, html, no_update

from . import ids
from .controls import control_values, live_meta
from .page_spec import PageSpec

OFF = "off"
STEP = "tour-step"  # the current step ("off" or "1".."n"): a view option of the page's URL
PANEL = "tour-panel"
TITLE = "tour-title"
TEXT = "tour-text"
COUNTER = "tour-counter"
PREV = "tour-prev"
NEXT = "tour-next"
START = "tour-start"
CLOSE = "tour-close"
PLAY = "sweep-play"
SWEEP_SYNC = "sweep-sync"
SWEEP_SECONDS = 8.0  # 0.1 -> 10^4 mJ/cm^2: 1.6 s per decade, slow enough to follow on a projector
PLAY_LABEL = "▶ Play fluence sweep 0.1 → 10⁴ mJ/cm²"
STOP_LABEL = "■ Stop sweep"


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # two or three sentences
    focus: str  # the panel it talks about (a key of ids.LIVE)
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    view: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # view options


TOP = MappingProxyType({})  # the paper's top point: 7500 mJ/cm^2 in 25 fs (the defaults)

STEPS = (
    Step("Spontaneous spectrum and Beer–Lambert",
         "At 0.1 mJ/cm² the film absorbs linearly: the transmitted spectrum is the reference pulse times "
         "exp(−σ(E) ρ d) (Beer–Lambert, Eq. 2) times 0.55 for the non-resonant layers. At the Co L3 maximum "
         "(777.6 eV) the 25 nm of cobalt transmit 34.5 % (the paper quotes 32 %); the nonlinear and "
         "spontaneous curves coincide.",
         "spectra", MappingProxyType({"fluence_mj_cm2": 0.1})),
    Step("Raising the fluence",
         "At 7500 mJ/cm² in 25 fs (300 mJ/cm²/fs, the paper's highest intensity) the film turns more "
         "transparent: the peak transmission rises from 0.345 to 0.615 (paper: 32 % to 62 %). Green shading marks where the "
         "intense pulse gains photons, vermillion where it loses them; press ▶ to sweep the fluence.",
         "spectra", TOP),
    Step("The difference spectrum: α, β and γ",
         "Nonlinear minus spontaneous is what the experiment measures (Fig. 2). Three features stand out: "
         "α near 775 eV (stimulated RIXS gain), β near 776.5 eV (a loss: hot electrons fill states below "
         "the Fermi level) and γ near 778 eV (stimulated REXS at the resonance).",
         "difference", TOP, MappingProxyType({"diff_units": "intensity"})),
    Step("Three channels",
         "The model splits the change exactly into three channels (Fig. 3): stimulated RIXS with the "
         "emission's shape and stimulated REXS with the absorption's shape, each about 18 % of the XAS "
         "maximum here, and the electron redistribution, a difference of Fermi–Dirac functions around "
         "E_F = 777.5 eV (20 %).",
         "model", TOP, MappingProxyType({"diff_units": "transmission"})),
    Step("Photons per mode and KHD",
         "Stimulation needs many photons in one mode: n_pk = I λ³/(c Δpk) is about 32 at 300 mJ/cm²/fs "
         "(Eq. 3). Per core hole the stimulated fraction s = ½(1 − exp(−2 n_pk Yf)) is then about 20 % "
         "(Eq. 4), twenty times the fluorescence yield and about 10⁶ times what a spectrometer collects "
         "spontaneously (the blue band).",
         "gain", TOP, MappingProxyType({"gain_axis": "intensity"})),
    Step("Maxwell–Bloch and saturation",
         "The three-level Maxwell–Bloch model (vermillion) drives the Bloch equations with statistical "
         "SASE pulses: the stimulated yield grows linearly, then bends over as the resonance saturates. "
         "Like the paper's model it stays below the measured squares (5.2 % at 5 fs, 3.3 % at 25 fs); it "
         "is computed in the background while the other figures follow the sliders.",
         "gain", MappingProxyType({"fluence_mj_cm2": 1335.0, "duration_fs": 5.0}),
         MappingProxyType({"gain_axis": "fluence"})),
    Step("Fig. 6: the film becomes transparent",
         "Peak resonant transmission versus intensity: 32 % at low intensity and about 62 % at "
         "300 mJ/cm²/fs in the paper (square). The three-channel model reaches 0.615; two-level Bloch "
         "equations with SASE pulses reach about 0.58 with the paper's Eq. 4 stimulated rate but only 0.35 "
         "with the bare atomic dipole: stimulated REXS returns the absorbed photons to the beam.",
         "transmission", TOP),
    Step("Where the model stops",
         "Nothing was measured beyond about 370 mJ/cm²/fs (shaded in Figs. 5 and 6). Here (10⁴ mJ/cm² in "
         "1 fs) the calibrated laws are extrapolated within physical bounds: stimulated decay at most ½ per "
         "core hole, bleaching at most to transparency, a depleted pump; a transmission slightly above 1 "
         "comes only from stimulated Raman gain, which the note names. Sample damage (seen above about "
         "50 mJ/cm² after the pulse) is not modelled: treat this corner as a question for the next beamtime.",
         "spectra", MappingProxyType({"fluence_mj_cm2": 10000.0, "duration_fs": 1.0})),
)
CHOICES = (OFF, *(str(k) for k in range(1, len(STEPS) + 1)))


def step_of(value: Any) -> Step | None:
    """A client-sent step value -> its Step (None for "off" or anything unusable)."""
    if isinstance(value, str) and value in CHOICES and value != OFF:
        return STEPS[int(value) - 1]
    return None


def step_params(spec: PageSpec, step: Step) -> dict:
    """Every parameter of a step: the defaults plus its overrides, validated."""
    return spec.params.validate_all(dict(step.overrides))


def _hidden(on: bool) -> dict:
    return {} if on else {"hidden": True}


def start_button() -> html.Button:
    return html.Button("▶ Lecture tour", id=START, className="button tour-start", n_clicks=0,
                       title="A guided tour of the paper's story in eight steps (arrow keys: next/previous)")


def sweep_button() -> html.Div:
    return html.Div([html.Button(PLAY_LABEL, id=PLAY, className="button secondary sweep-play", n_clicks=0,
                                 **{"aria-pressed": "false"}),
                     html.Div(id=SWEEP_SYNC, hidden=True)], className="sweep")


def layout(value: str = OFF) -> html.Section:
    """The tour's panel, showing step ``value`` (from the URL) or hidden when the tour is off."""
    step = step_of(value)
    k = CHOICES.index(value) if step else 0
    nav = html.Div([
        html.Button("← Previous", id=PREV, className="button secondary", n_clicks=0),
        html.Span(f"Step {k} of {len(STEPS)}" if step else "", id=COUNTER, className="tour-counter",
                  **{"aria-live": "polite"}),
        html.Button("Next →", id=NEXT, className="button", n_clicks=0),
        html.Button("End tour", id=CLOSE, className="button secondary tour-close", n_clicks=0),
    ], className="tour-nav")
    return html.Section(
        [html.Div([html.H2(step.title if step else "", id=TITLE), nav], className="tour-head"),
         html.P(step.text if step else "", id=TEXT, className="tour-text"),
         dcc.Input(id=STEP, type="hidden", value=value if value in CHOICES else OFF)],
        id=PANEL, className="panel tour", role="region", **{"aria-label": "guided tour"}, **_hidden(step is not None),
    )


def make_apply(spec: PageSpec):
    """Step -> every control, the view switches, the panel's texts and whether it shows."""
    view_ids = switches(spec)

    def apply_step(value):
        id_list = ctx.outputs_list[0] if ctx.outputs_list else []
        step = step_of(value)
        if step is None:
            return ([no_update] * len(id_list), *([no_update] * len(view_ids)), "", "", "", True)
        k = CHOICES.index(value)
        views = [step.view.get(name, no_update) for name in view_ids]
        return (control_values(spec, step_params(spec, step), id_list), *views, step.title, step.text,
                f"Step {k} of {len(STEPS)}", False)
    return apply_step


def switches(spec: PageSpec) -> dict[str, str]:
    """The page's view switches a step may set (the tour's own option is the step itself)."""
    return {k: o.component_id for k, o in spec.view_options.items() if o.component_id != STEP}


def register(app, spec: PageSpec, intensity_id: str) -> None:
    view_ids = list(switches(spec).values())
    app.callback(
        Output(ids.controls(spec.name), "value", allow_duplicate=True),
        *[Output(v, "value", allow_duplicate=True) for v in view_ids],
        Output(TITLE, "children"), Output(TEXT, "children"), Output(COUNTER, "children"),
        Output(PANEL, "hidden"),
        Input(STEP, "value"),
        prevent_initial_call=True,  # a link opens its step with the link's own parameters
    )(make_apply(spec))
    # Buttons -> step, in the browser (no request): the step then drives everything else.
    app.clientside_callback(
        "function (s, c, p, n, step) { return window.dash_clientside.explorer.tourStep(s, c, p, n, step, "
        + str(len(STEPS)) + "); }",
        Output(STEP, "value"),
        Input(START, "n_clicks"), Input(CLOSE, "n_clicks"), Input(PREV, "n_clicks"), Input(NEXT, "n_clicks"),
        State(STEP, "value"),
        prevent_initial_call=True,
    )
    panels = {key: lp.panel for key, lp in ids.LIVE.items() if key in ids.GRAPHS}
    focus = {str(k + 1): s.focus for k, s in enumerate(STEPS)}
    app.clientside_callback(
        "function (step) { return window.dash_clientside.explorer.tourFocus(step, "
        + json.dumps({"panels": [[k, v] for k, v in panels.items()], "focus": focus}) + "); }",
        [Output(p, "className") for p in panels.values()],
        Input(STEP, "value"),
    )
    fluence = spec.params.by_name["fluence_mj_cm2"]
    sweep = {"button": PLAY, "seconds": SWEEP_SECONDS, "play": PLAY_LABEL, "stop": STOP_LABEL,
             "name": fluence.name, "slider": ids.control(spec.name, fluence.name, ids.SLIDER),
             "readout": ids.readout(spec.name, fluence.name), "unit": fluence.unit, "intensity": intensity_id,
             "lo": math.log10(fluence.minimum), "hi": math.log10(fluence.maximum), "live": live_meta(spec, ids.LIVE)}
    app.clientside_callback(
        "function (n, params) { return window.dash_clientside.explorer.sweepToggle(params, "
        + json.dumps(sweep, sort_keys=True) + "); }",
        Output(SWEEP_SYNC, "children"),
        Input(PLAY, "n_clicks"), State(spec.params_store, "data"),
        prevent_initial_call=True,
    )
