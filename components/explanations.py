"""Teaching panel: the key equations and a short 'what to try' guide (MathJax via dcc.Markdown)."""
from __future__ import annotations

from dash import dcc, html

from physics.constants import FLUORESCENCE_YIELD

EQUATIONS = r"""
**Linear transmission (Eq. 2).** A film of $d = 25$ nm Co with $\rho_a = 91$ atoms/nm³ transmits
$$T(E) = \exp\!\left[-\sigma_\mathrm{XAS}(E)\,\rho_a\,d\right],$$
34.5 % at the L3 maximum as measured for this film (777.6 eV, $\sigma \approx 4.7$ Mb; the paper quotes 32 %).
The non-resonant layers add a factor 0.55.

**Photons per mode (Eq. 3).** For intensity $I = F/\tau$ and spike bandwidth $\Delta_\mathrm{pk}$,
$$n_\mathrm{pk} = \frac{I\,\lambda^3}{c\,\Delta_\mathrm{pk}} \approx 0.105\; I\,[\mathrm{mJ\,cm^{-2}\,fs^{-1}}]\;\frac{8\ \mathrm{eV}}{\Delta_\mathrm{pk}}.$$

**KHD stimulated fraction (Eq. 4).** Per core hole, stimulated over all decays is $n_\mathrm{pk} Y_f$ at low intensity
($Y_f = @YF@$) and saturates at ½:
$$s = \tfrac12\left[1 - e^{-2 n_\mathrm{pk} Y_f}\right].$$
A spectrometer collects only $(\mathrm{d}\Omega/4\pi)\,Y_f$ of the spontaneous emission but all the stimulated photons: about $10^6$ more.

**The three channels** (changes of transmission, added to $T_\mathrm{sp}$):
$$\Delta T_\mathrm{REXS}(E) = k_\mathrm{REXS}\; s\!\left(n_\mathrm{pk}\,\rho(E)\right)\,\left[1 - T_\mathrm{sp}(E)\right],$$
$$\Delta T_\mathrm{RIXS}(E) \propto s\!\left(n_\mathrm{pk}\langle\rho\rangle_r\right)\,A_{L3}\;r(E),$$
with $\rho(E)$ the incident photons per mode relative to the peak, $r(E)$ the RIXS shape and $A_{L3}$ the L3 absorption the pulse covers.

**Electron redistribution (Fermi-Dirac).** The absorbed energy heats the valence electrons to $T_e$
($\tfrac12\gamma_e (T_e^2 - T_0^2) = \eta E_\mathrm{abs}$) and moves holes across $E_F = 777.5$ eV:
$$\Delta T_R(E) = k_R\,A_\mathrm{max}\,\left[f(E; T_e) - f(E; T_0)\right] \otimes \mathrm{Voigt},\qquad f(E;T) = \frac{1}{e^{(E - E_F)/k_B T} + 1}.$$

**What is measured** is the intensity change $\Delta I(E) = 0.55\, I_0(E)\,\Delta T(E)$: a channel is visible only where the pulse has photons.
""".replace("@YF@", f"{FLUORESCENCE_YIELD:g}")  # not %-formatting: the text has literal % signs

WHAT_TO_TRY = """
1. **Threshold.** Drag the fluence from 10 to 10 000 mJ/cm² and watch the peak transmission: linear
   (0.345) up to about 100 mJ/cm² in 25 fs, then the resonance bleaches (0.615 at 7500 mJ/cm²).
2. **Pulse length.** Same fluence, 5 fs instead of 25 fs: 5× the intensity, more stimulated emission,
   but the hot electrons (β) remain — the cascade is faster than 10 fs.
3. **Where are the photons?** Choose the *shifted pulse* preset (781 eV, 3 eV): α disappears because
   nothing stimulates the 774.5 eV emission, and β looks stronger.
4. **Gain figure.** Switch to intensity: KHD promises ~20 % at 300 mJ/cm²/fs, Maxwell-Bloch with
   SASE pulses gives less, the measurements lie in between. Click a curve to jump there.
5. **Spikes.** In *Advanced*, change Δpk (spike bandwidth) or show a *single SASE shot*.
6. **Your data.** Upload a measured reference spectrum and see which features your pulse can reach.
"""


def layout() -> html.Section:
    return html.Section(
        [
            html.H2("How it works"),
            html.Div([
                html.Div([html.H3("Key equations"), dcc.Markdown(EQUATIONS, mathjax=True, id="explanations-equations")],
                         className="explain-col"),
                html.Div([html.H3("What to try"), dcc.Markdown(WHAT_TO_TRY, id="explanations-guide"),
                          html.P(["Model after D. J. Higley et al., Nat. Commun. 13, 5969 (2022). Analytic three-channel model calibrated at the paper's top point; Maxwell-Bloch and "
                                  "Bloch curves solved with statistical SASE pulses."], className="hint")],
                         className="explain-col"),
            ], className="explain-grid"),
        ],
        className="panel explanations", id="explanations-panel",
    )


def register(app, cache) -> None:
    """Static panel: no callbacks."""
    return None
