"""Chapter 2's exercise checks: right answers pass, typical mistakes get hints, stubs wait."""

import re

import numpy as np
import pandas as pd
import pytest

from aigc_kit import check
from aigc_kit.check.core import STRICT_ENV
from aigc_kit.data import rms_db, robust_z, trim_silence

SR = 8000


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)


def _hides(verdict, *expected):
    return verdict.ok is False and not any(
        re.search(rf"(?<![\d.]){value}(?![\d])", verdict.message) for value in expected)


@pytest.fixture
def centred():
    rng = np.random.default_rng(0)
    t = np.arange(3000) / SR
    tone = np.sin(2 * np.pi * 300 * t) * np.hanning(3000)
    x = np.concatenate([np.zeros(1500), tone, np.zeros(2500)])
    return (x + 0.002 * rng.standard_normal(len(x))).astype(np.float32)


def test_ex1_trim_lengths(centred):
    expected = tuple(len(trim_silence(centred, SR, top_db=db)[0]) for db in (10, 60))
    assert expected[0] < expected[1]
    assert check.ch02_ex1(expected, centred, SR).ok is True
    assert check.ch02_ex1(list(expected), centred, SR).ok is True
    swapped = check.ch02_ex1(expected[::-1], centred, SR)
    assert swapped.ok is False and "order" in swapped.message
    bounds = check.ch02_ex1(trim_silence(centred, SR, top_db=10)[1], centred, SR)
    assert _hides(bounds, *expected) and "end - start" in bounds.message
    seconds = check.ch02_ex1(tuple(n / SR for n in expected), centred, SR)
    assert seconds.ok is False and "seconds" in seconds.message
    assert check.ch02_ex1(expected[0], centred, SR).ok is False
    assert check.ch02_ex1(..., centred, SR).ok is None


def test_ex2_rms_db_function():
    def my_rms_db(x):
        return 20 * np.log10(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))

    assert check.ch02_ex2(my_rms_db).ok is True
    ten = check.ch02_ex2(lambda x: 10 * np.log10(np.sqrt(np.mean(x**2))))
    assert ten.ok is False and "20 log10" in ten.message
    no_sqrt = check.ch02_ex2(lambda x: 20 * np.log10(np.mean(x**2)))
    assert no_sqrt.ok is False and "square root" in no_sqrt.message
    peak = check.ch02_ex2(lambda x: 20 * np.log10(np.max(np.abs(x))))
    assert peak.ok is False and "peak" in peak.message
    assert check.ch02_ex2(-3.01).ok is False
    assert check.ch02_ex2(...).ok is None


def test_ex3_crest_factor():
    rng = np.random.default_rng(1)
    fixed = rng.standard_normal((5, 2000)) * np.linspace(0.01, 0.3, 5)[:, None]
    fixed[0, 100] = 0.9  # one spiky clip with a large crest factor
    expected = np.array([20 * np.log10(np.abs(c).max()) - rms_db(c) for c in fixed])
    assert check.ch02_ex3(expected, fixed).ok is True
    assert check.ch02_ex3(list(expected), list(fixed)).ok is True
    flipped = check.ch02_ex3(-expected, fixed)
    assert _hides(flipped, *np.round(expected, 1)) and "sign" in flipped.message
    half = check.ch02_ex3(expected / 2, fixed)
    assert half.ok is False and "20 log10" in half.message
    assert "shape" in check.ch02_ex3(expected[:3], fixed).message
    assert check.ch02_ex3(..., fixed).ok is None


def test_ex4_ordinary_z_count():
    rng = np.random.default_rng(2)
    durations = np.concatenate([rng.normal(0.4, 0.05, 100), [0.75, 0.8, 3.5]])
    report = pd.DataFrame({"duration_s": durations, "outlier": np.abs(robust_z(durations)) > 3.5})
    z = (durations - durations.mean()) / durations.std()
    expected = int(np.sum(np.abs(z) > 3.5))
    robust = int(np.sum(np.abs(robust_z(durations)) > 3.5))
    assert expected < robust
    assert check.ch02_ex4(expected, report).ok is True
    assert check.ch02_ex4(np.int64(expected), report).ok is True
    verdict = check.ch02_ex4(robust, report)
    assert _hides(verdict, expected) and "robust" in verdict.message
    assert check.ch02_ex4(expected + 0.5, report).ok is False
    assert check.ch02_ex4(..., report).ok is None
