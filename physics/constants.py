"""Physical constants and published sample/beam facts (Higley et al., Nat. Commun. 13, 5969 (2022)).

Every number here is either a CODATA constant or a value quoted in the paper (table in its
Methods, Eqs. 2, 3, 13, 18, 38).  Nothing in this module is mutable state.
"""
from __future__ import annotations

import math

# --- CODATA ---------------------------------------------------------------------------
C_M_S = 299_792_458.0  # speed of light
EPS0_F_M = 8.8541878128e-12  # vacuum permittivity
HBAR_J_S = 1.054571817e-34
H_EV_FS = 4.135667696  # Planck constant in eV fs
HBAR_EV_FS = H_EV_FS / (2.0 * math.pi)  # 0.6582 eV fs
E_CHARGE_C = 1.602176634e-19
HC_EV_NM = 1239.841984  # h c in eV nm
K_B_EV_K = 8.617333262e-5  # Boltzmann constant in eV/K
MEGABARN_CM2 = 1e-18

# --- Sample (paper, Methods) -----------------------------------------------------------
CO_DENSITY_ATOMS_NM3 = 91.0  # rho_a
CO_THICKNESS_NM_DEFAULT = 25.0  # 25 x 1 nm Co layers
BACKGROUND_TRANSMISSION = 0.55  # non-resonant layers transmit 0.55 of the SiN reference
L3_PEAK_EV = 777.63  # measured resonant-absorption maximum
L3_HALF_MAX_LOW_EV = 776.9
L3_HALF_MAX_HIGH_EV = 779.0
L2_PEAK_EV = 792.5
L2_RELATIVE_HEIGHT = 0.39
POST_EDGE_STEP = 0.13  # continuum step after L3 relative to the L3 maximum
SPONTANEOUS_PEAK_TRANSMISSION = 0.32  # Eq. 2 at the L3 maximum, 25 nm of Co
FERMI_LEVEL_EV = 777.5

# --- Core hole and decay (Eqs. 11-14) ----------------------------------------------------
CORE_HOLE_WIDTH_EV = 0.43  # Gamma, FWHM; lifetime hbar/Gamma = 1.5 fs
FLUORESCENCE_YIELD = 8e-3  # Yf (Eq. 13 gives 7.7e-3)
ATOMIC_PEAK_CROSS_SECTION_MB = 41.7  # Eq. 18 (orientation-averaged atomic value)

# --- RIXS emission (Nilsson et al., as used in the paper) ----------------------------------
RIXS_PEAK_EV = 776.6
RIXS_FWHM_EV = 3.6
RIXS_TAIL_OFFSET_EV = 6.0  # about 0.3 of the maximum six eV below it
RIXS_TAIL_LEVEL = 0.3

# --- Temperatures -------------------------------------------------------------------------
ROOM_TEMPERATURE_K = 300.0

# --- Paper calibration point (Fig. 3): 300 mJ/cm^2/fs, pulse covering 772-782 eV ----------------
CALIBRATION_INTENSITY_MJ_CM2_FS = 300.0
CALIBRATION_CENTER_EV = 777.0
CALIBRATION_BANDWIDTH_EV = 8.0
CALIBRATION_DURATION_FS = 25.0
STIM_RIXS_TOP = 0.18  # of the XAS maximum (Fig. 3)
STIM_REXS_TOP = 0.18
REDISTRIBUTION_TOP = 0.20
HOT_ELECTRON_TOP_K = 7000.0  # kT = 0.6 eV
CASCADE_TIME_FS = 10.0  # photo/Auger electron cascade redistributes within about 10 fs
REDISTRIBUTION_GAUSS_SIGMA_EV = 0.16  # Gaussian resolution of the Fermi-Dirac fit

# --- Published measured stimulated-RIXS efficiencies (raw, stimulated window / absorbed) ---
MEASURED_EFFICIENCIES = (
    # duration_fs, fluence_mj_cm2, efficiency, uncertainty
    (5.0, 1335.0, 0.052, 0.019),
    (25.0, 9343.0, 0.033, 0.008),
)
MODEL_DERIVED_EFFICIENCY = (300.0, 0.20)  # intensity mJ/cm^2/fs, stimulated fraction


def wavelength_nm(energy_ev: float) -> float:
    """Photon wavelength: lambda = h c / E (1.5936 nm at 778 eV)."""
    return HC_EV_NM / energy_ev
