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
from .constants import BACKGROUND_TRANSMISSION, FERMI_LEVEL_EV
from .parameters import validate_all
from .pulses import mean_spectrum, sase_pulses, shot_spectra

__all__ = ["ModelResult", "evaluate", "incident_spectrum", "summary", "spectra_table", "SPECTRA_COLUMNS"]

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
        e, s, p["fluence_mj_cm2"], p["duration_fs"], p["spike_bandwidth_ev"], p["bandwidth_ev"], p["thickness_nm"]
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
    return ModelResult(p, e, s, ch, inc, t_sp, t_nl, rixs, rexs, red, tr_sp, tr_nl, diff, feats, strength)


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
    i = int(np.argmin(ch.spontaneous))
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
        "n_pk": float(khd.photon_number(result.intensity_mj_cm2_fs, result.params["spike_bandwidth_ev"])),
        "khd_stimulated_fraction": float(
            khd.stimulated_fraction(khd.photon_number(result.intensity_mj_cm2_fs, result.params["spike_bandwidth_ev"]))
        ),
        "features_ev": dict(result.features_ev),
        "feature_strength": dict(result.feature_strength),
        "intensity_mj_cm2_fs": float(result.intensity_mj_cm2_fs),
        "electron_temperature_k": float(ch.electron_temperature_k),
        "absorbed_energy_ev_per_atom": float(ch.absorbed_energy_ev_per_atom),
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

