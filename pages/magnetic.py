"""Page 2, magnetic scattering: time-resolved resonant magnetic small-angle scattering from Co/Pd
domains at the Co L3 edge, and what a probe of given time resolution and flux records, after
Lunin, Borchert, Schneider et al., Light Sci. Appl. 14, 394 (2025)."""
from __future__ import annotations

from types import MappingProxyType

from dash import html

from components import (
    controls,
    ids,
    magnetic_budget,
    magnetic_detector,
    magnetic_domains,
    magnetic_dynamics,
    magnetic_engine,
    magnetic_explanations,
    magnetic_export,
    magnetic_profile,
    magnetic_q1,
    magnetic_readouts,
    magnetic_selfdemag,
    magnetic_sources,
    magnetic_spectrum,
    notices,
    presets,
    slider_animation,
    url_state,
)
from components.page_spec import ControlGroup, PageSpec, Preset
from physics import scattering_parameters as sp

PATH = "/magnetic-scattering"
NAME = "Magnetic scattering"
TITLE = "Nonlinear X-ray Spectra Explorer — magnetic scattering"
DESCRIPTION = ("Time-resolved resonant magnetic small-angle scattering from Co/Pd domains at the Co L3 edge: what "
               "an FEL, a laboratory plasma source or a synchrotron records, after Lunin et al., Light Sci. Appl. "
               "14, 394 (2025)")

# The physics' presets; the FeGd-like one says "illustrative" in its label and description.
PRESETS = MappingProxyType({
    key: Preset(p.label, p.values, p.description) for key, p in sp.PRESETS.items()
})

GROUPS = (
    ControlGroup("Pump-probe delay", ("delay_ps",)),
    ControlGroup("Probe source", ("source",)),
    ControlGroup("Domain pattern", ("pattern", "period_nm", "wall_nm", "duty", "disorder")),
    ControlGroup("Photon energy, sample, detector", ("energy_ev", "thickness_nm", "detector_m")),
    ControlGroup("Photon budget", ("delta_m", "snr", "exposure_s")),
    ControlGroup("Demagnetisation dynamics", ("dynamics_model", "amplitude_fast", "tau_demag_ps", "tau_recovery_ps",
                                               "amplitude_slow", "tau_slow_ps", "absorbed_fluence_mj_cm2",
                                               "ring_shift_percent", "ring_shift_tau_ps"), open=False),
    ControlGroup("Custom source numbers (source = custom)", sp.SOURCE_KEYS, open=False),
    ControlGroup("Advanced: grid, seed, Curie temperature", ("seed", "grid_n", "periods_in_view", "curie_k"),
                 open=False),
)

# Arrow keys move a log slider by 2.3 % and the delay by 0.02 on its asinh axis (about 0.01 ps
# near zero, 2 % at long delays); the default step is for exact URL round trips, too fine for keys.
SLIDER_STEPS = MappingProxyType({
    **{p.name: 0.01 for p in sp.PARAMETERS if p.scale == "log"},
    "delay_ps": 0.02,
})

SPEC = PageSpec(
    name=ids.MAGNETIC,
    params=sp.TABLE,
    presets=PRESETS,
    choice_labels=MappingProxyType({
        "pattern": MappingProxyType({"stripes": "stripes", "labyrinth": "labyrinth"}),
        "source": MappingProxyType({"fel": "FEL (0.1 ps)", "plasma": "lab plasma (9 ps)",
                                    "synchrotron": "synchrotron (50 ps)", "slicing": "slicing (0.1 ps)",
                                    "custom": "custom"}),
        "dynamics_model": MappingProxyType({"phenomenological": "double exponential", "m3tm": "2TM + M3TM"}),
    }),
    controls_title="Experiment",
    advanced_title="Other parameters",
    groups=GROUPS,
    slider_steps=SLIDER_STEPS,
)
PLAYED = "delay_ps"


def layout(**query) -> html.Div:
    """The page for a URL query (Dash pages pass it as keyword arguments)."""
    params, _view, issues = url_state.decode_query(SPEC, url_state.search_from_kwargs(query))
    header = html.Div([
        html.H1("Time-resolved magnetic scattering from Co/Pd domains"),
        html.P("Resonant magnetic small-angle X-ray scattering at the Co L3 edge: what an FEL, a laboratory plasma "
               "source (9 ps) or a synchrotron records — after Lunin et al., Light Sci. Appl. 14, 394 (2025). "
               "A planning model: published numbers and assumptions are marked.", className="subtitle"),
        presets.layout(SPEC, label="Preset"),
    ], className="page-header")
    play = slider_animation.layout(SPEC.name, PLAYED, what="the pump-probe delay")
    sidebar = html.Aside([controls.layout(SPEC, params, link_issues=issues, addons={PLAYED: [play]}),
                          magnetic_export.layout()], className="sidebar")
    figures = html.Div([
        html.Div([magnetic_domains.layout(), magnetic_detector.layout()], className="figure-grid figure-pair"),
        html.Div([magnetic_dynamics.layout(), magnetic_profile.layout(), magnetic_budget.layout(),
                  magnetic_spectrum.layout(), magnetic_selfdemag.layout(), magnetic_q1.layout()],
                 className="figure-grid"),
    ], className="figure-stack")
    notice = controls.link_notice(SPEC, issues)
    main = html.Main([notice, magnetic_readouts.layout(), figures, magnetic_sources.layout(),
                      magnetic_explanations.layout()], className="content")
    return html.Div([header, html.Div([sidebar, main], className="app-body"), magnetic_engine.stores()],
                    className="page page-magnetic")


PANELS = (magnetic_readouts, magnetic_domains, magnetic_detector, magnetic_profile, magnetic_dynamics, magnetic_q1,
          magnetic_spectrum, magnetic_budget, magnetic_selfdemag, magnetic_sources, magnetic_explanations)


def register(app, cache) -> None:
    controls.register(app, SPEC)
    presets.register(app, SPEC)
    url_state.register(app, SPEC)
    # a frame is drawn once the M(t) note (it names the delay) has changed
    slider_animation.register(app, SPEC, PLAYED, ready=(ids.MAG_GRAPHS["dynamics"].note, "children"))
    magnetic_engine.register(app, cache)
    for panel in PANELS:
        panel.register(app, cache)
    magnetic_export.register(app, cache, SPEC)
    notices.register(app, (ids.controls_notice(SPEC.name), ids.link_notice(SPEC.name), magnetic_export.MESSAGE))
