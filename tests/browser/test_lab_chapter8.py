"""Chapter 8 with ``rater = "human"`` in JupyterLab: a person rates by clicking."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from aigc_kit.generation import trained_models

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_interaction_feedback_loop.ipynb"


def test_chapter_8_in_human_mode_rates_by_clicking_and_adjusts(lab, open_and_run_all, poll):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (parameters,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert 'rater = "simulated"' in parameters.source
    parameters.source = parameters.source.replace('rater = "simulated"', 'rater = "human"')
    parameters.source = parameters.source.replace('log_path = ""', 'log_path = "ch08.jsonl"')
    nbformat.write(nb, lab.root / "ch08_human.ipynb")
    # the zoo's models, trained here first when the cache is cold (clean clone: about a
    # minute on 2 cores), so the chapter in JupyterLab loads them as after chapter 6
    trained_models("notes", seed=0)
    # the printed line, not the cell's source that holds the same words (it is on the page
    # before anything has run; a cold model cache makes the cells before it take minutes)
    page = open_and_run_all("ch08_human.ipynb",
                            ".jp-OutputArea-output >> text=No ratings in the log yet", 900)
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    panel = cells.filter(has_text="panel = rating_panel(").first
    panel.scroll_into_view_if_needed()
    poll(lambda: panel.locator("button", has_text="5").count(), lambda n: n >= 4, 60)
    panel.locator("button", has_text="5").nth(0).click()  # demo-0: 5
    panel.locator("button", has_text="2").nth(1).click()  # demo-1: 2
    log = lab.root / "ch08.jsonl"
    text = poll(lambda: log.read_text() if log.exists() else "",
                 lambda t: len(t.splitlines()) >= 2)
    records = [json.loads(line) for line in text.splitlines()]
    assert [(r["sample_id"], r["score"], r["rater_id"]) for r in records] == [
        ("demo-0", 5, "me"), ("demo-1", 2, "me")]
    table = poll(lambda: panel.locator("table").inner_text(), lambda t: "demo-1" in t)
    assert "demo-0" in table and "demo-1" in table  # shown without running another cell
    adjust = cells.filter(has_text="if run is None:").first
    adjust.scroll_into_view_if_needed()
    adjust.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    shown = poll(lambda: adjust.locator(".jp-OutputArea-output").all_inner_texts(),
                  lambda texts: any("adjusted 0" in t for t in texts), 60)
    assert any("adjusted 0" in t for t in shown), shown
    assert adjust.locator("audio").count() == 4
    page.close()
