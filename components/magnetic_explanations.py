"""Teaching panel of the magnetic-scattering page: what is computed, the formulas, what to try, and
what is model, what is data (MathJax via dcc.Markdown).  Static: no callbacks."""
from __future__ import annotations

from dash import dcc, html

EQUATIONS = r"""
**Scattering (first Born approximation).** Out-of-plane domains at normal incidence, in transmission: the charge
part of $f = f_c(\mathbf e'^*\!\cdot\mathbf e) - i f_m(\mathbf e'^*\!\times\mathbf e)\cdot\mathbf m$ is laterally
uniform and goes to $q = 0$, so
$$I(\mathbf q, E) = N_\mathrm{ph}\,T_\mathrm{bg}\,T(E)\,\left|r_0\lambda\rho d\,f_m(E)\right|^2 S(\mathbf q),$$
$$S(\mathbf q) = \left|\mathrm{FFT}[m_z]\right|^2/N^4,$$
with $T(E) = e^{-\sigma_\mathrm{XAS}(E)\rho d}$ the first page's Co/Pd absorption. A uniform demagnetisation
$m \to \alpha m$ scales every $q$ by $\alpha^2$: $M \propto \sqrt{\int I\,\mathrm dq}$.

**Ring and geometry.** $q_1 = 2\pi/P$, correlation length $\xi = 2\pi/\mathrm{FWHM}$, $\lambda = hc/E$,
$2\theta = 2\arcsin(q\lambda/4\pi)$, radius on the detector $L\tan 2\theta$ (P = 150 nm: 5.31 mm at 0.5 m).
Stripes of duty cycle $D$: $I_n \propto \sin^2(n\pi D)/n^2\,F_w(nq_1)^2$, $F_w(q) = \frac{\pi q\delta/2}{\sinh(\pi q\delta/2)}$
(50/50 sharp stripes: $I_3/I_1 = 1/9$).

**Dynamics.** $m(t) = 1 - \Theta(t)\,(1 - e^{-t/\tau_m})\left[A e^{-t/\tau_r} + B e^{-t/\tau_{th}}\right]$ (or the
two-temperature model + M3TM). A probe with a Gaussian response of FWHM $\tau_\mathrm{IRF}$ records
$$M_\mathrm{meas}(t) = \sqrt{\mathrm{IRF}\otimes m^2}.$$

**Photon budget.** Ring photons per pulse $N = N_\mathrm{ph}\,\eta(E)\,I_1\,L_\mathrm{self}$, rate $R = N f_\mathrm{rep}$;
shot noise $\sigma_M = 1/(2\sqrt{Rt})$, so resolving $\Delta M$ at signal-to-noise $s$ takes
$$t = \frac{s^2}{4R\,\Delta M^2}\ \text{per delay}.$$

**Self-demagnetisation.** The probe's absorbed energy heats the electrons (first page), $m$ relaxes to
$m_\mathrm{eq}(T_e)$ in 40 fs; the detector records $\int I(t)\,m(t)^2\,\mathrm dt / \int I(t)\,\mathrm dt$.
"""

WHAT_TO_TRY = """
1. **Time resolution.** Switch the source from *FEL* to *plasma*: the FEL follows the full 0.35 drop of the
   model, the 9 ps lab source records a 0.22 step, the 50 ps synchrotron 0.19. Press ▶ to sweep the delay.
2. **Photon budget.** With the plasma source, how long per delay to resolve ΔM = 0.05 at SNR 5? Compare the
   synchrotron and femtoslicing (0.1 ps, but about a hundred photons per pulse).
3. **The probe destroys what it measures.** Choose *custom*, 0.03 ps resolution and raise the photons per pulse
   to 10¹¹ in a 20 µm spot (2.7 J/cm² peak): the probe keeps only about a quarter of its magnetic scattering.
4. **Pattern.** Stripes (spots on the detector, harmonics 3q₁, 5q₁) versus a labyrinth (a ring); set the
   up-fraction to 0.6 to bring the even orders, and the wall width to damp the high ones.
5. **Photon energy.** Thicken the film to 100 nm: the best energy moves from 777.2 to 776.2 eV, well below the
   |f_m| maximum (absorption).
6. **Ring shift.** Set a −2 % ring shift and watch q₁(t) as recorded by a 9 ps and a 0.1 ps probe.
"""

DATA_VS_MODEL = """
| item | status |
|---|---|
| 9 ps resolution, ≈1 eV bandwidth, M ∝ sqrt(∫I dq), ring position q₁(t) of the plasma source | **published** (Lunin et al. 2025) |
| their sample (FeGd), resolution-limited step, slow rearrangement, ring shift | **published** findings; the FeGd preset is *illustrative* (Co L3 factors) |
| edge, pump fluence, domain period, flux, repetition rate of that experiment | **not published**: every such number here is an editable assumption |
| FEL 10-100 fs, synchrotron 50-100 ps, slicing ≈100 fs at very low flux | **published** ranges; photons, rates, spots are assumptions (✓/* in the table) |
| Co magnetic factor f_m | **model** fitted to the published Dyna Co table |
| Co/Pd absorption T(E) | the **first page's** model (Higley et al. 2022) |
| domains, demagnetisation, M3TM, self-demagnetisation, ring shift | **models** (the ring shift is a knob) |
"""


def layout() -> html.Section:
    return html.Section(
        [
            html.H2("How it works"),
            html.Div([
                html.Div([html.H3("Key equations"),
                          dcc.Markdown(EQUATIONS, mathjax=True, id="magnetic-explanations-equations")],
                         className="explain-col"),
                html.Div([html.H3("What to try"), dcc.Markdown(WHAT_TO_TRY, id="magnetic-explanations-guide"),
                          html.H3("Model, data, assumptions"),
                          dcc.Markdown(DATA_VS_MODEL, id="magnetic-explanations-provenance"),
                          html.P("After L. Lunin, M. Borchert, N. Schneider et al., Light Sci. Appl. 14, 394 (2025) "
                                 "(laser-driven plasma source, 9 ps). A planning model, not a fit to their data.",
                                 className="hint")],
                         className="explain-col"),
            ], className="explain-grid"),
        ],
        className="panel explanations", id="magnetic-explanations-panel",
    )


def register(app, cache) -> None:
    """Static panel: no callbacks."""
    return None
