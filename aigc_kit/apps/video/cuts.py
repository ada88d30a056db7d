"""Shot-boundary detection (hard cuts and gradual transitions) and its TRECVID-style scoring.

``detect_cuts`` works in the manner of PySceneDetect's content and adaptive detectors:

1. **A descriptor per frame** that ignores what changes *within* a shot: a hue-saturation
   histogram weighted by brightness (so a global exposure change leaves it unchanged) and a
   small grey thumbnail normalised to zero mean and unit contrast (same reason; near-black
   frames shrink towards zero, which makes fades look like gradual changes).
2. **Frame differences at several temporal scales** ``k``: the distance between frames
   ``t - k`` and ``t + k - 1`` (the boundary "before frame t"). A hard cut shows at
   ``k = 1``; a dissolve or fade of ``L`` frames only shows in full once ``2k >= L``.
3. **An adaptive threshold**: each scale's difference is compared with its own *local*
   median in a window around ``t`` (the changes a moving camera or object produce), and a
   boundary needs both ``ratio`` times that level and an absolute ``min_score``.
4. **Localisation and a minimum shot length**: each run of frames above threshold gives one
   boundary: at its peak at the finest scale (a hard cut's exact frame), at its weighted
   centre at coarser ones (the middle of a gradual transition); boundaries closer than
   ``min_shot_frames`` are merged, keeping the strongest.

Before step 2, **camera flashes** are found and taken out (``find_flashes``): a brightness
jump over 1-3 frames after which the picture returns to what it was (frame ``s - 1`` looks
like frame ``s + m`` again). A flash is the textbook false alarm of shot-boundary
detection; TRECVID systems detect and ignore them the same way. The flash frames'
descriptors are replaced by a blend of the frames just before and just after the flash.
After step 3, a one-frame jump that one **camera move** explains (the previous frame,
shifted and zoomed, matches the next: ``camera_move_match``) is dropped: a whip pan or a
crash zoom changes the picture as much as a cut does, but stays within one shot.

Last, **motion inside the frame is not a cut** (``content_change``): the frames just before
and after each candidate (and 2 and 5 frames further out on both sides) are cut into 6 x 8
blocks on small grey-world images; after the global shift (phase correlation), each block
looks for its best match within 3 pixels. A shot change leaves almost no block matched; a
car or a person passing close to the camera, or big foreground objects, change only the
blocks they cover, and an occluder sweeping past the lens is gone again a few frames later,
so some pair of frames matches. A candidate needs ``CHANGE_MIN`` (60%) of unmatched blocks
in every pair compared.

``score_cuts`` matches detections to true transitions one-to-one (a detection counts when it
lies within ``tolerance`` frames of a transition's span) and reports precision, recall and
F1, as the TRECVID shot-boundary task did. ``detect_cuts_threshold`` is the naive baseline:
one fixed threshold on consecutive-frame HSV differences.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment
from skimage.color import rgb2hsv
from skimage.transform import resize

from aigc_kit.apps.video.features import LUMA
from aigc_kit.apps.video.io import as_frames

HUE_BINS, SAT_BINS = 16, 4
THUMB = (12, 16)  # rows, cols of the normalised grey thumbnail
CONTRAST_FLOOR = 0.03  # thumbnails with less contrast than this shrink towards zero
THUMB_WEIGHT = 0.5  # share of the thumbnail distance at the finest scale (k = 1)
DARK_LEVEL = 0.04  # colours count fully above 2x this mean brightness, not at all below it
FLASH_JUMP = 0.06  # mean-brightness rise (0-1 scale) in one frame that may start a flash
FLASH_FRAMES = 3  # longest flash, in frames
MOTION_SCALES = tuple(np.geomspace(1 / 1.7, 1.7, 13))  # zoom factors tried between 2 frames
MOTION_MATCH = 0.55  # correlation after the best shift and zoom that makes a jump a camera move
MOTION_OVERLAP = 0.3  # ...over at least this fraction of the frame

BLOCK_GRID = (6, 8)  # rows, cols of the blocks compared by ``content_change``
BLOCK_SEARCH = 3  # local search radius of each block, pixels of the 36 x 48 working image
BLOCK_RESIDUAL = 0.1  # mean |difference| (grey-world units) under which a block matches
WHITE_FLOOR = 0.2  # smallest channel median a working image is divided by
CHANGE_MIN = 0.6  # share of unmatched blocks a boundary needs (occluders, objects: less)
CHANGE_OFFSETS = (0, 2, 5)  # frames further out on both sides that are compared too


class Candidate(NamedTuple):
    """One possible boundary: a run of frames above the adaptive threshold at one scale."""

    frame: int  # the run's weighted centre
    strength: float  # peak ratio to the local level
    kind: str  # "cut" (finest scale) or "gradual"
    start: int  # the run's first frame
    end: int  # the run's last frame
    peak: float  # peak difference
    scale: int  # temporal scale k, frames


def frame_descriptors(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame descriptors used by ``detect_cuts``.

    Parameters
    ----------
    frames : np.ndarray, shape (T, H, W, 3)
        float in [0, 1].

    Returns
    -------
    hist : np.ndarray, shape (T, HUE_BINS * SAT_BINS)
        Hue-saturation histograms after a grey-world white balance, each pixel weighted by
        its brightness and saturation, each row summing to 1; near-black frames tend to the
        uniform histogram.
    thumb : np.ndarray, shape (T, 12 * 16)
        Grey thumbnails, minus their mean, divided by ``(std + CONTRAST_FLOOR)``.

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    t = len(frames)
    # Grey-world white balance: a global tint or exposure change (lighting) moves every
    # pixel's hue the same way; dividing each channel by its mean undoes most of it.
    means = frames.mean(axis=(1, 2), keepdims=True) + 1e-3
    balanced = frames / means
    balanced /= balanced.max(axis=(1, 2, 3), keepdims=True) + 1e-6
    hsv = rgb2hsv(balanced)
    h_idx = np.minimum((hsv[..., 0] * HUE_BINS).astype(np.intp), HUE_BINS - 1)
    s_idx = np.minimum((hsv[..., 1] * SAT_BINS).astype(np.intp), SAT_BINS - 1)
    bins = (h_idx * SAT_BINS + s_idx).reshape(t, -1)
    weights = (hsv[..., 2] * (hsv[..., 1] + 0.1)).reshape(t, -1)
    n_bins = HUE_BINS * SAT_BINS
    offsets = (np.arange(t) * n_bins)[:, None]
    hist = np.bincount((bins + offsets).ravel(), weights=weights.ravel(),
                       minlength=t * n_bins).reshape(t, n_bins)
    hist /= np.maximum(hist.sum(axis=1, keepdims=True), 1e-12)
    # A near-black frame's colours are sensor noise: fade its histogram towards the uniform
    # one, so a fade through black becomes a smooth change instead of random spikes.
    confidence = np.clip((frames.mean(axis=(1, 2, 3)) - DARK_LEVEL) / DARK_LEVEL, 0.0, 1.0)
    hist = confidence[:, None] * hist + (1 - confidence[:, None]) / n_bins
    grey = frames @ LUMA
    thumb = resize(grey, (t, *THUMB), anti_aliasing=True).reshape(t, -1)
    thumb = thumb - thumb.mean(axis=1, keepdims=True)
    thumb = thumb / (thumb.std(axis=1, keepdims=True) + CONTRAST_FLOOR)
    return hist, thumb


def _distance(
    hist: np.ndarray, thumb: np.ndarray, a: np.ndarray, b: np.ndarray, thumb_weight: float
) -> np.ndarray:
    """Descriptor distance between frames ``a[i]`` and ``b[i]``, in about [0, 1]."""
    d_hist = 0.5 * np.abs(hist[a] - hist[b]).sum(axis=1)
    if thumb_weight == 0:
        return d_hist
    d_thumb = np.sqrt(np.mean((thumb[a] - thumb[b]) ** 2, axis=1) / 2.0)
    return (1 - thumb_weight) * d_hist + thumb_weight * np.minimum(d_thumb, 1.0)


def _grey_small(frame: np.ndarray) -> np.ndarray:
    """A frame as a grey image of at most 48 x 64 pixels."""
    grey = frame @ LUMA
    factor = max(1, int(np.ceil(max(grey.shape[0] / 48, grey.shape[1] / 64))))
    h, w = grey.shape[0] // factor * factor, grey.shape[1] // factor * factor
    return grey[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def _phase_shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Integer shift ``(dy, dx)`` with ``b[y, x] ~ a[y - dy, x - dx]`` (phase correlation)."""
    window = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))
    fa = np.fft.fft2((a - a.mean()) * window)
    fb = np.fft.fft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    r = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    dy, dx = np.unravel_index(np.argmax(r), r.shape)
    h, w = a.shape
    return int(dy - h if dy > h // 2 else dy), int(dx - w if dx > w // 2 else dx)


def camera_move_match(before: np.ndarray, after: np.ndarray) -> float:
    """How well one camera move explains the change from frame ``before`` to ``after``: the
    best correlation of their grey images over ``MOTION_SCALES`` zooms (about the centre)
    and the shift phase correlation finds, on an overlap of at least ``MOTION_OVERLAP`` of
    the frame; -1 when no zoom leaves enough overlap.

    Parameters
    ----------
    before, after : np.ndarray, shape (H, W, 3)
        float in [0, 1].

    Returns
    -------
    float
        Correlation in [-1, 1]: near 1 for a pan or zoom over one photo, lower for a cut.

    Taught in ``11_video_auto_editing``.
    """
    from scipy.ndimage import affine_transform

    a, b = _grey_small(before), _grey_small(after)
    centre = (np.array(a.shape) - 1) / 2.0
    best = -1.0
    for zoom in MOTION_SCALES:
        # after[y] ~ before[centre + (y - centre) / zoom]: ``before`` magnified by ``zoom``.
        warped = affine_transform(a, np.full(2, 1 / zoom), centre - centre / zoom, order=1,
                                  cval=np.nan)
        valid = ~np.isnan(warped)
        filled = np.where(valid, warped, np.nanmean(warped) if valid.any() else 0.0)
        dy, dx = _phase_shift(filled, b)
        moved = np.full_like(warped, np.nan)
        h, w = a.shape
        moved[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
            warped[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
        keep = ~np.isnan(moved)
        if keep.mean() < MOTION_OVERLAP:
            continue
        x, y = moved[keep] - moved[keep].mean(), b[keep] - b[keep].mean()
        best = max(best, float(np.sum(x * y) / (np.sqrt(np.sum(x * x) * np.sum(y * y)) + 1e-9)))
    return best


def find_flashes(
    frames: np.ndarray, hist: np.ndarray, thumb: np.ndarray, max_frames: int = FLASH_FRAMES
) -> list[tuple[int, int]]:
    """Camera flashes: spans ``[s, s + m)`` of ``1 <= m <= max_frames`` frames that are all
    brighter than the frames on either side, starting with a jump of at least
    ``FLASH_JUMP`` in mean brightness, after which the picture returns: frame ``s + m`` is
    within a quarter of that jump of frame ``s - 1``'s brightness, and closer to it
    (descriptor distance) than 3/4 of the jump into the flash.

    Parameters
    ----------
    frames : np.ndarray, shape (T, H, W, 3)
        float in [0, 1].
    hist, thumb : np.ndarray
        ``frame_descriptors(frames)``.
    max_frames : int
        Longest flash in frames.

    Returns
    -------
    list of (int, int)
        Flash spans in time order, not overlapping.

    Taught in ``11_video_auto_editing``.
    """
    luma = frames.mean(axis=(1, 2, 3))
    t, flashes, s = len(frames), [], 1
    while s < t - 1:
        found = 0
        if luma[s] - luma[s - 1] > FLASH_JUMP:
            into = _distance(hist, thumb, np.array([s - 1]), np.array([s]), THUMB_WEIGHT)[0]
            for m in range(1, min(max_frames, t - 1 - s) + 1):
                e = s + m
                brighter = luma[s:e].min() > max(luma[s - 1], luma[e]) + FLASH_JUMP / 2
                returned = abs(luma[e] - luma[s - 1]) < 0.25 * (luma[s] - luma[s - 1])
                back = _distance(hist, thumb, np.array([s - 1]), np.array([e]),
                                 THUMB_WEIGHT)[0]
                # A fading flash looks "back" early: keep the span whose end is darkest.
                if (brighter and returned and back < 0.75 * into
                        and (not found or luma[e] < luma[s + found])):
                    found = m
        if found:
            flashes.append((s, s + found))
        s += found + 1
    return flashes


def boundary_scores(
    frames: np.ndarray, scales: Sequence[int] = (1, 2, 4, 8), ignore_flashes: bool = True
) -> np.ndarray:
    """Multi-scale frame differences ``D[j, t]`` = distance(frame ``t - k``, frame ``t + k - 1``)
    for ``k = scales[j]``: how different the video is before and after the boundary that
    precedes frame ``t`` (indices clamped at the ends; ``D[:, 0] = 0``). With
    ``ignore_flashes``, frames inside a camera flash (``find_flashes``) count as a blend of
    the frames just before and after it.

    Returns
    -------
    np.ndarray, shape (len(scales), T)

    Taught in ``11_video_auto_editing``.
    """
    return _scores_and_flashes(frames, scales, ignore_flashes)[0]


def _scores_and_flashes(
    frames: np.ndarray, scales: Sequence[int], ignore_flashes: bool
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``boundary_scores`` and the flashes it took out."""
    frames = as_frames(frames)
    hist, thumb = frame_descriptors(frames)
    flashes = find_flashes(frames, hist, thumb) if ignore_flashes else []
    for start, end in flashes:  # what the camera would have seen: blend the frames around
        w = (np.arange(1, end - start + 1) / (end - start + 1))[:, None]
        hist[start:end] = (1 - w) * hist[start - 1] + w * hist[end]
        thumb[start:end] = (1 - w) * thumb[start - 1] + w * thumb[end]
    t = len(hist)
    idx = np.arange(t)
    out = np.zeros((len(scales), t))
    for j, k in enumerate(scales):
        a = np.clip(idx - k, 0, t - 1)
        b = np.clip(idx + k - 1, 0, t - 1)
        # The thumbnail sees layout (two photos of similar colours) but also camera motion,
        # which grows with the time gap: it only helps at the finest scale.
        out[j] = _distance(hist, thumb, a, b, THUMB_WEIGHT if k == 1 else 0.0)
        out[j, 0] = 0.0
    return out, flashes


@dataclass
class CutDetection:
    """What ``detect_cuts`` found, and the evidence: its one return type.

    Attributes
    ----------
    boundaries : np.ndarray, shape (n,)
        Detected first frames of new shots, sorted.
    strengths : np.ndarray, shape (n,)
        Each detection's peak ratio to its local level.
    scales : tuple[int, ...]
        The temporal scales ``k`` (frames).
    scores : np.ndarray, shape (len(scales), T)
        Multi-scale differences ``D`` (see ``boundary_scores``).
    levels : np.ndarray, shape (len(scales), T)
        Their local medians (the adaptive threshold is ``ratio * levels``).
    kinds : list[str]
        ``"cut"`` when the detection came from the finest scale, else ``"gradual"``.
    flashes : list[tuple[int, int]]
        Camera flashes found and ignored, as frame spans ``[start, end)``.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    boundaries: np.ndarray
    strengths: np.ndarray
    scales: tuple[int, ...]
    scores: np.ndarray
    levels: np.ndarray
    kinds: list[str]
    flashes: list[tuple[int, int]] = field(default_factory=list)


def _local_level(d: np.ndarray, k: int, window: int) -> np.ndarray:
    """Median of ``d`` over ``[t - 2k - window, t + 2k + window]`` minus ``|u - t| < 2k``."""
    t = len(d)
    level = np.empty(t)
    gap = 2 * k
    for i in range(t):
        lo, hi = max(1, i - gap - window), min(t, i + gap + window + 1)
        left = d[lo:max(lo, i - gap + 1)]
        right = d[min(hi, i + gap):hi]
        near = np.concatenate([left, right])
        level[i] = np.median(near) if len(near) else np.median(d[1:]) if t > 1 else 0.0
    return level


def detect_cuts(
    frames: object,
    ratio: float = 3.0,
    min_score: float = 0.12,
    min_gradual_score: float = 0.3,
    scales: Sequence[int] = (1, 2, 4, 8),
    window: int = 8,
    min_shot_frames: int = 10,
    ignore_flashes: bool = True,
    ignore_camera_moves: bool = True,
    ignore_local_changes: bool = True,
) -> CutDetection:
    """Detect shot boundaries: the frames at which a new shot begins.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1] (see ``as_frames``).
    ratio : float
        A boundary's difference must exceed ``ratio`` times the local median difference at
        the same scale (the adaptive threshold).
    min_score : float
        ...and this absolute value (descriptor distance, about 0-1; a cut between two
        different photos scores 0.4-0.9).
    min_gradual_score : float
        A boundary found only at a coarser scale (a gradual transition) must reach this
        difference there: the whole change from one shot to the next, which is larger than
        what a zoom or lighting change produces in the same time.
    scales : sequence of int
        Temporal scales ``k`` in frames; the largest should be at least half the longest
        gradual transition expected (8 frames covers 16-frame dissolves).
    window : int
        Extra half-width, in frames, of the window for the local median.
    min_shot_frames : int
        Boundaries closer than this (frames) are merged into the stronger one.
    ignore_flashes : bool
        Find camera flashes (``find_flashes``) and treat their frames as a blend of the frames
        just before and after the flash.
    ignore_camera_moves : bool
        Drop a one-frame jump that a shift and zoom of the previous frame explains
        (``camera_move_match`` >= ``MOTION_MATCH``: a whip pan or crash zoom), and any coarser
        detection around it that the jump carries 80% of.
    ignore_local_changes : bool
        Keep a candidate only if the picture after it differs from the picture before it
        across the frame (``content_change`` >= ``CHANGE_MIN``), comparing frames just
        outside the candidate's run and 2 and 5 frames further out on both sides: an object
        or a person passing, or an occluder that sweeps through and is gone again, changes
        only part of the frame or only for a while.

    Returns
    -------
    CutDetection
        ``.boundaries``: sorted frame indices (int, shape (n,)) at which a new shot begins;
        for a gradual transition one index near its middle; never 0. With them each
        detection's strength and kind, and the scores, levels and flashes behind them.

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    scales = tuple(sorted(int(k) for k in scales))
    if not scales or scales[0] < 1:
        raise ValueError(f"scales must be positive frame counts, got {scales}")
    if ratio <= 1.0:
        raise ValueError(f"ratio must be > 1 (a multiple of the local level), got {ratio}")
    t = len(frames)
    if t < 2:
        return CutDetection(np.zeros(0, dtype=int), np.zeros(0), scales,
                            np.zeros((len(scales), t)), np.zeros((len(scales), t)), [])
    scores, flashes = _scores_and_flashes(frames, scales, ignore_flashes)
    levels = np.stack([_local_level(scores[j], k, window) for j, k in enumerate(scales)])
    candidates = _candidates(scores, levels, ratio, min_score, min_gradual_score, scales)
    if ignore_camera_moves:
        candidates = _drop_camera_moves(frames, candidates)
    if ignore_local_changes:
        candidates = _drop_local_changes(frames, candidates)
    # Finest scale first (exact cut positions); a coarser scale only adds a boundary where no
    # finer one lies inside its run (a cut also shows at coarse scales, as a plateau).
    coarse = [c for c in candidates if c[2] != "cut"]
    chosen: list[tuple[int, float, str]] = []
    for frame, strength, _, _, _, peak, _ in (c for c in candidates if c[2] == "cut"):
        # A one-frame jump that carries under half of the change seen at a coarser scale
        # around it is a step inside a gradual transition: report the transition's centre.
        wider = [c for c in coarse if c[3] <= frame <= c[4] and peak < 0.5 * c[5]]
        if wider:
            best = max(wider, key=lambda c: c[5])
            chosen.append((best[0], best[1], "gradual"))
        else:
            chosen.append((frame, strength, "cut"))
    chosen = sorted(set(chosen))
    for frame, strength, kind, r0, r1, _, _ in coarse:
        if not any(r0 <= c[0] <= r1 or abs(c[0] - frame) < min_shot_frames for c in chosen):
            chosen.append((frame, strength, kind))
    chosen = _enforce_min_shot(sorted(chosen), coarse, min_shot_frames)
    chosen.sort()
    boundaries = np.array([c[0] for c in chosen], dtype=int)
    return CutDetection(boundaries, np.array([c[1] for c in chosen]), scales, scores, levels,
                        [c[2] for c in chosen], flashes)


def _candidates(
    scores: np.ndarray, levels: np.ndarray, ratio: float, min_score: float,
    min_gradual_score: float, scales: Sequence[int],
) -> list[Candidate]:
    """One candidate per run of frames above the adaptive threshold, at every scale."""
    candidates: list[Candidate] = []
    for j in range(len(scores)):
        d, level = scores[j], levels[j]
        rel = d / (level + 1e-3)
        floor = min_score if j == 0 else min_gradual_score
        high = (d > floor) & (rel > ratio)
        low = (d > 0.5 * floor) & (rel > 0.5 * ratio)  # hysteresis: where a run ends
        high[0] = low[0] = False
        for run in _runs(low):
            if not high[run].any():
                continue
            weights = np.maximum(d[run] - level[run], 1e-9)
            # A cut lies on its peak (the run may go on through fast motion after it); a
            # gradual transition at the run's weighted centre.
            centre = (int(run[np.argmax(d[run])]) if j == 0
                      else int(round(np.sum(run * weights) / np.sum(weights))))
            candidates.append(Candidate(max(centre, 1), float(rel[run].max()),
                                        "cut" if j == 0 else "gradual", int(run[0]),
                                        int(run[-1]), float(d[run].max()), int(scales[j])))
    return candidates


def _drop_camera_moves(frames: np.ndarray, candidates: list[Candidate]) -> list[Candidate]:
    """Remove finest-scale jumps that one shift and zoom explains (``camera_move_match``),
    and coarser candidates whose run holds such a jump carrying 80% of their change or more."""
    moves = [c for c in candidates if c[2] == "cut"
             and camera_move_match(frames[c[0] - 1], frames[c[0]]) >= MOTION_MATCH]
    return [c for c in candidates if c not in moves and not any(
        c[3] <= m[0] <= c[4] and m[5] >= 0.8 * c[5] for m in moves)]


def working_images(frames: np.ndarray) -> np.ndarray:
    """Frames as 36 x 48 colour images divided by their median colour (grey world, each
    channel at least ``WHITE_FLOOR``), the input of ``block_residuals``, shape (T, 36, 48, 3).

    Taught in ``11_video_auto_editing``.
    """
    h, w = BLOCK_GRID[0] * 6, BLOCK_GRID[1] * 6
    small = resize(as_frames(frames), (len(frames), h, w, 3), anti_aliasing=True)
    # The median is what most of the frame looks like (an object passing moves it little);
    # the floor keeps the sensor noise of dark frames from being magnified.
    level = np.median(small.reshape(len(small), -1, 3), axis=1)[:, None, None, :]
    return (small / np.maximum(level, WHITE_FLOOR)).astype(np.float32)


def block_residuals(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How badly each block of image ``b`` matches image ``a`` after motion compensation:
    the global shift phase correlation finds, then each block's best local shift within
    ``BLOCK_SEARCH`` pixels; the mean absolute difference there.

    Parameters
    ----------
    a, b : np.ndarray, shape (h, w, 3)
        ``working_images`` frames.

    Returns
    -------
    np.ndarray, shape BLOCK_GRID
        Residuals in grey-world units (a block of the same scene: about 0.02-0.06; of
        another scene: 0.2 and more).

    Taught in ``11_video_auto_editing``.
    """
    h, w = a.shape[:2]
    dy, dx = _phase_shift(a.mean(-1), b.mean(-1))
    if abs(dy) > h // 3 or abs(dx) > w // 3:  # no trustworthy global shift
        dy = dx = 0
    r = BLOCK_SEARCH
    pad = r + max(abs(dy), abs(dx))
    # Channels first and contiguous: each shifted window below is a cheap slice.
    padded = np.ascontiguousarray(
        np.pad(a, ((pad, pad), (pad, pad), (0, 0)), mode="edge").transpose(2, 0, 1))
    target = np.ascontiguousarray(b.transpose(2, 0, 1))
    rows, cols = BLOCK_GRID
    best = np.full(BLOCK_GRID, np.inf, np.float32)
    for oy in range(pad - dy - r, pad - dy + r + 1):
        for ox in range(pad - dx - r, pad - dx + r + 1):
            diff = np.abs(padded[:, oy:oy + h, ox:ox + w] - target).sum(axis=0)
            np.minimum(best, diff.reshape(rows, h // rows, cols, w // cols).sum(axis=(1, 3)),
                       out=best)
    return best / (3 * (h // rows) * (w // cols))


def content_change(images: np.ndarray, before: Sequence[int], after: Sequence[int],
                   cache: dict | None = None, stop_below: float = 0.0) -> float:
    """Share of the frame whose content changed from the frames ``before`` to the frames
    ``after``: for each pair, the share of blocks with no motion-compensated match
    (``block_residuals`` > ``BLOCK_RESIDUAL``, both ways, averaged); the least over pairs.

    Near 1 for a shot change; the covered share for an object or a person passing; near 0
    when the same picture is back (an occluder gone, a flash over).

    Parameters
    ----------
    images : np.ndarray, shape (T, h, w, 3)
        ``working_images(frames)``.
    before, after : sequence of int
        Frame indices.
    cache : dict, optional
        Results per pair, shared between calls on the same images.
    stop_below : float
        Stop as soon as a pair falls below this (the answer is then that pair's share, an
        upper bound of the least): enough to know a candidate fails ``CHANGE_MIN``.

    Taught in ``11_video_auto_editing``.
    """
    cache = {} if cache is None else cache
    least = 1.0
    for i in before:
        for j in after:
            if (i, j) not in cache:
                a, b = images[i], images[j]
                cache[i, j] = 0.5 * (np.mean(block_residuals(a, b) > BLOCK_RESIDUAL)
                                     + np.mean(block_residuals(b, a) > BLOCK_RESIDUAL))
            least = min(least, float(cache[i, j]))
            if least < stop_below:
                return least
    return least


def _drop_local_changes(frames: np.ndarray, candidates: list[Candidate]) -> list[Candidate]:
    """Keep the candidates whose frames after differ from those before across the frame."""
    if not candidates:
        return candidates
    images, cache, t = working_images(frames), {}, len(frames)
    kept = []
    for c in candidates:
        first, last = max(c.start - c.scale, 0), min(c.end + c.scale - 1, t - 1)
        before = sorted({max(first - o, 0) for o in CHANGE_OFFSETS})
        after = sorted({min(last + o, t - 1) for o in CHANGE_OFFSETS})
        if content_change(images, before, after, cache, stop_below=CHANGE_MIN) >= CHANGE_MIN:
            kept.append(c)
    return kept


def _enforce_min_shot(
    chosen: list[tuple[int, float, str]],
    coarse: list[tuple[int, float, str, int, int, float]],
    min_shot_frames: int,
) -> list[tuple[int, float, str]]:
    """Merge boundaries closer than ``min_shot_frames``: into the centre of a coarse-scale
    run that covers them all (two spikes inside one fade or dissolve), else the strongest."""
    out: list[tuple[int, float, str]] = []
    group: list[tuple[int, float, str]] = []
    for item in [*chosen, None]:
        if item is not None and (not group or item[0] - group[-1][0] < min_shot_frames):
            group.append(item)
            continue
        if len(group) == 1:
            out.append(group[0])
        elif group:
            lo, hi = group[0][0], group[-1][0]
            covering = [c for c in coarse if c[3] <= lo and hi <= c[4]]
            if covering:
                best = max(covering, key=lambda c: c[1])
                out.append((best[0], best[1], "gradual"))
            else:
                out.append(max(group, key=lambda c: c[1]))
        group = [item] if item is not None else []
    return out


def _runs(mask: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the runs of True in a boolean vector."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def hsv_differences(frames: object) -> np.ndarray:
    """Mean absolute HSV difference between consecutive frames (PySceneDetect's
    ``content_val``, on a 0-1 scale instead of 0-255), shape (T,), first entry 0.

    Taught in ``11_video_auto_editing``.
    """
    hsv = rgb2hsv(as_frames(frames))
    dh = np.abs(np.diff(hsv[..., 0], axis=0))
    dh = np.minimum(dh, 1.0 - dh)  # hue is circular
    diff = (dh.mean(axis=(1, 2)) + np.abs(np.diff(hsv[..., 1:], axis=0)).mean(axis=(1, 2, 3)) * 2
            ) / 3.0
    return np.concatenate([[0.0], diff])


def detect_cuts_threshold(
    frames: object, threshold: float = 0.1, min_shot_frames: int = 10
) -> np.ndarray:
    """Naive baseline: a boundary wherever the consecutive-frame HSV difference exceeds one
    fixed global ``threshold`` (0.1 ~ PySceneDetect's default 27 on its 0-255 scale),
    at least ``min_shot_frames`` after the previous one.

    Taught in ``11_video_auto_editing``.
    """
    return threshold_boundaries(hsv_differences(frames), threshold, min_shot_frames)


def threshold_boundaries(
    differences: np.ndarray, threshold: float, min_shot_frames: int = 10
) -> np.ndarray:
    """Frames where ``differences`` (shape (T,)) exceed ``threshold``, each at least
    ``min_shot_frames`` after the previous one (the baseline's decision rule).

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """
    diff = np.asarray(differences, dtype=float)
    found: list[int] = []
    for i in np.flatnonzero(diff > threshold):
        if not found or i - found[-1] >= min_shot_frames:
            found.append(int(i))
    return np.array(found, dtype=int)


def score_cuts(
    detected: Sequence[int] | np.ndarray,
    truth: np.ndarray | Sequence[int] | Sequence[tuple[int, int]],
    tolerance: int = 2,
) -> dict[str, float]:
    """Precision, recall and F1 of detected boundaries, TRECVID style.

    Detections and true transitions are matched one-to-one (maximum matching, nearest
    first): a detection at frame ``d`` may match a transition with span ``[start, end)``
    when ``start - tolerance <= d <= end - 1 + tolerance``.

    Parameters
    ----------
    detected : sequence of int
        Detected boundary frames.
    truth : array of int, shape (n,), or array of spans, shape (n, 2)
        True boundary frames (each a span of one frame) or spans ``[start, end)``, e.g.
        ``Clip.spans``.
    tolerance : int
        Slack in frames on either side of each span.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` (1.0 when both lists are empty; 0.0 where a
        denominator is 0 otherwise) and the counts ``tp``, ``fp``, ``fn``.

    Taught in ``11_video_auto_editing``.
    """
    det = np.asarray(detected, dtype=float).reshape(-1)
    spans = np.asarray(truth, dtype=float)
    if spans.ndim == 1:
        spans = np.stack([spans, spans + 1], axis=1) if len(spans) else np.zeros((0, 2))
    if spans.ndim != 2 or spans.shape[1] != 2:
        raise ValueError(f"truth must be frame indices (n,) or spans (n, 2), got shape "
                         f"{np.shape(truth)}")
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0 frames, got {tolerance}")
    tp = 0
    if len(det) and len(spans):
        lo = spans[:, 0][None] - det[:, None]  # >0: detection before the span
        hi = det[:, None] - (spans[:, 1][None] - 1)  # >0: detection after the span
        gap = np.maximum(np.maximum(lo, hi), 0.0)
        allowed = gap <= tolerance
        cost = np.where(allowed, gap, 1e6)
        rows, cols = linear_sum_assignment(cost)
        tp = int(np.sum(allowed[rows, cols]))
    fp, fn = len(det) - tp, len(spans) - tp
    if not len(det) and not len(spans):
        precision = recall = f1 = 1.0
    else:
        precision = tp / len(det) if len(det) else 0.0
        recall = tp / len(spans) if len(spans) else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(precision=precision, recall=recall, f1=f1, tp=tp, fp=fp, fn=fn)
