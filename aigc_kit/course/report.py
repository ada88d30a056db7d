"""``aigc-kit report``: run the report notebook headless, check its parameters first.

``notebooks/report_model.ipynb`` reports on the GAN or the VAE of chapter 6; its metrics are
computed by :mod:`aigc_kit.evaluation.report`. :func:`run_report` checks the ``-p``
parameters against the notebook's ``parameters`` cell before anything runs, executes it with
papermill and exports it to HTML beside ``metrics.json``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigc_kit.course import REPO_ROOT
from aigc_kit.course.runner import NotebookRun, run_notebook

DEFAULT_NOTEBOOK = Path("notebooks") / "report_model.ipynb"


class ParameterError(ValueError):
    """A parameter the notebook does not declare, or a value of the wrong type.

    Raised by :func:`check_parameters` for ``aigc-kit report`` and ``aigc-kit sweep``
    before anything is executed or created.
    """


@dataclass
class ReportRun:
    """The outcome of :func:`run_report`.

    Attributes
    ----------
    run : NotebookRun
        Name, seconds, ok and error of the notebook execution.
    out_dir : Path
        The output folder (absolute).
    notebook : Path
        The executed notebook in ``out_dir``.
    html : Path
        Its HTML export (missing only if papermill could not even start).
    metrics : Path
        ``metrics.json`` (written by the notebook; missing if it failed before).
    """

    run: NotebookRun
    out_dir: Path
    notebook: Path
    html: Path
    metrics: Path


def resolve_notebook(notebook: str | Path | None = None) -> Path:
    """The report notebook as an absolute path.

    A relative path that does not exist from the current folder is looked up in the
    repository (the folder above the ``aigc_kit`` package).

    Raises
    ------
    FileNotFoundError
        Naming every place looked at, and how to fix it.
    """
    given = Path(notebook) if notebook is not None else DEFAULT_NOTEBOOK
    candidates = [given] if given.is_absolute() else [given, REPO_ROOT / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    looked = " or ".join(str(c.resolve()) for c in candidates)
    raise FileNotFoundError(f"report notebook not found: {looked}; run from the repository "
                            "folder or pass --notebook PATH")


def notebook_defaults(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook declares, with their default values where they are literals.

    Read with ``papermill.inspect_notebook``; a default that is not a Python literal is
    returned as its source text.
    """
    return {name: value for name, (value, _) in _declared(notebook).items()}


def _declared(notebook: Path) -> dict[str, tuple[Any, bool]]:
    """Each declared parameter's default and whether it is a Python literal."""
    import papermill

    declared = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        try:
            declared[name] = (ast.literal_eval(info["default"]), True)
        except (ValueError, SyntaxError):
            declared[name] = (info["default"], False)
    return declared


def _kind(default: Any) -> tuple[tuple[type, ...], str] | None:
    """The types a parameter with this literal default accepts, and how to name them."""
    if isinstance(default, bool):
        return (bool,), "true or false"
    if isinstance(default, int):
        return (int,), "an integer"
    if isinstance(default, float):
        return (int, float), "a number"
    for kind, name in ((str, "a string"), (list, "a list"), (tuple, "a list"),
                       (dict, "a mapping")):
        if isinstance(default, kind):
            return (list, tuple) if kind in (list, tuple) else (kind,), name
    return None  # None or a default that is not a literal: any value


def check_parameters(
    notebook: Path, parameters: dict[str, list[Any]], reserved: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Refuse parameters the notebook does not declare, or values of the wrong type.

    Parameters
    ----------
    notebook : Path
        The notebook; its tagged ``parameters`` cell is read with papermill.
    parameters : dict of str to list
        Every value each parameter will take (one for ``aigc-kit report``, the grid's
        values for ``aigc-kit sweep``).
    reserved : dict of str to str, optional
        Declared parameters the command sets itself, with the hint to give instead (e.g.
        ``{"output_dir": "set the output folder with --out"}``).

    Returns
    -------
    dict
        The notebook's defaults (:func:`notebook_defaults`).

    Raises
    ------
    ParameterError
        Naming the parameter and listing the accepted ones, or naming the value, its type
        and the default it must match (an integer default takes integers, a float default
        any number, a string default only strings: quote a number, ``'"2026"'``).
    """
    reserved = reserved or {}
    declared = _declared(notebook)
    if not declared:
        raise ParameterError(f"{notebook.name} has no cell tagged 'parameters'; tag the cell "
                             "that sets its parameters (JupyterLab: property inspector)")
    accepted = [name for name in declared if name not in reserved]
    unknown = [name for name in parameters if name not in accepted]
    if unknown:
        hints = "".join(f" ({reserved[n]})" for n in unknown if n in reserved)
        raise ParameterError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}{hints}; "
            f"{notebook.name} accepts: {', '.join(accepted)}")
    for name, values in parameters.items():
        default, is_literal = declared[name]
        kind = _kind(default) if is_literal else None
        for value in values:
            if kind and (not isinstance(value, kind[0])
                         or (bool not in kind[0] and isinstance(value, bool))):
                raise ParameterError(
                    f"parameter {name!r} must be {kind[1]} like its default "
                    f"{name} = {default!r} in {notebook.name}; got {value!r} "
                    f"({type(value).__name__})")
    return {name: value for name, (value, _) in declared.items()}


def default_out_dir(settings: dict[str, Any]) -> Path:
    """``build/reports/<model>-<dataset>-<seconds>s-seed<seed>`` (relative).

    ``<seconds>`` is the training budget of the reported model (``gan_seconds`` or
    ``vae_seconds``).
    """
    seconds = settings.get(f"{settings.get('model', 'gan')}_seconds", "?")
    seconds = f"{seconds:g}" if isinstance(seconds, (int, float)) else seconds
    name = (f"{settings.get('model', 'model')}-{settings.get('dataset', 'data')}-{seconds}s-"
            f"seed{settings.get('seed', 0)}")
    return Path("build") / "reports" / name


def run_report(
    parameters: dict[str, Any] | None = None,
    out: str | Path | None = None,
    notebook: str | Path | None = None,
    timeout: int = 1200,
) -> ReportRun:
    """Check the parameters, execute the report notebook into ``out`` and export it to HTML.

    Parameters
    ----------
    parameters : dict, optional
        Overrides of the notebook's ``parameters`` cell; ``output_dir`` is set from ``out``.
    out : str or Path, optional
        Output folder; default :func:`default_out_dir` of the effective settings, relative
        to the current folder.
    notebook : str or Path, optional
        Default ``notebooks/report_model.ipynb`` (see :func:`resolve_notebook`).
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    ReportRun
        Whether it ran, and where the executed notebook, the HTML and the JSON are.

    Raises
    ------
    FileNotFoundError
        The notebook does not exist.
    ParameterError
        A parameter the notebook does not declare, ``output_dir`` (use ``out``), or a value
        of the wrong type (:func:`check_parameters`); raised before anything is executed
        or created.
    """
    path = resolve_notebook(notebook)
    parameters = dict(parameters or {})
    defaults = check_parameters(path, {k: [v] for k, v in parameters.items()},
                                {"output_dir": "set the output folder with --out"})
    out_dir = Path(out) if out is not None else default_out_dir({**defaults, **parameters})
    out_dir = out_dir.resolve()
    from aigc_kit.evaluation import METRICS_FILE  # the kit's models only when a report runs

    run = run_notebook(path, out_dir, {**parameters, "output_dir": str(out_dir)}, timeout)
    executed = out_dir / path.name
    return ReportRun(run, out_dir, executed, executed.with_suffix(".html"),
                     out_dir / METRICS_FILE)
