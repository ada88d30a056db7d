"""Chapter 10's self-checks: right answers pass, typical mistakes get a hint, stubs a reminder."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aigc_kit import check
from aigc_kit.evaluation import lsd


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _heard(seed=0):
    """A made-up intelligibility table: 3 speakers x 10 digits x 4 words, some misheard."""
    rng = np.random.default_rng(seed)
    rows = []
    for speaker, skill in (("ann", 0.9), ("bob", 0.5), ("cyd", 0.75)):
        for digit in range(10):
            for _ in range(4):
                h = digit if rng.random() < skill else int(rng.integers(-1, 10))
                rows.append({"digit": digit, "speaker": speaker, "heard": h,
                             "correct": digit == h})
    return pd.DataFrame(rows)


def test_ex1_hardest_speaker():
    heard = _heard()
    shares = heard.groupby("speaker").correct.mean()
    assert check.ch10_ex1(shares.idxmin(), heard).ok is True
    verdict = check.ch10_ex1(shares.idxmax(), heard)
    assert verdict.ok is False and "heard best" in verdict.message
    assert check.ch10_ex1("zed", heard).ok is False
    assert check.ch10_ex1(3, heard).ok is False
    assert check.ch10_ex1(..., heard).ok is None
    perfect = heard.assign(heard=heard.digit, correct=True)  # a perfect voice: all tied
    assert all(check.ch10_ex1(s, perfect).ok for s in ("ann", "bob", "cyd"))


def test_ex2_confusion_matrix_has_a_no_word_column():
    heard = _heard()
    assert (heard.heard == -1).any()  # the outside judge may hear no word
    counts = pd.crosstab(heard.digit, heard.heard.replace(-1, 10)).reindex(
        index=range(10), columns=range(11), fill_value=0).to_numpy()
    assert check.ch10_ex2(counts, heard).ok is True
    for bad, hint in ((counts.T, "transposed"),
                      (counts / counts.sum(1, keepdims=True), "counts"),
                      (counts[:, :10], "11th column"),
                      (counts[:9], "10 x 11")):
        verdict = check.ch10_ex2(bad, heard)
        assert verdict.ok is False and hint in verdict.message
    assert check.ch10_ex2(..., heard).ok is None


def test_ex3_wilson_interval():
    heard = _heard()
    k, n = int(heard.correct.sum()), len(heard)
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    right = np.array([ci.low, ci.high])
    assert check.ch10_ex3(right, heard).ok is True
    p, z = k / n, stats.norm.ppf(0.975)
    wald = np.array([p - z * np.sqrt(p * (1 - p) / n), p + z * np.sqrt(p * (1 - p) / n)])
    for bad, hint in ((wald, "Wald"), (100 * right, "percentages"), (right[::-1], "lower")):
        verdict = check.ch10_ex3(bad, heard)
        assert verdict.ok is False and hint in verdict.message
        for value in right:
            assert f"{value:.3f}" not in verdict.message
    assert check.ch10_ex3(..., heard).ok is None


def test_ex4_round_trip_lsd():
    rng = np.random.default_rng(2)
    t = np.arange(2000) / 8000
    real = np.stack([np.sin(2 * np.pi * f * t) * np.hanning(t.size) for f in (300, 450, 700)])
    trip = 3.0 * real + 0.05 * rng.standard_normal(real.shape)
    scale = np.sqrt((real**2).mean(1, keepdims=True) / (trip**2).mean(1, keepdims=True))
    right = float(lsd(trip * scale, real, 8000).mean())
    assert check.ch10_ex4(right, real, trip, 8000).ok is True
    unmatched = float(lsd(trip, real, 8000).mean())
    verdict = check.ch10_ex4(unmatched, real, trip, 8000)
    assert verdict.ok is False and "RMS" in verdict.message
    assert f"{right:.2f}" not in verdict.message
    assert check.ch10_ex4([right, right], real, trip, 8000).ok is False
    assert check.ch10_ex4(..., real, trip, 8000).ok is None
