"""The bridge to the first page: the X-ray probe's own demagnetisation."""
import math

import numpy as np
import pytest

from physics import channels
from physics import self_demagnetization as sd


def test_adapter_uses_the_first_pages_heating():
    # hand calculation of the first page's laws: E = F * 62.415 eV/nm² per mJ/cm² * A / (ρ d); Sommerfeld T_e
    f, a, d = 500.0, 0.6, 25.0
    e_abs = f * 62.415091 * a / (91.0 * d)
    te = math.sqrt(300.0**2 + 2.0 * channels.CALIBRATION.thermalized_fraction * e_abs / channels.CO_GAMMA_E_EV_K2)
    assert sd._page1_electron_heating(f, a, d) == pytest.approx(te, rel=1e-5)


def test_peak_fluence_hand_calculation():
    # 1e10 photons of 778 eV = 1.2465 µJ... per pulse into a 50 µm FWHM Gaussian: 4 ln2 E / (π D²)
    energy_mj = 1e10 * 778.0 * 1.602176634e-19 * 1e3
    expected = 4 * math.log(2) * energy_mj / (math.pi * (50e-4) ** 2)
    assert sd.peak_fluence_mj_cm2(1e10, 778.0, 50.0) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(44.0, abs=0.5)


def test_weak_probes_keep_the_scattering_and_strong_ones_lose_it():
    fl = np.geomspace(1e-3, 1e4, 30)
    curves = sd.retained_curves(fl, (5.0, 25.0, 100.0), 777.6, 25.0, 1388.0)
    for c in curves.values():
        assert c[0] == pytest.approx(1.0, abs=1e-6) and np.all(np.diff(c) <= 1e-12)
    # the same fluence in a longer pulse leaves more time to demagnetise within the pulse
    assert curves[5.0][-1] > curves[25.0][-1] > curves[100.0][-1]
    assert curves[100.0][-1] < 0.1
    local = sd.local_scattering_retained(np.array([1e4]), 100.0, 777.6, 25.0, 1388.0)
    assert local[0] < curves[100.0][-1]  # the spot average includes the weaker wings


def test_thicker_absorption_below_the_edge_heats_less():
    below = sd.local_scattering_retained(np.array([300.0]), 25.0, 770.0, 25.0, 1388.0)[0]
    at_edge = sd.local_scattering_retained(np.array([300.0]), 25.0, 777.6, 25.0, 1388.0)[0]
    assert below > at_edge
