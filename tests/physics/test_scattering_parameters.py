"""The magnetic-scattering parameter table, presets and the backwards-compatible ParameterTable."""
import math

import pytest

from physics import parameters as P
from physics import scattering_parameters as S


def test_every_default_and_preset_validates():
    for p in S.PARAMETERS:
        assert S.TABLE.validate(p.name, p.default) == p.default
    assert set(S.PRESETS) == {"copd_stripes", "copd_labyrinth", "fegd_illustrative"}
    for preset in S.PRESETS.values():
        assert S.TABLE.validate_all(dict(preset.values)) == dict(preset.values)
    assert "ILLUSTRATIVE" in S.PRESETS["fegd_illustrative"].description
    assert S.PRESETS["copd_stripes"].values["pattern"] == "stripes"


def test_flags_named_after_the_definition():
    flags = {p.flag for p in S.PARAMETERS}
    for f in ("--pattern", "--period-nm", "--wall-nm", "--duty", "--energy-ev", "--thickness-nm", "--detector-m",
              "--amplitude-fast", "--tau-demag-ps", "--tau-recovery-ps", "--amplitude-slow", "--tau-slow-ps",
              "--source", "--resolution-ps", "--seed"):
        assert f in flags


def test_bad_values_name_parameter_and_range():
    with pytest.raises(P.ParameterError, match="period_nm = 5.0: is outside the allowed range 30 to 1000 nm"):
        S.TABLE.parse("period_nm", "5")
    with pytest.raises(P.ParameterError, match="one of fel, plasma, synchrotron, slicing, custom"):
        S.TABLE.validate("source", "hhg")
    with pytest.raises(P.ParameterError, match="unknown parameter"):
        S.TABLE.validate_all({"fluence_mj_cm2": 1.0})
    values, errors = S.TABLE.parse_all({"duty": "0.99", "wall_nm": "nan", "period_nm": "200"})
    assert values["period_nm"] == 200.0 and values["duty"] == 0.5 and len(errors) == 2


def test_first_page_functions_are_unchanged_views_of_its_table():
    assert P.BY_NAME is P.TABLE.by_name and P.defaults() == P.TABLE.defaults()
    assert P.validate("seed", 7.0) == 7 and P.quantize("fluence_mj_cm2", 1234.5678) == 1235.0
    assert "delay_ps" not in P.TABLE and "delay_ps" in S.TABLE
    with pytest.raises(AttributeError):
        S.TABLE.parameters = ()


def test_asinh_delay_axis_round_trip_and_is_log_like():
    p = S.BY_NAME["delay_ps"]
    for t in (-20.0, -0.3, 0.0, 1.0, 2000.0):
        assert p.from_slider(p.to_slider(t)) == pytest.approx(t, abs=1e-12)
    # log-like: 1 ps -> 10 ps -> 100 ps are nearly equal slider steps far from zero
    s = [p.to_slider(x) for x in (10.0, 100.0, 1000.0)]
    assert s[1] - s[0] == pytest.approx(math.log(10.0), rel=0.01)
    assert s[2] - s[1] == pytest.approx(math.log(10.0), rel=1e-3)


def test_pattern_key_ignores_what_does_not_change_the_pattern():
    a = S.TABLE.defaults()
    b = dict(a, energy_ev=780.0, delay_ps=100.0, source="fel")
    assert S.pattern_key(a) == S.pattern_key(b)
    assert S.pattern_key(a) != S.pattern_key(dict(a, seed=2))
    stripes = dict(a, pattern="stripes")
    assert S.pattern_key(stripes) == S.pattern_key(dict(stripes, seed=5, disorder=0.3))
