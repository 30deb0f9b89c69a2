"""The single parameter definition: bounds, validation messages, URL/CLI parsing."""
import math

import pytest

from physics import parameters as P


def test_issue_bounds_and_defaults():
    b = P.BY_NAME
    assert (b["fluence_mj_cm2"].minimum, b["fluence_mj_cm2"].maximum, b["fluence_mj_cm2"].scale) == (0.1, 10000.0, "log")
    assert (b["duration_fs"].minimum, b["duration_fs"].maximum) == (1.0, 100.0)
    assert (b["center_ev"].minimum, b["center_ev"].maximum) == (765.0, 795.0)
    assert (b["bandwidth_ev"].minimum, b["bandwidth_ev"].maximum) == (0.5, 20.0)
    assert b["thickness_nm"].default == 25.0
    assert b["resolution_ev"].default == 0.8
    assert b["spike_bandwidth_ev"].default == 8.0
    # every default lies inside its own bounds and validates
    for p in P.PARAMETERS:
        assert P.validate(p.name, p.default) == p.default


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), True, "300", None, [1.0], {"a": 1}])
def test_rejects_non_finite_and_wrong_types(bad):
    with pytest.raises(P.ParameterError) as exc:
        P.validate("fluence_mj_cm2", bad)
    msg = str(exc.value)
    assert "fluence_mj_cm2" in msg and "0.1 to 10000 mJ/cm²" in msg


def test_huge_integers_are_rejected_not_overflowed():
    with pytest.raises(P.ParameterError, match="finite number"):
        P.validate("fluence_mj_cm2", 10**400)


def test_out_of_range_message_names_parameter_value_and_range():
    with pytest.raises(P.ParameterError) as exc:
        P.validate("center_ev", 900)
    assert str(exc.value) == "center_ev = 900: is outside the allowed range 765 to 795 eV"


def test_integer_parameters_reject_fractions_and_accept_integral_floats():
    assert P.validate("seed", 7.0) == 7 and isinstance(P.validate("seed", 7.0), int)
    with pytest.raises(P.ParameterError, match="whole number"):
        P.validate("n_pulses", 2.5)
    with pytest.raises(P.ParameterError):
        P.validate("n_pulses", 0)


def test_choice_parameter():
    assert P.validate("spectrum_mode", "single") == "single"
    with pytest.raises(P.ParameterError, match="one of mean, single"):
        P.validate("spectrum_mode", "both")


def test_parse_text_values():
    assert P.parse("duration_fs", " 5 ") == 5.0
    for text in ("abc", "nan", "1e999", "", "0x10", "1" * 60):
        with pytest.raises(P.ParameterError):
            P.parse("duration_fs", text)


def test_validate_all_fills_defaults_and_rejects_unknown():
    out = P.validate_all({"duration_fs": 5})
    assert out["duration_fs"] == 5.0 and out["fluence_mj_cm2"] == 7500.0
    with pytest.raises(P.ParameterError, match="unknown parameter"):
        P.validate_all({"__class__": 1})
    assert "junk" not in P.validate_all({"junk": 1}, allow_unknown=True)


def test_parse_all_falls_back_to_defaults_with_errors():
    params, errors = P.parse_all({"fluence_mj_cm2": "1e12", "duration_fs": "5", "center_ev": "NaN", "x": "1"})
    assert params["fluence_mj_cm2"] == 7500.0 and params["center_ev"] == 777.0 and params["duration_fs"] == 5.0
    assert sorted(e.name for e in errors) == ["center_ev", "fluence_mj_cm2"]


def test_quantize_shares_keys_and_stays_in_bounds():
    assert P.quantize("fluence_mj_cm2", 1234.5678) == 1235.0
    assert P.quantize("fluence_mj_cm2", 0.123456) == 0.1235
    assert P.quantize("center_ev", 777.04999) == 777.0
    assert P.quantize("fluence_mj_cm2", 9999.96) <= 10000.0
    assert math.isclose(P.quantize("duration_fs", 4.76), 5.0)
