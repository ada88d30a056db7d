"""Run the course headless: every notebook executed by papermill, then the offline site.

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
    """Write ``executed`` (an executed ``.ipynb``) as an HTML page beside it that works
    offline (:func:`aigc_kit.course.site.export_page`, no navigation)."""
    from aigc_kit.course.site import export_page

    return export_page(executed)


def _error_line(err: Exception) -> str:
    """The exception's name and message on one line (papermill's own if it has them)."""
    name = getattr(err, "ename", type(err).__name__)
    value = str(getattr(err, "evalue", err)).strip()
    return f"{name}: {value.splitlines()[0]}" if value else name


def run_notebook(
    notebook: Path,
    out_dir: Path,
    parameters: dict | None = None,
    timeout: int = 1200,
    export: bool = True,
) -> NotebookRun:
    """Execute one notebook with papermill into ``out_dir`` and (``export``) to HTML.

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
    if export and executed.exists():
        export_html(executed)
    return NotebookRun(notebook.stem, seconds, not error, error)


def run_course(
    out_dir: Path = REPO_ROOT / "build" / "course",
    only: str = "*",
    parameters: dict | None = None,
    timeout: int = 1200,
    students_dir: Path | None = None,
) -> list[NotebookRun]:
    """Execute every course notebook in order (one line printed each), then build the site.

    ``out_dir`` gets the executed notebooks, one offline HTML page per chapter with
    previous/next links, ``index.html`` (chapters, summaries, run times, search),
    ``further_reading.html``, ``_static/`` (the shipped scripts) and ``summary.json``.
    With ``students_dir``, the students' edition of the site is written there too (pages
    only: solutions replaced by stubs, check outputs cleared; see
    :func:`aigc_kit.course.site.build_site`).
    """
    from aigc_kit.course.site import Chapter, build_site, describe

    runs, chapters = [], []
    for notebook in course_notebooks(only=only):
        run = run_notebook(notebook, out_dir, parameters, timeout, export=False)
        print(run.line(), flush=True)
        runs.append(run)
        chapters.append(Chapter(notebook.stem, *describe(notebook), run.seconds, run.ok))
    (out_dir / "summary.json").write_text(
        json.dumps([asdict(r) for r in runs], indent=1), encoding="utf-8"
    )
    build_site(out_dir, chapters)
    if students_dir is not None:
        build_site(out_dir, chapters, out=students_dir, students=True)
    return runs
