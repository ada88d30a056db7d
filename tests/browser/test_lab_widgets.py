"""The kit's widgets in JupyterLab, driven by a real Chromium: play, rate, compare, explore.

A notebook built for the test shows a gallery, a rating panel, an A/B pair and a latent
explorer; the test clicks them as a student would and checks what the kernel did (the
feedback log on disk, the A/B answer, the regenerated clip).
"""

from __future__ import annotations

import json
import time

import nbformat
import numpy as np
import pytest

from aigc_kit.interaction import ab_order

SETUP = """\
import json
from pathlib import Path

import numpy as np

from aigc_kit.interaction import (FeedbackLog, Sample, ab_test, gallery, latent_explorer,
                                  rating_panel)

SR = 8000


def tone(hz, seconds=1.0):
    t = np.arange(int(SR * seconds)) / SR
    return 0.5 * np.sin(2 * np.pi * hz * t)
"""
CELLS = [
    SETUP,
    'gallery({f"clip {i}": tone(220 * (i + 1)) for i in range(4)}, SR)',
    'log = FeedbackLog(Path("ratings.jsonl"))\n'
    'rating_panel([Sample("s0", tone(300), SR, tag="t"), Sample("s1", tone(500), SR, '
    'tag="t")], log, rater_id="browser")',
    'results = []\nab = ab_test([tone(300)], [tone(600)], SR, results, seed=0)\n'
    'ab.statuses[0].observe(lambda _: Path("ab.json").write_text(json.dumps(results)), '
    '"value")\nab',
    'explorer = latent_explorer(lambda z: tone(300 + 100 * z[0]), 2, SR, n_sliders=2)\n'
    'explorer',
    'from aigc_kit.interaction import mushra_test, mushra_trial\n'
    'mushra = mushra_test([mushra_trial("t0", tone(300), {"sys": tone(320)}, SR)], SR,\n'
    '                     FeedbackLog(Path("mushra.jsonl")), "browser")\n'
    'mushra',
]


@pytest.fixture(scope="module")
def page(lab, open_and_run_all):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, lab.root / "widgets.ipynb")
    page = open_and_run_all("widgets.ipynb", "text=submit trial")
    yield page
    page.close()


def _cell(page, index: int):
    return page.locator(".jp-Notebook .jp-CodeCell").nth(index)


def test_gallery_players_play_and_fit_the_window(page, poll):
    gallery = _cell(page, 1)
    players = gallery.locator("audio")
    assert players.count() == 4
    box = players.nth(3).bounding_box()
    assert box["x"] + box["width"] <= 1400, "the fourth clip needs a sideways scroll"
    first = players.first.bounding_box()
    page.mouse.click(first["x"] + 18, first["y"] + first["height"] / 2)  # its play button
    played = poll(lambda: players.first.evaluate("a => a.currentTime"), lambda t: t > 0.05)
    assert played > 0.05 and players.first.evaluate("a => a.duration") == pytest.approx(1.0)


def test_rating_by_clicking_lands_in_the_log_with_the_comment(page, lab, poll):
    panel = _cell(page, 2)
    panel.locator("input[placeholder='comment (optional)']").first.fill("lovely tone")
    panel.locator("button", has_text="4").first.click()
    log = lab.root / "ratings.jsonl"
    text = poll(lambda: log.read_text() if log.exists() else "", lambda t: "lovely" in t)
    (record,) = [json.loads(line) for line in text.splitlines()]
    assert (record["sample_id"], record["score"], record["comment"], record["rater_id"]) == (
        "s0", 4, "lovely tone", "browser")
    assert poll(lambda: panel.locator("text=rated 4 ✓").count(), bool) == 1
    # the table under the panel shows the rating without running another cell
    table = poll(lambda: panel.locator("table").inner_text() if panel.locator("table").count()
                  else "", lambda t: "lovely tone" in t)
    assert "lovely tone" in table and "s0" in table


def test_ab_answer_is_recorded_blind(page, lab, poll):
    pair = _cell(page, 3)
    assert pair.locator("audio").count() == 2
    pair.locator("button", has_text="left").first.click()
    answers = lab.root / "ab.json"
    text = poll(lambda: answers.read_text() if answers.exists() else "", bool)
    a_on_left = bool(ab_order(1, np.random.default_rng(0))[0])
    assert json.loads(text) == ["A" if a_on_left else "B"]
    assert poll(lambda: pair.locator("text=answered ✓").count(), bool) == 1
    assert poll(lambda: pair.locator("button", has_text="left").first.is_disabled(), bool)


def test_moving_a_slider_plays_a_new_clip(page, poll):
    explorer = _cell(page, 4)
    source = explorer.locator("audio source")

    def src() -> str:
        return source.first.get_attribute("src") or ""

    before = src()
    handle = explorer.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 80, box["y"] + box["height"] / 2, steps=5)
    start = time.monotonic()
    page.mouse.up()
    after = poll(src, lambda s: s and s != before)
    seconds = time.monotonic() - start
    assert after != before, "the player did not change after the slider moved"
    readout = explorer.locator(".widget-readout").first.inner_text()
    assert float(readout) > 0, readout
    print(f"slider release -> new clip in {seconds:.2f} s")
    assert seconds < 5.0


def test_mushra_sliders_set_with_the_mouse_land_in_the_log(page, lab, poll):
    test = _cell(page, 5)
    assert test.locator("audio").count() == 5  # the reference, then four conditions
    handle = test.locator(".widget-vslider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 60, steps=5)
    page.mouse.up()
    readout = poll(lambda: test.locator(".widget-readout").first.inner_text(),
                    lambda t: t.strip() not in ("", "0"))
    test.locator("button", has_text="submit trial").click()
    log = lab.root / "mushra.jsonl"
    text = poll(lambda: log.read_text() if log.exists() else "",
                 lambda t: len(t.splitlines()) == 4)
    records = [json.loads(line) for line in text.splitlines()]
    assert {r["test"] for r in records} == {"mushra"} and len(records) == 4
    assert sorted(r["condition"] for r in records) == ["anchor_low", "anchor_mid",
                                                       "reference", "sys"]
    moved = [r["score"] for r in records if r["score"]]
    assert moved == [int(readout)] and 0 < moved[0] <= 100
