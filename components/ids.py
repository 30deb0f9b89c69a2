"""Component ids used by more than one module, each defined once.

The controls of a page are pattern-matching ids built from the page's parameter definition
(``control(page, name)``), so callbacks map values to parameters by name, never by position.
Single components shared by panels (stores, switches, graphs) have plain string ids here; a
panel's private components keep their ids in the panel module.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from dash import ALL, MATCH

# --- the app shell (shared by every page) ---------------------------------------------------
ROOT = "app-root"
LARGE = "view-large"  # projector mode: larger text in the page and in every figure
COPY_LINK = "copy-link"
NAV = "site-nav"
NAV_STATE = "site-nav-state"  # each page's last query (session storage): the nav links reopen it


def nav_link(page: str) -> str:
    return f"nav-{page}"

# --- per-page machinery (controls, URL state, presets): namespaced by the page's name --------
CONTROL = "control"
READOUT = "control-readout"


SLIDER, NUMBER, CHOICE = "slider", "number", "choice"  # control kinds


def control(page: str, name: str, kind: str) -> dict:
    """The control of parameter ``name`` on ``page``; ``kind`` is slider, number or choice."""
    return {"type": CONTROL, "page": page, "name": name, "kind": kind}


def controls(page: str) -> dict:
    """Every control of ``page`` (pattern ALL): callbacks get their ids and values together."""
    return {"type": CONTROL, "page": page, "name": ALL, "kind": ALL}


def live_sync(page: str) -> str:
    """Dummy output of the browser's live-update callback (the updates go out with set_props)."""
    return f"{page}-live-sync"


def controls_check(page: str) -> str:
    """The browser asks the server to check the controls (a notice is due) by writing this store."""
    return f"{page}-controls-check"


def matching_slider(page: str) -> dict:
    return {"type": CONTROL, "page": page, "name": MATCH, "kind": SLIDER}


def readout(page: str, name: str) -> dict:
    """The live value label of a slider."""
    return {"type": READOUT, "page": page, "name": name}


def matching_readout(page: str) -> dict:
    return {"type": READOUT, "page": page, "name": MATCH}


def control_row(page: str, name: str) -> str:
    """Plain id of the row holding a control (labels, CSS and browser tests address it)."""
    return f"{page}-{name}-row"


def params_store(page: str) -> str:
    """The validated, quantized parameters of ``page`` (what every figure of the page reads)."""
    return f"{page}-params"


def controls_notice(page: str) -> str:
    return f"{page}-controls-notice"


def link_notice(page: str) -> str:
    """Notice about unusable values in the link that opened the page."""
    return f"{page}-link-notice"


def link_issues(page: str) -> str:
    """Store of the link's problems by parameter (a problem goes once the user sets that value)."""
    return f"{page}-link-issues"


def presets_menu(page: str) -> str:
    return f"{page}-presets-menu"


def preset_description(page: str) -> str:
    return f"{page}-presets-description"


# --- the nonlinear-spectra page ------------------------------------------------------------
SPECTRA = "spectra"
PARAMS = params_store(SPECTRA)
FLUENCE_SLIDER = control(SPECTRA, "fluence_mj_cm2", SLIDER)
UPLOAD_STORE = "upload-store"
DIFFERENCE_UNITS = "difference-units"
GAIN_AXIS = "gain-axis"
MB_KEY = "mb-key"
MB_GAIN_STORE = "mb-gain-store"
MB_TRANSMISSION_STORE = "mb-transmission-store"


@dataclass(frozen=True)
class Graph:
    """A figure of a page: graph id, its status-note id and the file stem of its image export."""

    id: str
    note: str
    export_name: str


GRAPHS = MappingProxyType({
    "spectra": Graph("spectra-graph", "spectra-note", "transmitted_spectra"),
    "difference": Graph("difference-graph", "difference-note", "difference_spectrum"),
    "model": Graph("model-graph", "model-note", "model_spectra"),
    "gain": Graph("gain-graph", "gain-note", "stimulated_rixs_gain"),
    "transmission": Graph("transmission-graph", "transmission-note", "peak_transmission"),
})
# Figures with a photon-energy axis: zooming one zooms the others (assets/explorer.js).
SPECTRAL_GRAPHS = tuple(GRAPHS[k].id for k in ("spectra", "difference", "model"))
# The user's zoom and pan of every figure ({graph id: {axis: [lo, hi]}}), kept in the browser and
# applied by the figure callbacks so that a parameter change never resets it.
VIEW = "figure-view"


@dataclass(frozen=True)
class LivePanel:
    """A panel that follows the controls while they move (assets/explorer.js ``live``).

    It reads its own copy of the page's parameters (``store``), which the browser writes only
    while the panel is on screen: off-screen panels catch up when they scroll into view.
    """

    store: str
    panel: str  # the DOM id whose position decides whether the panel is on screen
    graph: str | None  # the graph whose repaint ends an update (None: text only)


def live_params(key: str) -> str:
    return f"{key}-live-params"


LIVE = MappingProxyType({
    **{key: LivePanel(live_params(key), f"{key}-panel", g.id) for key, g in GRAPHS.items()},
    "kpis": LivePanel(live_params("kpis"), "kpi-panel", None),
})

# --- the magnetic-scattering page ------------------------------------------------------------
MAGNETIC = "magnetic"
MAG_PARAMS = params_store(MAGNETIC)
# The evaluated state (validated params whose result is in the cache) and its delay-free part:
# panels that do not depend on the delay listen to MAG_STATIC, which does not change when only
# the delay moves (components/magnetic_engine.py).
MAG_RESULT = "magnetic-result"
MAG_STATIC = "magnetic-static"
MAG_DELAY_SLIDER = control(MAGNETIC, "delay_ps", SLIDER)

MAG_GRAPHS = MappingProxyType({
    "domains": Graph("magnetic-domains-graph", "magnetic-domains-note", "domain_map"),
    "detector": Graph("magnetic-detector-graph", "magnetic-detector-note", "detector_image"),
    "profile": Graph("magnetic-profile-graph", "magnetic-profile-note", "radial_profile"),
    "dynamics": Graph("magnetic-dynamics-graph", "magnetic-dynamics-note", "magnetization_vs_delay"),
    "q1": Graph("magnetic-q1-graph", "magnetic-q1-note", "ring_position_vs_delay"),
    "spectrum": Graph("magnetic-spectrum-graph", "magnetic-spectrum-note", "magnetic_saxs_spectrum"),
    "budget": Graph("magnetic-budget-graph", "magnetic-budget-note", "acquisition_time"),
    "selfdemag": Graph("magnetic-selfdemag-graph", "magnetic-selfdemag-note", "self_demagnetisation"),
})
