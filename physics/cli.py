"""``python -m physics``: the Explorer's physics from the command line, for lab scripts.

Sub-commands (their names, options and JSON keys are a public contract):

  summary      headline numbers for one pulse (peak transmissions, channel sizes, n_pk, ...)
  spectra      the spectra on the 765-795 eV grid as CSV or JSON
  parameters   every parameter with unit, default and allowed range
  gain, transmission-curve   Maxwell-Bloch/KHD curves (see ``physics/mb_cli.py``)

Every pulse option comes from the one parameter definition (``physics/parameters.py``).  Bad
values exit with status 2 and a one-line message naming the parameter and the allowed range.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from typing import Any, Sequence

from .parameters import PARAMETERS, TABLE, Parameter, ParameterError, ParameterTable

__all__ = ["main", "build_parser", "add_parameter_options", "params_from_args"]

_DESCRIPTION = """\
Nonlinear X-ray Spectra Explorer - physics from the command line.

An intense X-ray laser pulse at the Co L3 edge (778 eV) passes through a 25 nm Co/Pd
film.  At low fluence the film absorbs as usual (34 % transmission at the L3 peak).  At
high intensity three things change the transmission (Higley et al., Nat. Commun. 2022):
stimulated inelastic scattering (RIXS, gain near 775 eV), stimulated elastic scattering
(REXS, gain at 778 eV) and hot electrons (loss below 777.5 eV, gain above).

Examples:
  python -m physics summary --fluence-mj-cm2 7500 --duration-fs 25 --json
  python -m physics spectra --center-ev 781 --bandwidth-ev 3 --format csv > shifted.csv
  python -m physics gain --model khd --duration-fs 5 --json
"""


def _json_default(obj: Any):
    try:
        import numpy as np

        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if isinstance(obj, np.generic):
            return obj.item()
    except ImportError:  # pragma: no cover - numpy is a hard dependency
        pass
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean(obj: Any):
    """Replace non-finite floats by None so the output is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def dumps(obj: Any) -> str:
    """Strict JSON (no NaN), numpy arrays as lists."""
    return json.dumps(_clean(json.loads(json.dumps(obj, default=_json_default))), indent=2, allow_nan=False)


def add_parameter_options(parser: argparse.ArgumentParser, names: Sequence[str] | None = None, *,
                          table: Sequence[Parameter] = PARAMETERS,
                          title: str = "pulse and sample (defaults: the paper's top point)") -> None:
    """Add ``--flag`` options for the given parameters of ``table`` (all by default), parsed as text."""
    group = parser.add_argument_group(title)
    for p in table:
        if names is not None and p.name not in names:
            continue
        unit = f" [{p.unit}]" if p.unit else ""
        group.add_argument(
            p.flag,
            dest=p.name,
            metavar="MODE" if p.choices else ("N" if p.kind is int else "X"),
            default=None,
            help=f"{p.help} Range: {p.range_text}; default {p.default}{unit}.",
        )


def params_from_args(args: argparse.Namespace, names: Sequence[str] | None = None, *,
                     table: ParameterTable = TABLE) -> dict[str, Any]:
    """Validated parameter values given on the command line (others are left to defaults)."""
    out: dict[str, Any] = {}
    for p in table:
        if names is not None and p.name not in names:
            continue
        raw = getattr(args, p.name, None)
        if raw is not None:
            out[p.name] = table.parse(p.name, raw)
    return out


def _cmd_summary(args: argparse.Namespace) -> int:
    from . import model

    result = model.evaluate(params_from_args(args))
    data = model.summary(result)
    if args.json:
        print(dumps(data))
        return 0
    feats = data["features_ev"]
    fmt = lambda v: "absent" if v is None else f"{v:.2f} eV"  # noqa: E731
    print(
        f"Intensity {data['intensity_mj_cm2_fs']:.4g} mJ/cm^2/fs, n_pk = {data['n_pk']:.3g} photons per mode\n"
        f"Resonant transmission at the L3 maximum ({data['l3_peak_energy_ev']:.2f} eV): "
        f"spontaneous {data['spontaneous_peak_transmission']:.3f} -> "
        f"nonlinear {data['nonlinear_peak_transmission']:.3f}\n"
        f"Channels (peak, in units of the XAS maximum): stimulated RIXS {data['stim_rixs_peak']:.3f}, "
        f"stimulated REXS {data['stim_rexs_peak']:.3f}, redistribution {data['redistribution_peak']:.3f} "
        f"(lobe area {data['redistribution_lobe_area']:.3f} of the L3 area)\n"
        f"Stimulated RIXS photons per absorbed L3 photon {data['rixs_photons_per_absorbed']:.3f}; KHD per core hole: "
        f"Eq. 4 {data['khd_stimulated_fraction_eq4']:.3f}, saturating {data['khd_stimulated_fraction']:.3f} "
        f"(spike bandwidth {data['spike_bandwidth_ev']:.3g} eV)\n"
        f"Hot electrons: T_e = {data['electron_temperature_k']:.0f} K seen by the pulse, "
        f"{data['electron_temperature_final_k']:.0f} K after it\n"
        f"Features: alpha {fmt(feats['alpha'])}, beta {fmt(feats['beta'])}, gamma {fmt(feats['gamma'])}"
        + (f"\nNote: {data['extrapolation_note']}" if data["extrapolation_note"] else "")
    )
    return 0


def _cmd_spectra(args: argparse.Namespace) -> int:
    from . import model

    table = model.spectra_table(model.evaluate(params_from_args(args)))
    if args.format == "json":
        print(dumps({k: v for k, v in table.items()}))
        return 0
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(model.SPECTRA_COLUMNS)
    cols = [table[c] for c in model.SPECTRA_COLUMNS]
    for row in zip(*cols):
        writer.writerow([f"{float(v):.10g}" for v in row])
    sys.stdout.write(buf.getvalue())
    return 0


def print_parameters(table: Sequence[Parameter], as_json: bool) -> int:
    """Every parameter of a table with unit, default and allowed range (JSON or one line each)."""
    rows = [
        {
            "name": p.name, "flag": p.flag, "label": p.label, "unit": p.unit, "default": p.default,
            "minimum": p.minimum, "maximum": p.maximum, "scale": p.scale, "choices": list(p.choices),
            "help": p.help,
        }
        for p in table
    ]
    if as_json:
        print(dumps(rows))
    else:
        for p in table:
            print(f"{p.flag:<22} {p.label} [{p.unit or '-'}], default {p.default}, {p.range_text}")
    return 0


def _cmd_parameters(args: argparse.Namespace) -> int:
    return print_parameters(PARAMETERS, args.json)



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m physics", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p_sum = sub.add_parser("summary", help="headline numbers for one pulse",
                           description="Headline numbers for one pulse: peak transmissions, the three channels, n_pk.")
    add_parameter_options(p_sum)
    p_sum.add_argument("--json", action="store_true", help="print JSON (keys are a stable contract)")
    p_sum.set_defaults(func=_cmd_summary)

    p_spec = sub.add_parser("spectra", help="spectra on the 765-795 eV grid (CSV or JSON)",
                            description="Columns: " + ", ".join(_spectra_columns()) + ". Intensities in mJ/cm^2/eV "
                            "as the spectrometer records them; difference = incident x 0.55 x (nonlinear - spontaneous).")
    add_parameter_options(p_spec)
    p_spec.add_argument("--format", choices=("csv", "json"), default="csv", help="output format (default csv)")
    p_spec.set_defaults(func=_cmd_spectra)

    p_par = sub.add_parser("parameters", help="list every parameter with unit, default and range")
    p_par.add_argument("--json", action="store_true", help="print JSON")
    p_par.set_defaults(func=_cmd_parameters)

    try:
        from . import mb_cli
    except ImportError:  # the Maxwell-Bloch commands are optional until that module exists
        mb_cli = None
    if mb_cli is not None:
        mb_cli.add_subcommands(sub)
    from . import scattering_cli  # second science area: ``python -m physics scattering ...``

    scattering_cli.add_subcommands(sub)
    return parser


def _spectra_columns():
    from .model import SPECTRA_COLUMNS

    return SPECTRA_COLUMNS


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OverflowError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `| head`
        return 0
