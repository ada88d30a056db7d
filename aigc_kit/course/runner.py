"""Run the course headless: every notebook executed by papermill, exported to HTML.

This is the README's main job (``make course`` = ``python -m aigc_kit course``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


@dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    name: str
    seconds: float
    ok: bool
    error: str = ""

    def line(self) -> str:
        """One summary line: name, seconds, ok/failed (and the error's first line)."""
        status = "ok" if self.ok else f"FAILED: {self.error}"
        return f"{self.name:<40s} {self.seconds:7.1f} s  {status}"


def course_notebooks(folder: Path = NOTEBOOKS_DIR, only: str = "*") -> list[Path]:
    """The course's notebooks (``NN_topic.ipynb``) in chapter order, filtered by a glob."""
    found = sorted(p for p in folder.glob(f"{only}.ipynb") if p.stem[:2].isdigit())
    if not found:
        raise FileNotFoundError(f"no notebook matches {only!r} in {folder}")
    return found


def export_html(executed: Path) -> Path:
    """Write ``executed`` (an executed ``.ipynb``) as a standalone HTML page beside it."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    html = executed.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def _error_line(err: Exception) -> str:
    """The exception's name and message on one line (papermill's own if it has them)."""
    name = getattr(err, "ename", type(err).__name__)
    value = str(getattr(err, "evalue", err)).strip()
    return f"{name}: {value.splitlines()[0]}" if value else name


def run_notebook(
    notebook: Path, out_dir: Path, parameters: dict | None = None, timeout: int = 1200
) -> NotebookRun:
    """Execute one notebook with papermill into ``out_dir`` and export it to HTML.

    Only the ``parameters`` that the notebook's tagged ``parameters`` cell declares are
    passed on, so one set of overrides can serve the whole course.
    """
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    declared = papermill.inspect_notebook(str(notebook))
    chosen = {k: v for k, v in (parameters or {}).items() if k in declared}
    executed = out_dir / notebook.name
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=chosen,
            cwd=str(notebook.parent),
            progress_bar=False,
            execution_timeout=timeout,
        )
        error = ""
    except Exception as err:  # noqa: BLE001 - any failure is reported, the course goes on
        error = _error_line(err)
    seconds = time.perf_counter() - start
    if executed.exists():
        export_html(executed)
    return NotebookRun(notebook.stem, seconds, not error, error)


def run_course(
    out_dir: Path = REPO_ROOT / "build" / "course",
    only: str = "*",
    parameters: dict | None = None,
    timeout: int = 1200,
) -> list[NotebookRun]:
    """Execute every course notebook in order, print one line each, write ``summary.json``."""
    runs = []
    for notebook in course_notebooks(only=only):
        run = run_notebook(notebook, out_dir, parameters, timeout)
        print(run.line(), flush=True)
        runs.append(run)
    (out_dir / "summary.json").write_text(
        json.dumps([asdict(r) for r in runs], indent=1), encoding="utf-8"
    )
    return runs
