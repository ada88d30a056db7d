"""Exercises written once: every chapter's solutions, checks and generated student version."""

import ast
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from aigc_kit import check
from aigc_kit.course.cli import main
from aigc_kit.course.exercises import (
    CODE_STUB,
    answer_names,
    assigned_names,
    export_exercises,
    graded_check,
    is_solution,
    stub,
    student_page,
    student_version,
)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.py"))
CALL = re.compile(r"check\.(ch\d\d[a-z]?_ex\d+)\(")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_has_three_checked_exercises_with_solutions(path):
    nb = jupytext.read(path, fmt="py:percent")
    chapter = check.chapter_id(path.stem)
    solutions = [i for i, c in enumerate(nb.cells) if is_solution(c) and c.cell_type == "code"]
    calls = [(i, m) for i, c in enumerate(nb.cells) if c.cell_type == "code"
             for m in CALL.findall(c.source)]
    assert len(solutions) >= 3, f"{path.name}: {len(solutions)} solution code cells"
    names = [m for _, m in calls]
    assert len(set(names)) >= 3 and len(set(names)) == len(names), names
    assert set(names) <= set(check.names(chapter)), (names, check.names(chapter))
    for index, name in calls:  # each check follows a solution and names this chapter
        assert name.startswith(f"ch{chapter}_")
        assert any(s < index for s in solutions), f"{name} is called before any solution"
    for i in solutions:  # each solution leaves an answer for its check
        assert answer_names(nb.cells[i].source), f"{path.name} cell {i} assigns no answer"


def test_stub_keeps_the_answer_names_and_what_the_check_uses():
    cell = nbformat.v4.new_code_cell("x = 3\nanswer = x * 2\nanswer_rate, other = 1, 2\n"
                                     "def helper():\n    return 1")
    assert stub(cell) == f"{CODE_STUB}\nanswer = ...\nanswer_rate = ..."
    assert stub(cell, {"other", "check", "helper"}) == (
        f"{CODE_STUB}\nanswer = ...\nanswer_rate = ...\nother = ...\nhelper = ...")
    with pytest.raises(ValueError, match="not valid Python"):
        answer_names("answer = (")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_checks_only_use_names_the_stubs_define(path):
    original = jupytext.read(path, fmt="py:percent")
    student = student_version(original)
    from_solutions = {name for c in original.cells if is_solution(c) and c.cell_type == "code"
                      for name in assigned_names(c.source)}
    defined: set[str] = set()
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        if "exercise" in cell.metadata.get("tags", []):
            defined |= set(assigned_names(cell.source))
        elif CALL.search(cell.source):
            used = {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name)}
            missing = (used & from_solutions) - defined
            assert not missing, f"{path.name}: the check cell uses {missing}, which only a " \
                                f"solution defines"


def test_student_version_has_no_solution_code(tmp_path):
    written = export_exercises(NOTEBOOKS, tmp_path)
    assert [w.path.name for w in written] == [p.with_suffix(".ipynb").name for p in CHAPTERS]
    for item, path in zip(written, CHAPTERS, strict=True):
        solution_lines = {line.strip() for c in jupytext.read(path).cells if is_solution(c)
                          for line in c.source.splitlines()
                          if line.strip() and not line.strip().startswith("#")} - {"answer = ..."}
        student = nbformat.read(item.path, as_version=4)
        text = "\n".join(c.source for c in student.cells)
        leaked = [line for line in solution_lines if line in text.splitlines()]
        assert not leaked, f"{item.path.name} still holds solution lines {leaked[:3]}"
        assert item.solutions >= 3 and item.checks >= 3
        assert not any(is_solution(c) for c in student.cells)
        assert text.count(CODE_STUB) >= 3


def test_nbgrader_version_marks_solutions_and_grades_checks(tmp_path, capsys):
    assert main(["exercises", "--source", str(NOTEBOOKS), "--out", str(tmp_path),
                 "--nbgrader"]) == 0
    nb = nbformat.read(tmp_path / CHAPTERS[0].with_suffix(".ipynb").name, as_version=4)
    marked = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
              and c.cell_type == "code"]
    assert len(marked) >= 3 and len(graded) >= 3
    assert all("### BEGIN SOLUTION" in c.source for c in marked if c.cell_type == "code")
    assert all(re.search(r"^check\.ch\d\d[a-z]?_ex\d+\(.*\)\.require\(\)$", c.source, re.M)
               for c in graded)
    assert not any("assert" in c.source for c in graded)  # a bare assert hides the hint
    assert "marked for nbgrader" in capsys.readouterr().out


def test_graded_check_fails_with_the_hint_and_shows_a_right_answer(monkeypatch):
    # issue 27: `assert check.ch05_ex1(...)` failed with a bare AssertionError in nbgrader
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)
    source = graded_check("x = 1\ncheck.ch01_ex2(answer,\n               'é')  # two lines\n")
    assert source == ("x = 1\ncheck.ch01_ex2(answer,\n               'é').require()  # two "
                      "lines\n")
    cell = graded_check("check.ch05_ex4(answer)")
    with pytest.raises(check.ExerciseNotPassed, match="ch05_ex4: ✗ not yet — .+") as failed:
        exec(cell, {"check": check, "answer": 10**6})
    assert type(failed.value).__mro__[1] is AssertionError  # nbgrader counts it as failed
    with pytest.raises(check.ExerciseNotPassed, match="not answered yet"):
        exec(cell, {"check": check, "answer": ...})
    right = jupytext.read(NOTEBOOKS / "05_math_losses_optimizers.py").cells
    solution = next(c.source for c in right if is_solution(c) and "betas_short" in c.source)
    namespace = {"check": check}
    exec("import numpy as np\nfrom aigc_kit.training import step_factor\n" + solution,
         namespace)
    assert repr(eval(cell, namespace)).startswith("ch05_ex4: ✓ right")


def test_exercises_command_fails_clearly_without_chapters(tmp_path, capsys):
    assert main(["exercises", "--notebooks", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    assert "no chapter" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="no notebook folder"):
        export_exercises(tmp_path / "missing", tmp_path)


def test_exercises_outside_the_checkout_names_the_folder_and_the_fix(tmp_path, monkeypatch,
                                                                    capsys):
    # issue 27: a raw FileNotFoundError traceback, and --help did not say the default
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("aigc_kit.course.exercises.NOTEBOOKS_DIR", tmp_path / "gone")
    assert main(["exercises", "--out", "student"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "notebooks") in err and str(tmp_path / "gone") in err
    assert "--notebooks PATH" in err and "Traceback" not in err
    assert not (tmp_path / "student").exists()  # nothing written
    assert main(["exercises", "--notebooks", str(NOTEBOOKS), "--out", "student"]) == 0
    assert len(list((tmp_path / "student").glob("*.ipynb"))) == len(CHAPTERS)
    with pytest.raises(SystemExit):
        main(["exercises", "--help"])
    assert "default: ./notebooks" in " ".join(capsys.readouterr().out.split())


def test_student_notebook_runs_up_to_its_first_stub(tmp_path, monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)
    path = NOTEBOOKS / "05_math_losses_optimizers.py"
    nb = student_version(jupytext.read(path, fmt="py:percent"))
    first = next(i for i, c in enumerate(nb.cells) if "exercise" in c.metadata.get("tags", []))
    nb.cells = nb.cells[: first + 2]  # up to the stub and the check after it
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = "".join(o.get("text", "") + str(o.get("data", {}))
                      for c in nb.cells[first:] for o in c.get("outputs", []))
    assert "not answered yet" in outputs


def test_student_page_keeps_outputs_except_solutions_checks_and_what_uses_them():
    out = [nbformat.v4.new_output("stream", text="shown\n")]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", outputs=list(out)),
        nbformat.v4.new_code_cell("helper = 2\nanswer = helper * x", outputs=list(out),
                                  metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("check.ch01_ex1(answer)", outputs=list(out)),
        nbformat.v4.new_code_cell("print(helper)", outputs=list(out)),
        nbformat.v4.new_markdown_cell("The worked answer.", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("print(x)", outputs=list(out)),
    ])
    page = student_page(nb)
    kept = [bool(c.get("outputs")) for c in page.cells if c.cell_type == "code"]
    assert kept == [True, False, False, False, True]
    assert page.cells[1].source == f"{CODE_STUB}\nhelper = ...\nanswer = ..."
    assert page.cells[4].source == "*Write your answer here.*"
    assert all("solution" not in c.metadata.get("tags", []) for c in page.cells)
    assert nb.cells[1].outputs  # the executed notebook itself is left alone
