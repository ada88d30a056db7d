"""Self-checks of chapter 11's exercises (``notebooks/11_video_auto_editing``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from aigc_kit.apps.video.cuts import score_cuts, threshold_boundaries
from aigc_kit.apps.video.edit import DEFAULT_WEIGHTS
from aigc_kit.apps.video.features import colourfulness
from aigc_kit.check.core import Outcome, call_student, close, exercise, not_a_function, right, wrong

THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4)
"""The fixed thresholds of exercise 2, in the order of the answer."""

EX4_WEIGHTS = {"motion": 3.0, "colour": 1.0, "novelty": 0.0}
"""The importance weights of exercise 4 (before normalisation)."""


def _hasler_parts(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The std and mean terms of the Hasler-Suesstrunk formula per frame (0-255 scale)."""
    rgb = np.asarray(frames, dtype=np.float64) * 255.0
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    std = np.hypot(rg.std(axis=(1, 2)), yb.std(axis=(1, 2)))
    mean = np.hypot(rg.mean(axis=(1, 2)), yb.mean(axis=(1, 2)))
    return std, mean


@exercise
def ex1(answer: Callable[[np.ndarray], float], frames: np.ndarray) -> Outcome:
    """Exercise 1: Hasler and Suesstrunk's colourfulness written from its formula.

    ``answer``: a function ``f(frame) -> float`` of one RGB frame ``(H, W, 3)`` in [0, 1];
    it is called on three frames of ``frames`` (the demo clip) and on two made-up frames.
    """
    if failed := not_a_function(answer, "hasler"):
        return failed
    frames = np.asarray(frames, dtype=np.float32)
    rng = np.random.default_rng(11)
    made_up = np.stack([rng.random(frames.shape[1:]),
                        np.broadcast_to([0.8, 0.3, 0.1], frames.shape[1:])]).astype(np.float32)
    tests = np.concatenate([frames[[0, len(frames) // 2, -1]], made_up])
    got, failed = call_student(lambda: np.array([float(answer(frame)) for frame in tests]),
                               how_called="answer(frame) with frame an (H, W, 3) float "
                                          "array in [0, 1]")
    if failed:
        return failed
    expected = colourfulness(tests)
    if close(got, expected, rtol=1e-3, atol=1e-3):
        return right("the same as aigc_kit.apps.video.colourfulness; a uniform orange frame "
                     "scores on its mean term alone (0.3 x the mean opponent colour)")
    std, mean = _hasler_parts(tests)
    if close(got * 255.0, expected, rtol=1e-3, atol=1e-3):
        return wrong("the paper's scale needs RGB on 0-255: multiply the frame by 255 first")
    if close(got, std, rtol=1e-3, atol=1e-3):
        return wrong("the mean term is missing: add 0.3 * sqrt(mean(rg)^2 + mean(yb)^2) "
                     "(try a frame of one uniform colour: it is not grey)")
    if close(got, std + mean, rtol=1e-3, atol=1e-3):
        return wrong("the mean term is weighted by 0.3 in Hasler and Suesstrunk's formula")
    return wrong("compute rg = R - G and yb = (R + G) / 2 - B on the 0-255 scale, then "
                 "sqrt(std(rg)^2 + std(yb)^2) + 0.3 * sqrt(mean(rg)^2 + mean(yb)^2), each "
                 "statistic over all pixels of the frame")


@exercise
def ex2(answer: Any, differences: np.ndarray, spans: np.ndarray) -> Outcome:
    """Exercise 2: F1 of a fixed threshold on the k = 1 differences, for each threshold.

    ``answer``: array-like of shape (5,), the F1 (0-1) of ``threshold_boundaries`` applied
    to ``differences`` (``details.scores[0]``) at each of ``THRESHOLDS``, scored with
    ``score_cuts`` against ``spans`` (``clip.spans``).
    """
    scores = [score_cuts(threshold_boundaries(differences, t), spans) for t in THRESHOLDS]
    expected = np.array([s["f1"] for s in scores])
    got = np.asarray(answer, dtype=np.float64).reshape(-1)
    if len(got) != len(THRESHOLDS):
        return wrong(f"give one F1 per threshold of {list(THRESHOLDS)}, in that order: "
                     f"an array of shape ({len(THRESHOLDS)},)")
    if close(got, expected, atol=1e-6):
        best = [t for t, f in zip(THRESHOLDS, expected, strict=True) if f == expected.max()]
        return right(f"best fixed threshold here: {best}; but you needed the true boundaries "
                     "to pick it, and another clip wants another value: the adaptive "
                     "threshold of detect_cuts tunes itself to each clip's local level")
    if close(got, 100 * expected, atol=1e-4):
        return wrong("give F1 as a fraction between 0 and 1, not a percentage")
    for name in ("precision", "recall"):
        if close(got, [s[name] for s in scores], atol=1e-6):
            return wrong(f"those look like the {name} values; F1 is the 'f1' entry of "
                         "score_cuts, the harmonic mean of precision and recall")
    return wrong("for each threshold t: found = threshold_boundaries(details.scores[0], t) "
                 "(default min_shot_frames), then score_cuts(found, clip.spans)['f1'] "
                 "(default tolerance of 2 frames)")


@exercise
def ex3(answer: Any, edit: Any) -> Outcome:
    """Exercise 3: the length of the automatic edit in frames, from its segments.

    ``answer``: int, frames of ``edit.frames`` worked out from ``edit.segments`` and the
    0.25 s crossfades at ``edit.fps``.
    """
    segments: pd.DataFrame = edit.segments
    lengths = (segments["end"] - segments["start"]).to_numpy()
    crossfade = int(round(0.25 * edit.fps))
    expected = len(edit.frames)
    got = float(np.asarray(answer, dtype=np.float64))
    if got == expected:
        return right(f"{len(lengths)} segments, {len(lengths) - 1} crossfades of {crossfade} "
                     "frames each: every join overlaps the end of one segment with the start "
                     "of the next")
    if close(got, edit.seconds, rtol=1e-3):
        return wrong("that is the length in seconds; the question asks for frames")
    if got != round(got):
        return wrong("a number of frames is a whole number")
    if got == lengths.sum():
        return wrong("during a crossfade two segments play at once: each join shortens the "
                     "edit by the crossfade's length in frames")
    if got == lengths.sum() - crossfade * len(lengths):
        return wrong("count the joins: n segments have n - 1 crossfades between them")
    return wrong("add up end - start of the segments, then subtract the crossfade length "
                 "(0.25 s at the clip's fps, rounded to frames) once per join")


@exercise
def ex4(answer: Any, scores: pd.DataFrame) -> Outcome:
    """Exercise 4: importance with other weights, from the three parts in ``edit.scores``.

    ``answer``: array-like of shape (T,), one importance per frame, with the weights
    ``EX4_WEIGHTS`` normalised to sum to 1, as ``importance_scores`` does.
    """
    parts = {k: scores[k].to_numpy(dtype=np.float64) for k in DEFAULT_WEIGHTS}
    raw = sum(EX4_WEIGHTS[k] * parts[k] for k in DEFAULT_WEIGHTS)
    total = sum(EX4_WEIGHTS.values())
    expected = raw / total
    got = np.asarray(answer, dtype=np.float64)
    if got.shape != expected.shape:
        return wrong(f"give one importance per frame: an array of shape ({len(expected)},), "
                     f"not {got.shape}")
    if close(got, expected, atol=1e-6):
        return right("passing these weights to auto_edit (weights=...) would favour "
                     "action over variety: the novelty of a shot no longer counts")
    if close(got, raw, atol=1e-6):
        return wrong("importance_scores normalises the weights to sum to 1 first, so the "
                     "importance stays in [0, 1]")
    if close(got, scores["importance"], atol=1e-6):
        return wrong("that is the importance with the default weights; recompute it from "
                     "the columns motion, colour and novelty with the new weights")
    return wrong("importance = (w_motion * motion + w_colour * colour + w_novelty * "
                 "novelty) / (w_motion + w_colour + w_novelty), frame by frame, from the "
                 "columns of edit.scores")
