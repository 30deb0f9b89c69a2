"""The one definition of every user-facing parameter: unit, default, bounds and scale.

Slider ranges (components/controls.py), URL parsing, server-side validation of callback
inputs and the command line (``python -m physics``) are all generated from ``PARAMETERS``.
Change a bound here and every face of the Explorer follows.  :class:`ParameterTable` holds the
machinery for any page's table; the module-level functions work on this page's ``TABLE``.

Defaults are the paper's top point (Higley et al. 2022, Fig. 3): 7500 mJ/cm^2 in 25 fs,
i.e. 300 mJ/cm^2/fs, with a SASE spectrum covering about 772-782 eV.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

__all__ = [
    "Parameter",
    "ParameterError",
    "ParameterTable",
    "TABLE",
    "PARAMETERS",
    "BY_NAME",
    "defaults",
    "validate",
    "validate_all",
    "parse",
    "parse_all",
    "quantize",
]


class ParameterError(ValueError):
    """A parameter value was rejected; the message names parameter, value and allowed range."""

    def __init__(self, name: str, value: Any, reason: str):
        self.name = name
        self.value = value
        self.reason = reason
        super().__init__(f"{name} = {value!r}: {reason}")


@dataclass(frozen=True)
class Parameter:
    """A typed, bounded parameter.  ``kind`` is float, int or str (with ``choices``)."""

    name: str
    label: str
    unit: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    scale: str = "linear"  # "linear", "log" (slider in log10 space) or "asinh" (log-like through zero)
    step: float | None = None
    kind: type = float
    choices: tuple[str, ...] = ()
    help: str = ""
    advanced: bool = False
    cli_flag: str = ""
    significant_digits: int = 4  # cache keys: nearby slider values share a key
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def flag(self) -> str:
        return self.cli_flag or "--" + self.name.replace("_", "-")

    def to_slider(self, value: float) -> float:
        """Physical value -> slider position: log10 for ``scale="log"``, asinh(x / w) for
        ``scale="asinh"`` (a log-like axis through zero, w = ``extra["asinh_width_ps"]`` or 1), else x."""
        if self.scale == "log":
            return math.log10(value)
        if self.scale == "asinh":
            return math.asinh(value / self._asinh_width)
        return float(value)

    def from_slider(self, position: float) -> float:
        """Inverse of :meth:`to_slider`."""
        if self.scale == "log":
            return 10.0 ** position
        if self.scale == "asinh":
            return math.sinh(position) * self._asinh_width
        return float(position)

    @property
    def _asinh_width(self) -> float:
        return float(self.extra.get("asinh_width_ps", 1.0))

    @property
    def range_text(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        unit = f" {self.unit}" if self.unit else ""
        return f"{_fmt(self.minimum)} to {_fmt(self.maximum)}{unit}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:g}"


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "fluence_mj_cm2", "Fluence", "mJ/cm²", 7500.0, 0.1, 10000.0, scale="log",
        help="Pulse energy per area on the sample. Intensity = fluence / pulse duration. "
        "The paper's highest point is about 300 mJ/cm²/fs.",
    ),
    Parameter(
        "duration_fs", "Pulse duration", "fs", 25.0, 1.0, 100.0, step=0.5,
        help="FWHM length of the SASE pulse envelope (the paper used 5 and 25 fs).",
    ),
    Parameter(
        "center_ev", "Central photon energy", "eV", 777.0, 765.0, 795.0, step=0.1,
        help="Centre of the incident X-ray spectrum. The Co L3 resonance is at 777.6 eV.",
    ),
    Parameter(
        "bandwidth_ev", "Bandwidth (FWHM)", "eV", 8.0, 0.5, 20.0, step=0.1,
        help="Width of the incident spectrum. 8 eV around 777 eV covers 772-782 eV as in the paper.",
    ),
    Parameter(
        "thickness_nm", "Co thickness", "nm", 25.0, 1.0, 200.0, step=1.0, advanced=True,
        help="Total cobalt thickness (the sample has 25 layers of 1 nm).",
    ),
    Parameter(
        "resolution_ev", "Spectrometer resolution", "eV", 0.8, 0.0, 5.0, step=0.05, advanced=True,
        help="Gaussian FWHM of the spectrometer (resolving power about 1000). 0 turns it off.",
    ),
    Parameter(
        "spike_bandwidth_ev", "Spike bandwidth Δpk", "eV", 8.0, 1.0, 20.0, step=0.1, advanced=True,
        help="Bandwidth of one SASE spike in the KHD photon-number estimate (Eq. 3). "
        "0.5-1 fs spikes cover 3.7-7.3 eV.",
    ),
    Parameter(
        "seed", "SASE seed", "", 1, 0, 2**31 - 1, step=1, kind=int, advanced=True,
        help="Random seed of the statistical SASE pulses: the same seed gives the same pulses.",
    ),
    Parameter(
        "n_pulses", "SASE pulses", "", 20, 1, 200, step=1, kind=int, advanced=True, cli_flag="--pulses",
        help="Number of statistical SASE pulses averaged in the ensemble mean.",
    ),
    Parameter(
        "spectrum_mode", "Incident spectrum", "", "mean", kind=str, choices=("mean", "single"),
        advanced=True,
        help="'mean': the smooth SASE ensemble mean; 'single': one spiky shot (chosen by the seed).",
    ),
)

class ParameterTable:
    """One page's parameter definition: lookup, defaults, validation, parsing and quantizing.

    Every page of the Explorer has one table (this module's :data:`TABLE` for the nonlinear
    spectra, ``physics.scattering_parameters.TABLE`` for magnetic scattering); sliders, URL
    parsing, callback validation and the CLI are generated from it.  Immutable.
    """

    __slots__ = ("parameters", "by_name")

    def __init__(self, parameters: tuple[Parameter, ...]):
        params = tuple(parameters)
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError("duplicate parameter names: " + ", ".join(dup))
        object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "by_name", MappingProxyType({p.name: p for p in params}))

    def __setattr__(self, name, value):  # immutable, like the frozen Parameter
        raise AttributeError("ParameterTable is immutable")

    def __iter__(self):
        return iter(self.parameters)

    def __contains__(self, name) -> bool:
        return name in self.by_name

    def defaults(self) -> dict[str, Any]:
        """A fresh dict of every parameter at its default."""
        return {p.name: p.default for p in self.parameters}

    def spec(self, name: str) -> Parameter:
        try:
            return self.by_name[name]
        except KeyError:
            raise ParameterError(name, None, "unknown parameter; known: " + ", ".join(self.by_name)) from None

    def validate(self, name: str, value: Any) -> Any:
        """Check one value (type, finiteness, bounds) and return it normalised.

        Accepts real numbers only (not bool, not strings: use :meth:`parse` for text).
        Raises :class:`ParameterError` with the parameter, value and allowed range.
        """
        p = self.spec(name)
        if p.kind is str:
            if not isinstance(value, str) or value not in p.choices:
                raise ParameterError(name, value, f"must be {p.range_text}")
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ParameterError(name, value, f"must be a number ({p.range_text})")
        try:
            x = float(value)
        except OverflowError:  # e.g. 10**400: an int too large for a double
            raise ParameterError(name, "…", f"must be a finite number ({p.range_text})") from None
        if not math.isfinite(x):
            raise ParameterError(name, value, f"must be a finite number ({p.range_text})")
        if p.kind is int:
            if not x.is_integer():
                raise ParameterError(name, value, f"must be a whole number ({p.range_text})")
        if (p.minimum is not None and x < p.minimum) or (p.maximum is not None and x > p.maximum):
            raise ParameterError(name, value, f"is outside the allowed range {p.range_text}")
        return int(x) if p.kind is int else x

    def parse(self, name: str, text: Any) -> Any:
        """Parse a text value (URL query, CLI argument) and validate it."""
        p = self.spec(name)
        if p.kind is str:
            return self.validate(name, text.strip() if isinstance(text, str) else text)
        if isinstance(text, str):
            s = text.strip()
            if len(s) > 40:
                raise ParameterError(name, text[:40] + "…", f"is not a number ({p.range_text})")
            try:
                value: Any = float(s)
            except ValueError:
                raise ParameterError(name, text, f"is not a number ({p.range_text})") from None
            return self.validate(name, value)
        return self.validate(name, text)

    def validate_all(self, values: Mapping[str, Any] | None = None, *, allow_unknown: bool = False) -> dict[str, Any]:
        """Validate a mapping of parameter values; missing ones take their defaults.

        Unknown names are an error unless ``allow_unknown`` (then they are ignored).
        """
        out = self.defaults()
        for name, value in (values or {}).items():
            if name not in self.by_name:
                if allow_unknown:
                    continue
                self.spec(name)
            out[name] = self.validate(name, value)
        return out

    def parse_all(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], list[ParameterError]]:
        """Lenient parsing for shared URLs: bad or absurd values fall back to defaults.

        Returns the parameters and the list of errors (one per rejected value) so that the
        caller can show a notice.  Unknown keys are ignored.
        """
        out = self.defaults()
        errors: list[ParameterError] = []
        for name, text in values.items():
            if name not in self.by_name:
                continue
            try:
                out[name] = self.parse(name, text)
            except ParameterError as exc:
                errors.append(exc)
        return out, errors

    def quantize(self, name: str, value: Any) -> Any:
        """Round a validated value so that nearby slider positions share one cache key.

        Log-scaled parameters keep ``significant_digits`` significant digits; linear ones are
        rounded to their step.  The result stays within bounds.
        """
        p = self.spec(name)
        if p.kind is not float:
            return value
        x = float(value)
        if p.scale == "log" and x > 0:
            digits = p.significant_digits - 1 - int(math.floor(math.log10(abs(x))))
            x = round(x, digits)
        elif p.step:
            x = round(round(x / p.step) * p.step, 10)
        if p.minimum is not None:
            x = max(x, p.minimum)
        if p.maximum is not None:
            x = min(x, p.maximum)
        return x


TABLE = ParameterTable(PARAMETERS)  # the nonlinear-spectra page; immutable
BY_NAME: Mapping[str, Parameter] = TABLE.by_name


def defaults() -> dict[str, Any]:
    """A fresh dict of every parameter at its default."""
    return TABLE.defaults()


def _spec(name: str) -> Parameter:
    return TABLE.spec(name)


def validate(name: str, value: Any) -> Any:
    """Check one value of the nonlinear-spectra table (see :meth:`ParameterTable.validate`)."""
    return TABLE.validate(name, value)


def parse(name: str, text: Any) -> Any:
    """Parse a text value (URL query, CLI argument) and validate it."""
    return TABLE.parse(name, text)


def validate_all(values: Mapping[str, Any] | None = None, *, allow_unknown: bool = False) -> dict[str, Any]:
    """Validate a mapping of parameter values; missing ones take their defaults."""
    return TABLE.validate_all(values, allow_unknown=allow_unknown)


def parse_all(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[ParameterError]]:
    """Lenient parsing for shared URLs: bad values fall back to defaults, errors are returned."""
    return TABLE.parse_all(values)


def quantize(name: str, value: Any) -> Any:
    """Round a validated value so that nearby slider positions share one cache key."""
    return TABLE.quantize(name, value)
