"""Self-checks of chapter 2's exercises (``notebooks/02_data_collection_preprocessing``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aigc_kit.check.core import Outcome, call_student, close, exercise, not_a_function, right, wrong
from aigc_kit.data import rms_db, robust_z, trim_silence


@exercise
def ex1(answer: Any, centred: np.ndarray, sr: int) -> Outcome:
    """Exercise 1: samples kept by ``trim_silence`` at two thresholds. ``answer``: 2 ints.

    Parameters
    ----------
    answer : tuple of int
        ``(kept at top_db=10, kept at top_db=60)``, in samples.
    centred : np.ndarray
        The notebook's DC-free recording with silence at both ends.
    sr : int
        Its sample rate in Hz.
    """
    bounds = [trim_silence(centred, sr, top_db=db)[1] for db in (10.0, 60.0)]
    expected = np.array([end - start for start, end in bounds], dtype=np.float64)
    value = np.asarray(answer, dtype=np.float64)
    if value.shape != (2,):
        return wrong("give two numbers: (samples kept at top_db=10, samples kept at top_db=60)")
    if close(value, expected, rtol=0, atol=0.5):
        return right("a looser threshold (60 dB) reaches down into the background noise, which "
                     "then counts as sound, so nothing is cut")
    if close(value[::-1], expected, rtol=0, atol=0.5):
        return wrong("right numbers, wrong order: top_db=10 first, then top_db=60")
    if any(close(value, bound, rtol=0, atol=0.5) for bound in bounds):
        return wrong("that is the (start, end) of one kept region; give the lengths, "
                     "end - start, for each threshold")
    if close(value * sr, expected, rtol=1e-3, atol=1.0):
        return wrong("give the lengths in samples, not seconds")
    return wrong("call trim_silence(centred, speech.sr, top_db=...) twice and count the samples "
                 "of each trimmed clip (len, or end - start)")


def _level_probes() -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    t = np.arange(8000) / 8000
    return [
        np.sin(2 * np.pi * 440 * t).astype(np.float32),
        0.05 * rng.standard_normal(3000),
        np.concatenate([np.zeros(500), 0.4 * np.sign(np.sin(2 * np.pi * 3 * t[:1500]))]),
    ]


@exercise
def ex2(answer: Callable[[np.ndarray], float]) -> Outcome:
    """Exercise 2: RMS level in dBFS from its definition. ``answer``: a function ``x -> dB``.

    The check calls ``answer(x)`` on its own 1-D signals and compares with
    :func:`aigc_kit.data.rms_db`.
    """
    if (hint := not_a_function(answer, "my_rms_db")) is not None:
        return hint
    for x in _level_probes():
        expected = rms_db(x)
        got, failed = call_student(answer, x.copy())
        if failed is not None:
            return failed
        if close(got, expected, rtol=1e-4, atol=1e-4):
            continue
        value = np.asarray(got, dtype=np.float64)
        if value.shape != ():
            return wrong("return one number for the whole clip: average over all samples")
        peak_db = 20 * np.log10(np.max(np.abs(x)))
        if close(value, 2 * expected, rtol=1e-4):
            return wrong("twice too low: 20 log10 applies to the RMS amplitude, so take the "
                         "square root of the mean square first (or use 10 log10 of the mean "
                         "square)")
        if close(value, expected / 2, rtol=1e-4):
            return wrong("half the level in dB: RMS is an amplitude, so the level is "
                         "20 log10(rms), not 10 log10(rms)")
        if close(value, peak_db, rtol=1e-4):
            return wrong("that is the peak level; RMS averages the squared samples over "
                         "the whole clip")
        if close(value, 10 ** (expected / 20), rtol=1e-4):
            return wrong("that is the RMS amplitude; the level is in dB: 20 log10(rms)")
        return wrong("rms = sqrt(mean(x**2)) over all samples; level = 20 log10(rms) dBFS")
    return right("a full-scale sine reads about -3 dBFS because its RMS is 1/sqrt(2) of its "
                 "peak")


@exercise
def ex3(answer: Any, fixed: Sequence[np.ndarray] | np.ndarray) -> Outcome:
    """Exercise 3: crest factor of each clip. ``answer``: array ``(n_clips,)`` in dB.

    Parameters
    ----------
    answer : array
        Peak level minus RMS level of each clip of ``fixed``, in dB.
    fixed : array of shape (n_clips, n_samples)
        The notebook's fixed-length clips before normalisation.
    """
    clips = [np.asarray(c, dtype=np.float64) for c in fixed]
    peak = np.array([20 * np.log10(np.max(np.abs(c))) for c in clips])
    level = np.array([rms_db(c) for c in clips])
    expected = peak - level
    value = np.asarray(answer, dtype=np.float64)
    if value.shape != expected.shape:
        return wrong(f"one number per clip: an array of shape {expected.shape}")
    if close(value, expected, rtol=1e-4, atol=1e-3):
        return right("a clip can reach -20 dB RMS under a -1 dBFS peak limit only if its "
                     "crest factor is at most 19 dB; the others end quieter")
    if close(value, -expected, rtol=1e-4, atol=1e-3):
        return wrong("the sign is flipped: peak level minus RMS level (the peak is higher, so "
                     "the crest factor is positive)")
    if close(value, expected / 2, rtol=1e-4, atol=1e-3):
        return wrong("half too small: levels of amplitudes use 20 log10, not 10 log10")
    if close(value, 10 ** (expected / 20), rtol=1e-4):
        return wrong("that is the ratio peak / RMS; give it in dB (20 log10)")
    return wrong("for each clip: 20 log10(max |x|) minus rms_db(x)")


@exercise
def ex4(answer: Any, report: pd.DataFrame, z_threshold: float = 3.5) -> Outcome:
    """Exercise 4: what the ordinary z-score would flag. ``answer``: an int count.

    Parameters
    ----------
    answer : int
        Number of clips whose ordinary duration z-score exceeds ``z_threshold`` in size.
    report : pandas.DataFrame
        The notebook's ``detect_outliers`` report (its ``duration_s`` column is used).
    z_threshold : float
        The threshold, as in ``detect_outliers``.
    """
    durations = report["duration_s"].to_numpy(dtype=np.float64)
    counts = {
        int(np.sum(np.abs((durations - durations.mean()) / durations.std(ddof=ddof))
                   > z_threshold))
        for ddof in (0, 1)
    }
    robust = int(np.sum(np.abs(robust_z(durations)) > z_threshold))
    value = np.asarray(answer)
    if value.shape != () or value.dtype.kind not in "iuf" or not float(value).is_integer():
        return wrong("give a count of clips: one whole number")
    if int(value) in counts:
        if robust in counts:
            return right()
        return right("the outliers inflate the standard deviation and so hide themselves; "
                     "median and MAD barely move, which is why detect_outliers uses them")
    if int(value) == robust:
        return wrong("that is what the robust z-score (median and MAD) flags; this time use "
                     "the mean and the standard deviation")
    if int(value) == int(report["outlier"].sum()):
        return wrong("that counts every flagged clip; count only durations whose ordinary "
                     "z-score is beyond the threshold")
    return wrong("z = (duration - mean) / std over report.duration_s, then count |z| > 3.5")
