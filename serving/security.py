"""Security hardening: headers and a Content-Security-Policy, strict JSON and a structural check
of callback requests, clean 400/413/503 answers, the Dash MCP server kept off.
"""
from __future__ import annotations

import json
import logging
import math
import sys
from typing import Any

import flask
from werkzeug.exceptions import HTTPException

from .settings import Settings

log = logging.getLogger("explorer.security")

DISPATCH_PATH = "_dash-update-component"

def content_security_policy(script_hashes: list[str]) -> str:
    """A CSP that the Dash renderer, Plotly and MathJax work under (checked in headless
    Chromium by tests/serving/test_browser_csp.py).

    Scripts: same origin plus the hashes of Dash's inline scripts (the renderer bootstrap
    and the clientside callbacks) - neither 'unsafe-inline' nor 'unsafe-eval': Dash 4.4's
    renderer, Plotly's SVG traces and MathJax run without eval (only Plotly's WebGL traces,
    e.g. scattergl, would need 'unsafe-eval').  Styles need 'unsafe-inline': Plotly and
    MathJax write inline styles.  frame-ancestors replaces X-Frame-Options in new browsers.
    """
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]).strip()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} overflows a double")
    return value


def _double_int(text: str) -> int:
    if len(text) > 320:  # longer than any integer a double can hold
        raise ValueError("integer out of range")
    value = int(text)
    if abs(value) > sys.float_info.max:
        raise ValueError("integer out of range")
    return value


_STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float,
                                   parse_int=_double_int)


def strict_json_loads(data: bytes | str) -> Any:
    """Standard JSON as a browser's ``JSON.stringify`` writes it: no NaN/Infinity tokens and
    no number beyond a double's range (Python's json would turn those into nan, inf or
    unbounded ints).  Raises ValueError."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        value = _STRICT_DECODER.decode(text)
    except RecursionError:  # the C scanner's own limit (~1000 levels): a 400, not a 500
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return value


MAX_DEPTH = 64  # far beyond any Dash callback body; the checks below recurse no deeper than this


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON, iteratively (no recursion limit to hit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, (list, dict)):
            deepest = max(deepest, d)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


def _json_error(status: int, message: str) -> flask.Response:
    if status == 400:  # one line per rejected request (the access log has the rest)
        log.info("400 %s %s: %s", flask.request.method, flask.request.path[:200], message[:200])
    return flask.Response(json.dumps({"error": message}), status=status, mimetype="application/json")


def _valid_id(value: Any) -> bool:
    if isinstance(value, str):
        return 0 < len(value) <= 500
    if isinstance(value, dict):  # pattern-matching id
        return 0 < len(value) <= 20 and all(
            isinstance(k, str) and (isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                    or isinstance(v, dict) and "wildcard" in v)
            for k, v in value.items())
    return False


def _valid_dep(entry: Any, spec: Any = None) -> bool:
    """One input/state/output entry: {"id": ..., "property": ...} or a list of them (ALL/ALLSMALLER),
    matching the registered ``spec`` when given (Dash registers pattern-matching ids as JSON strings)."""
    if isinstance(entry, list):
        return len(entry) <= 1000 and all(_valid_dep(e, spec) for e in entry)
    if not (isinstance(entry, dict) and _valid_id(entry.get("id")) and isinstance(entry.get("property"), str)):
        return False
    if isinstance(spec, dict) and isinstance(spec.get("id"), str):  # ids must match the callback's
        return _output_matches(entry, (_parse_id(spec["id"]), spec.get("property")))
    return True


def _parse_id(cid: str) -> Any:
    """A registered component id: a string, or a pattern-matching dict (Dash keeps those as JSON)."""
    if cid.startswith("{"):
        try:
            return json.loads(cid)
        except ValueError:
            pass
    return cid


def _output_count(output: str) -> int:
    return len(output[2:-2].split("...")) if output.startswith("..") and output.endswith("..") else 1


def _registered_outputs(output: str) -> list[tuple[Any, str]]:
    """``"a.b"`` or ``"..a.b...c.d.."`` -> [(id, property)]; pattern-matching ids as dicts."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    out = []
    for part in parts:
        cid, _, prop = part.rpartition(".")
        out.append((_parse_id(cid), prop))
    return out


def _output_matches(entry: dict, registered: tuple[Any, str]) -> bool:
    """A sent output {id, property} is the registered one (pattern ids: same keys, fixed values equal)."""
    rid, rprop = registered
    prop = entry.get("property")
    # allow_duplicate outputs are registered as "prop@hash"; Dash compares the clean names
    if not isinstance(prop, str) or prop.split("@")[0] != rprop.split("@")[0]:
        return False
    sid = entry.get("id")
    if isinstance(rid, dict):
        if not isinstance(sid, dict) or set(sid) != set(rid):
            return False
        return all(isinstance(v, list) or sid[k] == v for k, v in rid.items())  # wildcards are lists
    return sid == rid


def check_callback_request(app, body: Any) -> str | None:
    """Why a ``_dash-update-component`` body is malformed, or None if its shape is right.

    Only the envelope is checked here (the callback exists; inputs, state and outputs have
    the registered count and ids).  The values are the callbacks' business: every
    callback validates its own inputs.
    """
    if not isinstance(body, dict):
        return "body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str):
        return "'output' must be a string"
    cb = app.callback_map.get(output)
    if cb is None:
        return "no callback for this output"
    for key in ("inputs", "state"):
        got = body.get(key, [])
        want = cb.get(key, [])
        if not isinstance(got, list) or len(got) != len(want):
            return f"'{key}' must be a list of {len(want)} entries"
        if not all(_valid_dep(e, s) for e, s in zip(got, want)):
            return f"'{key}' entries must match the callback's ids and properties"
    outputs = body.get("outputs")
    if not cb.get("no_output"):
        if outputs is None:  # the renderer always sends it; Dash fails without it
            return "'outputs' is missing"
        n = _output_count(output)
        if not output.startswith(".."):
            registered_id = _registered_outputs(output)[0][0]
            # a list is only what an ALL/ALLSMALLER pattern output sends (``[]``: nothing matched)
            if not _valid_dep(outputs) or (isinstance(outputs, list) and not isinstance(registered_id, dict)):
                return "'outputs' must be an {id, property} object"
            outputs = [outputs]
        elif not (isinstance(outputs, list) and len(outputs) == n and all(_valid_dep(o) for o in outputs)):
            return f"'outputs' must be a list of {n} entries"
        # Dash trusts these ids (a forged one ends in a KeyError deep inside Dash): they must be
        # the registered outputs, in order (ALL/MATCH outputs send lists of matching ids).
        for sent, registered in zip(outputs, _registered_outputs(output)):
            entries = sent if isinstance(sent, list) else [sent]
            if not all(_output_matches(e, registered) for e in entries):
                return "'outputs' must name the callback's registered outputs"
    changed = body.get("changedPropIds", [])
    if not (isinstance(changed, list) and len(changed) <= 1000 and all(isinstance(c, str) for c in changed)):
        return "'changedPropIds' must be a list of strings"
    for entry in body.get("inputs", []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"] in _STRING_ONLY_INPUTS:
            value = entry.get("value")
            if value is not None and not (isinstance(value, str) and len(value) <= 4096):
                return f"'{entry['id']}' values must be short strings"
    return None


# Dash's own callbacks (the pages router) do not validate their inputs: a forged pathname that
# is not a string crashes the router, so the envelope check rejects it first.
_STRING_ONLY_INPUTS = frozenset({"_pages_location"})


def harden(app, settings: Settings) -> None:
    """Security headers, CSP, request checks and clean error answers on the Dash app.

    Call after every callback is registered (the CSP hashes cover inline clientside
    callbacks).
    """
    server: flask.Flask = app.server
    if getattr(app, "_enable_mcp", False):  # Dash(enable_mcp=False) is passed in app.py
        raise RuntimeError("the Dash MCP server must stay off in the Explorer")
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    server.config["SESSION_COOKIE_HTTPONLY"] = True
    server.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if settings.hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    dispatch_path = settings.url_base_pathname + DISPATCH_PATH

    csp_once: list[str] = []  # per app, written once: Dash pages adds its router's inline script on the 1st request

    def _csp() -> str:
        if csp_once:
            return csp_once[0]
        value = content_security_policy(list(app.csp_hashes()))
        if not getattr(app, "use_pages", False) or app._got_first_request.get("pages"):
            csp_once.append(value)
        return value

    @server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", _csp())
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @server.before_request
    def _check_callback_request():
        if flask.request.path != dispatch_path or flask.request.method != "POST":
            return None
        try:  # get_data raises 413 for an oversized body; Dash re-reads the cached bytes
            body = strict_json_loads(flask.request.get_data(cache=True))
        except ValueError as exc:
            return _json_error(400, f"callback request is not standard JSON: {exc}"[:300])
        problem = check_callback_request(app, body)
        if problem:
            return _json_error(400, "malformed callback request: " + problem)
        return None

    @server.errorhandler(413)
    def _too_large(_exc):
        return _json_error(413, f"request larger than {settings.max_upload_bytes} bytes")

    from dash.exceptions import DependencyException

    @server.errorhandler(DependencyException)
    def _bad_resource(exc):  # e.g. a forged _dash-component-suites path (Dash raises, Flask would 500)
        return _json_error(400, "unknown resource: " + str(exc).splitlines()[0][:200])

    @server.errorhandler(RecursionError)
    def _too_deep(_exc):
        return _json_error(400, "request nested too deeply")

    @server.errorhandler(Exception)
    def _unexpected(exc):
        """Anything else: one log line naming where it happened (no traceback in the log under a
        flood of forged requests), a JSON 500 to the client (no trace either)."""
        if isinstance(exc, HTTPException):
            return exc
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb else "?"
        log.error("unhandled %s on %s %s: %s (at %s)", type(exc).__name__, flask.request.method,
                  flask.request.path[:200], str(exc).splitlines()[0][:200] if str(exc) else "", where)
        return _json_error(500, "internal error; the request was not processed")

    unavailable: list[type[BaseException]] = []
    try:
        import redis.exceptions
        unavailable += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover
        pass
    try:
        import kombu.exceptions
        unavailable.append(kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover
        pass

    def _unavailable(exc: BaseException):
        log.warning("background service unavailable: %s: %s", type(exc).__name__, exc)
        return _json_error(503, "background service unavailable; try again shortly")

    for exc_type in unavailable:
        server.register_error_handler(exc_type, _unavailable)
