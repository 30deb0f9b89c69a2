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


def payload(app, output_id: str, values: dict[str, Any], prop: str | None = None,
            state: dict[str, Any] | None = None) -> dict:
    """A request body for the callback that writes ``output_id``; inputs from ``values`` (id -> value)."""
    key, cb = find_callback(app, output_id, prop)
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in cb["inputs"]]
    states = [{"id": s["id"], "property": s["property"], "value": (state or {}).get(s["id"])} for s in cb["state"]]
    parts = [p for p in key.strip(".").split("...") if p] if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        cid, _, cprop = part.partition(".")
        outputs.append({"id": cid, "property": cprop})
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": states,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else [],
    }


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
