"""Self-checks of chapter 13's exercises (``notebooks/13_trends_challenges``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aigc_kit.apps.provenance import DEFAULT_BAND_HZ
from aigc_kit.check.core import Outcome, call_student, close, exercise, not_a_function, right, wrong

EPOCHS = 10
"""Epochs of exercise 3."""
EX3_MODEL = "MLP generator (source)"
"""The row of the ``compute`` table that exercise 3 asks about."""
EX3_COLUMN = "CPU, 1 thread"
"""The column of the ``compute`` table that exercise 3 asks about."""


def _band_energy(x: np.ndarray, sr: int, band: Sequence[float] = DEFAULT_BAND_HZ) -> float:
    """Energy of ``x`` between ``band[0]`` and ``band[1]`` Hz, from its whole-clip FFT."""
    spectrum = np.fft.rfft(np.asarray(x, dtype=np.float64))
    freqs = np.fft.rfftfreq(len(x), d=1.0 / sr)
    inside = (freqs >= band[0]) & (freqs <= band[1])
    return float(np.sum(np.abs(spectrum[inside]) ** 2))


@exercise
def ex1(answer: Any, original: np.ndarray, marked: np.ndarray, sr: int) -> Outcome:
    """Exercise 1: the watermark-to-signal ratio inside the mark's band, in dB.

    ``answer``: float, ``10 log10(E_band(marked - original) / E_band(original))`` with band
    energies from the FFT of the whole clip, band 1,000-3,500 Hz.
    """
    original = np.asarray(original, dtype=np.float64)
    mark = np.asarray(marked, dtype=np.float64) - original
    ratio = _band_energy(mark, sr) / _band_energy(original, sr)
    expected = 10 * np.log10(ratio)
    got = float(np.asarray(answer, dtype=np.float64))
    if close(got, expected, rtol=0, atol=0.2):
        return right("about strength_db (-18 dB by default): the mark is scaled to the audio "
                     "in its own band, which is why the whole-clip ratio is much lower")
    if close(got, -expected, rtol=0, atol=0.2):
        return wrong("the sign is flipped: mark energy over audio energy (the mark is the "
                     "quieter one, so the ratio is negative in dB)")
    if close(got, 2 * expected, rtol=0, atol=0.4):
        return wrong("these are energies (squared magnitudes): use 10 log10, not 20 log10")
    if close(got, ratio, rtol=1e-2, atol=1e-6):
        return wrong("give the ratio in dB: 10 log10 of the energy ratio")
    whole = 10 * np.log10(np.sum(mark**2) / np.sum(original**2))
    if close(got, whole, rtol=0, atol=0.2):
        return wrong("that is the whole-clip ratio (watermark_to_signal_db); keep only the "
                     "FFT bins between 1,000 and 3,500 Hz, for the mark and for the audio")
    return wrong("mark = marked - note; for each of mark and note: X = np.fft.rfft(x), "
                 "f = np.fft.rfftfreq(len(x), 1 / sr), energy = sum(|X|^2) where "
                 "1000 <= f <= 3500; answer = 10 log10(energy of mark / energy of note)")


@exercise
def ex2(answer: Callable[..., Any]) -> Outcome:
    """Exercise 2: an attack that cuts the first 10 ms of a clip.

    ``answer``: a function ``attack(audio, sr, rng) -> (audio, sr)`` in the form of
    ``default_attacks``; it is called on made-up clips at 8, 16 and 44.1 kHz.
    """
    if failed := not_a_function(answer, "cut_start"):
        return failed
    rng = np.random.default_rng(13)
    for sr in (8000, 16000, 44100):
        x = rng.standard_normal(sr // 2).astype(np.float32)
        result, failed = call_student(answer, x.copy(), sr, np.random.default_rng(0),
                                      how_called="answer(audio, sr, rng)")
        if failed:
            return failed
        if not isinstance(result, tuple) or len(result) != 2:
            return wrong("an attack returns a pair (audio, sr), like those of "
                         "default_attacks(sr)")
        y, y_sr = np.asarray(result[0]), result[1]
        cut = sr // 100
        if y_sr != sr:
            return wrong("cutting samples does not change the sample rate: return it "
                         "unchanged")
        if len(y) == len(x):
            return wrong("the clip still has all its samples: padding or shifting it is a "
                         "delay; this attack removes the first 10 ms")
        if len(y) == len(x) - 10:
            return wrong("10 ms is not 10 samples: at sr samples per second it is sr / 100 "
                         "samples")
        if len(y) != len(x) - cut or not np.allclose(y, x[cut:]):
            return wrong("return audio[n:] with n = sr // 100 samples (10 ms), "
                         "i.e. everything after the first 10 ms, unchanged")
    return right("after the cut the mark's STFT frames no longer line up with the key's "
                 "pattern; a detector would have to search over start offsets "
                 "(resynchronisation) to find it again")


@exercise
def ex3(answer: Any, compute: pd.DataFrame, n_examples: int) -> Outcome:
    """Exercise 3: the time of 10 epochs of the MLP generator on one CPU thread.

    ``answer``: float, seconds, from the measured throughput in ``compute`` and the size
    ``n_examples`` of the training set.
    """
    throughput = float(compute.loc[EX3_MODEL, EX3_COLUMN])
    expected = EPOCHS * n_examples / throughput
    got = float(np.asarray(answer, dtype=np.float64))
    if close(got, expected, rtol=1e-3):
        fastest = compute.drop(columns="parameters").loc[EX3_MODEL].idxmax()
        seconds = EPOCHS * n_examples / float(compute.loc[EX3_MODEL, fastest])
        return right(f"fastest setting here ({fastest}): {seconds:.1f} s. Time grows with "
                     "parameters x examples x epochs: a model with a thousand times the "
                     "parameters on a thousand times the data needs a million times this")
    if close(got, expected / 60, rtol=1e-3) or close(got, expected / 3600, rtol=1e-3):
        return wrong("give the time in seconds")
    if close(got, EPOCHS * n_examples * throughput, rtol=1e-3):
        return wrong("throughput is examples per second: time = examples / throughput")
    if close(got, n_examples / throughput, rtol=1e-3):
        return wrong("that is one epoch; the question asks for ten")
    for column in compute.columns:
        if column not in ("parameters", EX3_COLUMN) and close(
                got, EPOCHS * n_examples / float(compute.loc[EX3_MODEL, column]), rtol=1e-3):
            return wrong(f"that uses the column {column!r}; the question asks for one CPU "
                         "thread")
    return wrong("one epoch is len(notes.x_train) examples; the 'CPU, 1 thread' entry of "
                 "the MLP generator's row is examples per second; time = 10 x examples / "
                 "throughput")


@exercise
def ex4(answer: Any, shares: Sequence[float], errors: Sequence[float], n_train: int) -> Outcome:
    """Exercise 4: the exponent of a power law fitted to the data curve.

    ``answer``: float, the slope ``b`` of the least-squares line through
    ``(log n, log error)``, with ``n = share * n_train`` training examples.
    """
    n = np.asarray(shares, dtype=np.float64) * n_train
    err = np.asarray(errors, dtype=np.float64)
    expected = float(np.polyfit(np.log(n), np.log(err), 1)[0])
    got = float(np.asarray(answer, dtype=np.float64))
    if close(got, expected, rtol=1e-3, atol=1e-4):
        return right("error ~ n^b: doubling the data multiplies the error by 2^b; a b near 0 "
                     "means this budget of training time, not data, is the bottleneck")
    if abs(expected) > 1e-6 and close(got, -expected, rtol=1e-3, atol=1e-4):
        return wrong("mind the sign: b < 0 when the error falls as the data grows")
    swapped = float(np.polyfit(np.log(err), np.log(n), 1)[0])
    if close(got, swapped, rtol=1e-3, atol=1e-4):
        return wrong("the axes are swapped: fit log(error) as a function of log(n)")
    if close(got, float(np.polyfit(n, err, 1)[0]), rtol=1e-3, atol=1e-9):
        return wrong("a power law is a straight line on log-log axes: fit the logarithms, "
                     "not the values")
    return wrong("n = share x len(notes.x_train) examples; b = np.polyfit(np.log(n), "
                 "np.log(errors), 1)[0] (a power law error = a n^b is a line of slope b on "
                 "log-log axes)")
