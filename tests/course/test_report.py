"""``aigc-kit report``: parameters checked first, the notebook run, its outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from aigc_kit.course.cli import main
from aigc_kit.course.report import (
    ParameterError,
    default_out_dir,
    resolve_notebook,
    run_report,
)

NN_KEYS = {"nn_generated_db", "nn_heldout_db", "nn_ratio", "nn_closer_than_heldout"}
RECON_KEYS = {"recon_mse", "recon_logmel_snr_db"}


def test_default_out_dir_names_the_configuration():
    out = default_out_dir({"model": "vae", "dataset": "fsdd", "gan_seconds": 3.0,
                           "vae_seconds": 15.0, "seed": 2})
    assert out == Path("build/reports/vae-fsdd-15s-seed2")


def test_report_rejects_unknown_parameter_before_running(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "-p", "seed", "1", "-p", "epochs", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'epochs'" in err and "'seed'" not in err
    for name in ("dataset", "model", "gan_seconds", "vae_seconds", "classifier_epochs",
                 "n_samples", "seed"):
        assert name in err
    assert not out.exists()
    assert main(["report", "-p", "output_dir", "x", "--out", str(out)]) == 2
    assert "--out" in capsys.readouterr().err and not out.exists()
    with pytest.raises(ParameterError):
        run_report({"nope": 1}, out)


def test_report_missing_notebook_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nowhere.ipynb"
    assert main(["report", "--notebook", str(missing), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "--notebook" in err and "repository" in err
    assert not (tmp_path / "r").exists()
    with pytest.raises(FileNotFoundError, match="report notebook not found"):
        resolve_notebook("no/such/report.ipynb")
    assert resolve_notebook().name == "report_model.ipynb"  # found from any folder


def test_help_documents_course_and_report(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "course" in text and "report" in text
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "--out" in text and "build/reports" in text and "exit code 2" in text


def test_report_end_to_end_vae(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path / "data"))  # inherited by the kernel
    out = tmp_path / "r"
    code = main(["report", "-p", "gan_seconds", "1", "-p", "vae_seconds", "1",
                 "-p", "classifier_epochs", "3",
                 "-p", "model", "vae", "-p", "n_samples", "48", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert str(out / "report_model.html") in printed.out
    assert str(out / "metrics.json") in printed.out
    doc = json.loads((out / "metrics.json").read_text())
    metrics = doc["metrics"]
    for key in ("is_ratio", "frechet", "coverage", *RECON_KEYS, *NN_KEYS):
        assert isinstance(metrics[key], (int, float)) and math.isfinite(metrics[key]), key
    assert doc["parameters"] == {"dataset": "notes", "model": "vae", "gan_seconds": 1.0,
                                 "vae_seconds": 1.0,
                                 "classifier_epochs": 3, "n_samples": 48, "seed": 0,
                                 "resample_seeds": 5, "output_dir": str(out.resolve())}
    for key in ("is_ratio_resample_sd", "frechet_resample_sd"):  # the stability sweep's
        assert metrics[key] > 0, key
    assert doc["model"]["cached"] is False and doc["model"]["vae_steps"] > 0
    assert doc["non_finite"] == []
    assert (tmp_path / "data" / "cache" / "models").is_dir()  # the cache went to tmp
    html = (out / "report_model.html").read_text()
    assert html.count("<audio") == 3


def test_report_failing_notebook_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "r"
    assert main(["report", "-p", "dataset", "mnist", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "ValueError: dataset must be one of" in err
    assert (out / "report_model.html").exists() and not (out / "metrics.json").exists()
