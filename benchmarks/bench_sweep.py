"""Benchmark: ``aigc-kit sweep`` on the default local Dask cluster against sequential papermill.

Eight points of a CPU-bound notebook (a single-threaded pure-Python loop of a fixed
number of iterations, so every point costs the same work whatever the machine's load),
run three ways in one process, one after the other:

1. **bare papermill, sequential**: ``papermill.execute_notebook`` eight times, the
   baseline (and the per-point cost of a bare papermill run);
2. **sweep, default local cluster**: :func:`aigc_kit.course.sweep_engine.run_sweep` with
   its defaults (one single-threaded worker per core), cluster start-up included;
3. **sweep, one worker**: the same engine with one worker, so that its per-point cost
   minus the bare run's is the engine's overhead (scheduling, the temporary folder,
   sending the executed notebook back, writing the run folder and the results table).

Printed: the speed-up of (2) over (1) (expect close to the number of cores on a quiet
machine) and the engine's per-point overhead.

    python benchmarks/bench_sweep.py               # 8 points of about 3 s of work each
    python benchmarks/bench_sweep.py --loops 4e6   # heavier points

Used for ``aigc-kit sweep``; see the README's "Sweeps".
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

NOTEBOOK = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
loops = 1000
seed = 0
output_dir = "."

# %%
import json
import time
from pathlib import Path

start = time.process_time()
total = seed
for i in range(int(loops)):  # one core's work, the same at every point
    total = (total * 31 + i) % 1000003
cpu = time.process_time() - start
Path(output_dir, "metrics.json").write_text(json.dumps({"metrics": {"total": total,
                                                                    "cpu_seconds": cpu}}))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8, help="grid points (seeds)")
    parser.add_argument("--loops", type=float, default=1.5e7,
                        help="loop iterations per point (1.5e7: about 3 s on one core)")
    return parser.parse_args(argv)


def make_notebook(folder: Path) -> Path:
    from aigc_kit.course.pairs import write_pair

    source = folder / "cpu_bound.py"
    source.write_text(NOTEBOOK, encoding="utf-8")
    return write_pair(source)


def bare_papermill(notebook: Path, points: int, loops: float, folder: Path) -> list[float]:
    """Seconds of each of ``points`` sequential bare papermill runs."""
    import papermill

    seconds = []
    for seed in range(points):
        out = folder / f"bare-{seed}"
        out.mkdir()
        start = time.perf_counter()
        papermill.execute_notebook(str(notebook), str(out / notebook.name), progress_bar=False,
                                   parameters={"loops": loops, "seed": seed,
                                               "output_dir": str(out)})
        seconds.append(time.perf_counter() - start)
    return seconds


def sweep(notebook: Path, points: int, loops: int, out: Path, workers: int | None) -> dict:
    """Seconds of a sweep's phases: cluster start, the points, cluster close; its table."""
    from aigc_kit.course.sweep import plan_sweep
    from aigc_kit.course.sweep_engine import EngineConfig, run_sweep, start_engine

    plan = plan_sweep(notebook, {"seed": list(range(points))}, {"loops": loops})
    config = EngineConfig(workers=workers, progress=False)
    start = time.perf_counter()
    client, cluster = start_engine(config, points)
    started = time.perf_counter()
    summary = run_sweep(plan, out, config, client)
    ran = time.perf_counter()
    client.close()
    cluster.close()
    closed = time.perf_counter()
    if summary.ok != points:
        raise SystemExit(f"the sweep failed: {summary.line()}\n{summary.table}")
    return {"start": started - start, "points": ran - started, "close": closed - ran,
            "total": closed - start, "table": summary.table}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.loops = int(args.loops)
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        folder = Path(tmp)
        notebook = make_notebook(folder)
        print(f"{args.points} points of {args.loops:.3g} loop iterations; {cores} cores "
              f"(load average {os.getloadavg()[0]:.1f} at the start)", flush=True)
        bare = bare_papermill(notebook, args.points, args.loops, folder)
        print(f"bare papermill, sequential: {sum(bare):6.1f} s  "
              f"({statistics.mean(bare):.2f} s a point)", flush=True)
        local = sweep(notebook, args.points, args.loops, folder / "sweep", None)
        workers = local["table"]["worker"].nunique()
        print(f"sweep, default local cluster ({workers} workers): {local['total']:6.1f} s = "
              f"start {local['start']:.1f} + points {local['points']:.1f} + close "
              f"{local['close']:.1f}", flush=True)
        one = sweep(notebook, args.points, args.loops, folder / "one", 1)
        print(f"sweep, one worker:   {one['total']:6.1f} s = start {one['start']:.1f} + "
              f"points {one['points']:.1f} + close {one['close']:.1f}", flush=True)
    per_bare = statistics.mean(bare)
    print(f"\nspeed-up, default local cluster vs sequential papermill: "
          f"{sum(bare) / local['total']:.2f}x all in, {sum(bare) / local['points']:.2f}x for "
          f"the points alone (cluster start and close excluded), on {cores} cores (ideal "
          f"{min(cores, args.points)}x)")
    print(f"engine overhead per point vs bare papermill ({per_bare:.2f} s): "
          f"{one['points'] / args.points - per_bare:+.2f} s (one worker, points only), "
          f"{one['table']['seconds'].mean() - per_bare:+.2f} s of it inside the task "
          f"(temporary folder, kernel settings, collecting outputs); cluster start "
          f"{local['start']:.1f} s and close {local['close']:.1f} s once per sweep")
    print(f"load average at the end {os.getloadavg()[0]:.1f}: on a shared machine the "
          "ratios are noisy; rerun on a quiet one for the real figures")


if __name__ == "__main__":
    main()
