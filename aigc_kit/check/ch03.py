"""Self-checks of chapter 3's exercises (``notebooks/03_feature_extraction``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from aigc_kit.check.core import Outcome, call_student, close, exercise, not_a_function, right, wrong


@exercise
def ex1(answer: Any, f0: np.ndarray, voiced: np.ndarray) -> Outcome:
    """Exercise 1: the recording's median pitch as a MIDI note number. ``answer``: an int.

    Parameters
    ----------
    answer : int
        Nearest MIDI note number of the median f0 over the voiced frames.
    f0, voiced : np.ndarray
        The notebook's pYIN contour (Hz, NaN where unvoiced) and voiced flags.
    """
    f0 = np.asarray(f0, dtype=np.float64)
    median_hz = float(np.median(f0[np.asarray(voiced, dtype=bool)]))
    exact = 69 + 12 * np.log2(median_hz / 440.0)
    expected = int(np.round(exact))
    value = np.asarray(answer, dtype=np.float64)
    if value.shape != ():
        return wrong("give one MIDI note number, for the median f0 of the whole recording")
    if not np.isfinite(value):
        return wrong("NaN: unvoiced frames have no pitch, so take the median over the voiced "
                     "frames only (f0[voiced], or np.nanmedian)")
    if abs(float(value) - median_hz) < 1:
        return wrong("that is the frequency in Hz; convert it to a MIDI note number")
    if not float(value).is_integer():
        if abs(float(value) - exact) < 1e-3:
            return wrong("round to the nearest whole MIDI note number")
        return wrong("a MIDI note number is a whole number: 69 + 12 log2(f / 440 Hz), rounded")
    if int(value) == expected:
        return right("speech sits on no fixed note: its f0 glides over several semitones (see "
                     "the contour above), and the median is one summary of it")
    if abs(int(value) - expected) == 12:
        return wrong("an octave off: 12 semitones per doubling of frequency, with A4 = 440 Hz "
                     "= MIDI 69")
    if int(value) == int(np.floor(exact)) or int(value) == int(np.ceil(exact)):
        return wrong("round to the nearest note (np.round), rather than up or down")
    return wrong("MIDI = 69 + 12 log2(f / 440), with log base 2 and f the median f0 in Hz")


def _tempo_probes() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    steady = np.arange(16) * 0.5 + 0.1 + 0.01 * rng.standard_normal(16)
    missed = np.delete(np.arange(12) * (60 / 90), [4, 8])  # 90 BPM with two missed onsets
    swing = np.cumsum(np.tile([0.4, 0.4, 0.2], 5))  # 150 BPM beats with a half beat
    return [steady, missed, swing]


@exercise
def ex2(answer: Callable[[np.ndarray], float]) -> Outcome:
    """Exercise 2: tempo from onset times. ``answer``: a function ``onsets (s) -> BPM``.

    The check calls ``answer(onsets)`` on its own sorted onset times in seconds and
    compares with ``60 / median(diff(onsets))``.
    """
    if (hint := not_a_function(answer, "tempo_from_onsets")) is not None:
        return hint
    for onsets in _tempo_probes():
        intervals = np.diff(onsets)
        expected = 60.0 / float(np.median(intervals))
        got, failed = call_student(answer, onsets.copy())
        if failed is not None:
            return failed
        if close(got, expected, rtol=1e-6):
            continue
        value = np.asarray(got, dtype=np.float64)
        if value.shape != ():
            return wrong("return one tempo (a float in BPM) for all the onsets together")
        if close(value, 60.0 / float(np.mean(intervals)), rtol=1e-6):
            return wrong("one missed onset makes one interval twice as long and drags the mean "
                         "with it; the median of the intervals ignores it")
        if close(value, expected / 60, rtol=1e-6):
            return wrong("that is beats per second; a tempo is in beats per minute")
        if close(value, 60 / expected, rtol=1e-6):
            return wrong("that is the beat period in seconds; the tempo is 60 / period BPM")
        return wrong("intervals = np.diff(onsets); tempo = 60 / median(intervals) BPM")
    return right("a robust first estimate; onsets_tempo (librosa) instead autocorrelates the "
                 "whole onset-strength curve and prefers tempi near 120 BPM")


def _centroid_probes() -> list[tuple[np.ndarray, int]]:
    rng = np.random.default_rng(4)
    t = np.arange(1024) / 16000
    two_tones = np.sin(2 * np.pi * 500 * t) + 0.25 * np.sin(2 * np.pi * 3000 * t)
    noisy_tone = np.sin(2 * np.pi * 2500 * np.arange(400) / 32000) + 0.5 * rng.standard_normal(400)
    return [(two_tones, 16000), (rng.standard_normal(512) * np.hanning(512), 8000),
            (noisy_tone, 32000)]


def _reference_centroid(frame: np.ndarray, sr: int, power: float = 1.0) -> float:
    weights = np.abs(np.fft.rfft(frame)) ** power
    freqs = np.fft.rfftfreq(len(frame), 1 / sr)
    return float(np.sum(freqs * weights) / np.sum(weights))


@exercise
def ex3(answer: Callable[[np.ndarray, int], float]) -> Outcome:
    """Exercise 3: the spectral centroid of one frame. ``answer``: a function ``(frame, sr) -> Hz``.

    The check calls ``answer(frame, sr)`` on its own 1-D frames and compares with
    ``sum(f |X(f)|) / sum(|X(f)|)`` over the ``rfft`` bins.
    """
    if (hint := not_a_function(answer, "centroid_of_frame")) is not None:
        return hint
    for frame, sr in _centroid_probes():
        expected = _reference_centroid(frame, sr)
        got, failed = call_student(answer, frame.copy(), sr)
        if failed is not None:
            return failed
        if close(got, expected, rtol=1e-5):
            continue
        value = np.asarray(got, dtype=np.float64)
        if value.shape != ():
            return wrong("return one frequency in Hz for the frame: a weighted mean over bins")
        if close(value, _reference_centroid(frame, sr, power=2.0), rtol=1e-5):
            return wrong("that weights each bin by its power |X|²; the spectral centroid "
                         "weights it by the magnitude |X|")
        if close(value, expected * len(frame) / sr, rtol=1e-5):
            return wrong("that is a bin index; multiply by sr / len(frame), or weight "
                         "np.fft.rfftfreq(len(frame), 1 / sr), to get Hz")
        return wrong("X = np.fft.rfft(frame), f = np.fft.rfftfreq(len(frame), 1 / sr); "
                     "centroid = sum(f * |X|) / sum(|X|)")
    return right("librosa does the same on every Hann-windowed frame of the STFT")


@exercise
def ex4(answer: Any, centroids: np.ndarray, g4: pd.DataFrame) -> Outcome:
    """Exercise 4: the brightest timbre at G4. ``answer``: its name, a str.

    Parameters
    ----------
    answer : str
        One of the values of ``g4.timbre``.
    centroids : np.ndarray of shape (n_timbres, n_frames)
        Spectral centroid per frame (Hz) of each G4 note, rows in the order of ``g4``.
    g4 : pandas.DataFrame
        The notebook's label rows of the G4 notes (column ``timbre``).
    """
    timbres = [str(t) for t in g4["timbre"]]
    medians = np.median(np.asarray(centroids, dtype=np.float64), axis=-1)
    expected = timbres[int(np.argmax(medians))]
    if not isinstance(answer, str):
        return wrong("give the timbre's name as a string, e.g. 'organ'")
    name = answer.strip().lower()
    if name == expected:
        return right("a bright sound has strong high harmonics: the saw wave of 'bowed' has "
                     "all of them, at 1/n amplitude" if expected == "bowed" else "")
    if name == timbres[int(np.argmin(medians))]:
        return wrong("that is the darkest one: take the largest median centroid")
    if name not in timbres:
        return wrong("choose one of the names in g4.timbre")
    return wrong("take np.median(centroids, axis=1), one value per row of g4, and name the "
                 "timbre of the largest")
