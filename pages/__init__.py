"""One module per science area (Dash pages), each composing its panels from ``components``.

``register(app, cache)`` registers every page with Dash pages (path, title, layout) and its
callbacks on the app it is given; nothing is registered at import time.  A page module has
``PATH``, ``NAME`` (the nav label), ``TITLE``, ``SPEC`` (its ``components.page_spec.PageSpec``),
``layout(**query)`` and ``register(app, cache)``.
"""
from __future__ import annotations

import dash

from components import shell

from . import magnetic, spectra

PAGES = (spectra, magnetic)


def nav_entries() -> tuple[shell.NavEntry, ...]:
    return tuple(shell.NavEntry(page.SPEC.name, page.NAME, page.PATH) for page in PAGES)


def register(app, cache) -> None:
    for page in PAGES:
        dash.register_page(page.__name__, path=page.PATH, name=page.NAME, title=page.TITLE,
                           description=page.DESCRIPTION, layout=page.layout)
        page.register(app, cache)
