"""Probe sources for pump-probe magnetic SAXS: presets with editable numbers, and where each comes from.

Every number carries its provenance: "published" (with the reference) or "assumption" (an
editable planning number; never the source paper's).  Published facts (shared reference, section 1):
* laser-driven plasma source: 9 ps time resolution and about 1 eV bandwidth (Lunin et al., Light
  Sci. Appl. 14, 394 (2025)); its flux, repetition rate and spot on the sample are not published.
* FEL pulses are 10-100 fs (Pfau et al., Nat. Commun. 3, 1100 (2012) reached 240 fs overall at FLASH).
* synchrotron bunches about 50-100 ps; femtoslicing about 100 fs at very low flux.
The ≈0.1 ps FEL/slicing and ≈50 ps synchrotron resolutions are the typical values of those ranges.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .frozen import FrozenMapping
from .parameters import ParameterError
from .scattering_parameters import SOURCE_KEYS

__all__ = ["ProbeSource", "PRESET_SOURCES", "SOURCE_NAMES", "source_for", "custom_values_from_preset"]

PUBLISHED = "published"
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class ProbeSource:
    """One probe: time resolution (Gaussian IRF FWHM), photons per pulse on the sample, repetition
    rate of pumped pulses, bandwidth (FWHM), spot diameter (FWHM) and X-ray pulse length."""

    name: str
    label: str
    resolution_ps: float
    photons_per_pulse: float
    rep_rate_hz: float
    bandwidth_ev: float
    spot_um: float
    pulse_fs: float
    provenance: Mapping[str, str] = field(default_factory=FrozenMapping)

    @property
    def photons_per_second(self) -> float:
        return self.photons_per_pulse * self.rep_rate_hz

    def as_dict(self) -> dict[str, Any]:
        return dict(name=self.name, label=self.label, resolution_ps=self.resolution_ps,
                    photons_per_pulse=self.photons_per_pulse, rep_rate_hz=self.rep_rate_hz,
                    bandwidth_ev=self.bandwidth_ev, spot_um=self.spot_um, pulse_fs=self.pulse_fs,
                    provenance=dict(self.provenance))


def _prov(**kw: str) -> Mapping[str, str]:
    return FrozenMapping(kw)


PRESET_SOURCES: Mapping[str, ProbeSource] = MappingProxyType({
    "fel": ProbeSource(
        "fel", "X-ray FEL", 0.1, 1e10, 100.0, 0.5, 50.0, 30.0,
        _prov(resolution_ps=f"{PUBLISHED}: FEL pulses 10-100 fs; 0.1 ps overall with pump and jitter is typical "
              "(Pfau et al. 2012: 240 fs)",
              photons_per_pulse=f"{ASSUMPTION}: attenuated, monochromatised beam on the sample",
              rep_rate_hz=f"{ASSUMPTION}", bandwidth_ev=f"{ASSUMPTION}: after a monochromator",
              spot_um=f"{ASSUMPTION}", pulse_fs=f"{ASSUMPTION}: within the published 10-100 fs"),
    ),
    "plasma": ProbeSource(
        "plasma", "Laser-driven plasma source (lab)", 9.0, 1e3, 1000.0, 1.0, 100.0, 9000.0,
        _prov(resolution_ps=f"{PUBLISHED}: 9 ps (Lunin et al. 2025)",
              photons_per_pulse=f"{ASSUMPTION}: not published",
              rep_rate_hz=f"{ASSUMPTION}: not published",
              bandwidth_ev=f"{PUBLISHED}: monochromatised to about 1 eV (Lunin et al. 2025)",
              spot_um=f"{ASSUMPTION}: not published",
              pulse_fs=f"{ASSUMPTION}: taken equal to the 9 ps resolution"),
    ),
    "synchrotron": ProbeSource(
        "synchrotron", "Synchrotron (ordinary bunches)", 50.0, 1e4, 1e5, 0.2, 50.0, 50000.0,
        _prov(resolution_ps=f"{PUBLISHED}: bunches about 50-100 ps",
              photons_per_pulse=f"{ASSUMPTION}", rep_rate_hz=f"{ASSUMPTION}: pumped bunches per second",
              bandwidth_ev=f"{ASSUMPTION}", spot_um=f"{ASSUMPTION}", pulse_fs=f"{ASSUMPTION}: equal to the resolution"),
    ),
    "slicing": ProbeSource(
        "slicing", "Synchrotron femtoslicing", 0.1, 100.0, 6000.0, 0.5, 100.0, 100.0,
        _prov(resolution_ps=f"{PUBLISHED}: about 100 fs",
              photons_per_pulse=f"{ASSUMPTION}: 'very low flux' is published, the number is not",
              rep_rate_hz=f"{ASSUMPTION}", bandwidth_ev=f"{ASSUMPTION}", spot_um=f"{ASSUMPTION}",
              pulse_fs=f"{ASSUMPTION}: about 100 fs"),
    ),
})
SOURCE_NAMES: tuple[str, ...] = tuple(PRESET_SOURCES) + ("custom",)

_CUSTOM_KEYS = SOURCE_KEYS


def source_for(params: Mapping[str, Any], name: str | None = None) -> ProbeSource:
    """The probe for ``params["source"]`` (or ``name``): a preset, or "custom" built from the table's
    resolution_ps, photons_per_pulse, rep_rate_hz, bandwidth_ev and spot_um (pulse = resolution)."""
    name = name or params["source"]
    if name in PRESET_SOURCES:
        return PRESET_SOURCES[name]
    if name != "custom":
        raise ParameterError("source", name, "must be one of " + ", ".join(SOURCE_NAMES))
    v = {k: float(params[k]) for k in _CUSTOM_KEYS}
    return ProbeSource("custom", "Custom source", v["resolution_ps"], v["photons_per_pulse"], v["rep_rate_hz"],
                       v["bandwidth_ev"], v["spot_um"], v["resolution_ps"] * 1e3,
                       _prov(**{k: f"{ASSUMPTION}: user value" for k in (*_CUSTOM_KEYS, "pulse_fs")}))


def custom_values_from_preset(name: str) -> dict[str, float]:
    """The custom-source parameter values equal to a preset (to start editing from it)."""
    s = PRESET_SOURCES[name]
    return {k: getattr(s, k) for k in _CUSTOM_KEYS}
