"""Chapter 3's exercise checks: right answers pass, typical mistakes get hints, stubs wait."""

import re

import numpy as np
import pandas as pd
import pytest

from aigc_kit import check
from aigc_kit.check.core import STRICT_ENV


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)


def _hides(verdict, *expected):
    return verdict.ok is False and not any(
        re.search(rf"(?<![\d.]){value}(?![\d])", verdict.message) for value in expected)


def test_ex1_midi_of_the_median_f0():
    voiced = np.array([False, True, True, True, True, False, True])
    f0 = np.where(voiced, [0, 190.0, 196.0, 200.0, 205.0, 0, 210.0], np.nan)
    expected = 55  # 200 Hz is MIDI 55.35 (G3 + 0.35)
    assert check.ch03_ex1(expected, f0, voiced).ok is True
    assert check.ch03_ex1(np.int64(expected), f0, voiced).ok is True
    octave = check.ch03_ex1(expected - 12, f0, voiced)
    assert _hides(octave, expected) and "octave" in octave.message
    nan = check.ch03_ex1(np.median(f0), f0, voiced)
    assert nan.ok is False and "voiced" in nan.message
    unrounded = check.ch03_ex1(69 + 12 * np.log2(200 / 440), f0, voiced)
    assert _hides(unrounded, expected) and "round" in unrounded.message
    hertz = check.ch03_ex1(200.0, f0, voiced)
    assert hertz.ok is False and "Hz" in hertz.message
    assert check.ch03_ex1(..., f0, voiced).ok is None


def test_ex2_tempo_function():
    assert check.ch03_ex2(lambda onsets: 60 / np.median(np.diff(onsets))).ok is True
    mean = check.ch03_ex2(lambda onsets: 60 / np.mean(np.diff(onsets)))
    assert mean.ok is False and "median" in mean.message
    per_second = check.ch03_ex2(lambda onsets: 1 / np.median(np.diff(onsets)))
    assert per_second.ok is False and "per minute" in per_second.message
    period = check.ch03_ex2(lambda onsets: np.median(np.diff(onsets)))
    assert period.ok is False and "period" in period.message
    assert check.ch03_ex2(120.0).ok is False
    assert check.ch03_ex2(...).ok is None


def _centroid(frame, sr):
    magnitude = np.abs(np.fft.rfft(frame))
    return np.sum(np.fft.rfftfreq(len(frame), 1 / sr) * magnitude) / np.sum(magnitude)


def test_ex3_centroid_function():
    assert check.ch03_ex3(_centroid).ok is True
    def power_weighted(frame, sr):
        power = np.abs(np.fft.rfft(frame)) ** 2
        return np.sum(np.fft.rfftfreq(len(frame), 1 / sr) * power) / np.sum(power)

    power = check.ch03_ex3(power_weighted)
    assert power.ok is False and "magnitude" in power.message
    bins = check.ch03_ex3(lambda frame, sr: _centroid(frame, sr) * len(frame) / sr)
    assert bins.ok is False and "bin index" in bins.message
    assert check.ch03_ex3(1000.0).ok is False
    assert check.ch03_ex3(...).ok is None


def test_ex4_brightest_timbre():
    g4 = pd.DataFrame({"timbre": ["organ", "pluck", "bell", "bowed"]})
    centroids = np.array([[1000, 1010, 990], [420, 400, 410], [550, 540, 560],
                          [1550, 1560, 1570.0]])
    assert check.ch03_ex4("bowed", centroids, g4).ok is True
    assert check.ch03_ex4(" Bowed ", centroids, g4).ok is True
    darkest = check.ch03_ex4("pluck", centroids, g4)
    assert darkest.ok is False and "darkest" in darkest.message and "bowed" not in darkest.message
    other = check.ch03_ex4("organ", centroids, g4)
    assert other.ok is False and "bowed" not in other.message
    unknown = check.ch03_ex4("violin", centroids, g4)
    assert unknown.ok is False and "bowed" not in unknown.message
    assert check.ch03_ex4(3, centroids, g4).ok is False
    assert check.ch03_ex4(..., centroids, g4).ok is None
