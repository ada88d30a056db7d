"""The model report: its metrics, its JSON and the ``aigc-kit report`` command."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from aigc_kit.cli import main
from aigc_kit.report import (
    ReportParameterError,
    check_settings,
    default_out_dir,
    model_metrics,
    resolve_notebook,
    run_report,
    write_metrics,
)

CLASSIFIER_KEYS = {"is_generated", "is_real", "is_ratio", "coverage", "n_classes", "frechet"}
NN_KEYS = {"nn_generated_db", "nn_heldout_db", "nn_ratio", "nn_closer_than_heldout"}
RECON_KEYS = {"recon_mse", "recon_logmel_snr_db"}


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """Barely trained models on the notes, cached in a temporary data folder."""
    from aigc_kit.zoo import trained_models

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIGC_KIT_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        return trained_models("notes", gan_seconds=0.5, vae_seconds=0.5, classifier_epochs=2,
                              device="cpu")


@pytest.mark.parametrize("model", ["gan", "vae"])
def test_model_metrics_has_every_metric_that_applies(tiny_models, model):
    metrics = model_metrics(tiny_models, model, n_samples=32, seed=1)
    expected = CLASSIFIER_KEYS | NN_KEYS | {"class_counts"} | (RECON_KEYS if model == "vae"
                                                                 else set())
    assert set(metrics) == expected
    for key in expected - {"class_counts"}:
        assert isinstance(metrics[key], (int, float)) and math.isfinite(metrics[key]), key
    counts = metrics["class_counts"]
    assert list(counts) == tiny_models.data.class_names and sum(counts.values()) == 32
    assert metrics["coverage"] == sum(c > 0 for c in counts.values())
    assert metrics["nn_heldout_db"] > 0 and 0 <= metrics["nn_closer_than_heldout"] <= 1
    assert metrics["nn_ratio"] == pytest.approx(metrics["nn_generated_db"]
                                                / metrics["nn_heldout_db"])
    assert model_metrics(tiny_models, model, n_samples=32, seed=1) == metrics  # reproducible


def test_model_metrics_memorisation_check_flags_copies(tiny_models):
    copies = tiny_models.data.x_train[:16]
    metrics = model_metrics(tiny_models, "gan", samples=copies)
    assert metrics["nn_generated_db"] == pytest.approx(0.0, abs=1e-3)  # dB; round-off only
    assert metrics["nn_ratio"] < 1e-3 and metrics["nn_closer_than_heldout"] == 1.0
    with pytest.raises(ValueError, match="model must be one of"):
        model_metrics(tiny_models, "diffusion")


def test_write_metrics_is_atomic_strict_json_with_nan_as_null(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "metrics.json"
    metrics = {"frechet": np.float64(2.5), "is_ratio": float("nan"), "coverage": np.int64(3),
               "counts": {"a": np.int32(1)}, "curve": np.array([1.0, np.inf])}
    assert write_metrics(path, metrics, {"seed": 0}, {"cached": True, "path": Path("x")}) == path
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert doc["metrics"] == {"frechet": 2.5, "is_ratio": None, "coverage": 3,
                              "counts": {"a": 1}, "curve": [1.0, None]}
    assert doc["non_finite"] == ["metrics.is_ratio", "metrics.curve[1]"]
    assert doc["parameters"] == {"seed": 0} and doc["model"] == {"cached": True, "path": "x"}
    assert doc["kit_version"] and doc["created"].endswith("+00:00")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_metrics(path, {"frechet": 1.0}, {})
    assert json.loads(path.read_text()) == doc  # the old file is untouched
    assert sorted(p.name for p in path.parent.iterdir()) == ["metrics.json"]  # no temp left
    monkeypatch.undo()
    with pytest.raises(TypeError):
        write_metrics(path, {"bad": object()}, {})
    assert json.loads(path.read_text()) == doc


def test_check_settings_canonical_types_and_clear_errors():
    settings = check_settings("notes", "vae", 1, 3, 8, 0)
    assert settings["train_seconds"] == 1.0 and isinstance(settings["train_seconds"], float)
    with pytest.raises(ValueError, match=r"dataset must be one of \('notes', 'fsdd'\)"):
        check_settings("mnist", "gan", 1.0, 3, 8, 0)
    with pytest.raises(ValueError, match="model must be one of"):
        check_settings("notes", "GAN", 1.0, 3, 8, 0)
    with pytest.raises(ValueError, match="train_seconds must be a number > 0"):
        check_settings("notes", "gan", 0, 3, 8, 0)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 2"):
        check_settings("notes", "gan", 1.0, 3, 2.5, 0)


def test_default_out_dir_names_the_configuration():
    out = default_out_dir({"model": "vae", "dataset": "fsdd", "train_seconds": 15.0, "seed": 2})
    assert out == Path("build/reports/vae-fsdd-15s-seed2")


def test_report_rejects_unknown_parameter_before_running(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "-p", "seed", "1", "-p", "epochs", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'epochs'" in err and "'seed'" not in err
    for name in ("dataset", "model", "train_seconds", "classifier_epochs", "n_samples", "seed"):
        assert name in err
    assert not out.exists()
    assert main(["report", "-p", "output_dir", "x", "--out", str(out)]) == 2
    assert "--out" in capsys.readouterr().err and not out.exists()
    with pytest.raises(ReportParameterError):
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
    code = main(["report", "-p", "train_seconds", "1", "-p", "classifier_epochs", "3",
                 "-p", "model", "vae", "-p", "n_samples", "48", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert str(out / "report_model.html") in printed.out
    assert str(out / "metrics.json") in printed.out
    doc = json.loads((out / "metrics.json").read_text())
    metrics = doc["metrics"]
    for key in ("is_ratio", "frechet", "coverage", *RECON_KEYS, *NN_KEYS):
        assert isinstance(metrics[key], (int, float)) and math.isfinite(metrics[key]), key
    assert doc["parameters"] == {"dataset": "notes", "model": "vae", "train_seconds": 1.0,
                                 "classifier_epochs": 3, "n_samples": 48, "seed": 0,
                                 "output_dir": str(out.resolve())}
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
