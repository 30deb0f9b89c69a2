"""One full analytic evaluation: incident pulse -> spectra, channels, transmitted intensities.

``evaluate(params)`` is the engine behind the dashboard's analytic figures and the CLI's
``summary``/``spectra`` commands.  It is pure and deterministic given the parameters (the SASE
seed included), so it memoizes and tests well.

Measured quantities (paper Fig. 2): the spectrometer records the incident spectrum and the
transmitted one, incident x 0.55 x T, both convolved with its resolution.  The transmissions in
the ``spectra`` table are therefore the measured ratios
    T_meas = G*(S T) / G*(S)   (G: Gaussian of FWHM resolution_ev),
which keeps  difference = incident x 0.55 x (nonlinear - spontaneous)  exact.  Where the pulse
has no photons the ratio falls back smoothly to G*T.  The ``summary`` numbers are the sample's
own (intrinsic) transmissions; with resolution_ev = 0 both agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from . import channels, khd, spectra
from .constants import (
    BACKGROUND_TRANSMISSION,
    CO_THICKNESS_NM_DEFAULT,
    FERMI_LEVEL_EV,
    MEASURED_DURATIONS_FS,
    MEASURED_FLUENCE_MAX_MJ_CM2,
    MEASURED_INTENSITY_MAX_MJ_CM2_FS,
)
from .parameters import BY_NAME, validate_all
from .pulses import mean_spectrum, sase_pulses, shot_spectra

__all__ = [
    "ModelResult",
    "evaluate",
    "incident_spectrum",
    "reference_peak",
    "summary",
    "spectra_table",
    "SPECTRA_COLUMNS",
    "gain_operating_point",
    "measured_range",
    "extrapolation",
    "peak_transmission_curve",
]

SPECTRA_COLUMNS = (
    "energy_ev",
    "incident",
    "spontaneous_transmission",
    "nonlinear_transmission",
    "stim_rixs",
    "stim_rexs",
    "redistribution",
    "difference",
)
_FEATURE_THRESHOLD = 0.02  # a feature weaker than 2 % of the strongest |difference| is "absent"
_FEATURE_FLOOR = 0.01  # ... or whose channel change is below 1 % of the XAS maximum (noise level)


@dataclass(frozen=True)
class ModelResult:
    """Everything the figures and the CLI need for one parameter set (arrays on ``energy_ev``).

    Intensity-like arrays are spectral fluences in mJ/cm^2/eV as the spectrometer records them.
    """

    params: Mapping[str, Any]
    energy_ev: np.ndarray
    incident_spectrum: np.ndarray  # S(E), 1/eV, unit area (before the spectrometer)
    channels: channels.ChannelResult
    incident: np.ndarray  # measured incident spectral fluence (resolution applied)
    spontaneous_transmission: np.ndarray  # measured ratio, resonant part
    nonlinear_transmission: np.ndarray
    stim_rixs: np.ndarray
    stim_rexs: np.ndarray
    redistribution: np.ndarray
    transmitted_spontaneous: np.ndarray  # incident x 0.55 x T_sp
    transmitted_nonlinear: np.ndarray
    difference: np.ndarray
    features_ev: Mapping[str, float | None] = field(default_factory=dict)
    feature_strength: Mapping[str, float | None] = field(default_factory=dict)
    extrapolation: Mapping[str, Any] = field(default_factory=dict)  # see :func:`extrapolation`

    @property
    def intensity_mj_cm2_fs(self) -> float:
        return self.params["fluence_mj_cm2"] / self.params["duration_fs"]


def incident_spectrum(params: Mapping[str, Any], energy_ev: np.ndarray) -> np.ndarray:
    """S(E) in 1/eV with unit area: the SASE ensemble mean or one shot of the seed."""
    if params["spectrum_mode"] == "single":
        pulses = sase_pulses(
            params["duration_fs"], params["bandwidth_ev"], 1, params["seed"],
            carrier_ev=params["center_ev"], dt_fs=0.05,
        )
        s = shot_spectra(pulses, energy_ev)[0]
    else:
        s = mean_spectrum(energy_ev, params["center_ev"], params["bandwidth_ev"], params["duration_fs"])
    return _unit_area(s, energy_ev)


def reference_peak(params: Mapping[str, Any], energy_ev: np.ndarray) -> float | None:
    """For a single SASE shot: the peak of the unit-area ensemble mean, which sets the shot's mean
    photon occupation (its spikes then carry more photons per mode than the mean, and fewer
    between them); None for the ensemble mean itself (its own peak).  See
    :func:`physics.channels.compute_channels` (``spikes_resolved``).
    """
    if params["spectrum_mode"] != "single":
        return None
    mean = mean_spectrum(energy_ev, params["center_ev"], params["bandwidth_ev"], params["duration_fs"])
    return float(_unit_area(mean, energy_ev).max())


def _unit_area(s, energy_ev):
    s = np.clip(np.asarray(s, dtype=float), 0.0, None)
    area = float(np.trapezoid(s, energy_ev))
    if not area > 0:
        raise ValueError("the incident spectrum has no photons between 765 and 795 eV")
    return s / area


def _measured_ratio(g_s, s, t, step, fwhm):
    """G*(S T) / G*S with a smooth fallback to G*T where the pulse has no photons."""
    eps = 1e-6 * float(g_s.max())
    return (spectra.convolve_gaussian(s * t, step, fwhm) + eps * spectra.convolve_gaussian(t, step, fwhm)) / (g_s + eps)


def evaluate(params: Mapping[str, Any] | None = None, incident: np.ndarray | None = None) -> ModelResult:
    """Evaluate the analytic model (paper Figs. 2, 3) for validated ``params``.

    ``incident`` optionally replaces the model pulse by a measured reference spectrum given on
    :func:`physics.spectra.energy_grid` (any normalisation; the fluence sets its scale).
    """
    p = validate_all(params)
    e = spectra.energy_grid()
    step = float(e[1] - e[0])
    s = incident_spectrum(p, e) if incident is None else _unit_area(incident, e)
    ch = channels.compute_channels(
        e, s, p["fluence_mj_cm2"], p["duration_fs"], p["spike_bandwidth_ev"], p["bandwidth_ev"], p["thickness_nm"],
        reference_peak=reference_peak(p, e) if incident is None else None,
        spikes_resolved=incident is None and p["spectrum_mode"] == "single",
    )
    fwhm = p["resolution_ev"]
    g_s = spectra.convolve_gaussian(s, step, fwhm)
    ratio = lambda t: _measured_ratio(g_s, s, t, step, fwhm)  # noqa: E731 - local shorthand
    t_sp = ratio(ch.spontaneous)
    rixs, rexs, red = ratio(ch.stim_rixs), ratio(ch.stim_rexs), ratio(ch.redistribution)
    t_nl = t_sp + rixs + rexs + red
    inc = p["fluence_mj_cm2"] * g_s
    tr_sp = inc * BACKGROUND_TRANSMISSION * t_sp
    tr_nl = inc * BACKGROUND_TRANSMISSION * t_nl
    diff = inc * BACKGROUND_TRANSMISSION * (t_nl - t_sp)
    feats, strength = _features(e, inc, rixs, rexs, red, diff, ch.a_max)
    return ModelResult(p, e, s, ch, inc, t_sp, t_nl, rixs, rexs, red, tr_sp, tr_nl, diff, feats, strength,
                       extrapolation(p, ch))


def _features(e, inc, rixs, rexs, red, diff, a_max):
    """alpha/beta/gamma positions (paper Fig. 2c-h) from the measured spectra.

    * beta, the redistribution loss: the minimum of the REXS + redistribution change of
      transmission between E_F - 2.5 eV and E_F (it exists when that change is negative);
    * alpha, the stimulated-RIXS gain as a measurement sees it: the maximum of the intensity
      change from RIXS + redistribution below beta (below E_F - 1 eV if there is no beta);
    * gamma, the REXS gain: the maximum of the whole intensity difference above E_F - 0.5 eV.
    An intensity feature weaker than 2 % of the largest |difference|, or any feature whose channel
    change is below 1 % of the XAS maximum, is absent (None): a pulse with no photons near
    774.5 eV has no alpha, and a weak pulse shows no features at all.  ``strength`` is the total change of
    transmission at each feature in units of the spontaneous XAS maximum (negative = loss).
    """
    out: dict[str, float | None] = {"alpha": None, "beta": None, "gamma": None}
    strength: dict[str, float | None] = {"alpha": None, "beta": None, "gamma": None}
    scale = float(np.abs(diff).max())
    total_dt = rixs + rexs + red
    k = BACKGROUND_TRANSMISSION * inc
    window = (e >= FERMI_LEVEL_EV - 2.5) & (e <= FERMI_LEVEL_EV)
    loss = np.where(window, rexs + red, np.inf)
    ib = int(np.argmin(loss))
    alpha_limit = FERMI_LEVEL_EV - 1.0
    if loss[ib] < -_FEATURE_FLOOR * a_max:
        out["beta"] = round(float(e[ib]), 3)
        strength["beta"] = float(total_dt[ib] / a_max)
        alpha_limit = float(e[ib])
    if scale > 0:
        for name, values, channel in (
            ("alpha", np.where(e < alpha_limit, k * (rixs + red), -np.inf), rixs),
            ("gamma", np.where(e > FERMI_LEVEL_EV - 0.5, diff, -np.inf), total_dt),
        ):
            i = int(np.argmax(values))
            if values[i] > _FEATURE_THRESHOLD * scale and channel[i] > _FEATURE_FLOOR * a_max:
                out[name] = round(float(e[i]), 3)
                strength[name] = float(total_dt[i] / a_max)
    return out, strength


def summary(result: ModelResult) -> dict[str, Any]:
    """The public summary (``python -m physics summary --json``); keys are a contract.

    Peak transmissions are the sample's resonant transmission (background removed) at the L3
    maximum; channel peaks are each channel's largest |change of transmission| in units of the
    spontaneous XAS maximum; ``redistribution_lobe_area`` is the gain lobe's area over the L3
    absorbance area (both in units of the XAS maximum).
    """
    ch = result.channels
    e = result.energy_ev
    i = channels.l3_maximum_index(e, ch.spontaneous)
    a = ch.a_max
    red = ch.redistribution
    l3 = e <= 786.0  # L3 white line and its step, before the L2 region
    xas = spectra.xas_absorbance(e)  # the XAS, 1 at its maximum
    lobe = float(np.trapezoid(np.clip(red, 0.0, None) / a, e)) / float(np.trapezoid(xas[l3], e[l3]))
    return {
        "spontaneous_peak_transmission": float(ch.spontaneous[i]),
        "nonlinear_peak_transmission": float(ch.nonlinear[i]),
        "l3_peak_energy_ev": float(e[i]),
        "stim_rixs_peak": float(np.abs(ch.stim_rixs).max() / a),
        "stim_rexs_peak": float(np.abs(ch.stim_rexs).max() / a),
        "redistribution_peak": float(np.abs(red).max() / a),
        "redistribution_lobe_area": lobe,
        "n_pk": float(ch.n_pk),
        "khd_stimulated_fraction": float(ch.stimulated_fraction),
        "khd_stimulated_fraction_eq4": float(ch.stimulated_fraction_eq4),
        "spike_bandwidth_ev": float(ch.spike_bandwidth_ev),
        "rixs_photons_per_absorbed": float(ch.rixs_photons_per_absorbed),
        "features_ev": dict(result.features_ev),
        "feature_strength": dict(result.feature_strength),
        "intensity_mj_cm2_fs": float(result.intensity_mj_cm2_fs),
        "electron_temperature_k": float(ch.electron_temperature_k),
        "electron_temperature_final_k": float(ch.electron_temperature_final_k),
        "absorbed_energy_ev_per_atom": float(ch.absorbed_energy_ev_per_atom),
        "in_measured_range": bool(result.extrapolation.get("in_measured_range", True)),
        "extrapolation_note": result.extrapolation.get("note", ""),
        "net_gain_mechanism": ch.net_gain_mechanism,
        "parameters": dict(result.params),
    }


def spectra_table(result: ModelResult) -> dict[str, np.ndarray]:
    """The ``spectra`` columns (a contract): see :data:`SPECTRA_COLUMNS`."""
    return {
        "energy_ev": result.energy_ev,
        "incident": result.incident,
        "spontaneous_transmission": result.spontaneous_transmission,
        "nonlinear_transmission": result.nonlinear_transmission,
        "stim_rixs": result.stim_rixs,
        "stim_rexs": result.stim_rexs,
        "redistribution": result.redistribution,
        "difference": result.difference,
    }



def gain_operating_point(params: Mapping[str, Any] | None = None) -> dict[str, float]:
    """The KHD operating point of the sliders (n_pk, effective spike bandwidth, stimulated
    fraction in the saturating form and the paper's Eq. 4): the gain figure's star, the KPI card
    and ``summary`` all come from :func:`physics.khd.operating_point`, so they agree.
    """
    p = validate_all(params)
    return khd.operating_point(p["fluence_mj_cm2"], p["duration_fs"], p["spike_bandwidth_ev"], p["bandwidth_ev"])


def measured_range() -> dict[str, Any]:
    """Where the paper measured (for shading the figures outside it).

    Intensities up to 374 mJ/cm^2/fs (9343 mJ/cm^2 in 25 fs), fluences up to 9500 mJ/cm^2, pulse
    lengths 5-25 fs, the 25 nm film.  Outside, the three-channel model is an extrapolation of laws
    calibrated at the top point.
    """
    return {
        "intensity_max_mj_cm2_fs": MEASURED_INTENSITY_MAX_MJ_CM2_FS,
        "fluence_max_mj_cm2": MEASURED_FLUENCE_MAX_MJ_CM2,
        "duration_min_fs": min(MEASURED_DURATIONS_FS),
        "duration_max_fs": max(MEASURED_DURATIONS_FS),
        "thickness_nm": CO_THICKNESS_NM_DEFAULT,
    }


def extrapolation(params: Mapping[str, Any], ch: channels.ChannelResult | None = None) -> dict[str, Any]:
    """Is this pulse inside the paper's measured range?  ``reasons`` lists each way it is not;
    ``note`` is one sentence for a figure caption ('' inside the range).
    """
    r = measured_range()
    intensity = params["fluence_mj_cm2"] / params["duration_fs"]
    reasons = []
    if intensity > r["intensity_max_mj_cm2_fs"] * (1 + 1e-9):
        reasons.append(f"intensity {intensity:.4g} mJ/cm²/fs above the highest measured "
                       f"{r['intensity_max_mj_cm2_fs']:.0f}")
    if params["fluence_mj_cm2"] > r["fluence_max_mj_cm2"]:
        reasons.append(f"fluence above the measured {r['fluence_max_mj_cm2']:.0f} mJ/cm²")
    if not r["duration_min_fs"] <= params["duration_fs"] <= r["duration_max_fs"]:
        reasons.append(f"pulse length outside the measured {r['duration_min_fs']:g}-{r['duration_max_fs']:g} fs")
    if abs(params["thickness_nm"] - r["thickness_nm"]) > 1e-9:
        reasons.append(f"Co thickness other than the measured {r['thickness_nm']:g} nm")
    note = ""
    if reasons:
        note = ("Outside the paper's measured range (" + "; ".join(reasons) + "): the three channels are "
                "extrapolated with their saturation laws (stimulated decay per core hole at most 1/2, "
                "bleaching at most to transparency, depleted pump).")
    if ch is not None and ch.net_gain_mechanism:
        note = (note + " " if note else "") + "T > 1 at the L3 maximum: " + ch.net_gain_mechanism + "."
    return {"in_measured_range": not reasons, "reasons": reasons, "note": note}


def peak_transmission_curve(params: Mapping[str, Any] | None = None, intensities_mj_cm2_fs=None) -> dict[str, list]:
    """The three-channel model's intrinsic peak transmission versus intensity for this pulse
    (Fig. 6's analytic curve).  Default intensities: 16 log-spaced from 0.01 to 1000 mJ/cm^2/fs
    within the fluence slider's range, plus its ends.  ``in_measured_range`` flags each point.
    """
    p = validate_all(params)
    e = spectra.energy_grid()
    s = incident_spectrum(p, e)
    ref = reference_peak(p, e)
    pf = BY_NAME["fluence_mj_cm2"]
    tau = p["duration_fs"]
    if intensities_mj_cm2_fs is None:
        grid = np.geomspace(0.01, 1000.0, 16)
        grid = grid[(grid * tau >= pf.minimum) & (grid * tau <= pf.maximum)]
        intensities_mj_cm2_fs = sorted({pf.minimum / tau, pf.maximum / tau, *grid.tolist()})
    xs, ys, inside = [], [], []
    for inten in intensities_mj_cm2_fs:
        fluence = float(inten) * tau
        ch = channels.compute_channels(e, s, fluence, tau, p["spike_bandwidth_ev"], p["bandwidth_ev"],
                                       p["thickness_nm"], reference_peak=ref, spikes_resolved=ref is not None)
        i = channels.l3_maximum_index(e, ch.spontaneous)
        xs.append(float(inten))
        ys.append(float(ch.nonlinear[i]))
        inside.append(bool(extrapolation(dict(p, fluence_mj_cm2=fluence))["in_measured_range"]))
    return {"intensity_mj_cm2_fs": xs, "peak_transmission": ys, "in_measured_range": inside}
