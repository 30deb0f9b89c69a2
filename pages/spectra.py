"""Page 1, nonlinear spectra: stimulated RIXS/REXS and electron redistribution in Co/Pd at the
Co L3 edge, after Higley et al., Nat. Commun. 13, 5969 (2022)."""
from __future__ import annotations

from types import MappingProxyType

from dash import html

from components import (
    controls,
    difference,
    explanations,
    export,
    gain,
    ids,
    linking,
    mb_jobs,
    model_spectra,
    notices,
    presets,
    readouts,
    spectra,
    tour,
    transmission,
    upload,
    url_state,
)
from components.page_spec import PageSpec, Preset, ViewOption
from physics import parameters

PATH = "/"
NAME = "Nonlinear spectra"
TITLE = "Nonlinear X-ray Spectra Explorer — nonlinear spectra"
DESCRIPTION = ("Stimulated RIXS/REXS and electron redistribution in a Co/Pd multilayer at the Co L3 edge "
               "(778 eV), after Higley et al., Nat. Commun. 13, 5969 (2022)")

# Fluences: paper Fig. 2 (12-30 mJ/cm^2 at low fluence) and Fig. 5 (the highest measured points).
PRESETS = MappingProxyType({
    "top": Preset("Paper top point (Fig. 3): 7500 mJ/cm², 25 fs, 300 mJ/cm²/fs", MappingProxyType({}),
                  "The calibration point: all three channels at full strength, T(L3) 0.345 → 0.615 (paper: 32 % → 62 %)."),
    "low-5fs": Preset("Low fluence, 5 fs: 12 mJ/cm² (Fig. 2c)",
                      MappingProxyType({"fluence_mj_cm2": 12.0, "duration_fs": 5.0}),
                      "Nonlinear and spontaneous spectra agree: the response is linear."),
    "low-25fs": Preset("Low fluence, 25 fs: 30 mJ/cm² (Fig. 2d)",
                       MappingProxyType({"fluence_mj_cm2": 30.0, "duration_fs": 25.0}),
                       "Linear response; compare with the 5 fs case at the same fluence/intensity."),
    "high-5fs": Preset("Highest fluence, 5 fs: 1335 mJ/cm² (Figs. 2e, 5)",
                       MappingProxyType({"fluence_mj_cm2": 1335.0, "duration_fs": 5.0}),
                       "Measured stimulated RIXS 5.2 ± 1.9 %; redistribution is present even in 5 fs."),
    "high-25fs": Preset("Highest fluence, 25 fs: 9343 mJ/cm² (Figs. 2f, 5)",
                        MappingProxyType({"fluence_mj_cm2": 9343.0, "duration_fs": 25.0}),
                        "Measured stimulated RIXS 3.3 ± 0.8 %."),
    "shifted": Preset("Shifted pulse: 781 eV, 3 eV bandwidth — α vanishes (Fig. 2g,h)",
                      MappingProxyType({"center_ev": 781.0, "bandwidth_ev": 3.0}),
                      "No photons near 774.5 eV: no stimulated-RIXS gain α, so the loss β stands out."),
})

SPEC = PageSpec(
    name=ids.SPECTRA,
    params=parameters.TABLE,
    presets=PRESETS,
    view_options=MappingProxyType({
        "gain_axis": ViewOption(ids.GAIN_AXIS, gain.AXIS_CHOICES),
        "diff_units": ViewOption(ids.DIFFERENCE_UNITS, difference.UNIT_CHOICES),
        "tour": ViewOption(tour.STEP, tour.CHOICES),
    }),
    choice_labels=MappingProxyType({"spectrum_mode": MappingProxyType({"mean": "SASE ensemble mean",
                                                                       "single": "single SASE shot"})}),
    controls_title="Pulse and sample",
    advanced_title="Advanced: sample, spectrometer, SASE statistics",
)


def layout(**query) -> html.Div:
    """The page for a URL query (Dash pages pass it as keyword arguments)."""
    params, view, issues = url_state.decode_query(SPEC, url_state.search_from_kwargs(query))
    header = html.Div([
        html.H1("Nonlinear X-ray spectra of Co/Pd at the Co L3 edge"),
        html.P("Stimulated RIXS/REXS and electron redistribution in a Co/Pd multilayer at 778 eV — after Higley "
               "et al., Nat. Commun. 13, 5969 (2022)", className="subtitle"),
        presets.layout(SPEC, label="Paper preset"),
        tour.start_button(),
    ], className="page-header")
    extra = [readouts.intensity_line(), tour.sweep_button()]
    sidebar = html.Aside([controls.layout(SPEC, params, link_issues=issues, extra=extra),
                          upload.layout(), export.layout()], className="sidebar")
    figures = html.Div(
        [spectra.layout(), difference.layout(view["diff_units"]), model_spectra.layout(),
         gain.layout(view["gain_axis"]), transmission.layout()],
        className="figure-grid",
    )
    notice = controls.link_notice(SPEC, issues)
    main = html.Main([tour.layout(view["tour"]), notice, readouts.layout(), figures, explanations.layout()],
                     className="content")
    return html.Div([header, html.Div([sidebar, main], className="app-body"), mb_jobs.stores(), linking.store(),
                     *controls.live_stores(params, ids.LIVE)], className="page page-spectra")


def register(app, cache) -> None:
    controls.register(app, SPEC, ids.LIVE, intensity=readouts.INTENSITY)
    presets.register(app, SPEC)
    url_state.register(app, SPEC)
    linking.register(app)
    tour.register(app, SPEC, readouts.INTENSITY)
    for panel in (readouts, spectra, difference, model_spectra, mb_jobs, gain, transmission, upload):
        panel.register(app, cache)
    export.register(app, cache, SPEC)
    notices.register(app, (ids.controls_notice(SPEC.name), ids.link_notice(SPEC.name), upload.MESSAGE, export.MESSAGE))
