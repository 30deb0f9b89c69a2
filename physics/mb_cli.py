"""Command-line faces of the Maxwell-Bloch engine: ``gain`` and ``transmission-curve``.

``physics/cli.py`` calls :func:`add_subcommands` on its argparse sub-parsers.  Each sub-command
stores its handler as ``func`` (and ``handler``); a handler takes the parsed namespace, prints
JSON (``--json``) or a readable table and returns 0.  Bad values print a one-line message to
stderr and raise ``SystemExit(2)`` (never a traceback).  Standalone use:
``python -m physics.mb_cli gain --model mb --duration-fs 5 --json``.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from . import maxwell_bloch as mb
from .parameters import BY_NAME, ParameterError, parse

__all__ = ["add_subcommands", "build_parser", "main", "run_gain", "run_transmission_curve"]

MAX_POINTS = 200
INTENSITY_RANGE = (1e-4, 1e5)  # mJ/cm^2/fs


def _fail(message: str):
    """Print a one-line error and exit with status 2 (no traceback)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _list(text: str, name: str, lo: float, hi: float, unit: str) -> np.ndarray:
    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    if not parts:
        raise ParameterError(name, text, "needs at least one number, e.g. 10,100,1000")
    if len(parts) > MAX_POINTS:
        raise ParameterError(name, f"{len(parts)} values", f"at most {MAX_POINTS} values")
    out = []
    for p in parts:
        try:
            x = float(p)
        except ValueError:
            raise ParameterError(name, p, f"is not a number (comma-separated list, {lo:g} to {hi:g} {unit})") from None
        if not math.isfinite(x) or x < lo or x > hi:
            raise ParameterError(name, p, f"is outside the allowed range {lo:g} to {hi:g} {unit}")
        out.append(x)
    return np.array(out)


def _common(args):
    return tuple(parse(name, getattr(args, name)) for name in ("duration_fs", "bandwidth_ev", "center_ev",
                                                                "n_pulses", "seed"))


def run_gain(args) -> int:
    """Handler of ``gain``: efficiency versus fluence for the MB or KHD model."""
    try:
        duration, bandwidth, center, n_pulses, seed = _common(args)
        fl = None
        if args.fluences_mj_cm2 is not None:
            p = BY_NAME["fluence_mj_cm2"]
            fl = _list(args.fluences_mj_cm2, "fluences_mj_cm2", p.minimum, p.maximum, "mJ/cm^2")
    except ParameterError as exc:
        return _fail(str(exc))
    kw = dict(bandwidth_ev=bandwidth, center_ev=center, n_pulses=n_pulses, seed=seed, fluences_mj_cm2=fl)
    both = args.propagation == "both"
    prop = "thin" if both else args.propagation
    if args.model in ("khd", "khd-eq4"):
        curve = mb.khd_gain_curve(duration, propagation=prop, form="eq4" if args.model == "khd-eq4" else "saturating",
                                  **kw)
        other = None
    else:
        curve = mb.gain_curve(duration, propagation=prop, **kw)
        other = mb.gain_curve(duration, propagation="slices", **kw) if both else None
    if args.json:
        out = {
            "model": curve.model,
            "duration_fs": duration,
            "bandwidth_ev": bandwidth,
            "center_ev": center,
            "pulses": n_pulses,
            "seed": seed,
            "propagation": curve.propagation,
            "points": curve.points(),
        }
        if other is not None:
            out["points_slices"] = other.points()
        out["measured"] = [m for m in mb.measured_points() if m["duration_fs"] == duration] or mb.measured_points()
        print(json.dumps(out))
        return 0
    print(f"# {curve.model.upper()} stimulated-RIXS efficiency, {duration:g} fs, {bandwidth:g} eV FWHM "
          f"at {center:g} eV, {n_pulses} SASE pulses, seed {seed}")
    head = f"{'fluence':>10} {'intensity':>10} {'efficiency':>11} {'std':>8} {'stim.frac':>10}"
    if other is not None:
        head = f"{'fluence':>10} {'intensity':>10} {'eff(thin)':>11} {'eff(slices)':>11} {'thin/slices':>11} {'std':>8}"
    print(head)
    print(f"{'mJ/cm2':>10} {'mJ/cm2/fs':>10}")
    for i, row in enumerate(curve.points()):
        if other is None:
            print(f"{row['fluence_mj_cm2']:10.4g} {row['intensity_mj_cm2_fs']:10.4g} {row['efficiency']:11.4g} "
                  f"{row['efficiency_std']:8.2g} {row['stimulated_fraction']:10.4g}")
        else:
            s = other.points()[i]["efficiency"]
            ratio = row["efficiency"] / s if s else float("nan")
            print(f"{row['fluence_mj_cm2']:10.4g} {row['intensity_mj_cm2_fs']:10.4g} {row['efficiency']:11.4g} "
                  f"{s:11.4g} {ratio:11.3g} {row['efficiency_std']:8.2g}")
    return 0


def run_transmission_curve(args) -> int:
    """Handler of ``transmission-curve``: two-level Bloch peak transmission versus intensity."""
    try:
        duration, bandwidth, center, n_pulses, seed = _common(args)
        inten = None
        if args.intensities_mj_cm2_fs is not None:
            inten = _list(args.intensities_mj_cm2_fs, "intensities_mj_cm2_fs", *INTENSITY_RANGE, "mJ/cm^2/fs")
    except ParameterError as exc:
        return _fail(str(exc))
    curve = mb.transmission_curve(duration, inten, bandwidth_ev=bandwidth, center_ev=center,
                                  n_pulses=n_pulses, seed=seed, model=args.model)
    if args.json:
        print(json.dumps({
            "duration_fs": duration, "bandwidth_ev": bandwidth, "center_ev": center, "pulses": n_pulses,
            "seed": seed, "model": curve.model, "linear_transmission": curve.linear_transmission,
            "points": curve.points(),
        }))
        return 0
    print(f"# {curve.description} - peak resonant transmission (25 nm Co), {duration:g} fs SASE pulses")
    print(f"{'intensity mJ/cm2/fs':>20} {'transmission':>13} {'std':>8}")
    for i, t, s in zip(curve.intensity_mj_cm2_fs, curve.peak_transmission, curve.std):
        print(f"{i:20.4g} {t:13.4f} {s:8.2g}")
    return 0


def _add_pulse_options(p, default_pulses: int):
    """The pulse options, generated from the one parameter definition (flag, help, range); only the
    defaults are the Maxwell-Bloch engine's own (4 eV SASE centred on the L3 maximum, as the paper's
    model; the dashboard's defaults describe the measured pulses)."""
    defaults = {"duration_fs": None, "bandwidth_ev": mb.DEFAULT_BANDWIDTH_EV, "center_ev": mb.DEFAULT_CENTER_EV,
                "n_pulses": default_pulses, "seed": BY_NAME["seed"].default}
    for name, default in defaults.items():
        spec = BY_NAME[name]
        if default is None:
            p.add_argument(spec.flag, dest=name, required=True, metavar="X",
                           help=f"{spec.help} Range: {spec.range_text}. Required.")
        else:
            p.add_argument(spec.flag, dest=name, default=f"{default:g}", metavar="N" if spec.kind is int else "X",
                           help=f"{spec.help} Range: {spec.range_text}.")  # the formatter adds the default
    p.add_argument("--json", action="store_true", help="Print machine-readable JSON instead of a table.")


def add_subcommands(subparsers) -> None:
    """Register ``gain`` and ``transmission-curve`` on an argparse sub-parsers object."""
    g = subparsers.add_parser(
        "gain",
        help="stimulated-RIXS efficiency versus fluence (Maxwell-Bloch or KHD)",
        description="Stimulated RIXS efficiency of the Co/Pd film versus X-ray fluence (paper Fig. 5). "
                    "'mb' solves the three-level Maxwell-Bloch equations for statistical SASE pulses; "
                    "'khd' is the Kramers-Heisenberg-Dirac photon-number estimate. Efficiency = "
                    "stimulated gain in 775-777 eV divided by the energy absorbed in 777-779 eV "
                    "(a fraction, 0.01 = 1 %).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    g.add_argument("--model", choices=("mb", "khd", "khd-eq4"), default="mb",
                   help="mb = Maxwell-Bloch simulation; khd-eq4 = the paper's Eq. 4, n_pk Yf (instant, "
                        "unbounded); khd = its extension saturating at 1/2 per core hole (instant).")
    _add_pulse_options(g, 20)
    g.add_argument("--fluences-mj-cm2", default=None, metavar="F1,F2,...",
                   help="Comma-separated fluences in mJ/cm^2 (0.1-10000). Default: 24 values "
                        "log-spaced from 0.1 to 10000.")
    g.add_argument("--propagation", choices=("thin", "slices", "both"), default="thin",
                   help="thin = the paper's thin-slab formula (Eq. 24); slices = propagate the field "
                        "slice by slice through the 25 nm of Co; both = show them side by side.")
    g.set_defaults(func=run_gain, handler=run_gain)

    t = subparsers.add_parser(
        "transmission-curve",
        help="peak resonant transmission versus intensity (two-level Bloch)",
        description="Peak resonant transmission of 25 nm of Co at the L3 maximum versus intensity "
                    "(paper Fig. 6), from two-level Bloch equations for SASE pulses propagated slice "
                    "by slice through the film. 0.345 = the measured low-intensity value.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    _add_pulse_options(t, 8)
    t.add_argument("--model", choices=tuple(mb.TRANSMISSION_MODELS), default="atomic",
                   help="atomic = the atomic dipole (bleaches little); khd = the Eq. 4 (KHD) stimulated rate "
                        "with randomly oriented dipoles, the option that reproduces the paper's Fig. 6 "
                        "without a free parameter (see docs/maxwell_bloch.md).")
    t.add_argument("--intensities-mj-cm2-fs", default=None, metavar="I1,I2,...",
                   help="Comma-separated intensities (fluence / duration) in mJ/cm^2/fs. Default: "
                        "11 values from 0.01 to 1000.")
    t.set_defaults(func=run_transmission_curve, handler=run_transmission_curve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m physics.mb_cli",
                                     description="Maxwell-Bloch engine of the Nonlinear X-ray Spectra Explorer.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_subcommands(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
