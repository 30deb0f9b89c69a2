"""``python -m physics scattering ...``: the magnetic-scattering page from the command line.

Sub-commands (names, options and JSON keys are a public contract):

  summary     ring position and width, harmonics, best energy, photon budget for one parameter set
  dynamics    M(t) true and as the chosen source records it, with the minimum and its time
  parameters  every parameter of this page with unit, default and range
  presets     the named presets (Co/Pd stripes, Co/Pd labyrinth, FeGd-like illustrative)

Options come from the one parameter definition (``physics/scattering_parameters.py``); ``--preset``
applies a preset first and explicit options override it.  Bad values exit with status 2 and one line.
"""
from __future__ import annotations

import argparse

from .cli import add_parameter_options, dumps, params_from_args, print_parameters
from .parameters import ParameterError
from .scattering_parameters import PARAMETERS, PRESETS, TABLE

__all__ = ["add_subcommands", "params_from_namespace"]

_DESCRIPTION = """\
Time-resolved resonant magnetic small-angle scattering from Co/Pd domains (after Lunin et al.,
Light Sci. Appl. 14, 394 (2025)): the ring of the domain pattern at q1 = 2π/P, its strength
|f_m(E)|² T(E) at the Co L3 edge, demagnetisation M(t) as an FEL, the laboratory plasma source
(9 ps), a synchrotron or femtoslicing would record it, and the photon budget.  Numbers the source
paper does not publish (period, fluence, flux, repetition rate) are editable assumptions.

Examples:
  python -m physics scattering summary --pattern stripes --period-nm 150 --json
  python -m physics scattering dynamics --source fel --json
  python -m physics scattering summary --preset copd_labyrinth --source custom --photons-per-pulse 1e4
"""


def params_from_namespace(args: argparse.Namespace) -> dict:
    """Preset values (if ``--preset``) overridden by the options given explicitly."""
    values = {}
    if getattr(args, "preset", None):
        if args.preset not in PRESETS:
            raise ParameterError("preset", args.preset, "must be one of " + ", ".join(PRESETS))
        values.update(PRESETS[args.preset].values)
    values.update(params_from_args(args, table=TABLE))
    return TABLE.validate_all(values)


def _cmd_summary(args: argparse.Namespace) -> int:
    from . import scattering_model

    data = scattering_model.summary(scattering_model.evaluate(params_from_namespace(args)))
    if args.json:
        print(dumps(data))
        return 0
    h = data["harmonic_ratios"]
    print(
        f"Ring q1 = {data['q1_nm_inv']:.5f} nm^-1 (2θ = {data['two_theta_deg']:.3f}°, {data['ring_radius_mm']:.2f} mm "
        f"on the detector), FWHM {data['ring_fwhm_nm_inv']:.4g} nm^-1, ξ = {data['correlation_length_nm']:.4g} nm"
        f"{' (resolution-limited)' if data['ring_resolution_limited'] else ''}\n"
        f"Harmonics I2/I1 {h['2']:.4g}, I3/I1 {h['3']:.4g}, I5/I1 {h['5']:.4g}\n"
        f"Best energy {data['best_energy_ev']:.2f} eV (|f_m| maximum {data['fm_max_energy_ev']:.2f} eV); "
        f"operating at {data['energy_ev']:.2f} eV\n"
        f"Source {data['source']} ({data['resolution_ps']:g} ps): {data['counts_per_pulse']:.4g} photons per pulse "
        f"in the first ring, {data['counts_per_second']:.4g} per second; {data['acquisition_time_s']:.3g} s per delay "
        f"to resolve ΔM = {data['delta_m']:g} at SNR {data['snr']:g}\n"
        f"Measured minimum M = {data['min_m_measured']:.3f} at {data['t_min_ps']:.2f} ps"
    )
    return 0


def _cmd_dynamics(args: argparse.Namespace) -> int:
    from . import scattering_model

    data = scattering_model.dynamics_points(scattering_model.evaluate(params_from_namespace(args)))
    if args.json:
        print(dumps(data))
        return 0
    print(f"# source {data['source']} ({data['resolution_ps']:g} ps), model {data['model']}; "
          f"min M_meas {data['min_m_measured']:.4f} at {data['t_min_ps']:.3f} ps")
    print("t_ps,m_true,m_measured")
    for pt in data["points"]:
        print(f"{pt['t_ps']:.6g},{pt['m_true']:.6f},{pt['m_measured']:.6f}")
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    rows = {name: dict(label=p.label, description=p.description, values=dict(p.values)) for name, p in PRESETS.items()}
    if args.json:
        print(dumps(rows))
    else:
        for name, r in rows.items():
            print(f"{name:<20} {r['label']}: {r['description']}")
    return 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", metavar="NAME", default=None,
                        help="start from a preset: " + ", ".join(PRESETS) + " (explicit options override it)")
    add_parameter_options(parser, table=PARAMETERS, title="pattern, sample, dynamics, source and budget")
    parser.add_argument("--json", action="store_true", help="print JSON (keys are a stable contract)")


def add_subcommands(sub) -> None:
    """Register ``scattering`` (with its own sub-commands) on ``python -m physics``'s sub-parsers."""
    top = sub.add_parser("scattering", help="magnetic small-angle scattering from Co/Pd domains (second page)",
                         description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    inner = top.add_subparsers(dest="scattering_command", metavar="COMMAND")
    inner.required = True
    p_sum = inner.add_parser("summary", help="ring, harmonics, best energy and photon budget",
                             description="Headline numbers: q1, ring radius, FWHM, ξ, harmonic ratios, best energy, "
                             "counts in the first ring and acquisition time per delay.")
    _add_common(p_sum)
    p_sum.set_defaults(func=_cmd_summary)
    p_dyn = inner.add_parser("dynamics", help="M(t) true and as the chosen source records it",
                             description="M(t) on a log-like delay axis (-20 ps to 2 ns): the model's m(t) and "
                             "sqrt(IRF ⊗ m²) for the chosen source.")
    _add_common(p_dyn)
    p_dyn.set_defaults(func=_cmd_dynamics)
    p_par = inner.add_parser("parameters", help="every parameter of this page with unit, default and range")
    p_par.add_argument("--json", action="store_true", help="print JSON")
    p_par.set_defaults(func=lambda a: print_parameters(PARAMETERS, a.json))
    p_pre = inner.add_parser("presets", help="the named presets")
    p_pre.add_argument("--json", action="store_true", help="print JSON")
    p_pre.set_defaults(func=_cmd_presets)
