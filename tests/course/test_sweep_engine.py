"""``aigc-kit sweep`` on Dask: a 2-worker local cluster, a real cluster on loopback with a
worker killed mid-sweep, retries, resume after an interruption, the report notebook."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aigc_kit.course.cli import main
from aigc_kit.course.sweep import plan_sweep, read_point
from aigc_kit.course.sweep_engine import (
    EngineConfig,
    PointTask,
    outcome_metrics,
    recorded_metrics,
    run_point,
    run_sweep,
)

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH",
                                                                               "")])}
BUSY = 240  # seconds allowed for a few tiny points on a busy 2-core machine


def _task(notebook: Path, parameters: dict, output_dir: bool = True, **kw) -> PointTask:
    return PointTask("p", "k", notebook.name, notebook.read_text(), parameters, output_dir,
                     str(notebook.parent), 120, runs_per_host={"local": 2}, **kw)


def test_run_point_reads_recorded_metrics_and_sets_threads(recording):
    outcome = run_point(_task(recording, {"x": 3.0}, output_dir=False))
    assert outcome.ok, outcome.error
    metrics = outcome_metrics(outcome)
    assert metrics["metrics"] == {"half": 0.75, "threads": outcome.threads,
                                  "cwd": str(recording.parent)}
    assert metrics["parameters"] == {"x": 3.0, "seed": 0}
    cores = len(os.sched_getaffinity(0))
    assert outcome.threads == max(1, cores // 2)  # 2 runs at once on this host
    assert recorded_metrics(json.loads(outcome.executed)) == metrics


def test_run_point_records_error_cell_and_files(tiny, tmp_path):
    failed = run_point(_task(tiny, {"fail": "always", "ledger": str(tmp_path / "l")}))
    assert not failed.ok and failed.error == "RuntimeError: boom at x=1.0"
    assert failed.cell.startswith("In [") and "import json" in failed.cell
    assert failed.executed and outcome_metrics(failed) is None
    ok = run_point(_task(tiny, {"x": 2.0}, torch_threads=3))
    metrics = outcome_metrics(ok)["metrics"]  # from output_dir/metrics.json
    assert ok.ok and ok.threads == 3 and metrics["threads"] == 3 and metrics["y"] == 4.0
    assert ok.files == {"extra.txt": b"a file the run wrote"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A 2-worker local cluster shared by this module's tests (its kernels write their
    model cache into a temporary data folder)."""
    from distributed import Client, LocalCluster

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIGC_KIT_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        with Client(cluster, set_as_default=False) as dask_client:
            yield dask_client
        cluster.close()


def test_local_cluster_sweep_every_point_once_then_skipped(tiny, tmp_path, client):
    out = tmp_path / "sweep"
    plan = plan_sweep(tiny, {"x": [1.0, 2.0], "seed": [0, 1]}, {"label": "b"})
    summary = run_sweep(plan, out, EngineConfig(progress=False), client)
    assert (summary.ok, summary.failed, summary.skipped, summary.pending) == (4, 0, 0, 0)
    table = summary.table
    assert list(table["point"]) == [p.name for p in plan.points]
    assert table[["x", "seed"]].values.tolist() == [[1, 0], [1, 1], [2, 0], [2, 1]]
    assert (table["label"] == "b").all() and (table["status"] == "ok").all()
    assert table["y"].tolist() == pytest.approx([2.0, 2.1, 4.0, 4.1])
    assert (table["threads"] == max(1, len(os.sched_getaffinity(0)) // 2)).all()
    assert table["worker"].nunique() == 2  # both workers took points
    for point in plan.points:
        folder = out / "runs" / point.name
        assert sorted(p.name for p in folder.iterdir()) == ["extra.txt", "metrics.json",
                                                            "point.json", "tiny.ipynb"]
    again = run_sweep(plan, out, EngineConfig(scheduler="tcp://127.0.0.1:1"))  # not reached
    assert (again.ok, again.skipped) == (0, 4) and len(again.table) == 4


def test_failures_retried_once_on_another_worker(tiny, tmp_path, client):
    out, ledger = tmp_path / "sweep", tmp_path / "ledger"
    grid = {"x": [1.0, 2.0], "fail": ["first", "always"]}
    plan = plan_sweep(tiny, grid, {"ledger": str(ledger)})
    summary = run_sweep(plan, out, EngineConfig(progress=False), client)
    assert (summary.ok, summary.failed) == (2, 2)
    records = {p.parameters["fail"] + str(p.parameters["x"]): read_point(out, p)
               for p in plan.points}
    for name, record in records.items():
        assert record["attempts"] == 2 and len(set(record["workers"])) == 2, record
        if name.startswith("always"):
            assert record["status"] == "failed"
            assert record["error"].startswith("RuntimeError: boom")
            assert record["cell"].startswith("In [") and "import json" in record["cell"]
        else:
            assert record["status"] == "ok" and record["error"] == ""
    assert sorted(ledger.read_text().split()) == ["1.0,0", "2.0,0"]
    # a rerun retries the failed points only; a changed notebook reruns everything
    assert run_sweep(plan, out, EngineConfig(progress=False), client).skipped == 2
    changed = tiny.with_suffix(".py").read_text().replace("x * 2", "x * 3")
    tiny.with_suffix(".py").write_text(changed)
    from aigc_kit.course.pairs import write_pair

    write_pair(tiny.with_suffix(".py"))
    plan = plan_sweep(tiny, {"x": [1.0, 2.0]}, {"ledger": str(ledger)})
    assert run_sweep(plan, out, EngineConfig(progress=False), client).ok == 2


def test_a_point_whose_worker_dies_is_retried_on_the_default_cluster(tiny, tmp_path):
    out, ledger = tmp_path / "sweep", tmp_path / "ledger"
    plan = plan_sweep(tiny, {"fail": ["kill", "never"]}, {"ledger": str(ledger)})
    summary = run_sweep(plan, out, EngineConfig(workers=2, progress=False))
    assert (summary.ok, summary.failed) == (2, 0), summary.table.get("error")
    killed = read_point(out, plan.points[0])
    assert killed["attempts"] == 2 and killed["workers"][0] == "lost worker"
    assert read_point(out, plan.points[1])["attempts"] == 1
    assert sorted(ledger.read_text().split()) == ["1.0,0", "1.0,0"]  # each point ran once


def test_report_notebook_sweep_at_a_small_budget(tmp_path, client):
    out = tmp_path / "reports"
    plan = plan_sweep(REPO / "notebooks" / "report_model.ipynb", {"model": ["gan", "vae"]},
                      {"gan_seconds": 1, "vae_seconds": 1, "classifier_epochs": 2,
                       "n_samples": 24, "resample_seeds": 2})
    summary = run_sweep(plan, out, EngineConfig(progress=False, timeout=600), client)
    assert summary.ok == 2, summary.table.get("error")
    table = summary.table
    assert table["model"].tolist() == ["gan", "vae"] and (table["n_samples"] == 24).all()
    for column in ("is_ratio", "frechet", "coverage", "nn_ratio"):
        assert table[column].notna().all(), column
    assert table["recon_mse"].isna().tolist() == [True, False]  # the VAE's only
    doc = json.loads((out / "runs" / plan.points[1].name / "metrics.json").read_text())
    assert doc["parameters"]["model"] == "vae" and "class_counts" in doc["metrics"]
    assert doc["parameters"]["resample_seeds"] == 2 and "frechet_resample_sd" in table


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.2)


def _done(out: Path) -> int:
    return len(list(out.glob("runs/*/point.json")))


def test_unreachable_scheduler_fails_in_seconds(tiny, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    code = main(["sweep", str(tiny), "-g", "x=1,2", "--out", str(tmp_path / "s"),
                 "--scheduler", address, "--connect-timeout", "2"])
    assert code == 2 and time.monotonic() - start < 30
    err = capsys.readouterr().err
    assert address in err and "dask scheduler" in err
    assert not (tmp_path / "s").exists()


def test_loopback_cluster_survives_a_killed_worker(tiny, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    log = open(tmp_path / "dask.log", "w")  # noqa: SIM115 - closed at the end
    processes = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-dashboard"], env=ENV, stdout=log,
                                  stderr=subprocess.STDOUT)]
    try:
        for name in ("w1", "w2"):
            processes.append(subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--name", name, "--host", "127.0.0.1"], env=ENV, stdout=log,
                stderr=subprocess.STDOUT))
        out, ledger = tmp_path / "sweep", tmp_path / "ledger"
        command = [sys.executable, "-m", "aigc_kit", "sweep", str(tiny), "-g",
                   "x=1,2", "-g", "seed=0,1", "-p", "sleep=1.5", "-p", f"ledger={ledger}",
                   "--out", str(out), "--scheduler", address, "--connect-timeout", "60"]
        sweep = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        _wait(lambda: _done(out) >= 1 or sweep.poll() is not None, BUSY, "a first point")
        assert sweep.poll() is None and _done(out) < 4, "the sweep ended before the kill"
        processes[1].kill()  # worker w1 dies mid-sweep, with a point running
        output, _ = sweep.communicate(timeout=BUSY)
        assert sweep.returncode == 0, output
        assert "4 points: 4 ok, 0 failed, 0 skipped" in output
        plan = plan_sweep(tiny, {"x": [1, 2], "seed": [0, 1]},
                          {"sleep": 1.5, "ledger": str(ledger)})
        records = [read_point(out, p) for p in plan.points]
        assert all(r["status"] == "ok" for r in records)
        assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(
            p.name for p in plan.points)  # every point exactly once
        finished = ledger.read_text().split()
        assert sorted(set(finished)) == sorted(f"{x},{s}" for x in (1, 2) for s in (0, 1))
        rerun = subprocess.run(command, env=ENV, capture_output=True, text=True,
                               timeout=BUSY)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "4 points: 0 ok, 0 failed, 4 skipped" in rerun.stdout
        assert ledger.read_text().split() == finished  # nothing ran again
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=30)
        log.close()


def test_interrupted_sweep_resumes_with_every_point_once(tiny, tmp_path, capsys):
    out, ledger = tmp_path / "sweep", tmp_path / "ledger"
    # points of 4 s: the interrupt, sent once the first point is done, lands while the
    # others still run (with 1-s points, two workers sometimes finished all four first)
    options = [str(tiny), "-g", "x=1,2", "-g", "seed=0,1", "-p", "sleep=4",
               "-p", f"ledger={ledger}", "--out", str(out), "--workers", "2"]
    # Ctrl-C as at a terminal: a child inherits an *ignored* SIGINT from its parent (an
    # earlier test in the same pytest process may leave it ignored), and Python then never
    # installs its KeyboardInterrupt handler, so the sweep would run to the end
    sweep = subprocess.Popen([sys.executable, "-m", "aigc_kit", "sweep", *options], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait(lambda: _done(out) >= 1 or sweep.poll() is not None, BUSY, "a first point")
    assert sweep.poll() is None, "the sweep ended before the interruption"
    sweep.send_signal(signal.SIGINT)  # Ctrl-C
    output, _ = sweep.communicate(timeout=BUSY)
    assert sweep.returncode == 130, output
    assert "not run (interrupted)" in output
    done_before = {p.parent.name for p in out.glob("runs/*/point.json")}
    assert 1 <= len(done_before) < 4
    results = next(out.glob("results.*"))
    results.write_bytes(results.read_bytes()[:40])  # and a half-written table
    assert main(["sweep", *options]) == 0
    printed = capsys.readouterr().out
    assert "rebuilt from the run folders" in printed
    assert f"4 points: {4 - len(done_before)} ok, 0 failed, {len(done_before)} skipped" in printed
    plan = plan_sweep(tiny, {"x": [1, 2], "seed": [0, 1]},
                      {"sleep": 4, "ledger": str(ledger)})
    assert {p.name for p in (out / "runs").iterdir()} == {p.name for p in plan.points}
    finished = ledger.read_text().split()
    for point in plan.points:  # a point kept from the first run did not run again
        if point.name in done_before:
            assert finished.count(f"{point.parameters['x']},{point.parameters['seed']}") == 1
    import pandas as pd

    table = pd.read_parquet(results) if results.suffix == ".parquet" else pd.read_csv(results)
    assert table["point"].is_unique and len(table) == 4 and (table["status"] == "ok").all()


def test_dashboard_address_only_when_there_is_one():
    class FakeClient:
        dashboard_link = "http://127.0.0.1:8787/status"

        def __init__(self, services):
            self.services = services

        def scheduler_info(self, n_workers):
            return {"services": self.services}

    from aigc_kit.course.sweep_engine import dashboard_of

    assert dashboard_of(FakeClient({"dashboard": 8787}), local=False) == FakeClient.dashboard_link
    assert dashboard_of(FakeClient({}), local=False) == ""
