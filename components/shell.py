"""The app shell shared by every page: header with the navigation between the science areas,
the projector switch and "copy link", and Dash's page container.

Each page keeps its own state in its own URL; the navigation links reopen a page with the state
it had when the user left it (kept per browser tab in session storage).
"""
from __future__ import annotations

from dataclasses import dataclass

import dash
from dash import ClientsideFunction, Input, Output, dcc, html

from . import ids

PAGES_LOCATION = "_pages_location"  # dash.page_container's Location (Dash pages' own id)


@dataclass(frozen=True)
class NavEntry:
    page: str  # the page's id namespace
    label: str
    path: str  # relative to the app's URL prefix, e.g. "/" or "/magnetic-scattering"


def layout(entries: tuple[NavEntry, ...]) -> html.Div:
    nav = html.Nav(
        [dcc.Link(e.label, href=dash.get_relative_path(e.path), id=ids.nav_link(e.page), className="nav-link")
         for e in entries],
        id=ids.NAV, className="site-nav", **{"aria-label": "science areas"},
    )
    header = html.Header(
        [
            html.Div([html.Div("Nonlinear X-ray Spectra Explorer", className="app-title"), nav], className="title"),
            html.Div([
                html.Div([dcc.Clipboard(id=ids.COPY_LINK, title="Copy a link to this view", className="copy-link"),
                          html.Span("Copy link to this view", className="copy-label")], className="share"),
                dcc.Checklist(id=ids.LARGE, options=[{"label": " Large text (projector)", "value": "large"}],
                              value=[], className="large-toggle", inputClassName="large-input"),
            ], className="header-tools"),
        ],
        className="app-header",
    )
    return html.Div([header, dash.page_container, dcc.Store(id=ids.NAV_STATE, storage_type="session", data={})],
                    id=ids.ROOT, className="app", **{"data-large-id": ids.LARGE})  # read by presentation.js


LANG = "en"


def with_lang(index_string: str, lang: str = LANG) -> str:
    """Dash's page template with the document language set (screen readers pick the voice by it)."""
    return index_string.replace("<html>", f'<html lang="{lang}">', 1)


def register(app, entries: tuple[NavEntry, ...]) -> None:
    app.index_string = with_lang(app.index_string)
    app.clientside_callback(
        ClientsideFunction("explorer", "rootClass"),
        Output(ids.ROOT, "className"),
        Input(ids.LARGE, "value"),
    )
    # The clipboard copies the address bar (which each page keeps up to date).
    app.clientside_callback(
        "function (n) { return window.location.href; }",
        Output(ids.COPY_LINK, "content"), Input(ids.COPY_LINK, "n_clicks"), prevent_initial_call=True,
    )
    paths = {e.page: dash.get_relative_path(e.path) for e in entries}
    app.clientside_callback(
        "function (state, pathname) { return window.dash_clientside.explorer.navLinks(state, pathname, "
        + _js(paths) + ", " + _js([e.page for e in entries]) + "); }",
        # one flat list: the function returns every page's href, then every page's class
        [*(Output(ids.nav_link(e.page), "href") for e in entries),
         *(Output(ids.nav_link(e.page), "className") for e in entries)],
        Input(ids.NAV_STATE, "data"),
        Input(PAGES_LOCATION, "pathname"),
    )


def _js(obj) -> str:
    import json

    return json.dumps(obj, sort_keys=True)
