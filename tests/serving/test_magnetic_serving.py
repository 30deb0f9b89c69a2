"""The magnetic-scattering page on gunicorn (2 workers, file cache): the page's callback chain
settles through HTTP as a browser would drive it (the evaluated record written by one worker is
read by the others from the shared cache), and the page renders under the CSP with its clientside
callbacks (URL, play button) hashed."""
from __future__ import annotations

import pytest
from dash_http import DISPATCH, DashApp
from test_browser_csp import page_problems

pytestmark = pytest.mark.serving

PATH = "/magnetic-scattering"
GRAPHS = ("magnetic-domains-graph", "magnetic-detector-graph", "magnetic-profile-graph", "magnetic-dynamics-graph",
          "magnetic-q1-graph", "magnetic-spectrum-graph", "magnetic-budget-graph", "magnetic-selfdemag-graph")


def test_page_chain_settles_on_gunicorn_with_real_numbers(real_server):
    h = real_server.http()
    try:
        page = DashApp(h, PATH, "?source=fel&delay_ps=0.5").settle(h, rounds=6)
        assert page.props["magnetic-params"]["data"]["source"] == "fel"
        assert page.props["magnetic-result"]["data"]["params"]["delay_ps"] == 0.5
        for g in GRAPHS:
            fig = page.props[g]["figure"]
            if "__dash_patch_update" in fig:  # a later round patched the figure drawn before
                assert page.props[f"{g}-drawn"]["data"]["large"] is False, g
            else:
                assert fig["data"], g  # drawn, not the "Loading…" placeholder
        assert page.props["mag-kpi-step"]["children"] == "0.347"
        assert page.props["mag-kpi-q1"]["children"] == "0.0417"
        # a forged record is answered with a message on every worker
        spec = next(c for c in page.server_callbacks() if c.outputs[0][0] == "magnetic-dynamics-graph")
        for _ in range(4):
            r = h.post_json(DISPATCH, spec.payload(page.props, {("magnetic-result", "data"): {"params": {"x": 1}}}))
            assert r.status == 200
            fig = r.json()["response"]["magnetic-dynamics-graph"]["figure"]
            assert fig["data"] == [] and "Rejected parameter" in fig["layout"]["annotations"][0]["text"]
    finally:
        h.close()


@pytest.mark.browser
def test_magnetic_page_renders_under_the_csp(real_server):
    seen, problems = page_problems(real_server.port, PATH)
    csp = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert not csp, csp
    assert seen["graphs"] == len(GRAPHS), seen
    assert not problems, problems


def test_forged_payloads_to_the_magnetic_callbacks_never_5xx(real_server):
    """The fuzzing of test_fuzz.py, on this page's callbacks (fewer examples: the strategy is shared)."""
    import json
    import os

    from hypothesis import HealthCheck, given, settings
    from test_fuzz import forged

    log_start = len(real_server.proc.log())  # the server is shared: judge only this test's requests
    h = real_server.http()
    page = DashApp(h, PATH).settle(h, rounds=6)
    specs = [s for s in page.server_callbacks(background=False)
             if any(cid.startswith(("magnetic", "mag-")) for cid, _ in s.outputs)]
    assert len(specs) >= 10
    seen: list[int] = []

    @settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")) // 2, deadline=None, database=None,
              derandomize=bool(os.environ.get("CI")),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large])
    @given(payload=forged(specs, page.props))
    def check(payload):
        r = h.request("POST", DISPATCH, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        seen.append(r.status)
        assert r.status < 500, (r.status, r.body[:300])

    try:
        check()
        assert h.get("health").body == b"OK"
    finally:
        h.close()
    assert any(s in (200, 204) for s in seen) and len(seen) >= 10
    assert "Exception on /" not in real_server.proc.log()[log_start:]  # no traceback for any request
