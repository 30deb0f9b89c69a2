"""Property-based fuzzing of ``/_dash-update-component`` on gunicorn: forged payloads (NaN,
infinities, strings, huge numbers, nested lists, missing fields, wrong ids) never give a 5xx,
and the server is healthy afterwards.  Values are checked by the callbacks themselves
(components/*); the envelope by serving.security.check_callback_request."""
from __future__ import annotations

import json
import os

import pytest
from dash_http import DISPATCH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.serving

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))

odd_scalars = st.sampled_from([
    float("nan"), float("inf"), float("-inf"), 10**400, -(10**400), 2**63, -(2**63), 1e308, -1e308,
    5e-324, 0, -0.0, "NaN", "Infinity", "1e999", "", " ", "0x10", "1,5", "<script>alert(1)</script>",
    "../../etc/passwd", "mean", "single", True, False, None, {}, [],
])
scalars = st.one_of(
    odd_scalars, st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=25,
)
FIELDS = ("output", "outputs", "inputs", "state", "changedPropIds")


@st.composite
def forged(draw, specs, props):
    spec = draw(st.sampled_from(specs))
    deps = [(d["id"], d["property"]) for d in spec.inputs + spec.state]
    overrides = draw(st.dictionaries(st.sampled_from(deps), values, min_size=1, max_size=len(deps)))
    payload = spec.payload(props, overrides)
    mode = draw(st.sampled_from(["values", "values", "values", "drop", "junk_field", "wrong_id"]))
    if mode == "drop":
        for name in draw(st.sets(st.sampled_from(FIELDS), min_size=1)):
            payload.pop(name, None)
    elif mode == "junk_field":
        payload[draw(st.sampled_from(FIELDS))] = draw(values)
    elif mode == "wrong_id" and payload["inputs"]:
        payload["inputs"][0] = {**payload["inputs"][0], "id": draw(st.text(max_size=20) | values)}
    return payload


def test_forged_callback_payloads_never_5xx(real_server, real_dash):
    server, dash_app = real_server, real_dash
    specs = dash_app.server_callbacks(background=False)
    assert specs
    h = server.http()
    seen: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large])
    @given(payload=forged(specs, dash_app.props))
    def check(payload):
        body = json.dumps(payload).encode()  # NaN/Infinity literals, as a forged client may send
        r = h.request("POST", DISPATCH, body, {"Content-Type": "application/json"})
        seen.append(r.status)
        assert r.status < 500, (r.status, body[:400], r.body[:400])

    try:
        check()
        assert h.get("health").body == b"OK"
    finally:
        h.close()
    assert "Exception on /" not in server.proc.log()  # no traceback logged for any request
    assert any(s in (200, 204) for s in seen) and 400 in seen  # both accepted and rejected cases ran
