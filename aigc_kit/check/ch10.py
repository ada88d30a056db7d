"""Self-checks of chapter 10's exercises (``notebooks/10_speech_synthesis``).

Every expected result is recomputed from the objects the notebook passes in (the
``intelligibility`` table ``heard``, the real and round-trip words), never from a stored
number, so the checks stay right however well the digit voice trained in its budget (its
learning rate, steps or seed may change); hints never give the value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from aigc_kit.check.core import Outcome, close, exercise, right, wrong
from aigc_kit.evaluation.signal import lsd


@exercise
def ex1(answer: Any, heard: pd.DataFrame) -> Outcome:
    """Exercise 1: the speaker whose generated words are heard as intended least often.

    ``answer``: a speaker name (str) from ``heard.speaker``; any speaker tied for the lowest
    share of ``heard.correct`` passes.
    """
    by_speaker = heard.groupby("speaker")["correct"].mean()
    if not isinstance(answer, str):
        if isinstance(answer, int | np.integer):
            return wrong("give a speaker's name (a string such as 'theo'), not a digit")
        return wrong("give the speaker's name as a string")
    if answer not in by_speaker.index:
        return wrong(f"{answer!r} is not a speaker of `heard`; choose one of "
                     f"{sorted(by_speaker.index)}")
    lowest = by_speaker.min()
    if by_speaker[answer] <= lowest + 1e-12:
        return right("compare with the listener's score on that speaker's real words: is the "
                     "voice hard to copy, or hard to hear even when real?")
    if by_speaker[answer] >= by_speaker.max() - 1e-12:
        return wrong("that speaker is heard best; the question asks for the worst")
    return wrong("group `heard` by speaker and take the mean of `correct`: the smallest share")


def _confusion(heard: pd.DataFrame) -> np.ndarray:
    """Counts (10, 11): intended digit x heard digit, the last column "no word" (-1)."""
    counts = np.zeros((10, 11), dtype=np.int64)
    said = heard["heard"].to_numpy(int)
    np.add.at(counts, (heard["digit"].to_numpy(int), np.where(said < 0, 10, said)), 1)
    return counts


@exercise
def ex2(answer: Any, heard: pd.DataFrame) -> Outcome:
    """Exercise 2: the confusion matrix of the generated words.

    ``answer``: integer array ``(10, 11)``; ``answer[i, j]`` = words generated as digit ``i``
    and heard as digit ``j``, ``answer[i, 10]`` those of digit ``i`` in which the outside
    judge heard no word (``heard == -1``).
    """
    values = np.asarray(answer, dtype=np.float64)
    expected = _confusion(heard)
    if values.shape == (11, 10) and close(values.T, expected, rtol=0, atol=1e-9):
        return wrong("rows are the intended digit (`digit`), columns what was heard (`heard`): "
                     "your matrix is transposed")
    if values.shape == (10, 10):
        return wrong("the outside judge sometimes hears no word (`heard == -1`): give an "
                     "11th column for those, a 10 x 11 array (a -1 index would land in "
                     "column 9)")
    if values.shape != (10, 11):
        return wrong(f"give a 10 x 11 array (intended digit x heard digit, then 'no word'); "
                     f"got shape {values.shape}")
    if close(values, expected, rtol=0, atol=1e-9):
        return right("the diagonal over the total is the intelligibility; the largest "
                     "off-diagonal cells say which digits the voice blurs together")
    rows = np.maximum(expected.sum(axis=1, keepdims=True), 1)
    if close(values, expected / rows, rtol=1e-6, atol=1e-9) \
            or close(values, expected / expected.sum(), rtol=1e-6, atol=1e-9):
        return wrong("give counts of words, not shares")
    if values.sum() != len(heard):
        return wrong("every row of `heard` is one word and counts once in the matrix")
    return wrong("for each row of `heard`, add 1 at [digit, heard], or at [digit, 10] when "
                 "heard is -1 (e.g. np.add.at, or pd.crosstab reindexed to all columns)")


def _wald(k: int, n: int, z: float) -> np.ndarray:
    p = k / n
    half = z * np.sqrt(p * (1 - p) / n)
    return np.array([p - half, p + half])


@exercise
def ex3(answer: Any, heard: pd.DataFrame) -> Outcome:
    """Exercise 3: the 95 % Wilson interval of the intelligibility.

    ``answer``: array ``[low, high]``, shares between 0 and 1, for ``heard.correct``.
    """
    values = np.asarray(answer, dtype=np.float64)
    if values.shape != (2,):
        return wrong(f"give two numbers, np.array([low, high]); got shape {values.shape}")
    k, n = int(heard["correct"].sum()), len(heard)
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    expected = np.array([interval.low, interval.high])
    if close(values, expected, rtol=1e-3, atol=1e-4):
        return right("the same interval ab_preference and ai_or_real give in chapter 7; "
                     "unlike p +/- z*se it stays inside [0, 1] even near 100 %")
    if close(values, 100 * expected, rtol=1e-3, atol=1e-2):
        return wrong("give shares between 0 and 1, not percentages")
    if close(values, _wald(k, n, 1.959964), rtol=1e-3, atol=1e-4):
        return wrong("that is the normal (Wald) interval p +/- z*sqrt(p(1-p)/n); the Wilson "
                     "interval has its centre pulled towards 1/2 and a z^2/(4n^2) term")
    if values[0] > values[1]:
        return wrong("give the lower bound first")
    if not values[0] <= k / n <= values[1]:
        return wrong("the interval should contain the measured intelligibility, "
                     "heard.correct.mean()")
    return wrong("with p = k/n and z = scipy.stats.norm.ppf(0.975): centre "
                 "(p + z^2/(2n)) / (1 + z^2/n), half-width "
                 "z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4n^2))")


def _level_matched(estimate: np.ndarray, reference: np.ndarray) -> np.ndarray:
    scale = np.sqrt((reference**2).mean(-1, keepdims=True) / (estimate**2).mean(-1,
                                                                           keepdims=True))
    return estimate * scale


@exercise
def ex4(answer: Any, real: np.ndarray, round_trip: np.ndarray, sr: float) -> Outcome:
    """Exercise 4: what the image and the vocoder cost, in dB of log-spectral distance.

    ``answer``: a float, the mean over the words of ``lsd(matched, real, sr)``, where each
    round-trip word is scaled to its real word's RMS.
    """
    real = np.asarray(real, dtype=np.float64)
    trip = np.asarray(round_trip, dtype=np.float64)[..., : real.shape[-1]]
    value = np.asarray(answer, dtype=np.float64)
    if value.shape != ():
        return wrong(f"give one number, the mean over the words, not shape {value.shape}")
    matched = _level_matched(trip, real)
    expected = float(np.mean(lsd(matched, real, sr)))
    if close(value, expected, rtol=1e-3, atol=1e-4):
        return right("a few dB of spectral detail lost before any model: the ceiling the "
                     "generated words are measured against")
    if close(value, float(np.mean(lsd(trip, real, sr))), rtol=1e-3, atol=1e-4):
        return wrong("bring each round-trip word to the RMS of its real word first: the "
                     "vocoder's output is peak-normalised, and LSD counts a level change")
    if close(value, float(np.mean(lsd(real, matched, sr))), rtol=1e-3, atol=1e-4):
        return wrong("lsd takes (estimate, reference): the round-trip word first, the real "
                     "word second")
    return wrong("scale each round_trip[take] word by sqrt(mean(real**2) / mean(trip**2)), "
                 "then lsd(matched, test_audio[take], FSDD_SPEC.sr) and take the mean")
