"""Chapter 1's exercise checks: right answers pass, typical mistakes get hints, stubs wait."""

import re

import numpy as np
import pytest

from aigc_kit import check
from aigc_kit.check.core import STRICT_ENV

MEL_ARGS = dict(sr=8000, n_fft=256, hop_length=64, n_mels=48)


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)


def _hides(verdict, expected):
    return verdict.ok is False and not re.search(rf"(?<![\d.]){expected}(?![\d])",
                                                 verdict.message)


def test_ex1_frames():
    n_samples = 4800  # 0.6 s at 8 kHz
    expected = 1 + n_samples // MEL_ARGS["hop_length"]
    assert check.ch01_ex1(expected, n_samples, MEL_ARGS).ok is True
    assert check.ch01_ex1(np.int64(expected), n_samples, MEL_ARGS).ok is True
    off_by_one = check.ch01_ex1(expected - 1, n_samples, MEL_ARGS)
    assert _hides(off_by_one, expected) and "off by one" in off_by_one.message
    uncentred = check.ch01_ex1((n_samples - 256) // 64 + 1, n_samples, MEL_ARGS)
    assert _hides(uncentred, expected) and "pads" in uncentred.message
    assert check.ch01_ex1(75.5, n_samples, MEL_ARGS).ok is False
    assert check.ch01_ex1(..., n_samples, MEL_ARGS).ok is None


def _my_snr(estimate, reference):
    return 10 * np.log10(np.sum(reference**2) / np.sum((estimate - reference) ** 2))


def test_ex2_snr_function():
    assert check.ch01_ex2(_my_snr).ok is True
    twenty = check.ch01_ex2(lambda e, r: 20 * np.log10(np.sum(r**2) / np.sum((e - r) ** 2)))
    assert twenty.ok is False and "10 log10" in twenty.message
    swapped = check.ch01_ex2(lambda e, r: 10 * np.log10(np.sum(e**2) / np.sum((e - r) ** 2)))
    assert swapped.ok is False and "reference" in swapped.message
    assert check.ch01_ex2(6.02).ok is False  # a value, not a function
    broken = check.ch01_ex2(lambda e, r: e.nonexistent)
    assert broken.ok is False and "raised AttributeError" in broken.message
    assert check.ch01_ex2(...).ok is None


def test_ex3_nearest_generated_sample():
    rng = np.random.default_rng(0)
    train = rng.normal(-40, 10, size=(30, 4, 5))
    generated = train[[3, 7, 11, 20]] + rng.normal(0, 1, size=(4, 4, 5)) * [[[8]], [[1]],
                                                                            [[4]], [[12]]]
    expected = 1
    assert check.ch01_ex3(expected, generated, train).ok is True
    farthest = check.ch01_ex3(3, generated, train)
    assert _hides(farthest, expected) and "farthest" in farthest.message
    assert "index" in check.ch01_ex3(3.7, generated, train).message
    assert check.ch01_ex3(2, generated, train).ok is False  # 1-based
    assert check.ch01_ex3(..., generated, train).ok is None
