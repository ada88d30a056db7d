"""Run a sweep's points on Dask distributed: a local cluster, or an existing one.

:func:`run_sweep` submits one task per point still to run (:func:`run_point`, executed on
a worker: one papermill run in a temporary folder, the executed notebook, its metrics and
the files it wrote sent back) and writes each result into the sweep folder as it arrives
(:mod:`aigc_kit.course.sweep`), so an interrupted sweep keeps every finished point.

Without ``scheduler`` a :class:`distributed.LocalCluster` is started: one single-threaded
worker process per core (at most one per point). With ``scheduler="tcp://HOST:PORT"`` the
same tasks go to an existing cluster (``dask scheduler`` / ``dask worker``, dask-jobqueue,
Kubernetes); its workers need the kit installed. Each run's kernel gets
``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` (which set torch's threads) = the worker host's
cores divided by the points that host runs at once, so the runs do not oversubscribe it.

A point that fails (a cell error, a timeout, a worker that died) is retried once, on
another worker where there is one, then recorded as failed with its error and cell.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd

from aigc_kit.course.sweep import (
    Point,
    SweepError,
    SweepPlan,
    load_results,
    read_point,
    result_row,
    write_point,
    write_results,
)

MAX_RETURNED_BYTES = 64 * 2**20  # files a run wrote to output_dir, sent back up to this


@dataclass
class PointTask:
    """Everything a worker needs to run one point (sent with the task)."""

    name: str
    key: str
    notebook_name: str
    notebook_text: str
    parameters: dict[str, Any]
    output_dir: bool
    cwd: str
    timeout: int
    torch_threads: int | None = None
    runs_per_host: dict[str, int] = field(default_factory=dict)


@dataclass
class PointOutcome:
    """What a worker sends back for one point."""

    name: str
    ok: bool
    seconds: float
    error: str = ""
    cell: str = ""
    worker: str = ""
    threads: int = 0
    executed: str = ""
    files: dict[str, bytes] = field(default_factory=dict)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _this_worker() -> str:
    """The Dask worker's address, or ``"local"`` outside a worker."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "local"


def recorded_metrics(executed: dict) -> dict | None:
    """The metrics document(s) that :func:`aigc_kit.evaluation.record_metrics` left in an
    executed notebook, merged in order (dicts such as ``metrics`` and ``parameters`` key by
    key, later values winning; ``non_finite`` from the last); None if there are none."""
    from aigc_kit.evaluation import METRICS_MIME

    merged: dict | None = None
    for cell in executed.get("cells", []):
        for output in cell.get("outputs", []):
            document = output.get("data", {}).get(METRICS_MIME)
            if not isinstance(document, dict):
                continue
            merged = merged or {}
            for name, value in document.items():  # dicts (metrics, parameters) key by key
                old = merged.get(name)
                merged[name] = ({**old, **value} if isinstance(old, dict)
                                and isinstance(value, dict) else value)
    return merged


def _failure(err: BaseException) -> tuple[str, str]:
    """The error line and, for a cell error, the cell (``In [n]: first line``)."""
    from aigc_kit.course.runner import error_line

    source = getattr(err, "source", None)
    if source is None:
        return error_line(err), ""
    first = next((line for line in str(source).splitlines() if line.strip()), "")
    return error_line(err), f"In [{getattr(err, 'exec_count', '?')}]: {first.strip()[:120]}"


def _collect(folder: Path) -> dict[str, bytes]:
    """The files a run wrote to its output folder (up to :data:`MAX_RETURNED_BYTES`)."""
    files, size = {}, 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        size += path.stat().st_size
        if size <= MAX_RETURNED_BYTES:
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def outcome_metrics(outcome: PointOutcome) -> dict | None:
    """The point's metrics document: what the notebook recorded with ``record_metrics``,
    else the ``metrics.json`` it wrote to ``output_dir`` (taken out of ``files``)."""
    from aigc_kit.evaluation import METRICS_FILE

    written = outcome.files.pop(METRICS_FILE, None)
    recorded = recorded_metrics(json.loads(outcome.executed)) if outcome.executed else None
    if recorded is None and written is not None:
        try:
            recorded = json.loads(written)
        except ValueError:
            outcome.files[METRICS_FILE] = written  # kept as the run wrote it
    return recorded


def run_point(task: PointTask) -> PointOutcome:
    """Run one point: papermill in a temporary folder, then send everything back.

    Executed on a Dask worker (or in any process). The kernel starts in ``task.cwd`` when
    that folder exists here (the notebook's own folder, so its relative paths work), else
    in the temporary folder; ``output_dir``, when the notebook declares it, is a
    temporary folder whose files come back. A failure is returned, not raised. The kit's
    models are not imported here: the metrics are read on the client
    (:func:`outcome_metrics`).
    """
    from aigc_kit.course.runner import execute_notebook

    worker = _this_worker()
    host = urlparse(worker).hostname or worker
    threads = task.torch_threads or max(1, _cores() // task.runs_per_host.get(host, 1))
    env = {name: str(threads) for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="aigc-kit-sweep-") as tmp:
        folder = Path(tmp)
        source, executed, output = folder / task.notebook_name, folder / "executed.ipynb", \
            folder / "output"
        source.write_text(task.notebook_text, encoding="utf-8")
        output.mkdir()
        parameters = {**task.parameters, **({"output_dir": str(output)} if task.output_dir
                                            else {})}
        cwd = Path(task.cwd) if Path(task.cwd).is_dir() else folder
        try:
            execute_notebook(source, executed, parameters, cwd, task.timeout, env,
                             ["--IPKernelApp.log_level=CRITICAL"])  # its stderr is shared
            error, cell = "", ""
        except Exception as err:  # noqa: BLE001 - recorded; the sweep goes on
            error, cell = _failure(err)
        text = executed.read_text(encoding="utf-8") if executed.exists() else ""
        files = _collect(output)
    return PointOutcome(task.name, not error, time.perf_counter() - start, error, cell,
                        worker, threads, text, files)


@dataclass
class EngineConfig:
    """How and where a sweep runs.

    Attributes
    ----------
    scheduler : str, optional
        ``tcp://HOST:PORT`` of an existing Dask scheduler; default a local cluster.
    workers : int, optional
        Workers of the local cluster; default one per core, at most one per point.
    torch_threads : int, optional
        Threads of each run's kernel; default the host's cores / its concurrent runs.
    timeout : int
        Seconds allowed per cell.
    connect_timeout : float
        Seconds to wait for the scheduler before giving up with an error.
    progress : bool
        Show the progress bar and one line per finished point.
    """

    scheduler: str | None = None
    workers: int | None = None
    torch_threads: int | None = None
    timeout: int = 1200
    connect_timeout: float = 10.0
    progress: bool = True


def start_engine(config: EngineConfig, n_points: int) -> tuple[Any, Any]:
    """A Dask client on the given scheduler, or on a new local cluster; its workers warmed
    up (:func:`warm_up`).

    Returns
    -------
    client, cluster
        ``cluster`` is None for an existing scheduler.

    Raises
    ------
    SweepError
        The scheduler cannot be reached within ``config.connect_timeout`` seconds (the
        message names the address).
    """
    import dask
    from distributed import Client, LocalCluster

    if config.scheduler:
        try:
            client = Client(config.scheduler, timeout=config.connect_timeout,
                            set_as_default=False)
        except (OSError, ValueError, TypeError) as err:
            raise SweepError(
                f"cannot reach the Dask scheduler at {config.scheduler} within "
                f"{config.connect_timeout:g} s ({type(err).__name__}: {err}); start one with "
                "'dask scheduler' and 'dask worker ADDRESS', or leave out --scheduler to run "
                "on this machine") from err
        try:  # the workers there now; later ones warm up on their first point
            client.run(warm_up)
        except Exception as err:  # noqa: BLE001 - reported with the fix
            client.close()
            raise SweepError(f"the workers of {config.scheduler} cannot run the sweep's tasks "
                             f"({type(err).__name__}: {err}); install aigc-kit, the same "
                             "version with its 'notebooks' extra, where they run") from err
        return client, None
    workers = config.workers or max(1, min(_cores(), n_points))
    # the sweep retries a point itself (once), so the scheduler gives up at the first death
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0",  # a free port
                               silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    client.run(warm_up)
    return client, cluster


def warm_up() -> str:
    """Import what :func:`run_point` needs (papermill, the kernel client), so that the
    first point on each worker does not pay for it; run on every worker at the start."""
    import jupyter_client.manager  # noqa: F401
    import papermill  # noqa: F401

    return _this_worker()


def dashboard_of(client: Any, local: bool) -> str:
    """The dashboard's address, or ``""`` when there is none.

    A scheduler without bokeh serves only a page asking for it: on a ``local`` cluster
    that page is not announced when bokeh is missing here.
    """
    import importlib.util

    services = client.scheduler_info(n_workers=0).get("services", {})
    if "dashboard" not in services or (local and not importlib.util.find_spec("bokeh")):
        return ""
    return client.dashboard_link


def runs_per_host(client: Any) -> dict[str, int]:
    """How many points each worker host runs at once (the sum of its workers' threads)."""
    counts: dict[str, int] = {}
    for info in client.scheduler_info(n_workers=-1)["workers"].values():
        counts[info["host"]] = counts.get(info["host"], 0) + int(info["nthreads"])
    return counts


@dataclass
class SweepSummary:
    """The outcome of :func:`run_sweep`: counts, the results table and where it is."""

    ok: int
    failed: int
    skipped: int
    pending: int
    results: Path
    table: pd.DataFrame
    dashboard: str = ""
    note: str = ""

    def line(self) -> str:
        """``N points: ok, failed, skipped (, not run)``."""
        total = self.ok + self.failed + self.skipped + self.pending
        text = (f"{total} points: {self.ok} ok, {self.failed} failed, {self.skipped} skipped "
                f"(done before)")
        return text + (f", {self.pending} not run (interrupted)" if self.pending else "")


def _outcome(future: Any, point: Point) -> PointOutcome:
    """The task's outcome, or a failure when the task itself died (e.g. ``KilledWorker``)."""
    from aigc_kit.course.runner import error_line

    try:
        return future.result()
    except Exception as err:  # noqa: BLE001 - a lost worker is a failed attempt
        return PointOutcome(point.name, False, 0.0, error_line(err))


def _record(plan: SweepPlan, point: Point, outcome: PointOutcome, workers: list[str]) -> dict:
    """A finished point's ``point.json``."""
    return {"point": point.name, "key": point.key, "notebook": plan.notebook.name,
            "parameters": point.parameters, "grid": point.grid,
            "status": "ok" if outcome.ok else "failed", "seconds": round(outcome.seconds, 3),
            "attempts": len(workers), "error": outcome.error, "cell": outcome.cell,
            "workers": workers, "torch_threads": outcome.threads,
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}


class _Submitter:
    """Submits points to the cluster and remembers each task's point and attempts."""

    def __init__(self, client: Any, plan: SweepPlan, config: EngineConfig) -> None:
        self.client, self.plan, self.config = client, plan, config
        self.text = plan.notebook.read_text(encoding="utf-8")
        self.per_host = runs_per_host(client)
        self.tasks: dict[str, tuple[Point, list[str]]] = {}

    def submit(self, point: Point, workers: list[str] | None = None) -> Any:
        """Submit ``point``; after a failure on ``workers[-1]``, only to the other workers.

        The retry is bound to the workers alive now other than the one that failed
        (``allow_other_workers=False``: a loose restriction lets the scheduler put it back
        on the failed worker whenever the others are busy). With no other worker it may go
        anywhere."""
        workers = workers or []
        task = PointTask(point.name, point.key, self.plan.notebook.name, self.text,
                         point.parameters, self.plan.output_dir, str(self.plan.notebook.parent),
                         self.config.timeout, self.config.torch_threads, self.per_host)
        others = [w for w in self.client.scheduler_info(n_workers=-1)["workers"]
                  if w != workers[-1]] if workers else []
        placement = {"workers": others, "allow_other_workers": False} if others else {}
        key = f"sweep-{point.name}-{len(workers) + 1}-{uuid.uuid4().hex[:8]}"
        future = self.client.submit(run_point, task, pure=False, key=key, **placement)
        self.tasks[future.key] = (point, workers)
        return future


def _run_points(client: Any, plan: SweepPlan, out: Path, todo: list[Point],
                config: EngineConfig, rows: dict[str, dict], counts: dict[str, int]) -> int:
    """Run ``todo`` on ``client``; write each point as it finishes. Returns the number of
    points left unrun by an interruption (Ctrl-C)."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    submitter = _Submitter(client, plan, config)
    if not submitter.per_host and config.progress:
        print("the scheduler has no worker yet: the points wait until one joins", flush=True)
    remaining = {p.name for p in todo}
    bar = tqdm(total=len(plan.points), initial=len(plan.points) - len(todo), unit="point",
               desc="sweep", disable=not config.progress, dynamic_ncols=True)
    futures = as_completed([submitter.submit(p) for p in todo], loop=client.loop)
    try:
        for future in futures:
            point, workers = submitter.tasks.pop(future.key)
            outcome = _outcome(future, point)
            workers = [*workers, outcome.worker or "lost worker"]
            if not outcome.ok and len(workers) < 2:
                if config.progress:
                    bar.write(f"{point.name}: failed on {workers[-1]} ({outcome.error}); "
                              "retrying")
                futures.add(submitter.submit(point, workers))
                continue
            record = _record(plan, point, outcome, workers)
            metrics = outcome_metrics(outcome)
            write_point(out, record, outcome.executed, metrics, outcome.files)
            rows[point.name] = result_row(out, record)
            write_results(out, pd.DataFrame([rows[p.name] for p in plan.points
                                             if p.name in rows]))
            counts[record["status"]] += 1
            remaining.discard(point.name)
            bar.update(1)
            status = "ok" if outcome.ok else f"FAILED: {outcome.error} at {outcome.cell}"
            if config.progress:
                bar.write(f"{point.name}  {outcome.seconds:6.1f} s  {status}  "
                          f"({workers[-1]}, {outcome.threads} threads)")
    except KeyboardInterrupt:
        bar.write(f"interrupted: {len(remaining)} points not run; run the same command again "
                  "to finish them (finished points are kept)")
        client.cancel(list(futures.futures))
    finally:
        bar.close()
    return len(remaining)


def run_sweep(
    plan: SweepPlan, out: str | Path, config: EngineConfig | None = None, client: Any = None,
) -> SweepSummary:
    """Run every point of ``plan`` not yet done in ``out``; resumable and idempotent.

    Parameters
    ----------
    plan : SweepPlan
        From :func:`aigc_kit.course.sweep.plan_sweep`.
    out : str or Path
        The sweep folder (created).
    config : EngineConfig, optional
        Where and how to run; default a local cluster.
    client : distributed.Client, optional
        Run on this client instead of starting one (it is left open).

    Returns
    -------
    SweepSummary
        Counts (ok / failed / skipped / not run after Ctrl-C) and the results table,
        written to ``out/results.parquet`` (or ``.csv``).

    Raises
    ------
    SweepError
        The scheduler cannot be reached (nothing was run).
    """
    config = config or EngineConfig()
    out = Path(out).resolve()
    todo = [p for p in plan.points if (read_point(out, p) or {}).get("status") != "ok"]
    own = bool(todo) and client is None
    cluster = None
    if own:  # an unreachable scheduler is refused before the folder is touched
        client, cluster = start_engine(config, len(todo))
    counts, pending, dashboard = {"ok": 0, "failed": 0}, 0, ""
    try:
        out.mkdir(parents=True, exist_ok=True)
        plan.save(out)
        table, note = load_results(out, plan)
        rows = {row["point"]: row for row in table.to_dict("records")}
        if todo:
            dashboard = dashboard_of(client, local=cluster is not None)
            if dashboard and config.progress:
                print(f"Dask dashboard: {dashboard}", flush=True)
            pending = _run_points(client, plan, out, todo, config, rows, counts)
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    table = pd.DataFrame([rows[p.name] for p in plan.points if p.name in rows])
    results = write_results(out, table)
    return SweepSummary(counts["ok"], counts["failed"], len(plan.points) - len(todo), pending,
                        results, table, dashboard, note)
