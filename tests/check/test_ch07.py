"""Chapter 7's self-checks: right answers pass, typical mistakes get a hint, stubs a reminder."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aigc_kit import check
from aigc_kit.evaluation import inception_score, lsd, snr


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _no_value(verdict, *values):
    for value in np.ravel(values):
        for text in (f"{value:.2f}", f"{value:.3f}", f"{value:.1f}"):
            assert text not in verdict.message, (text, verdict.message)


SR, F0 = 8000, 261.63


def _note():
    t = np.arange(2048) / SR
    return (np.sin(2 * np.pi * F0 * t) + 0.4 * np.sin(2 * np.pi * 3 * F0 * t)).astype(np.float32)


def _delay_scores(x, d, roll=False):
    y = np.roll(x, d) if roll else np.concatenate([np.zeros(d), x[:-d]])
    return np.array([snr(y, x), lsd(y, x, SR)])


def test_ex1_delay():
    x = _note()
    d = round(SR / (2 * F0))
    right = _delay_scores(x, d)
    assert check.ch07_ex1(right, x, F0, SR).ok is True
    for bad, hint in ((right[::-1], "order"), (_delay_scores(x, 2 * d), "whole period"),
                      (_delay_scores(x, d, roll=True), "np.roll")):
        verdict = check.ch07_ex1(bad, x, F0, SR)
        assert verdict.ok is False and hint in verdict.message
        _no_value(verdict, right)
    assert check.ch07_ex1([1.0, 2.0, 3.0], x, F0, SR).ok is False
    assert check.ch07_ex1(..., x, F0, SR).ok is None


def _si_snr(estimate, reference):
    est, ref = estimate - estimate.mean(), reference - reference.mean()
    s = est @ ref / (ref @ ref) * ref
    return 10 * np.log10(s @ s / ((est - s) @ (est - s)))


def test_ex2_si_snr_function():
    assert check.ch07_ex2(_si_snr).ok is True

    def no_mean(estimate, reference):
        s = estimate @ reference / (reference @ reference) * reference
        return 10 * np.log10(s @ s / ((estimate - s) @ (estimate - s)))

    verdict = check.ch07_ex2(no_mean)
    assert verdict.ok is False and "mean" in verdict.message
    verdict = check.ch07_ex2(lambda e, r: 2 * _si_snr(e, r))
    assert verdict.ok is False and "20 * log10" in verdict.message
    assert check.ch07_ex2(3.0).ok is False
    assert check.ch07_ex2(lambda e, r: 1 / 0).ok is False
    assert check.ch07_ex2(...).ok is None


def test_ex3_inception_score():
    rng = np.random.default_rng(0)
    logits = 3 * rng.standard_normal((60, 8))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    expected = inception_score(p, splits=1)
    assert check.ch07_ex3(expected, p).ok is True
    verdict = check.ch07_ex3(np.log(expected), p)
    assert verdict.ok is False and "exponential" in verdict.message
    _no_value(verdict, expected)
    assert check.ch07_ex3(expected * 1.2, p).ok is False
    assert check.ch07_ex3(..., p).ok is None


def test_ex4_mos_interval():
    rng = np.random.default_rng(1)
    ratings = pd.DataFrame({"tag": ["GAN"] * 12 + ["VAE"] * 12,
                            "score": np.r_[rng.uniform(1, 5, 12), rng.uniform(2, 5, 12)]})
    scores = ratings.score[:12].to_numpy()
    half = stats.t.ppf(0.975, 11) * scores.std(ddof=1) / np.sqrt(12)
    right = np.array([scores.mean(), half])
    assert check.ch07_ex4(right, ratings).ok is True
    for bad, hint in (([scores.mean(), 1.959964 * scores.std(ddof=1) / np.sqrt(12)], "t"),
                      ([scores.mean(), 2 * half], "whole width"),
                      ([ratings.score[12:].mean(), half], "'VAE'")):
        verdict = check.ch07_ex4(bad, ratings)
        assert verdict.ok is False and hint in verdict.message
        _no_value(verdict, right)
    assert check.ch07_ex4(..., ratings).ok is None
