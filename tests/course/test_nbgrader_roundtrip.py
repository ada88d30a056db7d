"""The nbgrader export, graded by the real nbgrader: a wrong answer's feedback shows the hint.

Chapter 5 up to its first exercise is exported with ``aigc-kit exercises --nbgrader``, released
with ``nbgrader generate_assignment``, answered by two students (the right probability, and
the unweighted share the check recognises), graded with ``nbgrader autograde`` and returned
with ``nbgrader generate_feedback``. Needs nbgrader (the ``grading`` extra); without it the
test is skipped and says so, and ``AIGC_KIT_REQUIRE_NBGRADER=1`` makes that a failure.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from aigc_kit.course.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTER = "05_math_losses_optimizers"
HINT = "weight each melody by its probability P"  # check.ch05_ex1's hint for the share
ANSWERS = {"right": "answer = float(P[melodies[:, -1] == 0].sum())",
           "share": "answer = float(np.mean(melodies[:, -1] == 0))"}


@pytest.fixture(scope="module")
def nbgrader():
    """``nbgrader(*args, cwd=...)``: run the nbgrader command; skip (or fail) without it."""
    if importlib.util.find_spec("nbgrader") is None:
        reason = ("nbgrader is not installed (pip install 'nbgrader>=0.9.6,<0.10', the "
                  "'grading' extra)")
        if os.environ.get("AIGC_KIT_REQUIRE_NBGRADER"):
            pytest.fail(f"nbgrader test required (AIGC_KIT_REQUIRE_NBGRADER) but {reason}")
        pytest.skip(f"nbgrader round trip not run: {reason}")
    env = {k: v for k, v in os.environ.items() if k != "AIGC_KIT_CHECK_STRICT"}
    env["PYTHONPATH"] = os.pathsep.join([str(NOTEBOOKS.parent), env.get("PYTHONPATH", "")])
    # nbgrader runs its database migrations with the `alembic` command of its environment
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])

    def run(*args: str, cwd: Path) -> str:
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"nbgrader {args[0]} failed:\n{done.stderr[-3000:]}"
        return done.stdout + done.stderr

    return run


def _first_exercise_only(folder: Path) -> None:
    """Chapter 5's source cut after its first check, written to ``folder``."""
    nb = jupytext.read(NOTEBOOKS / f"{CHAPTER}.py", fmt="py:percent")
    end = next(i for i, c in enumerate(nb.cells) if "check.ch05_ex1(" in c.source)
    nb.cells = nb.cells[: end + 1]
    folder.mkdir()
    jupytext.write(nb, folder / f"{CHAPTER}.py", fmt="py:percent")


def _answer(released: Path, submitted: Path, code: str) -> None:
    """The released notebook with its one solution region replaced by ``code``."""
    nb = nbformat.read(released, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
               and c.cell_type == "code"]
    assert "raise NotImplementedError()" in cell.source  # what nbgrader left the student
    cell.source = code
    submitted.parent.mkdir(parents=True)
    nbformat.write(nb, submitted)


def _text(page: Path) -> str:
    """A feedback page's visible text: tags and ANSI colour codes gone, entities decoded."""
    text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
    return re.sub(r"\x1b\[[0-9;]*m", "", html.unescape(text))


def test_nbgrader_feedback_shows_the_hint_and_the_right_answer(tmp_path, nbgrader):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'aigc'\n"
        "c.Execute.timeout = 600\n", encoding="utf-8")
    _first_exercise_only(tmp_path / "notebooks")
    assert main(["exercises", "--nbgrader", "--notebooks", str(tmp_path / "notebooks"),
                 "--out", str(course / "source" / "ps1")]) == 0
    nbgrader("generate_assignment", "ps1", "--force", cwd=course)
    released = course / "release" / "ps1" / f"{CHAPTER}.ipynb"
    for student, code in ANSWERS.items():
        _answer(released, course / "submitted" / student / "ps1" / f"{CHAPTER}.ipynb", code)
    nbgrader("autograde", "ps1", "--force", cwd=course)
    nbgrader("generate_feedback", "ps1", "--force", cwd=course)
    wrong = _text(course / "feedback" / "share" / "ps1" / f"{CHAPTER}.html")
    right = _text(course / "feedback" / "right" / "ps1" / f"{CHAPTER}.html")
    assert HINT in wrong and "ch05_ex1: ✗ not yet" in wrong  # the kit's hint, not a bare
    assert "ExerciseNotPassed" in wrong                       # AssertionError
    assert "ch05_ex1: ✓ right" in right and HINT not in right
    scores = {s: re.search(r"Score: ([\d.]+) / ([\d.]+)", t).groups()
              for s, t in (("share", wrong), ("right", right))}
    assert scores == {"share": ("0.0", "1.0"), "right": ("1.0", "1.0")}, scores
