"""Chapter 11's self-checks: right answers pass, typical mistakes fail without the answer."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from aigc_kit import check
from aigc_kit.apps.video import colourfulness, score_cuts, threshold_boundaries
from aigc_kit.check.ch11 import THRESHOLDS


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _hasler(frame, scale=255.0, mean_weight=0.3):
    rgb = np.asarray(frame, dtype=np.float64) * scale
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + mean_weight * np.hypot(rg.mean(), yb.mean()))


def test_ex1_colourfulness_function():
    frames = np.random.default_rng(0).random((6, 12, 16, 3)).astype(np.float32)
    assert check.ch11_ex1(_hasler, frames).ok is True
    kit = check.ch11_ex1(lambda f: float(colourfulness(f[None])[0]), frames)
    assert kit.ok is True
    unscaled = check.ch11_ex1(lambda f: _hasler(f, scale=1.0), frames)
    assert unscaled.ok is False and "255" in unscaled.message
    no_mean = check.ch11_ex1(lambda f: _hasler(f, mean_weight=0.0), frames)
    assert no_mean.ok is False and "mean term" in no_mean.message
    number = check.ch11_ex1(3.0, frames)
    assert number.ok is False and "answer = hasler" in number.message
    raising = check.ch11_ex1(lambda f: f.missing, frames)
    assert raising.ok is False and "AttributeError" in raising.message
    assert "called as answer(frame)" in raising.message
    assert check.ch11_ex1(..., frames).ok is None


def _cut_data():
    differences = np.zeros(60)
    differences[[10, 30, 45]] = [0.5, 0.15, 0.25]
    differences[[20, 50]] = 0.07  # camera motion, not cuts
    spans = np.array([[10, 11], [28, 33], [45, 46]])
    return differences, spans


def test_ex2_f1_per_threshold():
    differences, spans = _cut_data()
    scores = [score_cuts(threshold_boundaries(differences, t), spans) for t in THRESHOLDS]
    f1 = np.array([s["f1"] for s in scores])
    assert check.ch11_ex2(f1, differences, spans).ok is True
    assert check.ch11_ex2(list(f1), differences, spans).ok is True
    recall = check.ch11_ex2([s["recall"] for s in scores], differences, spans)
    assert recall.ok is False and "recall" in recall.message
    percent = check.ch11_ex2(100 * f1, differences, spans)
    assert percent.ok is False and "fraction" in percent.message
    short = check.ch11_ex2(f1[:3], differences, spans)
    assert short.ok is False and "shape" in short.message
    for verdict in (recall, percent, short):
        assert not any(f"{v:.3f}" in verdict.message for v in f1 if v not in (0, 1))
    assert check.ch11_ex2(..., differences, spans).ok is None


def _edit(fps=12.0):
    segments = pd.DataFrame({"start": [5, 40, 80], "end": [23, 58, 98]})
    crossfade = int(round(0.25 * fps))
    n = 54 - 2 * crossfade
    return SimpleNamespace(segments=segments, fps=fps, frames=np.zeros((n, 4, 4, 3)),
                           seconds=n / fps)


def test_ex3_edit_length():
    edit = _edit()
    assert check.ch11_ex3(48, edit).ok is True
    assert check.ch11_ex3(np.int64(48), edit).ok is True
    no_overlap = check.ch11_ex3(54, edit)
    assert no_overlap.ok is False and "crossfade" in no_overlap.message
    too_many = check.ch11_ex3(45, edit)
    assert too_many.ok is False and "n - 1" in too_many.message
    seconds = check.ch11_ex3(4.0, edit)
    assert seconds.ok is False and "seconds" in seconds.message
    for verdict in (no_overlap, too_many, seconds):
        assert "48" not in verdict.message
    assert check.ch11_ex3(..., edit).ok is None


def test_ex4_importance_with_new_weights():
    rng = np.random.default_rng(1)
    scores = pd.DataFrame(rng.random((30, 3)), columns=["motion", "colour", "novelty"])
    scores["importance"] = 0.4 * scores.motion + 0.3 * scores.colour + 0.3 * scores.novelty
    right = (3 * scores.motion + scores.colour) / 4
    assert check.ch11_ex4(right.to_numpy(), scores).ok is True
    assert check.ch11_ex4(right, scores).ok is True
    raw = check.ch11_ex4(4 * right, scores)
    assert raw.ok is False and "normalises" in raw.message
    default = check.ch11_ex4(scores.importance, scores)
    assert default.ok is False and "default" in default.message
    shape = check.ch11_ex4(right.to_numpy()[:-1], scores)
    assert shape.ok is False and "shape" in shape.message
    assert check.ch11_ex4(..., scores).ok is None
