"""Run the course headless: every notebook executed by papermill, then the offline site.

This is the README's main job (``make course`` = ``python -m aigc_kit course``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aigc_kit.course import NOTEBOOKS_DIR, REPO_ROOT


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


def error_line(err: BaseException) -> str:
    """The exception's name and message on one line (papermill's own if it has them)."""
    name = getattr(err, "ename", type(err).__name__)
    value = str(getattr(err, "evalue", err)).strip()
    return f"{name}: {value.splitlines()[0]}" if value else name


def _kernel_manager(env: Mapping[str, str], arguments: Sequence[str]) -> type:
    """A kernel manager class whose kernels start with ``env`` added to this process's
    environment and ``arguments`` added to their command line."""
    from jupyter_client.manager import AsyncKernelManager

    class EnvKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            kw["env"] = {**os.environ, **kw.get("env", {}), **env}
            kw["extra_arguments"] = [*kw.get("extra_arguments", []), *arguments]
            return await super().start_kernel(**kw)

    return EnvKernelManager


def execute_notebook(
    notebook: Path,
    executed: Path,
    parameters: dict | None = None,
    cwd: Path | None = None,
    timeout: int = 1200,
    env: Mapping[str, str] | None = None,
    kernel_arguments: Sequence[str] = (),
) -> None:
    """Execute ``notebook`` with papermill into ``executed``; safe to call from threads.

    The kernel starts in ``cwd`` (default the notebook's folder) with ``env`` added to its
    environment and ``kernel_arguments`` on its command line (e.g.
    ``--IPKernelApp.log_level=CRITICAL``). Unlike papermill's own ``cwd``, this leaves the
    process's working folder and environment alone, so several runs can share a process
    (a Dask worker with several threads). Used by ``aigc-kit course``, ``report`` and
    ``sweep``.

    Raises
    ------
    papermill.PapermillExecutionError
        A cell failed (the executed notebook is written with its traceback); its
        ``cell_index``, ``exec_count``, ``source``, ``ename`` and ``evalue`` say where.
    Exception
        Anything else that stopped the run (kernel start, timeout of a cell).
    """
    import papermill

    cwd = notebook.parent if cwd is None else cwd
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=parameters or {},
        progress_bar=False,
        execution_timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
        kernel_manager_class=_kernel_manager(dict(env or {}), list(kernel_arguments)),
    )


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
        execute_notebook(notebook, executed, chosen, timeout=timeout)
        error = ""
    except Exception as err:  # noqa: BLE001 - any failure is reported, the course goes on
        error = error_line(err)
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
