"""Automatic video editing: score every frame's importance, keep the best segments, join them
with short crossfades (chapter 6.2 "video auto-editing").

The importance of frame ``t`` in shot ``s(t)`` is a weighted sum of three parts, each
scaled to [0, 1] over the clip (5th percentile -> 0, 95th -> 1, clipped)::

    importance(t) = w_motion * motion(t) + w_colour * colour(t) + w_novelty * novelty(s(t))

- ``motion``: root of the frame-difference energy (how much the picture changes: camera
  moves, moving objects); the frames near a shot boundary take their shot's median, so a
  cut is not mistaken for action;
- ``colour``: Hasler-Suesstrunk colourfulness;
- ``novelty``: how unlike the other shots a shot looks (mean half-L1 distance between
  its mean HSV histogram and those of the other shots), so the edit shows variety.

``auto_edit`` slides a window of ``segment_seconds`` through each shot (keeping away from
its transitions), picks windows by mean importance -- a second window from the same shot
counts half -- until the target length is reached, trims the surplus from the weakest ends,
and joins the segments in their original order with linear crossfades.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigc_kit.apps.video.cuts import detect_cuts
from aigc_kit.apps.video.features import (
    colourfulness,
    frame_difference_energy,
    hsv_histograms,
    shot_spans,
)
from aigc_kit.apps.video.io import as_frames

DEFAULT_WEIGHTS = {"motion": 0.4, "colour": 0.3, "novelty": 0.3}

_Window = tuple[float, int, int, int]  # a candidate segment: (score, shot, start, end)


def _unit_scale(x: np.ndarray) -> np.ndarray:
    """Map the 5th..95th percentile of ``x`` to 0..1 (clipped); constant input -> 0.5."""
    lo, hi = np.percentile(x, [5, 95])
    if hi - lo < 1e-12:
        return np.full(len(x), 0.5)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def importance_scores(
    frames: object,
    boundaries: Sequence[int] | np.ndarray | None = None,
    weights: dict[str, float] | None = None,
    guard_frames: int = 3,
) -> pd.DataFrame:
    """Per-frame importance and its three parts (see the module docstring).

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1].
    boundaries : sequence of int, optional
        Shot boundaries (first frames of new shots); ``detect_cuts(frames)`` when omitted.
    weights : dict, optional
        ``{"motion": w_m, "colour": w_c, "novelty": w_n}``, non-negative, not all zero;
        default ``DEFAULT_WEIGHTS`` (0.4, 0.3, 0.3). They are normalised to sum to 1.
    guard_frames : int
        Frames on each side of a boundary whose motion is replaced by the shot's median.

    Returns
    -------
    pandas.DataFrame, one row per frame
        ``shot``, ``motion``, ``colour``, ``novelty`` (each in [0, 1]) and ``importance``.

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"weights must be non-negative, not all zero, with keys "
                         f"{sorted(DEFAULT_WEIGHTS)}; got {w}")
    total = sum(w.values())
    w = {k: w.get(k, 0.0) / total for k in DEFAULT_WEIGHTS}
    bounds = (detect_cuts(frames).boundaries if boundaries is None
              else np.asarray(boundaries, dtype=int))
    spans = shot_spans(bounds, len(frames))
    shot = np.zeros(len(frames), dtype=int)
    for i, (start, end) in enumerate(spans):
        shot[start:end] = i

    motion = np.sqrt(frame_difference_energy(frames))
    near = np.zeros(len(frames), bool)
    for b in bounds:
        near[max(0, b - guard_frames):b + guard_frames + 1] = True
    near[0] = True
    for start, end in spans:
        inside = ~near[start:end]
        level = np.median(motion[start:end][inside]) if inside.any() else 0.0
        motion[start:end][~inside] = level

    hists = hsv_histograms(frames)
    means = np.stack([hists[s:e].mean(axis=0) for s, e in spans])
    if len(spans) > 1:
        dist = 0.5 * np.abs(means[:, None] - means[None]).sum(axis=2) / 3.0
        novelty_shot = dist.sum(axis=1) / (len(spans) - 1)
        spread = novelty_shot.max() - novelty_shot.min()
        novelty_shot = ((novelty_shot - novelty_shot.min()) / spread if spread > 1e-12
                        else np.full(len(spans), 0.5))
    else:
        novelty_shot = np.ones(1)

    table = pd.DataFrame({
        "shot": shot,
        "motion": _unit_scale(motion),
        "colour": _unit_scale(colourfulness(frames)),
        "novelty": novelty_shot[shot],
    })
    table["importance"] = sum(w[k] * table[k] for k in DEFAULT_WEIGHTS)
    table.index.name = "frame"
    return table


def crossfade_concat(pieces: Sequence[np.ndarray], crossfade_frames: int) -> np.ndarray:
    """Join clips, blending the last ``crossfade_frames`` of each into the first of the next.

    The output has ``sum(len(p)) - crossfade_frames * (len(pieces) - 1)`` frames; every
    piece must be longer than ``crossfade_frames``.

    Taught in ``11_video_auto_editing``.
    """
    if not pieces:
        raise ValueError("crossfade_concat needs at least one piece")
    c = int(crossfade_frames)
    if c < 0:
        raise ValueError(f"crossfade_frames must be >= 0, got {c}")
    checked = [as_frames(p, name=f"piece {i}") for i, p in enumerate(pieces)]
    if any(len(p) <= c for p in checked[1:]) or (len(checked) > 1 and len(checked[0]) <= c):
        raise ValueError(f"every piece must be longer than the crossfade ({c} frames)")
    out = [checked[0]]
    w = (np.arange(1, c + 1, dtype=np.float32) / (c + 1))[:, None, None, None]
    for piece in checked[1:]:
        if c:
            tail = out[-1][-c:]
            out[-1] = out[-1][:-c]
            out.append((1 - w) * tail + w * piece[:c])
        out.append(piece[c:])
    return np.concatenate(out).astype(np.float32)


@dataclass
class EditResult:
    """What ``auto_edit`` made and why.

    Attributes
    ----------
    frames : np.ndarray, shape (n, H, W, 3)
        The edited clip.
    fps : float
    segments : pandas.DataFrame
        One row per kept segment, in order: ``shot``, ``start``, ``end`` (original frames,
        end exclusive), ``score`` (mean importance), ``edit_start`` (its first frame in the
        edit, where its crossfade begins).
    scores : pandas.DataFrame
        ``importance_scores`` of the original, one row per frame.
    boundaries : np.ndarray
        Shot boundaries of the original that were used.
    """

    frames: np.ndarray
    fps: float
    segments: pd.DataFrame
    scores: pd.DataFrame
    boundaries: np.ndarray

    @property
    def seconds(self) -> float:
        """Length of the edit in seconds."""
        return len(self.frames) / self.fps


def auto_edit(
    frames: object,
    target_seconds: float,
    fps: float,
    segment_seconds: float = 1.5,
    crossfade_seconds: float = 0.25,
    margin_seconds: float = 0.5,
    weights: dict[str, float] | None = None,
    boundaries: Sequence[int] | np.ndarray | None = None,
) -> EditResult:
    """Cut a clip down to ``target_seconds`` by keeping its most important segments.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1].
    target_seconds : float
        Length of the edit in seconds (exact to one frame); shorter than the clip.
    fps : float
        Frames per second of the clip (and of the edit).
    segment_seconds : float
        Length of each kept segment before trimming, in seconds.
    crossfade_seconds : float
        Length of each crossfade between kept segments, in seconds (0 = hard cuts).
    margin_seconds : float
        Segments keep this far from the shot boundaries (so no transition frames are
        kept, and every crossfade joins two clean shots).
    weights : dict, optional
        Importance weights, see ``importance_scores``.
    boundaries : sequence of int, optional
        Shot boundaries; ``detect_cuts(frames)`` when omitted.

    Returns
    -------
    EditResult

    Raises
    ------
    ValueError
        Bad frames, a non-positive target or fps, or a target the clip's usable material
        (away from transitions) cannot fill.

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    n_target = int(round(target_seconds * fps))
    if n_target < 1:
        raise ValueError(f"target_seconds={target_seconds} is less than one frame at {fps} fps")
    if n_target >= len(frames):
        raise ValueError(f"target_seconds={target_seconds} is not shorter than the clip "
                         f"({len(frames) / fps:.2f} s); nothing to cut")
    c = max(0, int(round(crossfade_seconds * fps)))
    seg = max(c + 2, int(round(segment_seconds * fps)))
    margin = max(0, int(round(margin_seconds * fps)))
    bounds = (detect_cuts(frames).boundaries if boundaries is None
              else np.asarray(boundaries, dtype=int))
    scores = importance_scores(frames, bounds, weights)
    imp = scores["importance"].to_numpy()

    candidates = _candidate_windows(imp, bounds, seg, margin, c)
    chosen, total = _choose_windows(candidates, n_target, c, seg, fps)
    spans = _trim_surplus(chosen, imp, total - n_target, c)
    edited = crossfade_concat([frames[a:b] for a, b in spans], c)
    segments = _segment_table(chosen, spans, imp, c)
    return EditResult(edited, float(fps), segments, scores, bounds)


def _candidate_windows(
    imp: np.ndarray,
    bounds: np.ndarray,
    seg: int,
    margin: int,
    c: int,
) -> list[_Window]:
    """Non-overlapping windows within each shot (away from its boundaries), best first."""
    cum = np.concatenate([[0.0], np.cumsum(imp)])
    candidates = []
    for shot, (s, e) in enumerate(shot_spans(bounds, len(imp))):
        lo = s + (margin if s > 0 else 0)
        hi = e - (margin if e < len(imp) else 0)
        length = min(seg, hi - lo)
        if length < c + 2:
            continue
        starts = np.arange(lo, hi - length + 1)
        means = (cum[starts + length] - cum[starts]) / length
        taken = np.zeros(len(imp), bool)
        for j in np.argsort(-means, kind="stable"):
            a = starts[j]
            if not taken[a:a + length].any():
                taken[a:a + length] = True
                candidates.append((float(means[j]), shot, int(a), int(a + length)))
    return candidates


def _choose_windows(
    candidates: list[_Window],
    n_target: int,
    c: int,
    seg: int,
    fps: float,
) -> tuple[list[_Window], int]:
    """Pick windows (best first, a shot already used counts half) until ``n_target`` is filled."""
    chosen: list[_Window] = []
    total = 0
    while total < n_target:
        remaining = [cand for cand in candidates if cand not in chosen]
        if not remaining:
            raise ValueError(
                f"the clip has only {total / fps:.2f} s of usable material for segments of "
                f"{seg / fps:.2f} s away from shot boundaries; ask for a shorter "
                f"target_seconds or a smaller margin_seconds/segment_seconds")
        used = {shot for _, shot, _, _ in chosen}
        best = max(remaining, key=lambda cand: cand[0] * (0.5 if cand[1] in used else 1.0))
        chosen.append(best)
        total += (best[3] - best[2]) - (c if len(chosen) > 1 else 0)
    chosen.sort(key=lambda cand: cand[2])
    return chosen, total


def _trim_surplus(chosen: list[_Window], imp: np.ndarray, surplus: int, c: int) -> list[list[int]]:
    """Spans of ``chosen`` less ``surplus`` frames, cut one by one from the longest's weaker end."""
    spans = [[a, b] for _, _, a, b in chosen]
    while surplus > 0:
        k = max(range(len(spans)), key=lambda i: spans[i][1] - spans[i][0])
        a, b = spans[k]
        if b - a <= c + 1:
            break
        if imp[a] < imp[b - 1]:
            spans[k][0] += 1
        else:
            spans[k][1] -= 1
        surplus -= 1
    return spans


def _segment_table(
    chosen: list[_Window],
    spans: list[list[int]],
    imp: np.ndarray,
    c: int,
) -> pd.DataFrame:
    """The kept segments: shot, original span, mean importance and first frame in the edit."""
    starts, position = [], 0
    for a, b in spans:
        starts.append(position)
        position += (b - a) - c
    return pd.DataFrame({
        "shot": [cand[1] for cand in chosen],
        "start": [a for a, _ in spans],
        "end": [b for _, b in spans],
        "score": [float(imp[a:b].mean()) for a, b in spans],
        "edit_start": starts,
    })
