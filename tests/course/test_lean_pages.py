"""Exported chapters stay small: no widgets built only for headless rating are left behind."""

import json
from pathlib import Path

from aigc_kit.course.runner import run_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MB = 1_000_000


def test_chapter_8_notebook_and_page_under_4_mb(tmp_path):
    # issue 13: 12 MB / 11 MB and 6,989 widget models, 192 players in panels never shown
    run = run_notebook(NOTEBOOKS / "08_interaction_feedback_loop.ipynb", tmp_path)
    assert run.ok, run.error
    executed = tmp_path / "08_interaction_feedback_loop.ipynb"
    page = executed.with_suffix(".html")
    assert executed.stat().st_size < 4 * MB and page.stat().st_size < 4 * MB
    state = json.loads(executed.read_text())["metadata"]["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]
    assert 100 < len(state) < 1000  # the displayed widgets are kept, the rest are not
    players = json.dumps(state).count("<audio")
    assert players < 60, f"{players} players embedded in widget state"
