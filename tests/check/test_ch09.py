"""Chapter 9's self-checks: right answers pass, typical mistakes get a hint, stubs a reminder."""

import numpy as np
import pytest

from aigc_kit import check
from aigc_kit.apps.music import (
    Melody,
    interval_histogram,
    pitch_class_histogram,
    total_variation,
)


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _melody(pitches, name=""):
    n = len(pitches)
    return Melody(np.asarray(pitches), np.ones(n), np.arange(n) == n - 1, "major", name)


def _no_value(verdict, values):
    for value in np.ravel(values):
        for text in (f"{value:.2f}", f"{value:.3f}"):
            assert text not in verdict.message, (text, verdict.message)


MELODIES = [_melody([60, 62, 64, 65, 67, 67]), _melody([69, 71, 72, 68, 69]),
            _melody([72, 71, 69, 67, 66, 67, 64, 62, 60])]


def test_ex1_pitch_class_histogram():
    expected = pitch_class_histogram(MELODIES)
    assert check.ch09_ex1(expected, MELODIES).ok is True
    counts = np.bincount(np.concatenate([m.pitch for m in MELODIES]) % 12, minlength=12)
    per_melody = np.mean([pitch_class_histogram(m) for m in MELODIES], axis=0)
    for bad, hint in ((counts, "counts"), (per_melody, "pool"), (expected[:7], "12 numbers")):
        verdict = check.ch09_ex1(bad, MELODIES)
        assert verdict.ok is False and hint in verdict.message
        _no_value(verdict, expected)
    assert check.ch09_ex1(..., MELODIES).ok is None


def _with_temperature(logits, temperature):
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        return np.eye(len(logits))[np.argmax(logits)]
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def test_ex2_temperature_function():
    assert check.ch09_ex2(_with_temperature).ok is True

    def times(logits, temperature):
        return _with_temperature(np.asarray(logits) * temperature, 1.0) if temperature else \
            _with_temperature(logits, 0)

    def unstable(logits, temperature):
        if temperature == 0:
            return _with_temperature(logits, 0)
        e = np.exp(np.asarray(logits) / temperature)
        return e / e.sum()

    def no_greedy(logits, temperature):
        e = np.exp(np.asarray(logits) / temperature)
        return e / e.sum()

    for bad, hint in ((times, "divide"), (unstable, "overflow"), (no_greedy, "one-hot")):
        with np.errstate(all="ignore"):
            verdict = check.ch09_ex2(bad)
        assert verdict.ok is False and hint in verdict.message, verdict.message
    assert check.ch09_ex2(np.array([0.5, 0.5])).ok is False
    assert check.ch09_ex2(...).ok is None


def test_ex3_closest_on_intervals():
    reference = MELODIES
    sets = {"steps": [_melody([60, 62, 64, 65, 64, 62, 60, 62])],
            "leaps": [_melody([60, 72, 60, 67, 55, 67, 60])],
            "repeats": [_melody([60, 60, 60, 62, 62])],
            "real (train)": reference}
    target = interval_histogram(reference)
    distances = {k: total_variation(interval_histogram(v), target)
                 for k, v in sets.items() if k != "real (train)"}
    best = min(distances, key=distances.get)
    worst = max(distances, key=distances.get)
    assert check.ch09_ex3(best, sets, reference).ok is True
    verdict = check.ch09_ex3("real (train)", sets, reference)
    assert verdict.ok is False and "floor" in verdict.message
    verdict = check.ch09_ex3(worst, sets, reference)
    assert verdict.ok is False and best not in verdict.message
    assert check.ch09_ex3("LSTM", sets, reference).ok is False
    assert check.ch09_ex3(..., sets, reference).ok is None


def test_ex4_prompt():
    assert check.ch09_ex4("a sad lively dance for guitar in three lines").ok is True
    verdict = check.ch09_ex4("a happy lively dance for guitar in three lines")
    assert verdict.ok is False and "mode major" in verdict.message
    verdict = check.ch09_ex4("a sad lively dance for guitar")
    assert verdict.ok is False and "4 phrases" in verdict.message
    assert check.ch09_ex4(3).ok is False
    assert check.ch09_ex4(...).ok is None
