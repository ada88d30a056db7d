"""``aigc-kit sweep``: a notebook over a parameter grid, one papermill run per point.

This module plans a sweep and keeps its folder; :mod:`aigc_kit.course.sweep_engine` runs
the points on Dask. The folder ``DIR`` holds

``sweep.json``
    The plan: the notebook, its fingerprint, the grid, the fixed parameters, the points.
``runs/<point>/``
    One folder per point: the executed notebook, its ``metrics.json`` (what the notebook
    recorded with :func:`aigc_kit.evaluation.record_metrics` or wrote to its
    ``output_dir``), any other file it wrote to ``output_dir``, and ``point.json``,
    written last: a point is done when its ``point.json`` is there with its key.
``results.parquet`` (``results.csv`` without a Parquet engine)
    One row per finished point: parameters, scalar metrics, seconds, status. It is
    rebuilt from the run folders whenever it is missing, damaged or behind them.
``summary.csv``, ``summary-<metric>-vs-<x>.png``
    From ``aigc-kit sweep summarize DIR``.

A point's key is a hash of the notebook's cells and the point's parameters: a rerun skips
the points whose folder holds a successful run with the same key, and reruns the others
(failed ones, and every point of a changed notebook).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from aigc_kit.course.report import check_parameters
from aigc_kit.runtime import write_atomically

PLAN_FILE = "sweep.json"
POINT_FILE = "point.json"
RUNS_DIR = "runs"
MAX_POINTS = 500
#: The results table's own columns (a metric with one of these names gets ``metric_``).
OWN_COLUMNS = ("point", "status", "seconds", "attempts", "error", "cell", "worker", "key")
OUTPUT_DIR_HINT = "set by the sweep: each point writes into its own DIR/runs/<point>/"


class SweepError(ValueError):
    """A sweep that cannot start as asked (nothing was run); the message says why."""


def _yaml(text: str, option: str) -> Any:
    """``text`` read as YAML, or a :class:`SweepError` naming the option."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SweepError(f"{option}: cannot read {text!r} ({err.problem})") from err


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """``-g name=v1,v2`` options to ``{name: [v1, v2]}`` (``aigc-kit sweep``).

    The values are read as one YAML flow list, so numbers, booleans and quoted strings
    work, and so do list values: ``-g shares=[0.1,0.5],[1.0]``.
    """
    grid: dict[str, list[Any]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise SweepError(f"-g {item!r}: write -g NAME=VALUE1,VALUE2")
        if name in grid:
            raise SweepError(f"-g {name}: given twice; list all its values in one -g")
        parsed = _yaml(f"[{values}]", f"-g {name}")
        grid[name] = parsed if isinstance(parsed, list) else [parsed]
    return grid


def parse_fixed(items: list[list[str]]) -> dict[str, Any]:
    """``-p name=value`` (or ``-p name value``) options of ``aigc-kit sweep`` to a dict;
    values read as YAML."""
    fixed: dict[str, Any] = {}
    for item in items:
        if len(item) == 1 and "=" in item[0]:
            name, _, value = item[0].partition("=")
        elif len(item) == 2:
            name, value = item
        else:
            raise SweepError(f"-p {' '.join(item)}: write -p NAME=VALUE")
        if name in fixed:
            raise SweepError(f"-p {name}: given twice")
        fixed[name.strip()] = _yaml(value, f"-p {name}")
    return fixed


def notebook_fingerprint(notebook: Path) -> str:
    """SHA-256 of the notebook's cells (type and source): what a run depends on.

    Outputs and metadata do not count, so pairing or opening the notebook changes
    nothing; editing a cell does. Part of each point's key in ``aigc-kit sweep``.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    content = [(c.get("cell_type"), "".join(c.get("source", ""))) for c in cells]
    return hashlib.sha256(json.dumps(content).encode("utf-8")).hexdigest()


def point_key(fingerprint: str, parameters: dict[str, Any]) -> str:
    """A sweep point's key: SHA-256 of the notebook's fingerprint and its parameters
    (``aigc-kit sweep`` skips a finished point with the same key)."""
    text = fingerprint + json.dumps(parameters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def point_name(grid_values: dict[str, Any], key: str) -> str:
    """A point's folder name in ``DIR/runs/`` of ``aigc-kit sweep``:
    ``name-value_name-value-<key[:10]>``."""
    parts = []
    for name, value in grid_values.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        parts.append(f"{name}-{re.sub(r'[^A-Za-z0-9.+-]+', '', shown)[:24]}")
    return f"{'_'.join(parts) or 'point'}-{key[:10]}"


@dataclass
class Point:
    """One point of an ``aigc-kit sweep``: its folder name, key and parameters (``grid``:
    the swept ones)."""

    name: str
    key: str
    parameters: dict[str, Any]
    grid: dict[str, Any]


@dataclass
class SweepPlan:
    """What an ``aigc-kit sweep`` runs: the notebook, the grid, the fixed parameters and
    every point (saved as ``DIR/sweep.json``)."""

    notebook: Path
    fingerprint: str
    grid: dict[str, list[Any]]
    fixed: dict[str, Any]
    output_dir: bool
    points: list[Point] = field(default_factory=list)

    def save(self, out: Path) -> Path:
        """Write ``out/sweep.json`` atomically."""
        document = {**asdict(self), "notebook": str(self.notebook)}
        text = json.dumps(document, indent=1, default=str) + "\n"
        return write_atomically(out / PLAN_FILE, lambda h: h.write(text.encode("utf-8")))


def resolve_sweep_notebook(notebook: str | Path) -> Path:
    """The notebook ``aigc-kit sweep`` runs, as an absolute path; a clear error if it is
    missing or not a ``.ipynb``."""
    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"notebook not found: {path.resolve()}")
    if path.suffix != ".ipynb":
        hint = (f"; sweep its twin {path.with_suffix('.ipynb')}"
                if path.with_suffix(".ipynb").is_file() else "")
        raise SweepError(f"{path}: a sweep runs a .ipynb notebook{hint}")
    return path.resolve()


def plan_sweep(
    notebook: str | Path, grid: dict[str, list[Any]], fixed: dict[str, Any] | None = None,
    max_points: int = MAX_POINTS, yes: bool = False,
) -> SweepPlan:
    """Check everything a sweep needs and list its points; nothing is run or written.

    The first step of ``aigc-kit sweep`` (then
    :func:`aigc_kit.course.sweep_engine.run_sweep`).

    Raises
    ------
    FileNotFoundError
        The notebook does not exist.
    ParameterError
        A parameter the notebook does not declare, ``output_dir``, or a value of the wrong
        type (:func:`aigc_kit.course.report.check_parameters`, as ``aigc-kit report``).
    SweepError
        A malformed grid, or more than ``max_points`` points without ``yes``.
    """
    from aigc_kit.evaluation import expand_grid

    path = resolve_sweep_notebook(notebook)
    fixed = dict(fixed or {})
    declared = check_parameters(path, {**{k: [v] for k, v in fixed.items()}, **grid},
                                {"output_dir": OUTPUT_DIR_HINT})
    try:
        combos = expand_grid(grid, fixed)
    except ValueError as err:
        raise SweepError(str(err)) from err
    if len(combos) > max_points and not yes:
        raise SweepError(f"the grid has {len(combos)} points, more than {max_points}; "
                         "pass --yes to run them all")
    fingerprint = notebook_fingerprint(path)
    points = []
    for parameters in combos:
        key = point_key(fingerprint, parameters)
        swept = {name: parameters[name] for name in grid}
        points.append(Point(point_name(swept, key), key, parameters, swept))
    return SweepPlan(path, fingerprint, grid, fixed, "output_dir" in declared, points)


def read_point(out: Path, point: Point | None = None, name: str = "") -> dict | None:
    """The ``point.json`` record of a finished point, or None (not run, interrupted, or run
    with another key)."""
    folder = out / RUNS_DIR / (point.name if point else name)
    try:
        record = json.loads((folder / POINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or (point is not None and record.get("key") != point.key):
        return None
    return record


def write_point(out: Path, record: dict, executed: str, metrics: dict | None,
                files: dict[str, bytes]) -> Path:
    """Write one finished point's folder; ``point.json`` (the ``record``) goes last.

    A folder left by an interrupted or older run is emptied first.
    """
    folder = out / RUNS_DIR / record["point"]
    if folder.exists():
        shutil.rmtree(folder)
    for relative, data in files.items():
        write_atomically(folder / relative, lambda h, d=data: h.write(d))
    if executed:
        write_atomically(folder / record["notebook"], lambda h: h.write(executed.encode()))
    if metrics is not None:
        from aigc_kit.evaluation import METRICS_FILE

        text = json.dumps(metrics, indent=1, allow_nan=False) + "\n"
        write_atomically(folder / METRICS_FILE, lambda h: h.write(text.encode("utf-8")))
    text = json.dumps(record, indent=1, default=str) + "\n"
    return write_atomically(folder / POINT_FILE, lambda h: h.write(text.encode("utf-8")))


def _cell_value(value: Any) -> Any:
    """A table cell: scalars as they are, anything else as JSON text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True)


def result_row(out: Path, record: dict) -> dict[str, Any]:
    """One row of the results table from a point's record and its ``metrics.json``."""
    from aigc_kit.evaluation import METRICS_FILE

    row: dict[str, Any] = {"point": record["point"]}
    row.update({k: _cell_value(v) for k, v in record["parameters"].items()})
    try:
        doc = json.loads((out / RUNS_DIR / record["point"] / METRICS_FILE).read_text())
        metrics = doc.get("metrics", {}) if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        metrics = {}
    for name, value in metrics.items():
        if isinstance(value, (dict, list)):
            continue  # nested figures stay in metrics.json
        column = f"metric_{name}" if name in row or name in OWN_COLUMNS else name
        row[column] = value
    row.update({k: record.get(k) for k in OWN_COLUMNS if k != "point"})
    row["worker"] = ", ".join(record.get("workers", []))
    return row


def results_table(out: Path, plan: SweepPlan | None = None) -> pd.DataFrame:
    """The results table rebuilt from the run folders: the plan's finished points (every
    finished folder without a plan), in the plan's order."""
    if plan is not None:
        records = [read_point(out, p) for p in plan.points]
    else:
        folders = sorted(p.name for p in (out / RUNS_DIR).glob("*") if p.is_dir())
        records = [read_point(out, name=name) for name in folders]
    return pd.DataFrame([result_row(out, r) for r in records if r is not None])


def _parquet_engine() -> bool:
    return any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet"))


def write_results(out: Path, table: pd.DataFrame) -> Path:
    """``results.parquet`` (``results.csv`` if no Parquet engine is installed), atomically;
    the other format's file, if any, is removed so that one table stands."""
    parquet = _parquet_engine()
    path, other = out / "results.parquet", out / "results.csv"
    if not parquet:
        path, other = other, path
    if parquet:
        write_atomically(path, lambda h: table.to_parquet(h, index=False))
    else:
        write_atomically(path, lambda h: h.write(table.to_csv(index=False).encode("utf-8")))
    other.unlink(missing_ok=True)
    return path


def read_results_file(out: Path) -> pd.DataFrame:
    """Read ``results.parquet`` or ``results.csv`` as it is on disk (may raise)."""
    parquet, csv = out / "results.parquet", out / "results.csv"
    if parquet.exists():
        return pd.read_parquet(parquet)
    if csv.exists():
        return pd.read_csv(csv)
    raise FileNotFoundError(f"no results table in {out}")


def load_plan(out: Path) -> SweepPlan | None:
    """The plan in ``out/sweep.json``, or None if there is none (or it cannot be read)."""
    try:
        doc = json.loads((out / PLAN_FILE).read_text(encoding="utf-8"))
        points = [Point(**p) for p in doc.pop("points")]
        return SweepPlan(**{**doc, "notebook": Path(doc["notebook"]), "points": points})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_results(out: Path, plan: SweepPlan | None = None) -> tuple[pd.DataFrame, str]:
    """The results table, checked against the run folders.

    Returns
    -------
    table : pandas.DataFrame
        One row per finished point.
    note : str
        Empty when the file on disk was whole and up to date; otherwise what was wrong
        with it (missing, unreadable, half-written, behind the folders): it has then been
        rebuilt from the run folders and rewritten.
    """
    if not (out / RUNS_DIR).is_dir() and not (out / PLAN_FILE).is_file():
        raise FileNotFoundError(f"{out} is not a sweep folder (no {PLAN_FILE}, no "
                                f"{RUNS_DIR}/); run 'aigc-kit sweep NOTEBOOK ... --out {out}'")
    plan = plan if plan is not None else load_plan(out)
    table = results_table(out, plan)
    try:
        on_disk = read_results_file(out)
        same = (list(on_disk.get("point", [])) == list(table.get("point", []))
                and list(on_disk.get("status", [])) == list(table.get("status", [])))
        note = "" if same else (f"the results table listed {len(on_disk)} points, the run "
                                f"folders {len(table)}")
    except FileNotFoundError:
        note = "no results table yet" if len(table) else ""
    except Exception as err:  # noqa: BLE001 - any unreadable file is rebuilt
        note = f"the results table could not be read ({type(err).__name__}: {err})"
    if note:
        write_results(out, table)
    return table, note


def _swept_in_folders(out: Path) -> list[str]:
    """The swept parameters named by the run folders' records (when ``sweep.json`` is lost)."""
    names: dict[str, None] = {}
    for folder in sorted((out / RUNS_DIR).glob("*")):
        names.update(dict.fromkeys((read_point(out, name=folder.name) or {}).get("grid", {})))
    return list(names)


@dataclass
class SweepSummaryFiles:
    """What ``aigc-kit sweep summarize`` made: the summary, its CSV and the plot."""

    summary: pd.DataFrame
    csv: Path
    plot: Path | None
    note: str


def summarize(
    out: Path, metric: str | None = None, x: str | None = None, seed: str = "seed",
) -> SweepSummaryFiles:
    """Summarise a sweep folder: each metric over the seeds, and one metric plotted.

    Groups the successful points by every swept parameter but ``seed``
    (:func:`aigc_kit.evaluation.summarize_sweep`: mean, standard deviation, 95 % interval),
    writes ``summary.csv`` and plots ``metric`` against ``x``
    (:func:`aigc_kit.evaluation.plot_sweep`) into ``summary-<metric>-vs-<x>.png``.

    Parameters
    ----------
    out : Path
        The sweep folder.
    metric : str, optional
        Default: the first metric of the table.
    x : str, optional
        Default: the first swept parameter other than ``seed`` (no plot when there is none).
    seed : str
        The parameter that repeats a measurement.

    Raises
    ------
    FileNotFoundError
        ``out`` is not a sweep folder.
    SweepError
        No successful point, or an unknown metric or parameter (the message lists them).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aigc_kit.evaluation import plot_sweep, summarize_sweep

    table, note = load_results(out)
    plan = load_plan(out)
    swept = list(plan.grid) if plan else _swept_in_folders(out)
    try:
        summary = summarize_sweep(table, swept, seed=seed) if len(table) else None
        if summary is None or summary.empty:
            raise ValueError(f"no successful point with a numeric metric in {out}")
        metric = metric or str(summary["metric"].iloc[0])
        groups = [p for p in swept if p != seed]
        x = x or (groups[0] if groups else None)
        csv = write_atomically(out / "summary.csv",
                               lambda h: h.write(summary.to_csv(index=False).encode()))
        figure = None
        if x is not None:
            ax = plot_sweep(summary, metric, x)
            figure = out / f"summary-{metric}-vs-{x}.png"
            ax.figure.savefig(figure, dpi=110)
            plt.close(ax.figure)
        elif metric not in set(summary["metric"]):
            raise ValueError(f"metric {metric!r} not summarised; there are "
                             f"{sorted(set(summary['metric']))}")
    except ValueError as err:
        raise SweepError(str(err)) from err
    return SweepSummaryFiles(summary, csv, figure, note)
