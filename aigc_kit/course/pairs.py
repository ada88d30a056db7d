"""Keep each ``notebooks/NN_topic.py`` (jupytext py:percent, the reviewed source) and its
output-free ``.ipynb`` twin in step.

The ``.py`` file is the source of truth: ``write_pair`` regenerates the ``.ipynb`` from it,
and ``check_pairs`` reports every pair that differs, every lone half, and every ``.ipynb``
that carries outputs. ``make sync`` runs the check; ``make pair`` rewrites the twins.
"""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat


def _expected_ipynb(py_path: Path) -> str:
    """The ``.ipynb`` text that ``py_path`` should have as its twin (no outputs).

    Cell ids are numbered rather than random, so rewriting an unchanged pair changes nothing.
    """
    nb = jupytext.read(py_path, fmt="py:percent")
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
    return jupytext.writes(nb, fmt="ipynb")


def _content(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What a pair must agree on: each cell's type, source and tags (not ids or outputs)."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def write_pair(py_path: str | Path) -> Path:
    """Write the output-free ``.ipynb`` twin of a py:percent notebook; return its path."""
    py_path = Path(py_path)
    target = py_path.with_suffix(".ipynb")
    target.write_text(_expected_ipynb(py_path), encoding="utf-8")
    return target


def _outputs_in(ipynb_path: Path) -> int:
    nb = nbformat.read(ipynb_path, as_version=4)
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    )


def check_pairs(folder: str | Path) -> list[str]:
    """Problems with the notebook pairs in ``folder``; an empty list means all is well.

    Each problem is one line naming the file and the fix.
    """
    folder = Path(folder)
    problems: list[str] = []
    sources = {p.stem: p for p in folder.glob("*.py")}
    twins = {p.stem: p for p in folder.glob("*.ipynb")}
    for stem in sorted(set(twins) - set(sources)):
        problems.append(f"{twins[stem]}: no py:percent source beside it; create {stem}.py")
    for stem, py_path in sorted(sources.items()):
        ipynb_path = twins.get(stem)
        if ipynb_path is None:
            problems.append(f"{py_path}: no .ipynb twin; run `make pair`")
            continue
        try:
            n_outputs = _outputs_in(ipynb_path)
        except (json.JSONDecodeError, nbformat.reader.NotJSONError) as err:
            problems.append(f"{ipynb_path}: not a readable notebook ({err}); run `make pair`")
            continue
        if n_outputs:
            problems.append(
                f"{ipynb_path}: {n_outputs} code cells carry outputs; clear them (`make pair`)"
            )
        elif _content(nbformat.read(ipynb_path, as_version=4)) != _content(
            nbformat.reads(_expected_ipynb(py_path), as_version=4)
        ):
            problems.append(
                f"{ipynb_path}: out of sync with {py_path.name}; edit the .py and run `make pair`"
            )
    return problems
