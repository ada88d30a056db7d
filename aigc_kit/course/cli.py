"""The ``aigc-kit`` command (also ``python -m aigc_kit``): run the course and model reports.

Sub-commands:

``course``
    Execute every course notebook headless into ``build/course/`` (executed ``.ipynb`` and
    HTML): the README's main job. ``--students`` also writes the students' edition of the
    site (solutions replaced by stubs, check outputs cleared) to ``build/course-students/``.
``site``
    Rebuild the site from notebooks already executed by ``course``, without running them;
    ``--students`` writes the students' edition.
``report``
    Train (or load) the GAN or the VAE and report every objective metric on it: runs
    ``notebooks/report_model.ipynb`` into ``build/reports/<model>-<dataset>-<seconds>s-seed<seed>/``
    (HTML page and ``metrics.json``), e.g. ``aigc-kit report -p model vae``.
``sweep``
    Run any notebook with a ``parameters`` cell over a grid on Dask (a local cluster, or
    an existing one with ``--scheduler``), one papermill run per point, resumable, e.g.
    ``aigc-kit sweep notebooks/report_model.ipynb -g model=gan,vae -g seed=0,1,2 --out
    build/sweeps/models``; ``aigc-kit sweep summarize DIR`` gives mean, standard
    deviation and 95 % interval per metric and a plot.
``fetch``
    FSDD into the cache, or check the offline mirror.
``exercises``
    Write the student notebooks (solutions replaced by stubs) or nbgrader's source notebooks.
``check-notebooks``, ``pair-notebooks``
    Keep the jupytext ``.py``/``.ipynb`` pairs in step.
``ratings merge``
    Pool a class's rating logs into one, counting every record once, e.g.
    ``aigc-kit ratings merge logs/*.jsonl --out class.jsonl``.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path


def _parse_parameters(pairs: list[list[str]]) -> dict:
    """``-p name value`` pairs to a dict; values are read as YAML (numbers, booleans)."""
    import yaml

    return {name: yaml.safe_load(value) for name, value in pairs}


def _course(args: argparse.Namespace) -> int:
    from aigc_kit.course.runner import run_course

    students = Path(args.students_out) if args.students else None
    runs = run_course(Path(args.out), args.only, _parse_parameters(args.p), args.timeout,
                      students_dir=students)
    failed = [r.name for r in runs if not r.ok]
    total = sum(r.seconds for r in runs)
    print(f"{len(runs) - len(failed)} of {len(runs)} notebooks ok in {total:.0f} s; "
          f"executed notebooks and HTML in {args.out}")
    if students is not None:
        print(f"students' edition (no solutions): {students / 'index.html'}")
    return 1 if failed else 0


def _site(args: argparse.Namespace) -> int:
    from aigc_kit.course.site import build_site, executed_chapters

    executed = Path(args.executed)
    chapters = executed_chapters(executed) if executed.is_dir() else []
    if not chapters:
        print(f"aigc-kit site: no executed chapters (NN_topic.ipynb) in {executed.resolve()}; "
              f"run 'aigc-kit course' first, or pass --executed DIR", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else (Path(args.students_out) if args.students
                                           else executed)
    index = build_site(executed, chapters, out=out, students=args.students)
    edition = "students' edition (solutions replaced by stubs)" if args.students else "site"
    print(f"{edition} of {len(chapters)} chapters: {index}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from aigc_kit.course.report import ParameterError, run_report

    try:
        report = run_report(_parse_parameters(args.p), args.out, args.notebook, args.timeout)
    except (FileNotFoundError, ParameterError) as err:  # nothing was executed
        print(f"aigc-kit report: {err}", file=sys.stderr)
        return 2
    print(report.run.line())
    print(f"HTML report:  {report.html}")
    print(f"metrics.json: {report.metrics if report.metrics.exists() else 'not written'}")
    if not report.run.ok:
        print(f"aigc-kit report: the notebook failed: {report.run.error}; see the executed "
              f"notebook {report.notebook}", file=sys.stderr)
        return 1
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a batch system's stop, ``kill``) handled like Ctrl-C: finished points kept."""
    raise KeyboardInterrupt


def _sweep(args: argparse.Namespace) -> int:
    from aigc_kit.course.report import ParameterError
    from aigc_kit.course.sweep import SweepError, parse_fixed, parse_grid, plan_sweep
    from aigc_kit.course.sweep_engine import EngineConfig, run_sweep

    try:
        plan = plan_sweep(args.notebook, parse_grid(args.g), parse_fixed(args.p),
                          args.max_points, args.yes)
        print(f"{len(plan.points)} points of {plan.notebook.name} into {Path(args.out)}",
              flush=True)
        signal.signal(signal.SIGTERM, _interrupt)
        summary = run_sweep(plan, args.out, EngineConfig(
            args.scheduler, args.workers, args.torch_threads, args.timeout,
            args.connect_timeout))
    except (FileNotFoundError, ParameterError, SweepError) as err:  # nothing was run
        print(f"aigc-kit sweep: {err}", file=sys.stderr)
        return 2
    if summary.note:
        print(f"note: {summary.note}; rebuilt from the run folders")
    print(summary.line())
    print(f"results: {summary.results} ({len(summary.table)} rows); "
          f"summarise with: aigc-kit sweep summarize {args.out}")
    if summary.pending:
        return 130
    return 1 if summary.failed else 0


def _sweep_summarize(args: argparse.Namespace) -> int:
    from aigc_kit.course.sweep import SweepError, summarize

    try:
        made = summarize(Path(args.dir), args.metric, args.x, args.seed)
    except (FileNotFoundError, SweepError) as err:
        print(f"aigc-kit sweep summarize: {err}", file=sys.stderr)
        return 2
    if made.note:
        print(f"note: {made.note}; rebuilt from the run folders")
    print(made.summary.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"summary: {made.csv}")
    print(f"plot:    {made.plot if made.plot else 'none (no swept parameter but the seed)'}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from aigc_kit.data.spoken_digits import fetch_fsdd

    print(f"FSDD recordings verified in {fetch_fsdd()}")
    return 0


def _exercises(args: argparse.Namespace) -> int:
    from aigc_kit.course.exercises import export_exercises

    try:
        written = export_exercises(args.notebooks, args.out, nbgrader=args.nbgrader)
    except FileNotFoundError as err:  # nothing was written
        print(f"aigc-kit exercises: {err}", file=sys.stderr)
        return 2
    for item in written:
        print(f"wrote {item.path}: {item.solutions} solutions "
              f"{'marked for nbgrader' if args.nbgrader else 'replaced by stubs'}, "
              f"{item.checks} self-checks")
    if not written:
        print(f"aigc-kit exercises: no chapter in {args.notebooks or 'notebooks'} has a cell "
              f"tagged 'solution'",
              file=sys.stderr)
        return 1
    return 0


def _check_notebooks(args: argparse.Namespace) -> int:
    from aigc_kit.course.pairs import check_pairs

    problems = check_pairs(args.folder)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"notebook pairs in {args.folder}: in sync, no outputs")
    return 1 if problems else 0


def _pair_notebooks(args: argparse.Namespace) -> int:
    from aigc_kit.course.pairs import write_pair

    for py_path in sorted(Path(args.folder).glob("*.py")):
        print(f"wrote {write_pair(py_path)}")
    return 0


def _ratings_merge(args: argparse.Namespace) -> int:
    from aigc_kit.interaction.merge import MergeError, merge_logs

    try:
        report = merge_logs(args.logs, args.out)
    except (FileNotFoundError, MergeError) as err:  # nothing was written
        print(f"aigc-kit ratings merge: {err}", file=sys.stderr)
        return 2
    print(report)
    return 0


def _add_course(sub: argparse._SubParsersAction) -> None:
    """The ``course`` command."""
    course = sub.add_parser(
        "course", help="execute every notebook headless into build/course/ (ipynb + HTML)"
    )
    course.add_argument("--out", default="build/course", help="output folder")
    course.add_argument("--only", default="*", help="glob on notebook names, e.g. '0[1-3]*'")
    course.add_argument(
        "-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="override a parameter in every notebook that declares it (repeatable)",
    )
    course.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    course.add_argument("--students", action="store_true",
                        help="also write the students' edition of the site: every solution "
                             "cell replaced by its stub, the checks' outputs cleared")
    course.add_argument("--students-out", default="build/course-students", metavar="DIR",
                        help="where the students' edition goes (default: %(default)s)")
    course.set_defaults(func=_course)


def _add_site(sub: argparse._SubParsersAction) -> None:
    """The ``site`` command."""
    site = sub.add_parser(
        "site", help="rebuild the course site from already executed notebooks (--students: "
                     "the edition without solutions)",
        description="Build the offline course site (pages, index with search, further "
                    "reading) from the notebooks 'aigc-kit course' executed, without running "
                    "them again. With --students, the edition to publish to a class: every "
                    "solution cell replaced by the student stub, the checks' outputs "
                    "cleared, and no executed notebook copied.")
    site.add_argument("--executed", default="build/course", metavar="DIR",
                      help="folder of the executed NN_topic.ipynb (default: %(default)s)")
    site.add_argument("--students", action="store_true",
                      help="the students' edition (no solutions)")
    site.add_argument("--students-out", default="build/course-students", metavar="DIR",
                      help="where the students' edition goes (default: %(default)s)")
    site.add_argument("--out", default=None, metavar="DIR",
                      help="where the pages go (default: --executed itself, or "
                           "--students-out with --students)")
    site.set_defaults(func=_site)


def _add_report(sub: argparse._SubParsersAction) -> None:
    """The ``report`` command."""
    report = sub.add_parser(
        "report",
        help="report on one trained model (GAN or VAE): every objective metric, samples to "
             "hear, HTML page and metrics.json in build/reports/",
        description="Execute the model report notebook headless: train (or load from the "
                    "cache) the chosen generator, score it, export the page to HTML and write "
                    "metrics.json. Parameters of notebooks/report_model.py: dataset "
                    "(notes|fsdd), model (gan|vae), gan_seconds, vae_seconds, classifier_epochs, "
                    "n_samples, resample_seeds, seed.",
    )
    report.add_argument(
        "-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a parameter of the report notebook, value read as YAML (repeatable); "
             "an unknown NAME is an error (exit code 2) and nothing runs",
    )
    report.add_argument(
        "--out", default=None,
        help="output folder (default build/reports/<model>-<dataset>-<seconds>s-"
             "seed<seed>, relative to the current folder)",
    )
    report.add_argument(
        "--notebook", default=None,
        help="the report notebook (default notebooks/report_model.ipynb, looked up in the "
             "repository if it is not found from the current folder)",
    )
    report.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    report.set_defaults(func=_report)


def _add_exercises(sub: argparse._SubParsersAction) -> None:
    """The ``exercises`` command."""
    exercises = sub.add_parser(
        "exercises",
        help="write the student notebooks: each solution cell replaced by a stub",
        description="Write one notebook per chapter with every cell tagged 'solution' "
                    "replaced by a stub ('# Write your code here.' and 'answer = ...'), "
                    "ready for JupyterLab; with --nbgrader, nbgrader source notebooks "
                    "(solutions between ### BEGIN SOLUTION / ### END SOLUTION, each "
                    "self-check an autograded test).",
    )
    exercises.add_argument("--out", required=True, help="output folder")
    exercises.add_argument(
        "--notebooks", "--source", dest="notebooks", default=None, metavar="PATH",
        help="the course's notebooks/ folder, the py:percent chapters the versions are made "
             "from (default: ./notebooks, else the notebooks/ folder of the checkout this "
             "aigc-kit runs from)")
    exercises.add_argument("--nbgrader", action="store_true",
                           help="write nbgrader source notebooks instead")
    exercises.set_defaults(func=_exercises)


def _add_ratings(sub: argparse._SubParsersAction) -> None:
    """The ``ratings merge`` command."""
    ratings = sub.add_parser(
        "ratings", help="work with listener rating logs (merge a class's logs into one)"
    )
    ratings_sub = ratings.add_subparsers(dest="ratings_command", required=True)
    merge = ratings_sub.add_parser(
        "merge",
        help="merge rating logs into one, counting every record once",
        description="Merge the students' rating logs (JSON Lines written by FeedbackLog) into "
                    "OUT. Records are matched by record_id (legacy records by a stable id from "
                    "their content), so a log merged twice or copied into another counts once; "
                    "if OUT exists its records are kept and only new ones are added. OUT is "
                    "replaced atomically. Prints a report: records per log, damaged lines "
                    "skipped, conflicts, raters found in more than one file. Exit code 0 when "
                    "merged (also with skipped lines), 2 when a LOG is missing (nothing is "
                    "written).",
    )
    merge.add_argument("logs", nargs="+", metavar="LOG", help="a rating log to merge")
    merge.add_argument("--out", required=True, metavar="CLASS.jsonl",
                       help="the merged log (created, or extended with the new records)")
    merge.set_defaults(func=_ratings_merge)


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    """The ``sweep`` command (``sweep summarize`` is parsed by :func:`_add_sweep_summarize`)."""
    sweep = sub.add_parser(
        "sweep",
        help="run a notebook over a parameter grid on Dask (local or a cluster), one "
             "papermill run per point; 'sweep summarize DIR' for the table and plot",
        description="Run NOTEBOOK once per point of the grid (the Cartesian product of the "
                    "-g values, plus the -p fixed parameters) on Dask distributed: a local "
                    "cluster by default, an existing cluster with --scheduler. Each point "
                    "goes into DIR/runs/<point>/ (executed notebook, metrics.json); "
                    "DIR/results.parquet (results.csv without a Parquet engine) has one row "
                    "per point. Rerunning skips finished points; a changed notebook reruns. "
                    "Unknown parameters, wrong types and an unreachable scheduler are "
                    "refused before anything runs (exit code 2). Exit code 1 if a point "
                    "failed, 130 if interrupted. Then: aigc-kit sweep summarize DIR.",
        epilog="example: aigc-kit sweep notebooks/report_model.ipynb -g model=gan,vae "
               "-g seed=0,1,2 -p n_samples=96 --out build/sweeps/models",
    )
    sweep.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb to run")
    sweep.add_argument("-g", action="append", default=[], metavar="NAME=V1,V2",
                       help="a swept parameter and its values, read as YAML (repeatable)")
    sweep.add_argument("-p", nargs="+", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter fixed for every point, read as YAML (repeatable)")
    sweep.add_argument("--out", required=True, metavar="DIR", help="the sweep folder")
    sweep.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="an existing Dask scheduler (default: a local cluster)")
    sweep.add_argument("--workers", type=int, help="local cluster workers (default: cores)")
    sweep.add_argument("--torch-threads", type=int,
                       help="threads per run (default: the host's cores / its parallel runs)")
    sweep.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    sweep.add_argument("--connect-timeout", type=float, default=10.0,
                       help="seconds to wait for --scheduler before giving up")
    sweep.add_argument("--max-points", type=int, default=500,
                       help="a larger grid needs --yes (default 500)")
    sweep.add_argument("--yes", action="store_true", help="run a grid over --max-points")
    sweep.set_defaults(func=_sweep)


def _add_sweep_summarize(sub: argparse._SubParsersAction) -> None:
    """``sweep summarize DIR`` (reached as ``aigc-kit sweep summarize``; see :func:`main`)."""
    summarize = sub.add_parser(
        "sweep-summarize", prog="aigc-kit sweep summarize",
        description="Summarise a sweep: group the successful points by every swept "
                    "parameter but the seed; mean, standard deviation and 95 % interval "
                    "per metric (printed and written to DIR/summary.csv), and one metric "
                    "plotted against one parameter with interval bands "
                    "(DIR/summary-METRIC-vs-X.png). A damaged results file is rebuilt "
                    "from the run folders.",
    )
    summarize.add_argument("dir", metavar="DIR", help="the sweep folder")
    summarize.add_argument("--metric", help="the metric to plot (default: the first)")
    summarize.add_argument("--x", help="the parameter on the x axis (default: the first "
                                       "swept one but the seed)")
    summarize.add_argument("--seed", default="seed",
                           help="the parameter that repeats a measurement (default seed)")
    summarize.set_defaults(func=_sweep_summarize)


def _add_tools(sub: argparse._SubParsersAction) -> None:
    """The ``fetch``, ``check-notebooks`` and ``pair-notebooks`` commands."""
    fetch = sub.add_parser(
        "fetch", help="download and verify FSDD (or verify the AIGC_KIT_DATA_MIRROR copy)"
    )
    fetch.set_defaults(func=_fetch)

    for name, func, text in (
        ("check-notebooks", _check_notebooks, "fail when a .py/.ipynb pair differs or has outputs"),
        ("pair-notebooks", _pair_notebooks, "rewrite each .ipynb from its py:percent source"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("folder", nargs="?", default="notebooks")
        cmd.set_defaults(func=func)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``aigc-kit`` command."""
    parser = argparse.ArgumentParser(
        prog="aigc-kit",
        description="aigc-kit: run the course's notebooks headless (course), report on a "
                    "trained generator (report), sweep any notebook over a parameter grid on "
                    "Dask (sweep, sweep summarize), export exercises, merge rating logs, "
                    "fetch data, keep notebook pairs in step.",
        epilog="main jobs: 'aigc-kit course' runs the whole course; 'aigc-kit report -p model "
               "vae' reports on one model; 'aigc-kit sweep NOTEBOOK -g seed=0,1,2 --out DIR' "
               "runs a grid, 'aigc-kit sweep summarize DIR' summarises it. 'aigc-kit "
               "COMMAND --help' for each command's options.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_course, _add_site, _add_report, _add_sweep, _add_exercises, _add_ratings,
                _add_tools):
        add(sub)
    _add_sweep_summarize(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``aigc-kit`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["sweep", "summarize"]:
        argv = ["sweep-summarize", *argv[2:]]
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
