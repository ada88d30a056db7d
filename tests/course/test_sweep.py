"""``aigc-kit sweep``'s plan and folder: grid parsing, refusals, keys, results, summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from aigc_kit.course.cli import main
from aigc_kit.course.report import ParameterError
from aigc_kit.course.sweep import (
    SweepError,
    load_results,
    notebook_fingerprint,
    parse_fixed,
    parse_grid,
    plan_sweep,
    read_point,
    results_table,
    summarize,
    write_point,
    write_results,
)


def test_grid_and_fixed_values_are_read_as_yaml():
    grid = parse_grid(["x=1,2.5", "label=a,'b c'", "flag=true", "shares=[0.1,0.5],[1.0]"])
    assert grid == {"x": [1, 2.5], "label": ["a", "b c"], "flag": [True],
                    "shares": [[0.1, 0.5], [1.0]]}
    assert parse_fixed([["label=b"], ["x", "3"], ["s='7'"]]) == {"label": "b", "x": 3, "s": "7"}
    for bad in (["x"], ["=1"], ["x="], ["x=1", "x=2"], ["x=[1"]):
        with pytest.raises(SweepError, match="-g"):
            parse_grid(bad)
    with pytest.raises(SweepError, match="-p"):
        parse_fixed([["a", "b", "c"]])


def test_plan_lists_every_point_once_with_stable_keys(tiny):
    plan = plan_sweep(tiny, {"x": [1, 2], "seed": [0, 1, 2]}, {"label": "b"})
    assert [p.parameters for p in plan.points][:2] == [{"label": "b", "x": 1, "seed": 0},
                                                       {"label": "b", "x": 1, "seed": 1}]
    assert len({p.key for p in plan.points}) == len({p.name for p in plan.points}) == 6
    assert plan.points[0].name.startswith("x-1_seed-0-") and plan.output_dir
    again = plan_sweep(tiny, {"x": [1, 2], "seed": [0, 1, 2]}, {"label": "b"})
    assert [p.key for p in again.points] == [p.key for p in plan.points]
    other = plan_sweep(tiny, {"x": [1, 2], "seed": [0, 1, 2]}, {"label": "c"})
    assert not {p.key for p in other.points} & {p.key for p in plan.points}


def test_key_follows_the_cells_not_outputs_or_metadata(tiny, notebook_maker):
    before = notebook_fingerprint(tiny)
    nb = json.loads(tiny.read_text())
    nb["metadata"]["something"] = 1
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    tiny.write_text(json.dumps(nb))
    assert notebook_fingerprint(tiny) == before
    source = tiny.with_suffix(".py").read_text().replace("x * 2", "x * 3")
    assert notebook_fingerprint(notebook_maker(tiny.parent, source)) != before


def test_bad_parameters_are_refused_before_anything_runs(tiny, tmp_path, capsys):
    out = tmp_path / "sweep"
    cases = [
        (["-g", "epochs=1,2"], ["'epochs'", "x, seed, label, fail, sleep, ledger"]),
        (["-g", "seed=0,1.5"], ["'seed' must be an integer", "1.5", "seed = 0"]),
        (["-p", "label=3"], ["'label' must be a string", "got 3"]),
        (["-p", "x=yes"], ["'x' must be a number", "got True"]),
        (["-g", "output_dir=a,b"], ["'output_dir'", "set by the sweep"]),
        (["-g", "x=1,1"], ["lists a value twice"]),
        (["-g", "x=1,2", "-p", "x=3"], ["both swept (-g) and fixed (-p)"]),
        (["-g", "x=1,2,3", "-g", "seed=0,1", "--max-points", "5"], ["6 points", "--yes"]),
    ]
    for options, expected in cases:
        assert main(["sweep", str(tiny), *options, "--out", str(out)]) == 2, options
        err = capsys.readouterr().err
        assert all(text in err for text in expected), (options, err)
    assert not out.exists()
    assert len(plan_sweep(tiny, {"x": [1, 2, 3], "seed": [0, 1]}, max_points=5,
                          yes=True).points) == 6
    with pytest.raises(ParameterError):
        plan_sweep(tiny, {"nope": [1]})
    missing = tmp_path / "nowhere.ipynb"
    assert main(["sweep", str(missing), "-g", "x=1", "--out", str(out)]) == 2
    assert str(missing) in capsys.readouterr().err
    assert main(["sweep", str(tiny.with_suffix(".py")), "--out", str(out)]) == 2
    assert "tiny.ipynb" in capsys.readouterr().err and not out.exists()


def test_a_notebook_without_parameters_cell_is_refused(tmp_path, notebook_maker):
    nb = notebook_maker(tmp_path, "# %%\nprint(1)\n", "plain")
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        plan_sweep(nb, {"x": [1]})


def _finish(out: Path, plan, values: dict[str, float], status: str = "ok") -> None:
    """Write finished point folders as the engine does (for the results tests)."""
    for point in plan.points:
        y = values[point.name]
        record = {"point": point.name, "key": point.key, "notebook": plan.notebook.name,
                  "parameters": point.parameters, "grid": point.grid, "status": status,
                  "seconds": 1.0, "attempts": 1, "error": "", "cell": "", "workers": ["w"]}
        write_point(out, record, "{}", {"metrics": {"y": y, "x": -1, "deep": [1]}},
                    {"sub/f.txt": b"hi"})


def test_results_are_rebuilt_from_the_run_folders(tiny, tmp_path):
    out = tmp_path / "sweep"
    plan = plan_sweep(tiny, {"x": [1.0, 2.0], "seed": [0, 1, 2]})
    plan.save(out)
    _finish(out, plan, {p.name: p.parameters["x"] * 2 + p.parameters["seed"]
                        for p in plan.points})
    assert (out / "runs" / plan.points[0].name / "sub" / "f.txt").read_bytes() == b"hi"
    table = results_table(out, plan)
    assert list(table["point"]) == [p.name for p in plan.points]
    assert "metric_x" in table and "deep" not in table  # clash renamed; nested left out
    path = write_results(out, table)
    assert load_results(out)[1] == ""  # whole and up to date
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # a killed writer
    rebuilt, note = load_results(out)
    assert note and len(rebuilt) == 6 and rebuilt["point"].is_unique
    assert load_results(out)[1] == ""  # rewritten whole
    path.unlink()
    assert len(load_results(out)[0]) == 6
    point = plan.points[0]
    assert read_point(out, point)["status"] == "ok"
    (out / "runs" / point.name / "point.json").write_text("{half")
    assert read_point(out, point) is None  # an unreadable record is a point to run again
    with pytest.raises(FileNotFoundError, match="not a sweep folder"):
        load_results(tmp_path / "nothing")


def test_summarize_groups_by_all_but_the_seed(tiny, tmp_path, capsys):
    out = tmp_path / "sweep"
    plan = plan_sweep(tiny, {"x": [1.0, 2.0], "label": ["a", "b"], "seed": [0, 1, 2]})
    plan.save(out)
    _finish(out, plan, {p.name: p.parameters["x"] * 10 + p.parameters["seed"]
                        for p in plan.points})
    made = summarize(out)
    y = made.summary[made.summary["metric"] == "y"]
    assert len(y) == 4 and set(y["n"]) == {3}
    assert y["mean"].tolist() == pytest.approx([11, 11, 21, 21])
    assert y["sd"].tolist() == pytest.approx([1, 1, 1, 1])
    half = 4.302652729911275 / 3 ** 0.5  # t(0.975, 2) * sd / sqrt(n)
    assert (y["ci_high"] - y["mean"]).tolist() == pytest.approx([half] * 4)
    assert made.plot.name == "summary-y-vs-x.png" and made.plot.stat().st_size > 5000
    assert pd.read_csv(made.csv).shape[0] == len(made.summary)
    assert main(["sweep", "summarize", str(out), "--metric", "y", "--x", "label"]) == 0
    printed = capsys.readouterr().out
    assert "summary-y-vs-label.png" in printed and "ci_high" in printed
    assert main(["sweep", "summarize", str(out), "--metric", "nope"]) == 2
    assert "'nope'" in capsys.readouterr().err
    assert main(["sweep", "summarize", str(tmp_path / "none")]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
