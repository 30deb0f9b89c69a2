"""Physics engine of the Nonlinear X-ray Spectra Explorer (numpy/scipy only).

Modules, one per idea: ``constants``, ``parameters`` (the single parameter definition),
``spectra`` (XAS, RIXS, transmission, resolution), ``pulses`` (SASE pulses, conversions),
``khd`` (Kramers-Heisenberg-Dirac gain), ``channels`` (stimulated RIXS/REXS, electron
redistribution), ``model`` (one full analytic evaluation), ``bloch``/``maxwell_bloch``
(density-matrix solvers) and ``cli`` (``python -m physics``).

Reproduces Higley et al., "Stimulated resonant inelastic X-ray scattering in a solid",
Nat. Commun. 13, 5969 (2022).
"""
