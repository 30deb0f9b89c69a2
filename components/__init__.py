"""The Explorer's view: one module per panel, plus the machinery every page shares.

* shared machinery: ``ids`` (component ids), ``page_spec``, ``controls`` (controls from a
  parameter definition), ``url_state`` (a page's state in its URL), ``presets``, ``shell``
  (header, navigation, projector switch), ``validation``, ``common`` (styling and helpers);
* the nonlinear-spectra panels: ``readouts``, ``spectra``, ``difference``, ``model_spectra``,
  ``gain``, ``transmission``, ``mb_jobs``, ``upload``, ``export``, ``explanations``, ``linking``;
  ``engine`` holds their validated inputs and memoized physics.

Each panel has a layout factory, figure builders (model result -> figure) and a
``register(app, ...)`` that registers its callbacks on the app it is given; nothing is
registered at import time.  Pages (``pages/``) compose panels.
"""
