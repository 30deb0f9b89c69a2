"""A page's whole view state in its URL, so that a link reopens the same view.

``/?fluence_mj_cm2=9343&duration_fs=25&...&gain_axis=intensity``: every parameter of the page's
definition plus its view options.  Reading is lenient (the definition's ``parse_all``): bad or
absurd values fall back to their defaults and the page says which; that notice goes away for a
value once the user sets it.  The query is read when the page is rendered (Dash pages pass it to
the page's layout), so the controls start at the link's values without a round trip; after that
the browser keeps the address bar up to date (``history.replaceState``, assets/explorer.js), which
neither reloads nor re-renders the page.  An uploaded spectrum is user data and is not put in the
URL.
"""
from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, State

from . import ids
from .page_spec import PageSpec

MAX_QUERY_CHARS = 2000
UNKNOWN = "_unknown"  # issue keys that are not a parameter
TOO_LONG = "_query"


def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def encode_query(spec: PageSpec, params: Mapping[str, Any], view: Mapping[str, Any] | None = None) -> str:
    """Validated params (+ view options) -> '?a=b&...' with numbers written as short as exact.

    assets/explorer.js ``writeUrl`` writes the same query in the browser (tested to agree).
    """
    q = {p.name: _fmt_value(params[p.name]) for p in spec.params.parameters}
    for key, option in spec.view_options.items():
        value = (view or {}).get(key)
        if value in option.choices and value != option.default:
            q[key] = value
    return "?" + urlencode(q)


def search_from_kwargs(kwargs: Mapping[str, Any]) -> str:
    """Dash pages hand the query to a layout as keyword arguments; rebuild the query string."""
    pairs = []
    for k, v in kwargs.items():
        for item in (v if isinstance(v, list) else [v]):
            pairs.append((str(k), str(item)))
    return "?" + urlencode(pairs) if pairs else ""


def decode_query(spec: PageSpec, search: Any) -> tuple[dict, dict, dict[str, str]]:
    """'?…' -> (params, view options, issues by parameter name).  Never raises."""
    defs = spec.params
    issues: dict[str, str] = {}
    view = {k: o.default for k, o in spec.view_options.items()}
    if not isinstance(search, str) or not search.strip("?"):
        return defs.defaults(), view, issues
    if len(search) > MAX_QUERY_CHARS:
        issues[TOO_LONG] = f"The link's query is longer than {MAX_QUERY_CHARS} characters; showing the defaults."
        return defs.defaults(), view, issues
    raw: dict[str, str] = {}
    unknown = []
    for k, v in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if k in spec.view_options:
            option = spec.view_options[k]
            if v in option.choices:
                view[k] = v
            else:
                issues[k] = f"{k} = {v[:40]!r} is not one of {', '.join(option.choices)}; using {option.default}."
        elif k in defs.by_name:
            raw.setdefault(k, v)  # the first occurrence wins
        else:
            unknown.append(k[:40])
    params, errors = defs.parse_all(raw)
    for exc in errors:
        p = defs.by_name[exc.name]
        default = p.default if isinstance(p.default, str) else f"{p.default:g}{(' ' + p.unit) if p.unit else ''}"
        issues[exc.name] = f"{p.label}: {exc.value!r} {exc.reason}; using the default {default}."
    if unknown:
        issues[UNKNOWN] = "Ignored unknown link fields: " + ", ".join(sorted(set(unknown))[:5]) + "."
    # Quantize as the controls would, so that the first state equals what the sliders show.
    params = {k: defs.quantize(k, v) for k, v in params.items()}
    return params, view, issues


def register(app, spec: PageSpec) -> None:
    """Keep the address bar in step with the page's state (in the browser, no request)."""
    views = list(spec.view_options.items())
    meta = {
        "params": [p.name for p in spec.params.parameters],
        "views": [[k, o.default] for k, o in views],
    }
    app.clientside_callback(
        "function (params) { var views = Array.prototype.slice.call(arguments, 1, " + str(1 + len(views)) + ");"
        " var nav = arguments[" + str(1 + len(views)) + "];"
        " return window.dash_clientside.explorer.writeUrl(params, views, " + json.dumps(meta) + ", nav); }",
        Output(ids.NAV_STATE, "data", allow_duplicate=True),
        Input(spec.params_store, "data"),
        *[Input(o.component_id, "value") for _, o in views],
        State(ids.NAV_STATE, "data"),
        prevent_initial_call="initial_duplicate",  # also on load: the address bar shows the state in use
    )
