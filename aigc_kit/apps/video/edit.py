"""Automatic video editing: score every frame's importance, keep the best segments, join them
with short crossfades, picture and sound alike (chapter 6.2 "video auto-editing").

The importance of frame ``t`` in shot ``s(t)`` is a weighted sum of parts, each scaled to
[0, 1] over the clip (5th percentile -> 0, 95th -> 1, clipped)::

    importance(t) = w_motion * motion(t) + w_colour * colour(t) + w_novelty * novelty(s(t))
                    [+ w_loudness * loudness(t) + w_onsets * onsets(t)   with a soundtrack]

- ``motion``: root of the frame-difference energy (how much the picture changes: camera
  moves, moving objects); the frames near a shot boundary take their shot's median, so a
  cut is not mistaken for action;
- ``colour``: Hasler-Suesstrunk colourfulness;
- ``novelty``: how unlike the other shots a shot looks (mean half-L1 distance between
  its mean HSV histogram and those of the other shots), so the edit shows variety;
- ``loudness``: the soundtrack's RMS level in dB over each frame's time
  (``aigc_kit.features.loudness_db``);
- ``onsets``: how many sound onsets (``aigc_kit.features.onsets_tempo``) fall near the
  frame, smoothed over about a quarter of a second: speech, steps, music, impacts.

``auto_edit`` slides a window of ``segment_seconds`` through each shot (keeping away from
its transitions), picks windows by mean importance -- a second window from the same shot
counts half -- until the target length is reached, trims the surplus from the weakest ends,
and joins the segments in their original order with linear crossfades. The soundtrack is cut
at the same frames (``splice_soundtrack``) with equal-power crossfades as long as the
picture's, and never shorter than 10 ms, so joins do not click and the sound stays in sync.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aigc_kit.apps.video.cuts import detect_cuts
from aigc_kit.apps.video.features import (
    colourfulness,
    frame_difference_energy,
    hsv_histograms,
    shot_spans,
)
from aigc_kit.apps.video.io import Soundtrack, as_frames
from aigc_kit.features import loudness_db, onsets_tempo

DEFAULT_WEIGHTS = {"motion": 0.4, "colour": 0.3, "novelty": 0.3}
"""Weights of the picture's parts of the importance."""
AUDIO_WEIGHTS = {"loudness": 0.3, "onsets": 0.2}
"""Weights of the sound's parts, added to ``DEFAULT_WEIGHTS`` when there is a soundtrack."""
JOIN_SECONDS = 0.01
"""Shortest audio crossfade at a join, in seconds (a hard cut in the picture too)."""
ONSET_SPREAD_SECONDS = 0.25
"""Standard deviation of the Gaussian that spreads each onset over nearby frames, s."""

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
    audio: Soundtrack | None = None,
    fps: float | None = None,
) -> pd.DataFrame:
    """Per-frame importance and its parts (see the module docstring).

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1].
    boundaries : sequence of int, optional
        Shot boundaries (first frames of new shots); ``detect_cuts(frames)`` when omitted.
    weights : dict, optional
        Non-negative, not all zero, keys from ``DEFAULT_WEIGHTS`` (``motion``, ``colour``,
        ``novelty``) and, with a soundtrack, ``AUDIO_WEIGHTS`` (``loudness``, ``onsets``);
        default: ``DEFAULT_WEIGHTS`` (0.4, 0.3, 0.3), plus ``AUDIO_WEIGHTS`` (0.3, 0.2) with
        a soundtrack. They are normalised to sum to 1.
    guard_frames : int
        Frames on each side of a boundary whose motion is replaced by the shot's median.
    audio : Soundtrack, optional
        The clip's sound (sample 0 with frame 0); adds the ``loudness`` and ``onsets``
        parts.
    fps : float, optional
        Frames per second; needed with ``audio``.

    Returns
    -------
    pandas.DataFrame, one row per frame
        ``shot``, ``motion``, ``colour``, ``novelty`` (each in [0, 1]), with a soundtrack
        ``loudness`` and ``onsets`` (in [0, 1]), and ``importance``.

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    parts = dict(DEFAULT_WEIGHTS) | (AUDIO_WEIGHTS if audio is not None else {})
    w = dict(parts if weights is None else weights)
    if set(w) - set(parts) or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        need = "" if audio is not None else " (loudness and onsets need a soundtrack: audio=)"
        raise ValueError(f"weights must be non-negative, not all zero, with keys "
                         f"{sorted(parts)}{need}; got {w}")
    total = sum(w.values())
    w = {k: w.get(k, 0.0) / total for k in parts}
    bounds = (detect_cuts(frames).boundaries if boundaries is None
              else np.asarray(boundaries, dtype=int))
    spans = shot_spans(bounds, len(frames))
    shot = np.zeros(len(frames), dtype=int)
    for i, (start, end) in enumerate(spans):
        shot[start:end] = i
    table = pd.DataFrame({
        "shot": shot,
        "motion": _unit_scale(_motion(frames, bounds, spans, guard_frames)),
        "colour": _unit_scale(colourfulness(frames)),
        "novelty": _novelty(frames, spans)[shot],
    })
    if audio is not None:
        if fps is None or not fps > 0:
            raise ValueError(f"importance_scores: fps (frames per second) is needed with "
                             f"audio, got {fps}")
        sound = sound_features(audio, len(frames), fps)
        table["loudness"] = _unit_scale(sound["loudness_db"].to_numpy())
        table["onsets"] = _unit_scale(sound["onset_rate"].to_numpy())
    table["importance"] = sum(w[k] * table[k] for k in parts)
    table.index.name = "frame"
    return table


def _motion(frames: np.ndarray, bounds: np.ndarray, spans: np.ndarray,
            guard_frames: int) -> np.ndarray:
    """Root frame-difference energy, with the frames near a boundary at their shot's median."""
    motion = np.sqrt(frame_difference_energy(frames))
    near = np.zeros(len(frames), bool)
    for b in bounds:
        near[max(0, b - guard_frames):b + guard_frames + 1] = True
    near[0] = True
    for start, end in spans:
        inside = ~near[start:end]
        level = np.median(motion[start:end][inside]) if inside.any() else 0.0
        motion[start:end][~inside] = level
    return motion


def _novelty(frames: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Each shot's mean colour-histogram distance to the other shots, scaled to [0, 1]."""
    hists = hsv_histograms(frames)
    means = np.stack([hists[s:e].mean(axis=0) for s, e in spans])
    if len(spans) == 1:
        return np.ones(1)
    dist = 0.5 * np.abs(means[:, None] - means[None]).sum(axis=2) / 3.0
    novelty = dist.sum(axis=1) / (len(spans) - 1)
    spread = novelty.max() - novelty.min()
    return ((novelty - novelty.min()) / spread if spread > 1e-12
            else np.full(len(spans), 0.5))


def sound_features(audio: Soundtrack, n_frames: int, fps: float) -> pd.DataFrame:
    """The soundtrack described frame by frame, with the kit's audio features.

    Parameters
    ----------
    audio : Soundtrack
        Sample 0 plays with frame 0.
    n_frames : int
        Frames of the picture.
    fps : float
        Frames per second.

    Returns
    -------
    pandas.DataFrame, one row per frame
        ``loudness_db``: RMS level in dBFS over the frame's time (``loudness_db``, frames of
        2 hops, hop = the samples of one video frame); ``onset_rate``: sound onsets
        (``onsets_tempo``) per second near the frame, each spread by a Gaussian of
        ``ONSET_SPREAD_SECONDS``.

    Taught in ``11_video_auto_editing``.
    """
    sound = audio.fit(n_frames, fps)
    hop = max(1, int(round(sound.rate / fps)))
    level = loudness_db(sound.waveform, frame_length=2 * hop, hop_length=hop)
    # loudness frame k is centred on sample k * hop; video frame i spans (i + 1/2) / fps.
    centres = (np.arange(n_frames) + 0.5) / fps * sound.rate / hop
    loud = np.interp(centres, np.arange(len(level)), level)
    onsets, _ = onsets_tempo(sound.waveform, sound.rate, hop_length=min(512, hop))
    times = (np.arange(n_frames) + 0.5) / fps
    spread = ONSET_SPREAD_SECONDS
    density = np.exp(-0.5 * ((times[:, None] - onsets[None]) / spread) ** 2).sum(axis=1)
    rate = density / (spread * np.sqrt(2 * np.pi))
    table = pd.DataFrame({"loudness_db": loud, "onset_rate": rate})
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


def splice_soundtrack(
    audio: Soundtrack,
    spans: Sequence[Sequence[int]],
    fps: float,
    crossfade_frames: int,
    join_seconds: float = JOIN_SECONDS,
) -> Soundtrack:
    """Cut a soundtrack at the frames the picture is cut at, and join the pieces.

    Piece ``k`` is the sound of frames ``spans[k] = (a, b)``; consecutive pieces overlap by
    the picture's crossfade (``crossfade_frames``), blended with equal-power (sine/cosine)
    gains. A crossfade shorter than ``join_seconds`` (a hard cut) is widened to it
    symmetrically around the join, taking the extra sound from beyond each piece, so a join
    never clicks and the output keeps exactly the picture's length: sample ``n`` of the
    result plays with frame ``n * fps / rate`` of the edit, as in the source.

    Parameters
    ----------
    audio : Soundtrack
        The source's sound (sample 0 with frame 0).
    spans : sequence of (int, int)
        Kept frames ``[a, b)`` of the source, in order, as ``crossfade_concat`` joins them.
    fps : float
        Frames per second.
    crossfade_frames : int
        Frames the picture's crossfades last (0 = hard cuts).
    join_seconds : float
        Shortest audio crossfade in seconds.

    Returns
    -------
    Soundtrack
        ``(sum(b - a) - crossfade_frames * (len(spans) - 1)) / fps`` seconds long.

    Taught in ``11_video_auto_editing``.
    """
    if not spans:
        raise ValueError("splice_soundtrack needs at least one span")
    per_frame = audio.rate / fps
    overlap = int(round(crossfade_frames * per_frame))
    extra = max(0, int(np.ceil((join_seconds * audio.rate - overlap) / 2)))
    fade = overlap + 2 * extra
    gain = np.sin(0.5 * np.pi * (np.arange(fade) + 0.5) / max(fade, 1)).astype(np.float32)
    wave = np.pad(audio.waveform, (extra, extra))  # silence beyond the source's ends
    out = np.zeros(0, np.float32)
    for k, (a, b) in enumerate(spans):
        lo, hi = int(round(a * per_frame)), int(round(b * per_frame))
        lo -= extra if k > 0 else 0
        hi += extra if k < len(spans) - 1 else 0
        piece = wave[lo + extra:hi + extra].copy()
        if k > 0 and fade:
            piece[:fade] = out[-fade:] * gain[::-1] + piece[:fade] * gain
            out = out[:-fade]
        out = np.concatenate([out, piece])
    n_frames = sum(b - a for a, b in spans) - crossfade_frames * (len(spans) - 1)
    return Soundtrack(out, audio.rate).fit(n_frames, fps)  # rounding: at most a sample


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
    audio : Soundtrack or None
        The edit's sound, cut at the same frames (``splice_soundtrack``); None: silent.
    notes : list of str
        What the edit could not do as asked, in words (e.g. that it is silent).

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    frames: np.ndarray
    fps: float
    segments: pd.DataFrame
    scores: pd.DataFrame
    boundaries: np.ndarray
    audio: Soundtrack | None = None
    notes: list[str] = field(default_factory=list)

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
    audio: Soundtrack | None = None,
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
    audio : Soundtrack, optional
        The clip's sound (e.g. from ``load_video(path, audio=True)``): it counts in the
        importance (loudness, onsets) and is cut with the picture. None: the edit is silent,
        and ``EditResult.notes`` says so.

    Returns
    -------
    EditResult

    Raises
    ------
    ValueError
        Bad frames, a non-positive target or fps, a clip not longer than the target (the
        message gives both lengths), or a target the clip's usable material (away from
        transitions) cannot fill.

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    n_target = int(round(target_seconds * fps))
    if n_target < 1:
        raise ValueError(f"target_seconds={target_seconds} is less than one frame at {fps} fps")
    if n_target >= len(frames):
        raise ValueError(f"the clip is too short for this edit: it lasts {len(frames) / fps:.2f} s "
                         f"({len(frames)} frames at {fps:g} fps), not longer than the "
                         f"{n_target / fps:.2f} s asked for (target_seconds={target_seconds}); "
                         f"ask for less than {len(frames) / fps:.2f} s, nothing to cut otherwise")
    c = max(0, int(round(crossfade_seconds * fps)))
    seg = max(c + 2, int(round(segment_seconds * fps)))
    margin = max(0, int(round(margin_seconds * fps)))
    bounds = (detect_cuts(frames).boundaries if boundaries is None
              else np.asarray(boundaries, dtype=int))
    scores = importance_scores(frames, bounds, weights, audio=audio, fps=fps)
    imp = scores["importance"].to_numpy()

    candidates = _candidate_windows(imp, bounds, seg, margin, c)
    chosen, total = _choose_windows(candidates, n_target, c, seg, fps)
    spans = _trim_surplus(chosen, imp, total - n_target, c)
    edited = crossfade_concat([frames[a:b] for a, b in spans], c)
    segments = _segment_table(chosen, spans, imp, c)
    if audio is None:
        return EditResult(edited, float(fps), segments, scores, bounds, None,
                          ["silent: no soundtrack was given (audio=None), so the edit has "
                           "no sound"])
    sound = splice_soundtrack(audio.fit(len(frames), fps), spans, fps, c)
    return EditResult(edited, float(fps), segments, scores, bounds, sound)


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
                f"{seg / fps:.2f} s away from shot boundaries, less than the "
                f"{n_target / fps:.2f} s asked for; ask for a shorter "
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
