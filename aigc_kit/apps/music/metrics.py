"""Objective melody statistics: pitch-class and interval histograms, and distances between sets.

A *set* of melodies is summarised by two pooled histograms (every note of every melody
counts once):

- the **pitch-class histogram**: 12 bins, C to B (octave ignored); it says which notes of the
  key are used and how often (tonality);
- the **interval histogram**: the signed step in semitones from each note to the next,
  within a melody, clipped to ``[-MAX_INTERVAL, +MAX_INTERVAL]`` (25 bins, -12 .. +12);
  it says how the line moves (steps, leaps, repeated notes).

Two sets are compared by the **total-variation distance** of their histograms,
``0.5 * sum |p - q|``: 0 for identical histograms, 1 for disjoint ones; it is the largest
difference in probability the two sets give to any group of bins. These are the
pitch-class / pitch-interval histograms of Yang & Lerch (2020, "On the evaluation of
generative models in music"), compared with a plain distance instead of kernel densities.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from aigc_kit.apps.music.corpus import Melody

MAX_INTERVAL = 12
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def _pitches(melodies: Sequence[Melody] | Melody) -> list[np.ndarray]:
    if isinstance(melodies, Melody):
        melodies = [melodies]
    arrays = [np.asarray(m.pitch, dtype=int) for m in melodies]
    if not arrays or sum(len(a) for a in arrays) == 0:
        raise ValueError("no notes: give at least one melody with at least one note")
    return arrays


def pitch_class_histogram(melodies: Sequence[Melody] | Melody) -> np.ndarray:
    """Share of notes on each pitch class, pooled over ``melodies``.

    Returns
    -------
    np.ndarray, shape (12,)
        Probabilities for C, C#, ..., B; sums to 1.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    counts = np.bincount(np.concatenate(_pitches(melodies)) % 12, minlength=12)
    return counts / counts.sum()


def interval_histogram(melodies: Sequence[Melody] | Melody,
                       max_interval: int = MAX_INTERVAL) -> np.ndarray:
    """Share of successive-note intervals (semitones, signed, clipped), pooled over ``melodies``.

    Parameters
    ----------
    melodies : Melody or sequence of Melody
        Intervals are taken inside each melody, never across two.
    max_interval : int
        Intervals beyond +/- this many semitones fall in the outermost bins.

    Returns
    -------
    np.ndarray, shape (2 * max_interval + 1,)
        Probabilities for intervals ``-max_interval .. +max_interval``; sums to 1.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if max_interval < 1:
        raise ValueError(f"max_interval must be at least 1 semitone, got {max_interval}")
    steps = [np.diff(p) for p in _pitches(melodies)]
    steps = np.concatenate(steps) if steps else np.zeros(0, int)
    if steps.size == 0:
        raise ValueError("no intervals: give melodies with at least two notes")
    counts = np.bincount(np.clip(steps, -max_interval, max_interval) + max_interval,
                         minlength=2 * max_interval + 1)
    return counts / counts.sum()


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total-variation distance ``0.5 * sum |p - q|`` between two histograms (0 .. 1).

    Both are normalised to sum 1 first; they must have the same shape.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"histograms must have the same shape, got {p.shape} and {q.shape}")
    if p.sum() <= 0 or q.sum() <= 0 or (p < 0).any() or (q < 0).any():
        raise ValueError("histograms must be non-negative with a positive sum")
    return float(0.5 * np.abs(p / p.sum() - q / q.sum()).sum())


def histogram_distances(generated: Sequence[Melody], reference: Sequence[Melody]
                        ) -> dict[str, float]:
    """Pitch-class and interval histogram distances of a generated set to a reference set.

    Returns
    -------
    dict
        ``{"pitch_class_tv": float, "interval_tv": float, "notes": int}``: the two
        total-variation distances and the number of generated notes.

    Notes
    -----
    Taught in ``09_music_generation``; printed by ``benchmarks/bench_melody.py``.
    """
    return {
        "pitch_class_tv": total_variation(pitch_class_histogram(generated),
                                          pitch_class_histogram(reference)),
        "interval_tv": total_variation(interval_histogram(generated),
                                       interval_histogram(reference)),
        "notes": int(sum(len(m) for m in generated)),
    }


def plot_histograms(sets: dict[str, Sequence[Melody]], reference: str,
                    axes: Sequence[plt.Axes] | None = None) -> Sequence[plt.Axes]:
    """Pitch-class and interval histograms of several sets side by side.

    Parameters
    ----------
    sets : dict of str to sequence of Melody
        Named melody sets, e.g. ``{"held-out real": test, "LSTM": generated}``.
    reference : str
        The key of ``sets`` drawn as the filled grey bars; the others are outlines.
    axes : two matplotlib Axes, optional

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if reference not in sets:
        raise ValueError(f"reference {reference!r} is not one of the sets {list(sets)}")
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(11, 3.2))[1]
    pcs, ivs = np.arange(12), np.arange(-MAX_INTERVAL, MAX_INTERVAL + 1)
    for name, melodies in sets.items():
        style = ({"color": "0.75", "label": name} if name == reference else
                 {"histtype": "step", "lw": 1.6, "label": name})
        axes[0].hist(pcs, bins=np.arange(13) - 0.5, weights=pitch_class_histogram(melodies),
                     **style)
        axes[1].hist(ivs, bins=np.arange(-MAX_INTERVAL, MAX_INTERVAL + 2) - 0.5,
                     weights=interval_histogram(melodies), **style)
    axes[0].set(xticks=pcs, xticklabels=PITCH_CLASSES, ylabel="share of notes",
                title="pitch-class histogram")
    axes[1].set(xlabel="interval to the next note (semitones)", ylabel="share of intervals",
                title="interval histogram")
    axes[1].legend(fontsize=8)
    return axes
