"""Probe-source presets: published numbers are marked as such, everything else is an assumption."""
import pytest

from physics import probe_sources as ps
from physics import scattering_parameters as sp
from physics.parameters import ParameterError


def test_every_number_has_a_provenance():
    for s in ps.PRESET_SOURCES.values():
        for key in ("resolution_ps", "photons_per_pulse", "rep_rate_hz", "bandwidth_ev", "spot_um", "pulse_fs"):
            assert s.provenance[key].split(":")[0] in ("published", "assumption"), (s.name, key)


def test_published_plasma_source_numbers():
    plasma = ps.PRESET_SOURCES["plasma"]
    assert plasma.resolution_ps == 9.0 and plasma.provenance["resolution_ps"].startswith("published")
    assert plasma.bandwidth_ev == 1.0 and plasma.provenance["bandwidth_ev"].startswith("published")
    for key in ("photons_per_pulse", "rep_rate_hz", "spot_um"):
        assert plasma.provenance[key].startswith("assumption")
    assert ps.PRESET_SOURCES["fel"].resolution_ps == pytest.approx(0.1)
    assert ps.PRESET_SOURCES["synchrotron"].resolution_ps == pytest.approx(50.0)
    assert ps.PRESET_SOURCES["slicing"].photons_per_pulse < ps.PRESET_SOURCES["plasma"].photons_per_pulse


def test_custom_source_comes_from_the_table():
    p = dict(sp.TABLE.defaults(), source="custom", **ps.custom_values_from_preset("fel"))
    s = ps.source_for(p)
    assert (s.name, s.resolution_ps, s.photons_per_pulse) == ("custom", 0.1, 1e10)
    assert s.photons_per_second == pytest.approx(1e10 * 100.0)
    with pytest.raises(ParameterError):
        ps.source_for(p, "hhg")
