"""X-ray-self-induced demagnetisation: the probe destroys what it measures (the bridge to page 1).

At FEL fluences the resonantly absorbed X-rays heat the Co electrons within the pulse (the first
page's absorbed energy per atom and Sommerfeld heating, ``physics.channels``), and Co/Pd
demagnetises in < 40 fs (Higley et al., Nat. Commun. 10, 5289 (2019)); the detector records the
pulse-weighted ∫ I(t) m(t)² dt / ∫ I(t) dt, averaged over a Gaussian spot
(``physics.self_demagnetization``).  Shown: the magnetic scattering kept versus the probe's peak
fluence for several pulse lengths, and where each source sits.  Does not depend on the delay.
"""
from __future__ import annotations

import math

from dash import html

from physics import scattering_model as sm

from . import ids
from . import magnetic_engine as meng
from .common import OKABE_ITO, axis, base_layout, fmt, round_each, scatter
from .magnetic_dynamics import SHORT_NAME, SOURCE_COLOR

GRAPH = ids.MAG_GRAPHS["selfdemag"]
F_MIN, F_MAX = sm.SELF_DEMAG_FLUENCE_MJ_CM2
PULSE_DASH = ("solid", "dash", "dot", "dashdot", "longdash")


def selfdemag_columns(result) -> dict[str, list]:
    sd = result.self_demag
    cols = {"peak_fluence_mj_cm2": round_each(sd.fluence_mj_cm2, 4)}
    for pulse, kept in sorted(sd.retained.items()):
        cols[f"retained_{pulse:g}fs"] = round_each(kept, 5)
    return cols


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    sd = result.self_demag
    x = round_each(sd.fluence_mj_cm2, 4)
    data = []
    for i, (pulse, kept) in enumerate(sorted(sd.retained.items())):
        data.append(scatter(x, round_each(kept, 5), f"{pulse:g} fs pulse", line=dict(color=OKABE_ITO["grey"] if i else "#1b1f24",
                                                                                       width=2, dash=PULSE_DASH[i % 5]),
                            hovertemplate="%{x:.3g} mJ/cm²: keeps %{y:.4f}<extra>" + f"{pulse:g} fs</extra>"))
    for name, pt in sd.sources.items():
        f = pt["peak_fluence_mj_cm2"]
        # Sources far below the axis (lab sources: 10⁻⁶ mJ/cm²) sit on its left edge, pointing left.
        inside = F_MIN <= f <= F_MAX
        shown = min(max(f, F_MIN), F_MAX)
        chosen = name == result.dynamics.chosen
        data.append(scatter([shown], [round(pt["retained"], 5)], f"{SHORT_NAME.get(name, name)}: keeps "
                            f"{pt['retained']:.3f}", mode="markers",
                            marker=dict(symbol="circle" if inside else "triangle-left", size=14 if chosen else 10,
                                        color=SOURCE_COLOR.get(name, OKABE_ITO["grey"]),
                                        line=dict(color="black" if chosen else "white", width=1.5)),
                            hovertemplate=f"{result.sources[name].label}: peak {fmt(f)} mJ/cm² in "
                                          f"{fmt(pt['pulse_fs'])} fs, keeps {pt['retained']:.4f}<extra></extra>"))
    layout = base_layout(large=large, uirevision="selfdemag", hovermode="closest",
                         xaxis=axis("probe peak fluence (mJ/cm²)", type="log", exponentformat="power",
                                    range=[math.log10(F_MIN) - 0.15, math.log10(F_MAX)]),
                         yaxis=axis("magnetic scattering kept", range=[0, 1.05]))
    kept = sd.sources[result.dynamics.chosen]["retained"]
    note = (f"{result.source.label}: peak fluence {fmt(sd.sources[result.dynamics.chosen]['peak_fluence_mj_cm2'])} "
            f"mJ/cm² in {fmt(result.source.pulse_fs)} fs keeps {kept:.3f} of its magnetic scattering "
            f"({result.params['energy_ev']:g} eV, {result.params['thickness_nm']:g} nm Co, T_C = "
            f"{result.params['curie_k']:g} K). Triangles: sources below the axis.")
    return dict(data=data, layout=layout), note


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Self-induced demagnetisation versus probe fluence",
        "The X-ray probe heats the electrons it excites (the first page's absorption and heating) and the film "
        "demagnetises within the pulse: the magnetic scattering kept, averaged over the pulse and a Gaussian spot. "
        "Only FEL fluences matter; lab, synchrotron and slicing sources sit far below.",
        "magnetic-selfdemag-panel",
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, delay=False)
