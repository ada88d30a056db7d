"""Student and grader versions of the chapters, generated from the solution notebooks.

Exercises are written once, in the chapters themselves (the scikit-learn MOOC's way): each
worked solution sits in a cell tagged ``solution`` (``# %% tags=["solution"]`` in the
py:percent source), followed by a cell that calls its self-check
(``check.chNN_exK(answer)``). This module writes the other versions:

- **student** (``aigc-kit exercises --out DIR``): every solution code cell becomes a stub
  (``# Write your code here.`` and ``answer = ...`` for each ``answer`` name it assigned),
  every solution markdown cell an answer prompt; everything else is unchanged. The checks
  then say "not answered yet" until the student writes an answer.
- **nbgrader** (``--nbgrader``): the instructor's source notebooks for nbgrader: solution
  cells wrapped in ``### BEGIN SOLUTION`` / ``### END SOLUTION`` with nbgrader's cell
  metadata, and each check cell an autograded test worth one point,
  ``check.chNN_exK(...).require()``: it fails with the check's hint as the error message
  (so the student's feedback shows the hint) and shows "✓ right" when passed;
  ``nbgrader generate_assignment`` makes the student version from them.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from aigc_kit.course import NOTEBOOKS_DIR

SOLUTION_TAG = "solution"
CODE_STUB = "# Write your code here."
MARKDOWN_STUB = "*Write your answer here.*"
_CHECK_CALL = re.compile(r"^check\.(ch\d\d[a-z]?_ex\d+)\(", re.MULTILINE)


@dataclass(frozen=True)
class Exported:
    """One written notebook: where, and how many solution cells and checks it holds."""

    path: Path
    solutions: int
    checks: int


def assigned_names(source: str) -> list[str]:
    """Top-level names a cell assigns or defines (``x = ...``, ``def f``), in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ValueError(f"a solution cell is not valid Python ({error}); fix it in the .py "
                         f"source") from error
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            targets: list[ast.AST] = [ast.Name(id=node.name)]
        elif isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        else:
            targets = []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and leaf.id not in names:
                    names.append(leaf.id)
    return names


def answer_names(source: str) -> list[str]:
    """Top-level names starting with ``answer`` that a solution cell assigns, in order."""
    return [name for name in assigned_names(source) if name.startswith("answer")]


def _used_names(source: str) -> set[str]:
    try:
        return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set()


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is tagged ``solution``."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def stub(cell: nbformat.NotebookNode, used_after: set[str] | frozenset = frozenset()) -> str:
    """The student's version of a solution cell's source.

    A code cell becomes ``# Write your code here.`` and ``name = ...`` for each ``answer``
    name it assigns and each other name it assigns that the cells after it (up to the next
    solution) use, so its check still runs and says "not answered yet".
    """
    if cell.cell_type == "markdown":
        return MARKDOWN_STUB
    names = [name for name in assigned_names(cell.source)
             if name.startswith("answer") or name in used_after]
    return "\n".join([CODE_STUB] + [f"{name} = ..." for name in names])


def _used_after(cells: list, index: int) -> set[str]:
    """Names used by the code cells after ``cells[index]``, up to the next solution cell."""
    used: set[str] = set()
    for cell in cells[index + 1:]:
        if is_solution(cell):
            break
        if cell.cell_type == "code":
            used |= _used_names(cell.source)
    return used


def student_page(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """An *executed* chapter as a class may see it on the course site (``aigc-kit site
    --students``).

    Every solution cell becomes its stub (as in :func:`student_version`) with no output;
    the outputs of the check cells, and of any other cell that uses a name a solution
    assigned, are cleared, so neither the solution nor its "✓ right" shows. Every other
    output (plots, players, widgets) is kept.
    """
    nb = copy.deepcopy(nb)
    solved: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if is_solution(cell):
            if cell.cell_type == "code":
                solved |= set(assigned_names(cell.source))
            cell.source = stub(cell, _used_after(nb.cells, index))
            tags = [t for t in cell.metadata.get("tags", []) if t != SOLUTION_TAG]
            cell.metadata["tags"] = [*tags, "exercise"]
        elif not (cell.cell_type == "code" and (_CHECK_CALL.search(cell.source)
                                               or _used_names(cell.source) & solved)):
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with every solution cell replaced by its stub (tagged ``exercise``), no outputs."""
    nb = student_page(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, points: int = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def graded_check(source: str) -> str:
    """A check cell's source with each top-level ``check.chNN_exK(...)`` call made to fail
    with its hint unless right: ``check.chNN_exK(...).require()``.

    A bare ``assert check...`` would fail with an empty ``AssertionError`` and hide the
    hint; :meth:`aigc_kit.check.Verdict.require` raises with the verdict's line instead,
    and returns the verdict, which the cell then shows ("✓ right").
    """
    lines = source.splitlines(keepends=True)
    ends = []
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "check"
                and re.fullmatch(r"ch\d\d[a-z]?_ex\d+", call.func.attr)):
            ends.append((call.end_lineno - 1, call.end_col_offset))
    for row, col in reversed(ends):  # from the end, so earlier positions stay valid
        line = lines[row].encode()  # ast offsets count UTF-8 bytes
        lines[row] = (line[:col] + b".require()" + line[col:]).decode()
    return "".join(lines)


def nbgrader_version(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """``nb`` as an nbgrader source notebook: solution regions marked, checks autograded
    (:func:`graded_check`, one point each)."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if is_solution(cell):
            if cell.cell_type == "code":
                cell.source = f"### BEGIN SOLUTION\n{cell.source}\n### END SOLUTION"
            cell.metadata["nbgrader"] = _nbgrader(f"{stem}-solution-{index}", solution=True,
                                                  grade=cell.cell_type == "markdown",
                                                  points=1)
        elif cell.cell_type == "code" and _CHECK_CALL.search(cell.source):
            name = _CHECK_CALL.search(cell.source).group(1)
            cell.source = graded_check(cell.source)
            cell.metadata["nbgrader"] = _nbgrader(f"{stem}-{name}", solution=False,
                                                  grade=True, points=1)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def notebook_folder(given: str | Path | None = None) -> Path:
    """The folder of the course's py:percent chapters.

    ``given`` if it is a folder; by default ``./notebooks``, else the ``notebooks/`` folder
    of the checkout this package runs from (``aigc-kit exercises --notebooks``).

    Raises
    ------
    FileNotFoundError
        Naming every folder looked at and the fix (``--notebooks PATH``).
    """
    candidates = [Path(given)] if given is not None else [Path("notebooks"), NOTEBOOKS_DIR]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked = " or ".join(str(c.resolve()) for c in candidates)
    raise FileNotFoundError(f"no notebook folder at {looked}; pass the aigc-kit checkout's "
                            f"notebooks/ folder (the NN_topic.py chapters) with "
                            f"--notebooks PATH, or run from the checkout")


def export_exercises(source: str | Path | None, out: str | Path, nbgrader: bool = False
                     ) -> list[Exported]:
    """Write the student (or nbgrader) version of every chapter with exercises.

    Parameters
    ----------
    source : path or None
        The folder of py:percent chapters (None: :func:`notebook_folder`'s default);
        chapters without a solution cell are skipped.
    out : path
        Output folder, created if needed; one ``NN_topic.ipynb`` per chapter.
    nbgrader : bool
        Write nbgrader source notebooks instead of student notebooks.

    Returns
    -------
    list of Exported

    Raises
    ------
    FileNotFoundError
        When there is no notebook folder (nothing is written).
    """
    source, out = notebook_folder(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for py_path in sorted(source.glob("[0-9][0-9]*_*.py")):
        nb = jupytext.read(py_path, fmt="py:percent")
        solutions = sum(is_solution(c) for c in nb.cells)
        if not solutions:
            continue
        checks = sum(bool(_CHECK_CALL.search(c.source)) for c in nb.cells
                     if c.cell_type == "code")
        version = nbgrader_version(nb, py_path.stem) if nbgrader else student_version(nb)
        version.metadata.pop("jupytext", None)
        target = out / f"{py_path.stem}.ipynb"
        nbformat.write(version, target)
        written.append(Exported(target, solutions, checks))
    return written
