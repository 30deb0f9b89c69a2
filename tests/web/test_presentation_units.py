"""Presentation without a browser: contrast ratios computed from the figures' own colours, nothing
written on the data, the gain figure's declutter, feature ticks and captions, notices, presets that
follow the parameters, control names and units, upload messages."""
from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

import pytest
from dash import no_update

from components import (
    common,
    controls,
    difference,
    gain,
    ids,
    model_spectra,
    presets,
    readouts,
    shell,
    spectra,
    transmission,
    upload,
)
from components.common import COLOR, FONT_SIZE_PX
from pages.spectra import SPEC
from physics import parameters

ROOT = Path(__file__).resolve().parents[2]


def luminance(color: str) -> float:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    c = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def contrast(a: str, b: str = "#ffffff") -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


MB_CURVE = {"fluence_mj_cm2": [1.0, 100.0, 10000.0], "intensity_mj_cm2_fs": [0.04, 4.0, 400.0],
            "efficiency": [1e-6, 1e-4, 1e-2], "efficiency_std": [0, 0, 0], "stimulated_fraction": [1e-6, 1e-4, 1e-2],
            "n_pulses": 20}
BLOCH = {"intensity_mj_cm2_fs": [0.01, 1.0, 100.0], "peak_transmission": [0.32, 0.35, 0.6], "std": [0, 0.01, 0.02],
         "linear_transmission": 0.32, "n_pulses": 8}
ANALYTIC = {"intensity_mj_cm2_fs": [0.01, 1.0, 400.0], "analytic_peak_transmission": [0.32, 0.33, 0.62]}


def all_figures(top, shifted):
    p = parameters.defaults()
    out = {
        "spectra": spectra.figure_dict(top), "spectra-large": spectra.figure_dict(top, large=True),
        "difference": difference.figure_dict(top), "difference-T": difference.figure_dict(top, units="transmission"),
        "difference-shifted": difference.figure_dict(shifted),
        "model": model_spectra.figure_dict(top),
        "gain": gain.figure_dict(p, None, mb_note="Maxwell-Bloch curve is being computed…"),
        "gain-mb": gain.figure_dict(p, MB_CURVE, axis="intensity", large=True),
        "transmission": transmission.figure_dict(p, ANALYTIC, None, current_t=0.6, mb_note="being computed"),
        "transmission-bloch": transmission.figure_dict(p, ANALYTIC, BLOCH, current_t=0.6),
    }
    return out


def _hex(color) -> str | None:
    if isinstance(color, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return color
    return None


def test_lines_3_to_1_and_text_4_5_to_1_on_white(top, shifted):
    """WCAG 1.4.11 (lines, markers: 3:1) and 1.4.3 (text: 4.5:1), computed from every figure."""
    lines, texts = set(), set()
    for name, fig in all_figures(top, shifted).items():
        lay = fig["layout"]
        texts.add(lay["font"]["color"])
        texts.add(lay["legend"]["font"]["color"])
        for a in lay.get("annotations", []):
            texts.add((a.get("font") or {}).get("color", lay["font"]["color"]))
        for t in fig["data"]:
            if (t.get("line") or {}).get("width", 2) > 0 and (t.get("line") or {}).get("color"):
                lines.add(t["line"]["color"])
            marker = t.get("marker") or {}
            if marker.get("color") and marker.get("color") != "white":
                lines.add(marker["color"])
            if (t.get("textfont") or {}).get("color"):
                texts.add(t["textfont"]["color"])
        for s in lay.get("shapes", []):
            if (s.get("line") or {}).get("width", 1) > 0 and (s.get("line") or {}).get("color"):
                lines.add(s["line"]["color"])
    lines = {c for c in lines if _hex(c)}
    texts = {c for c in texts if _hex(c)}
    assert COLOR["stim_rexs"] in lines and COLOR["khd"] in lines  # the two that were 2.2:1
    low_lines = {c: round(contrast(c), 2) for c in lines if contrast(c) < 3.0}
    low_texts = {c: round(contrast(c), 2) for c in texts if contrast(c) < 4.5}
    assert not low_lines and not low_texts, (low_lines, low_texts)
    # Every named colour of the palette is fit for a line.
    assert min(contrast(c) for c in COLOR.values()) >= 3.0


def test_css_text_colours_meet_aa():
    css = (ROOT / "assets" / "style.css").read_text()
    var = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("fg", "#ffffff"), ("muted", "#ffffff"), ("muted", var["bg"]), ("accent", "#ffffff"),
             ("warn", "#fff7ed"), ("ok", "#ecfdf3"), ("error", "#fef2f2"), ("fg", "#eef6fb")]
    ratios = {f"{fg} on {bg}": round(contrast(var[fg], bg), 2) for fg, bg in pairs}
    assert all(r >= 4.5 for r in ratios.values()), ratios
    assert contrast(var["focus"]) >= 3.0  # the focus ring is a graphical object


def test_nothing_is_written_on_the_data(top, shifted):
    """No annotation inside any figure (reference lines are named in the legend instead), and every
    legend sits above the plot in container coordinates (Plotly reserves its height)."""
    for name, fig in all_figures(top, shifted).items():
        lay = fig["layout"]
        assert lay["annotations"] == [], name
        assert lay["legend"]["yref"] == "container" and lay["legend"]["y"] == 1, name
        assert "height" not in lay, name  # the container (CSS) sizes the figure
        named_shapes = [s["name"] for s in lay["shapes"] if s.get("showlegend")]
        assert all(named_shapes), name
    assert any("pulse centre 777 eV" == s.get("name") for s in spectra.figure_dict(top)["layout"]["shapes"])
    g = gain.figure_dict(parameters.defaults(), None)["layout"]["shapes"]
    assert any(s.get("name", "").startswith("fluorescence yield Yf") for s in g)
    assert any(s.get("name", "").startswith("spectrometer's spontaneous RIXS") and s["type"] == "rect" for s in g)
    # The message figure is the one place for a centred text (there is no data).
    assert common.message_figure("x")["layout"]["annotations"][0]["text"] == "x"


def test_gain_figure_declutter():
    p = parameters.defaults()
    names = [t["name"] for t in gain.figure_dict(p, MB_CURVE)["data"]]
    assert not any("ρ33" in n for n in names)  # identical to the efficiency: not drawn twice
    differs = dict(MB_CURVE, stimulated_fraction=[2e-6, 2e-4, 2e-2])
    assert any("ρ33" in t["name"] for t in gain.figure_dict(p, differs)["data"])
    assert not any(t.get("mode", "").endswith("text") for t in gain.figure_dict(p, MB_CURVE)["data"])
    pending = gain.figure_dict(p, None, mb_note="Maxwell-Bloch gain curve failed: boom")
    assert "Maxwell-Bloch curve: Maxwell-Bloch gain curve failed: boom" in [t["name"] for t in pending["data"]]


def test_feature_ticks_and_captions_say_what_they_show(top, shifted):
    lay = difference.figure_dict(top)["layout"]
    ax = lay[difference.FEATURES_AXIS]
    assert ax["ticktext"] == ["α", "β<br> ", "γ"] and ax["tickvals"]  # β 0.9 eV from α: one row up == [top.features_ev[n] for n in ("alpha", "beta", "gamma")]
    assert ax["side"] == "top" and ax["overlaying"] == "x"
    ticks = [s for s in lay["shapes"] if s.get("y0") == 0.95]
    assert [s["x0"] for s in ticks] == ax["tickvals"]
    assert "absent: α" in difference.figure_dict(shifted)["layout"][difference.FEATURES_AXIS]["title"]["text"]
    section = json.dumps(difference.layout().to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "774.5" not in section and "775.5" not in section  # no energy in the static caption: the note has them
    assert "Ticks on the top edge" in section
    labels = {s: label for s, label, _ in readouts.KPIS}
    assert all(labels[n].startswith("Energy of ") for n in ("alpha", "beta", "gamma"))


def test_figure_panels_are_described_figures():
    from pages import spectra as page

    tree = page.layout()
    found = {}

    def walk(c):
        props = c.to_plotly_json()["props"] if hasattr(c, "to_plotly_json") else {}
        if props.get("role") == "figure":
            found[props["id"]] = props
        kids = getattr(c, "children", None)
        for k in (kids if isinstance(kids, (list, tuple)) else [kids] if kids is not None else []):
            if hasattr(k, "to_plotly_json"):
                walk(k)

    walk(tree)
    assert set(found) == {"spectra-panel", "difference-panel", "model-panel", "gain-panel", "transmission-panel"}
    all_ids = json.dumps(tree.to_plotly_json(), default=lambda o: o.to_plotly_json())
    for pid, props in found.items():
        assert props["aria-labelledby"] == f"{pid}-title"
        for ref in props["aria-describedby"].split():
            assert f'"id": "{ref}"' in all_ids, (pid, ref)
    assert shell.with_lang("<!DOCTYPE html>\n<html>\n<head>") == '<!DOCTYPE html>\n<html lang="en">\n<head>'


def test_notice_kinds_and_dismiss_ids():
    n = common.notice("Saved.", "success", target="upload-message")
    d = n.to_plotly_json()
    assert d["props"]["className"] == "notice-body success"
    button = d["props"]["children"][-1]
    assert button.id == {"type": common.NOTICE_DISMISS, "notice": "upload-message"}
    assert common.notice("", "error", target="x") == ""
    assert common.notice(no_update, target="x") is no_update
    assert common.notice("x", "bogus", target="t").className == "notice-body warning"


def _data_url(raw: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


ROWS = "energy_ev,intensity\n" + "\n".join(f"{770 + 0.5 * k},{1 + k % 3}" for k in range(30)) + "\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read_not_called_binary(encoding):
    store, msg = upload.handle_upload({"contents": _data_url(ROWS.encode(encoding)), "filename": "u16.csv"})
    assert store is not no_update and msg.startswith("Using “u16.csv” (30 rows")
    store, shown = upload.upload_notice({"contents": _data_url(ROWS.encode(encoding)), "filename": "u16.csv"})
    assert shown.className == "notice-body success"


def test_decimal_commas_get_a_hint_and_binary_stays_binary():
    dc = "energy;intensity\n" + "\n".join(f"{770 + k},5;{1 + k % 3},25" for k in range(30))
    store, msg = upload.handle_upload({"contents": _data_url(dc.encode()), "filename": "dc.csv"})
    assert store is no_update and "decimal commas" in msg and "770.5" in msg
    _, shown = upload.upload_notice({"contents": _data_url(dc.encode()), "filename": "dc.csv"})
    assert shown.className == "notice-body error"
    store, msg = upload.handle_upload({"contents": _data_url(b"\x00\x01\x02\x03" * 20), "filename": "b.bin"})
    assert "binary" in msg and "decimal" not in msg
    ok = "energy_ev,intensity\n" + "\n".join(f"{770 + 0.5 * k},{1 + k % 3}" for k in range(5))  # too few rows
    assert "decimal" not in upload.handle_upload({"contents": _data_url(ok.encode()), "filename": "s.csv"})[1]
    assert upload.clear_notice(1)[1].className == "notice-body info"


def test_seed_out_of_range_names_the_range():
    values = {p.name: controls.to_control(p, p.default) for p in parameters.PARAMETERS}
    store, notice, _, _ = controls.update_state(SPEC, dict(values, seed=-5), "seed", {})
    assert store is no_update and notice.startswith("SASE seed: -5 is outside the allowed range") and "number" not in notice
    _, notice, _, _ = controls.update_state(SPEC, dict(values, seed=None), "seed", {})
    assert "must be a number" in notice


def test_controls_are_named_and_keyboard_useful():
    section = json.dumps(controls.layout(SPEC, parameters.defaults()).to_plotly_json(),
                         default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    seed = controls.dom_id(ids.control(ids.SPECTRA, "seed", ids.NUMBER))
    assert f'"htmlFor": {json.dumps(seed)}' in section  # the number input has a label
    box = controls.dom_id(controls.box_id(ids.SPECTRA, "fluence_mj_cm2"))
    assert f'"htmlFor": {json.dumps(box)}' in section and '"data-scale": "log"' in section
    assert '"data-label": "spectra-fluence_mj_cm2-label"' in section and '"data-unit": "mJ/cm\u00b2"' in section
    # 20 arrow presses move the fluence by more than a factor 2 (was 7500 -> 7496).
    assert 10 ** (20 * controls.LOG_STEP) > 2.0
    assert 10 ** controls.LOG_STEP < 1.06  # and one press is still a fine step (< 6 %)


def test_presets_follow_the_parameters():
    top = presets.preset_params(SPEC, "top")
    q = {k: parameters.quantize(k, v) for k, v in top.items()}
    assert presets.matching_preset(SPEC, q) == "top"
    assert presets.track(SPEC, q, None, None)[:2] == ("top", presets.PLACEHOLDER)
    assert presets.track(SPEC, q, "top", "top") == (no_update,) * 4  # nothing to do (no loop)
    moved = dict(q, fluence_mj_cm2=7762.0)
    value, placeholder, description, applied = presets.track(SPEC, moved, "top", "top")
    assert value is None and "modified" in placeholder and placeholder.startswith(SPEC.presets["top"].label)
    assert description == "Modified from the preset: Fluence 7500 mJ/cm² → 7762 mJ/cm²." and applied == "top"
    # Choosing it again: the menu goes None -> "top", so the choice fires and applies the preset again.
    value, placeholder, _, _ = presets.track(SPEC, dict(moved, duration_fs=5.0), None, "top")
    assert value is None and "modified" in placeholder
    assert presets.track(SPEC, moved, None, None)[1] == presets.PLACEHOLDER
    assert presets.matching_preset(SPEC, "forged") is None
    assert presets.MENU_MAX_HEIGHT_PX >= 60 * len(SPEC.presets)  # all entries, two lines each, fit


def test_large_font_is_larger():
    assert FONT_SIZE_PX[True] > FONT_SIZE_PX[False] and math.isclose(FONT_SIZE_PX[False], 13)
