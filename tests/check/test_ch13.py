"""Chapter 13's self-checks: right answers pass, typical mistakes fail without the answer."""

import numpy as np
import pandas as pd
import pytest

from aigc_kit import check
from aigc_kit.apps.provenance import embed_watermark, watermark_to_signal_db


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _band_db(note, marked, sr, lo=1000.0, hi=3500.0):
    def energy(x):
        spectrum = np.fft.rfft(np.asarray(x, dtype=np.float64))
        freqs = np.fft.rfftfreq(len(x), 1 / sr)
        return np.sum(np.abs(spectrum[(freqs >= lo) & (freqs <= hi)]) ** 2)

    return float(10 * np.log10(energy(marked - note) / energy(note)))


def test_ex1_in_band_ratio():
    sr = 8000
    t = np.arange(sr // 2) / sr
    note = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.sin(2 * np.pi * 1760 * t)
            + 0.01 * np.random.default_rng(0).standard_normal(len(t))).astype(np.float32)
    marked = embed_watermark(note, sr, "k")
    right = _band_db(note, marked, sr)
    assert check.ch13_ex1(right, note, marked, sr).ok is True
    assert check.ch13_ex1(right + 0.1, note, marked, sr).ok is True  # edges of the band
    sign = check.ch13_ex1(-right, note, marked, sr)
    assert sign.ok is False and "sign" in sign.message
    amplitude = check.ch13_ex1(2 * right, note, marked, sr)
    assert amplitude.ok is False and "10 log10" in amplitude.message
    whole = check.ch13_ex1(watermark_to_signal_db(note, marked), note, marked, sr)
    assert whole.ok is False and "whole-clip" in whole.message
    for verdict in (sign, amplitude, whole):
        assert f"{right:.1f}" not in verdict.message
    assert check.ch13_ex1(..., note, marked, sr).ok is None


def test_ex2_cut_start_attack():
    assert check.ch13_ex2(lambda x, sr, rng: (x[sr // 100:], sr)).ok is True
    samples = check.ch13_ex2(lambda x, sr, rng: (x[10:], sr))
    assert samples.ok is False and "10 samples" in samples.message
    delay = check.ch13_ex2(
        lambda x, sr, rng: (np.concatenate([np.zeros(sr // 100), x[:-(sr // 100)]]), sr))
    assert delay.ok is False and "delay" in delay.message
    bare = check.ch13_ex2(lambda x, sr, rng: x[sr // 100:])
    assert bare.ok is False and "pair" in bare.message
    signature = check.ch13_ex2(lambda x: x)  # wrong signature: the error is a hint
    assert signature.ok is False and "TypeError" in signature.message
    assert "called as answer(audio, sr, rng)" in signature.message
    number = check.ch13_ex2(3)
    assert number.ok is False and "answer = cut_start" in number.message
    assert check.ch13_ex2(...).ok is None


def _compute():
    return pd.DataFrame({"parameters": [1_000_000, 50_000], "CPU, 1 thread": [800.0, 3000.0],
                         "CPU, 2 threads": [1400.0, 5000.0]},
                        index=["MLP generator (source)", "conv generator"])


def test_ex3_epoch_time():
    compute, n = _compute(), 2000
    right = 10 * n / 800.0
    assert check.ch13_ex3(right, compute, n).ok is True
    inverted = check.ch13_ex3(10 * n * 800.0, compute, n)
    assert inverted.ok is False and "examples / throughput" in inverted.message
    one = check.ch13_ex3(n / 800.0, compute, n)
    assert one.ok is False and "one epoch" in one.message
    threads = check.ch13_ex3(10 * n / 1400.0, compute, n)
    assert threads.ok is False and "column" in threads.message
    minutes = check.ch13_ex3(right / 60, compute, n)
    assert minutes.ok is False and "seconds" in minutes.message
    for verdict in (inverted, one, threads, minutes):
        assert "25" not in verdict.message
    assert check.ch13_ex3(..., compute, n).ok is None


def test_ex4_power_law_exponent():
    shares, n_train = [0.125, 0.25, 0.5, 1.0], 4000
    errors = [0.09, 0.07, 0.052, 0.041]
    n = np.array(shares) * n_train
    right = float(np.polyfit(np.log(n), np.log(errors), 1)[0])
    assert check.ch13_ex4(right, shares, errors, n_train).ok is True
    assert check.ch13_ex4(float(np.polyfit(np.log10(shares), np.log10(errors), 1)[0]),
                          shares, errors, n_train).ok is True  # any log base, shares or n
    sign = check.ch13_ex4(-right, shares, errors, n_train)
    assert sign.ok is False and "sign" in sign.message
    swapped = check.ch13_ex4(float(np.polyfit(np.log(errors), np.log(n), 1)[0]), shares,
                             errors, n_train)
    assert swapped.ok is False and "swapped" in swapped.message
    linear = check.ch13_ex4(float(np.polyfit(n, errors, 1)[0]), shares, errors, n_train)
    assert linear.ok is False and "log-log" in linear.message
    for verdict in (sign, swapped, linear):
        assert f"{right:.2f}" not in verdict.message
    assert check.ch13_ex4(..., shares, errors, n_train).ok is None
