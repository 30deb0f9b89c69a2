"""The one definition of every user-facing parameter of the magnetic-scattering page.

Time-resolved resonant magnetic small-angle scattering (magnetic SAXS) from Co/Pd domains,
after Lunin, Borchert, Schneider et al., Light Sci. Appl. 14, 394 (2025).  Sliders, URL parsing,
callback validation and ``python -m physics scattering`` are generated from :data:`TABLE`
exactly as for the first page (:class:`physics.parameters.ParameterTable`).

What is published and what is an assumption (never present an assumption as the paper's):

* published (Lunin 2025): a laser-driven plasma source, about 1 eV bandwidth, 9 ps resolution,
  M(t) from sqrt(integral I dq), the first-order ring position q1(t); the sample was FeGd.
* NOT published there (edge, pump fluence, domain period, flux, repetition rate): every default
  below for these is an **editable assumption**: period 150 nm (a typical Co/Pd domain period),
  the dynamics amplitudes and times (typical Co/Pd values from the literature ranges quoted in
  the shared reference: tau_m 0.1-0.3 ps, tau_r 1-5 ps, tau_th 0.1-10 ns), the photon numbers.
* the film: the same Co/Pd sample as the first page (25 nm of Co in total, Higley et al. 2022).
"""
from __future__ import annotations

from types import MappingProxyType

from .parameters import Parameter, ParameterTable

__all__ = ["PARAMETERS", "TABLE", "BY_NAME", "PATTERN_KEYS", "SOURCE_KEYS", "PRESETS", "Preset", "pattern_key"]

PARAMETERS: tuple[Parameter, ...] = (
    # --- domain pattern (expensive: cached per these values and the seed) ---------------------
    Parameter(
        "pattern", "Domain pattern", "", "labyrinth", kind=str, choices=("stripes", "labyrinth"),
        help="Stripes: parallel up/down domains. Labyrinth: the maze pattern of a demagnetised "
        "Co/Pd film (a band-pass filtered random field, reproducible by the seed).",
    ),
    Parameter(
        "period_nm", "Domain period P", "nm", 150.0, 30.0, 1000.0, scale="log",
        help="Up + down domain width. The first-order ring sits at q1 = 2π/P. "
        "150 nm is an editable assumption (the source paper does not state its period).",
    ),
    Parameter(
        "wall_nm", "Wall width δ", "nm", 10.0, 0.0, 50.0, step=0.5,
        help="Domain-wall width: m_z = tanh(x/δ) across each wall. Walls damp the higher orders by "
        "F_w(q) = (πqδ/2)/sinh(πqδ/2). 0 gives sharp walls.",
    ),
    Parameter(
        "duty", "Up-domain fraction (duty cycle)", "", 0.5, 0.05, 0.95, step=0.01,
        help="Fraction of the area magnetised up. 0.5: equal up and down, no even orders; "
        "other values bring even orders (I_n ∝ sin²(nπD)/n² for stripes).",
    ),
    Parameter(
        "disorder", "Labyrinth disorder w", "", 0.15, 0.02, 0.6, step=0.01,
        help="Relative width of the band-pass annulus |k| ≈ 2π/P that makes the labyrinth: "
        "larger values give a broader ring and a shorter correlation length.",
    ),
    Parameter(
        "seed", "Pattern seed", "", 1, 0, 2**31 - 1, step=1, kind=int, advanced=True,
        help="Random seed of the labyrinth (and of the simulated shot noise): same seed, same pattern.",
    ),
    Parameter(
        "grid_n", "Grid size", "px", 512, 64, 1024, step=64, kind=int, advanced=True,
        help="The pattern is computed on grid_n × grid_n pixels.",
    ),
    Parameter(
        "periods_in_view", "Periods in the field of view", "", 16, 4, 64, step=1, kind=int, advanced=True,
        help="Field of view = this many periods (2.4 µm for P = 150 nm; 32 pixels per period on 512²). "
        "Sets the q resolution 2π/(field of view).",
    ),
    # --- photon energy, sample, geometry ---------------------------------------------------
    Parameter(
        "energy_ev", "Photon energy", "eV", 777.5, 765.0, 795.0, step=0.05,
        help="X-ray photon energy. The magnetic signal is |f_m(E)|² T(E): strongest near the Co L3 "
        "edge, a little below the |f_m| maximum for thick films (absorption).",
    ),
    Parameter(
        "thickness_nm", "Co thickness", "nm", 25.0, 1.0, 200.0, step=1.0,
        help="Total Co thickness of the Co/Pd film (the first page's sample has 25 × 1 nm).",
    ),
    Parameter(
        "detector_m", "Detector distance", "m", 0.5, 0.05, 5.0, step=0.01,
        help="Sample-detector distance: ring radius = L tan 2θ (5.31 mm for P = 150 nm at 0.5 m).",
    ),
    # --- dynamics --------------------------------------------------------------------------
    Parameter(
        "dynamics_model", "Dynamics model", "", "phenomenological", kind=str,
        choices=("phenomenological", "m3tm"),
        help="phenomenological: the double-exponential that papers fit. m3tm: two-temperature model "
        "+ Koopmans' microscopic three-temperature model driven by the absorbed pump fluence.",
    ),
    Parameter(
        "amplitude_fast", "Fast amplitude A", "", 0.2, 0.0, 1.0, step=0.01,
        help="Ultrafast demagnetisation that recovers with τ_r (phenomenological model). "
        "m(t) = 1 − Θ(t)(1 − e^(−t/τm))[A e^(−t/τr) + B e^(−t/τth)].",
    ),
    Parameter(
        "tau_demag_ps", "Demagnetisation time τm", "ps", 0.2, 0.01, 10.0, scale="log",
        help="Ultrafast demagnetisation time (Co/Pd: 0.1-0.3 ps).",
    ),
    Parameter(
        "tau_recovery_ps", "Fast recovery time τr", "ps", 3.0, 0.1, 100.0, scale="log",
        help="Recovery of the fast part as electrons and lattice equilibrate (Co/Pd: 1-5 ps).",
    ),
    Parameter(
        "amplitude_slow", "Slow amplitude B", "", 0.2, 0.0, 1.0, step=0.01,
        help="Thermal part that stays until the film cools (recovers with τ_th).",
    ),
    Parameter(
        "tau_slow_ps", "Slow recovery time τth", "ps", 1000.0, 10.0, 100000.0, scale="log",
        help="Heat flow out of the film (0.1-10 ns). Also the heat-sink time of the M3TM option.",
    ),
    Parameter(
        "absorbed_fluence_mj_cm2", "Absorbed pump fluence", "mJ/cm²", 1.0, 0.01, 20.0, scale="log",
        help="Optical pump energy absorbed per area in the film (drives the M3TM option). An assumption: "
        "the source paper does not state its fluence.",
    ),
    Parameter(
        "curie_k", "Curie temperature", "K", 1388.0, 300.0, 1500.0, step=1.0, advanced=True,
        help="T_C of the M3TM and of the X-ray self-demagnetisation. 1388 K is bulk Co (as in udkm1Dsim's "
        "M3TM example); thin Co layers in Co/Pd order at lower temperatures.",
    ),
    Parameter(
        "ring_shift_percent", "Ring shift Δq1/q1 (phenomenological)", "%", 0.0, -10.0, 10.0, step=0.1,
        help="A labelled phenomenological knob, not a model: the source paper saw a time-dependent ring "
        "shift (lateral texture, thermal gradients). q1(t) = q1 [1 + s (1 − e^(−t/τs)) e^(−t/τth)].",
    ),
    Parameter(
        "ring_shift_tau_ps", "Ring-shift rise time τs", "ps", 100.0, 1.0, 2000.0, scale="log", advanced=True,
        help="Rise time of the phenomenological ring shift.",
    ),
    Parameter(
        "delay_ps", "Pump-probe delay", "ps", 1.0, -20.0, 2000.0, scale="asinh", step=0.01,
        extra=MappingProxyType({"asinh_width_ps": 0.5}),
        help="Time between the optical pump and the X-ray probe (−20 ps to 2 ns, a log-like axis).",
    ),
    # --- probe source ------------------------------------------------------------------------
    Parameter(
        "source", "Probe source", "", "plasma", kind=str, choices=("fel", "plasma", "synchrotron", "slicing", "custom"),
        help="fel: X-ray free-electron laser (≈0.1 ps). plasma: laboratory laser-driven plasma source "
        "(9 ps, as published by Lunin et al. 2025). synchrotron: ≈50 ps bunches. slicing: femtoslicing "
        "(≈0.1 ps, very low flux). custom: the numbers below.",
    ),
    Parameter(
        "resolution_ps", "Time resolution (custom)", "ps", 9.0, 0.01, 500.0, scale="log",
        help="Gaussian FWHM of the pump-probe instrument response (used when source = custom).",
    ),
    Parameter(
        "photons_per_pulse", "Photons per pulse on the sample (custom)", "", 1e3, 1.0, 1e13, scale="log",
        help="Photons per probe pulse reaching the sample within the bandwidth (source = custom).",
    ),
    Parameter(
        "rep_rate_hz", "Repetition rate (custom)", "Hz", 1000.0, 0.1, 1e7, scale="log",
        help="Rate of pumped probe pulses (source = custom).",
    ),
    Parameter(
        "bandwidth_ev", "Bandwidth (custom)", "eV", 1.0, 0.01, 10.0, scale="log",
        help="Probe bandwidth FWHM (source = custom). The plasma source was monochromatised to about 1 eV.",
    ),
    Parameter(
        "spot_um", "Probe spot diameter (custom)", "µm", 100.0, 1.0, 2000.0, scale="log", advanced=True,
        help="FWHM diameter of the probe spot: sets the X-ray fluence on the film (source = custom).",
    ),
    # --- photon budget -------------------------------------------------------------------------
    Parameter(
        "delta_m", "Change of M to resolve", "", 0.05, 0.001, 1.0, scale="log",
        help="The change of magnetisation a measurement must resolve (e.g. the demagnetisation step).",
    ),
    Parameter(
        "snr", "Signal-to-noise ratio", "", 5.0, 1.0, 100.0, scale="log",
        help="Required ΔM divided by its shot-noise standard deviation.",
    ),
    Parameter(
        "exposure_s", "Exposure per delay", "s", 60.0, 0.01, 100000.0, scale="log", advanced=True,
        help="Acquisition time per delay of the simulated noisy trace (Poisson noise, seeded).",
    ),
)

TABLE = ParameterTable(PARAMETERS)
BY_NAME = TABLE.by_name

# The parameters that decide the domain pattern: the caller caches the expensive pattern per these.
PATTERN_KEYS: tuple[str, ...] = ("pattern", "period_nm", "wall_nm", "duty", "disorder", "seed", "grid_n",
                                 "periods_in_view")
# The numbers a "custom" source takes from the table (named sources use their presets).
SOURCE_KEYS: tuple[str, ...] = ("resolution_ps", "photons_per_pulse", "rep_rate_hz", "bandwidth_ev", "spot_um")


def pattern_key(params) -> tuple:
    """Cache key of the domain pattern: the values of :data:`PATTERN_KEYS` (the labyrinth's seed
    and disorder do not change stripes, so they are left out for stripes)."""
    ignored = ("seed", "disorder") if params["pattern"] == "stripes" else ()
    return tuple((k, params[k]) for k in PATTERN_KEYS if k not in ignored)


class Preset:
    """A named set of parameter values with a one-line description (immutable)."""

    __slots__ = ("label", "description", "values")

    def __init__(self, label: str, description: str, values: dict):
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "values", MappingProxyType(TABLE.validate_all(values)))

    def __setattr__(self, name, value):
        raise AttributeError("Preset is immutable")


PRESETS = MappingProxyType({
    "copd_stripes": Preset(
        "Co/Pd stripes",
        "Aligned stripe domains of the first page's Co/Pd film (period and dynamics: editable assumptions).",
        dict(pattern="stripes", period_nm=150.0, wall_nm=10.0, duty=0.5, energy_ev=777.5, thickness_nm=25.0),
    ),
    "copd_labyrinth": Preset(
        "Co/Pd labyrinth",
        "Maze domains of a demagnetised Co/Pd film, as in FEL (Pfau et al. 2012) and plasma-source studies "
        "(period and dynamics: editable assumptions).",
        dict(pattern="labyrinth", period_nm=150.0, wall_nm=10.0, duty=0.5, disorder=0.15, energy_ev=777.5),
    ),
    "fegd_illustrative": Preset(
        "FeGd-like (illustrative)",
        "ILLUSTRATIVE ONLY: a ferrimagnet-like case (slower, larger demagnetisation, smaller domains) to "
        "compare with the source paper's FeGd sample. The resonant factors are still Co L3; FeGd's Fe L3 / "
        "Gd M5 resonances and its real period and dynamics are NOT modelled.",
        dict(pattern="labyrinth", period_nm=100.0, wall_nm=15.0, duty=0.5, disorder=0.25, thickness_nm=20.0,
             amplitude_fast=0.35, tau_demag_ps=0.5, tau_recovery_ps=10.0, amplitude_slow=0.3,
             tau_slow_ps=3000.0, curie_k=500.0, ring_shift_percent=-1.0, source="plasma"),
    ),
})
