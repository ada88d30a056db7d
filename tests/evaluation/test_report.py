"""The model report's metrics and its JSON (aigc_kit.evaluation.report)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from aigc_kit.evaluation import check_settings, model_metrics, write_metrics

CLASSIFIER_KEYS = {"is_generated", "is_real", "is_ratio", "coverage", "n_classes", "frechet"}
NN_KEYS = {"nn_generated_db", "nn_heldout_db", "nn_ratio", "nn_closer_than_heldout"}
RECON_KEYS = {"recon_mse", "recon_logmel_snr_db"}
PITCH_KEYS = {"pitch_clear_rate", "pitch_clear_ratio"}  # notes only


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """Barely trained models on the notes, cached in a temporary data folder."""
    from aigc_kit.generation import trained_models

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIGC_KIT_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        return trained_models("notes", gan_seconds=0.5, vae_seconds=0.5, classifier_epochs=2,
                              device="cpu")


@pytest.mark.parametrize("model", ["gan", "vae"])
def test_model_metrics_has_every_metric_that_applies(tiny_models, model):
    metrics = model_metrics(tiny_models, model, n_samples=32, seed=1)
    image_keys = {f"image_{k}" for k in CLASSIFIER_KEYS}  # the image classifier's view
    expected = (CLASSIFIER_KEYS | image_keys | NN_KEYS | PITCH_KEYS | {"class_counts"}
                | (RECON_KEYS if model == "vae" else {"gan_recipe"}))
    assert set(metrics) == expected
    if model == "gan":
        assert metrics["gan_recipe"] == "harmonic"  # the GAN chapter 6 ends with
    assert 0 <= metrics["pitch_clear_rate"] <= 1
    for key in expected - {"class_counts", "gan_recipe"}:
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
    settings = check_settings("notes", "vae", 1, 2, 3, 8, 0)
    assert settings["gan_seconds"] == 1.0 and isinstance(settings["gan_seconds"], float)
    assert settings["vae_seconds"] == 2.0 and isinstance(settings["vae_seconds"], float)
    with pytest.raises(ValueError, match=r"dataset must be one of \('notes', 'fsdd'\)"):
        check_settings("mnist", "gan", 1.0, 1.0, 3, 8, 0)
    with pytest.raises(ValueError, match="model must be one of"):
        check_settings("notes", "GAN", 1.0, 1.0, 3, 8, 0)
    with pytest.raises(ValueError, match="gan_seconds must be a number > 0"):
        check_settings("notes", "gan", 0, 1.0, 3, 8, 0)
    with pytest.raises(ValueError, match="vae_seconds must be a number > 0"):
        check_settings("notes", "gan", 1.0, float("nan"), 3, 8, 0)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 2"):
        check_settings("notes", "gan", 1.0, 1.0, 3, 2.5, 0)




def test_record_metrics_shows_carries_and_writes_the_same_document(tmp_path, capsys):
    from aigc_kit.evaluation import METRICS_MIME, metrics_document, record_metrics

    path = tmp_path / "m" / "metrics.json"
    doc = record_metrics({"mse": np.float32(0.25), "bad": float("inf"), "deep": {"a": 1}},
                         {"seed": 1}, path, {"steps": 3})
    assert "metrics recorded: mse = 0.25, bad = None (+1 nested)" in capsys.readouterr().out
    assert json.loads(path.read_text()) == doc
    assert doc["metrics"] == {"mse": 0.25, "bad": None, "deep": {"a": 1}}
    assert doc["non_finite"] == ["metrics.bad"] and doc["model"] == {"steps": 3}
    assert set(doc) == set(metrics_document({}, {}))
    assert METRICS_MIME.startswith("application/") and METRICS_MIME.endswith("+json")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()  # inside IPython: one display output, both forms
    shown = []
    shell.display_pub.publish = lambda data, **kw: shown.append(data)
    try:
        record_metrics({"x": 1.5})
    finally:
        InteractiveShell.clear_instance()
    assert shown[0][METRICS_MIME]["metrics"] == {"x": 1.5}
    assert shown[0]["text/plain"] == "metrics recorded: x = 1.5"


def test_grid_run_summarised_and_plotted():
    import matplotlib.pyplot as plt
    from scipy import stats

    from aigc_kit.evaluation import expand_grid, plot_sweep, run_grid, summarize_sweep

    assert expand_grid({"a": [1, 2], "b": ["x"]}, {"c": 0}) == [
        {"c": 0, "a": 1, "b": "x"}, {"c": 0, "a": 2, "b": "x"}]
    for grid, fixed, match in (({"a": []}, None, "no values"), ({"a": [1, 1]}, None, "twice"),
                               ({"a": [1]}, {"a": 2}, "both swept")):
        with pytest.raises(ValueError, match=match):
            expand_grid(grid, fixed)
    calls = []

    def measure(size, kind, seed):
        calls.append((size, kind, seed))
        return {"err": size / 10 + seed, "label": kind}

    table = run_grid(measure, {"size": [1, 4], "kind": ["a", "b"], "seed": [0, 1, 2]},
                     progress=False)
    assert len(calls) == len(table) == 12 and (table["status"] == "ok").all()
    table.loc[0, "status"] = "failed"  # left out of the summary
    summary = summarize_sweep(table, ["size", "kind", "seed"])
    assert list(summary.columns) == ["size", "kind", "metric", "n", "mean", "sd", "ci_low",
                                     "ci_high"]
    assert summary["metric"].unique().tolist() == ["err"]  # numeric metrics only
    first = summary.iloc[0]
    assert (first["size"], first["kind"], first["n"]) == (1, "a", 2)
    assert first["mean"] == pytest.approx(1.6) and first["sd"] == pytest.approx(2 ** 0.5 / 2)
    assert first["ci_high"] - first["mean"] == pytest.approx(
        stats.t.ppf(0.975, 1) * first["sd"] / 2 ** 0.5)
    single = summarize_sweep(table[table["seed"] == 2], ["size", "kind", "seed"])
    assert single["n"].eq(1).all() and single["sd"].isna().all()
    with pytest.raises(ValueError, match="not in the table"):
        summarize_sweep(table, ["size"], ["nope"])
    ax = plot_sweep(summary, "err", "size")
    assert len(ax.lines) == 2 and len(ax.collections) == 2  # a line and a band per kind
    assert ax.get_xlabel() == "size" and "95 %" in ax.get_title()
    ax = plot_sweep(summary, "err", "kind")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="one of"):
        plot_sweep(summary, "err", "seed")
    plt.close("all")
