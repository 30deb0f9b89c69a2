"""Helpers for the dashboard tests: build /_dash-update-component payloads from the app."""
from __future__ import annotations

import json
from typing import Any


def find_callback(app, output_id: str, prop: str | None = None) -> tuple[str, dict]:
    """The callback_map entry whose outputs include ``output_id`` (first match, non-duplicate first)."""
    matches = []
    for key, cb in app.callback_map.items():
        parts = [p for p in key.strip(".").split("...") if p]
        for part in parts:
            cid, _, cprop = part.partition(".")
            cprop = cprop.split("@")[0]
            if cid == output_id and (prop is None or cprop == prop):
                matches.append((key, cb))
    if not matches:
        raise KeyError(output_id)
    matches.sort(key=lambda kc: "@" in kc[0])  # prefer the primary (non allow_duplicate) writer
    return matches[0]


from components import ids  # noqa: E402

LIVE_STORES = frozenset(lp.store for lp in ids.LIVE.values())
CONTROLS = "@controls"  # key in ``values`` for a page's ALL-pattern control input: {name: value}


def spec_of(page: str):
    """The PageSpec of a page by its id namespace (``ids.SPECTRA``, ``ids.MAGNETIC``)."""
    import pages

    return next(m.SPEC for m in pages.PAGES if m.SPEC.name == page)


def control_entries(values_by_name: dict[str, Any], page: str = "spectra") -> list[dict]:
    """The entries the renderer sends for ``ids.controls(page)``: one per control, with its id."""
    from components import controls, ids

    return [{"id": ids.control(page, p.name, controls.kind_of(p)), "property": "value",
             "value": values_by_name.get(p.name)} for p in spec_of(page).parameters()]


def _page_of(pattern_id: str) -> str:
    return json.loads(pattern_id).get("page", "spectra")


def payload(app, output_id: str, values: dict[str, Any], prop: str | None = None,
            state: dict[str, Any] | None = None) -> dict:
    """A request body for the callback that writes ``output_id``; inputs from ``values`` (id -> value).

    A pattern-matching input or state of controls takes ``values[CONTROLS]`` ({parameter name: value}); a
    panel's live parameter store takes ``values[ids.PARAMS]`` unless given its own value."""
    key, cb = find_callback(app, output_id, prop)
    inputs = []
    for i in cb["inputs"]:
        if i["id"].startswith("{"):
            inputs.append(control_entries(values.get(CONTROLS, {}), _page_of(i["id"])))
        else:
            value = values.get(i["id"])
            if i["id"] in LIVE_STORES and i["id"] not in values:
                value = values.get(ids.PARAMS)  # a panel's live store holds the page's parameters
            inputs.append({"id": i["id"], "property": i["property"], "value": value})
    states = [control_entries(values.get(CONTROLS, {}), _page_of(s["id"])) if s["id"].startswith("{") else
              {"id": s["id"], "property": s["property"], "value": (state or {}).get(s["id"])} for s in cb["state"]]
    parts = [p for p in key.strip(".").split("...") if p] if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        cid, _, cprop = part.rpartition(".") if part.startswith("{") else part.partition(".")
        cprop = cprop.split("@")[0]
        if cid.startswith("{") and '"ALL"' in cid:  # an ALL pattern: one entry per control
            outputs.append([{"id": e["id"], "property": cprop} for e in control_entries({}, _page_of(cid))])
        elif cid.startswith("{"):  # one pattern-matching id (e.g. a slider)
            outputs.append({"id": json.loads(cid), "property": cprop})
        else:
            outputs.append({"id": cid, "property": cprop})
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": states,
        "changedPropIds": [_prop_id(inputs[0])] if inputs else [],
    }


def _prop_id(entry) -> str:
    if isinstance(entry, list):  # an ALL pattern: the first control changed
        entry = entry[0]
    cid = json.dumps(entry["id"], sort_keys=True, separators=(",", ":")) if isinstance(entry["id"], dict) else entry["id"]
    return f"{cid}.{entry['property']}"


def post(client, body: dict | str):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/_dash-update-component", data=data, content_type="application/json")


def is_standard_json(body: Any) -> bool:
    """Would a browser's JSON.stringify produce this body?  (No NaN/Infinity, no int beyond a double.)"""
    def ok(x):
        if isinstance(x, bool) or x is None or isinstance(x, str):
            return True
        if isinstance(x, int):
            return abs(x) <= 1.7976931348623157e308
        if isinstance(x, float):
            return x == x and abs(x) != float("inf")
        if isinstance(x, dict):
            return all(ok(v) for v in x.values())
        if isinstance(x, list):
            return all(ok(v) for v in x)
        return True
    return ok(body)


def assert_answered(resp, body: Any) -> None:
    """A forged request is answered cleanly: a strict-JSON 400 for what no browser can send
    (NaN, Infinity, 10**400), else a normal callback answer (200 or 204) - never a 500."""
    if is_standard_json(body):
        assert resp.status_code in (200, 204), (resp.status_code, resp.get_data(as_text=True)[:300])
    else:
        assert resp.status_code == 400, resp.status_code
        assert "not standard JSON" in json.loads(resp.get_data(as_text=True))["error"]
