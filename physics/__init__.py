"""Physics engine of the Nonlinear X-ray Spectra Explorer (numpy/scipy only).

Modules, one per idea: ``constants``, ``parameters`` (the single parameter definition),
``spectra`` (XAS, RIXS, transmission, resolution), ``pulses`` (SASE pulses, conversions),
``khd`` (Kramers-Heisenberg-Dirac gain), ``channels`` (stimulated RIXS/REXS, electron
redistribution), ``model`` (one full analytic evaluation), ``bloch``/``maxwell_bloch``
(density-matrix solvers) and ``cli`` (``python -m physics``).

Second science area (magnetic small-angle scattering from Co/Pd domains, after Lunin et al., Light
Sci. Appl. 14, 394 (2025)): ``scattering_parameters``, ``domains``, ``magnetic_factors``,
``magnetic_scattering``, ``demagnetization``, ``probe_sources``, ``photon_budget``,
``self_demagnetization`` (the bridge to the first page), ``scattering_model`` (one evaluation) and
``scattering_cli`` (``python -m physics scattering``).

Reproduces Higley et al., "Stimulated resonant inelastic X-ray scattering in a solid",
Nat. Commun. 13, 5969 (2022).
"""
