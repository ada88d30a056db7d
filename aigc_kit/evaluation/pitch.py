"""The pitch judge: is a note a note? Voiced, steady and in tune, by a pitch tracker.

A listener trained on the kit's notes can name a smeared or wavering note by its timbre;
a musician would not call it a C. :class:`PitchJudge` asks of each clip what a musician
hears first, with pYIN (Mauch and Dixon 2014, ``librosa.pyin``), a tracker that never saw
the kit's data:

1. **voiced**: pYIN finds a pitch in at least ``min_voiced`` of the clip's frames;
2. **steady**: the interquartile range of those pitches is at most ``max_iqr_cents``;
3. **in tune**: their median lies within ``max_offset_cents`` of a semitone between
   ``lowest`` and ``highest`` (MIDI numbers, C4..B4 by default: the notes dataset).

A clip that passes all three is *clear*. A clip the tracker cannot analyse (silent,
non-finite samples, shorter than one analysis frame) is counted as not clear, with the
reason, never a crash. :meth:`PitchJudge.rate` gives the clear rate and its counts;
compare it with the same rate of real held-out notes (``ratio``).

Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aigc_kit.features.audio import pitch_pyin

_SILENT_RMS = 1e-5  # an RMS below this (about -100 dBFS) is silence
REASONS = ("clear", "silent", "not finite", "too short", "unvoiced", "unsteady",
           "out of tune", "out of range")
"""Why a clip is or is not clear, in :meth:`PitchJudge.verdicts` (first failing test)."""


@dataclass(frozen=True)
class PitchJudge:
    """pYIN's verdict on notes: voiced, steady, in tune (see the module docstring).

    Attributes
    ----------
    fmin, fmax : float
        pYIN's search range in Hz (200-600: C4..B4 with room on both sides).
    min_voiced : float
        Least share of voiced frames, in [0, 1].
    max_iqr_cents : float
        Largest interquartile range of the voiced frames' pitch, in cents.
    max_offset_cents : float
        Largest distance of the median pitch from the nearest semitone, in cents.
    lowest, highest : int
        MIDI numbers of the lowest and highest accepted note (60 = C4, 71 = B4).
    frame_s : float
        pYIN's analysis frame in seconds (rounded up to a power of 2 in samples).
    hop_s : float
        Hop between pYIN's frames in seconds (32 ms: the notes' mel hop).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    fmin: float = 200.0
    fmax: float = 600.0
    min_voiced: float = 0.3
    max_iqr_cents: float = 50.0
    max_offset_cents: float = 25.0
    lowest: int = 60
    highest: int = 71
    frame_s: float = 0.064
    hop_s: float = 0.032

    def __post_init__(self) -> None:
        if not 0 < self.fmin < self.fmax:
            raise ValueError(f"PitchJudge: need 0 < fmin < fmax (Hz), got {self.fmin}, "
                             f"{self.fmax}")
        if not 0.0 <= self.min_voiced <= 1.0:
            raise ValueError(f"PitchJudge: min_voiced must lie in [0, 1], got {self.min_voiced}")
        if self.max_iqr_cents <= 0 or not 0 < self.max_offset_cents <= 50:
            raise ValueError("PitchJudge: max_iqr_cents must be > 0 and max_offset_cents in "
                             f"(0, 50], got {self.max_iqr_cents}, {self.max_offset_cents}")
        if self.lowest > self.highest:
            raise ValueError(f"PitchJudge: lowest ({self.lowest}) is above highest "
                             f"({self.highest})")

    def frame_length(self, sr: int) -> int:
        """pYIN's frame in samples at ``sr`` Hz: ``frame_s`` rounded up to a power of 2."""
        return int(2 ** np.ceil(np.log2(max(self.frame_s * sr, 2 * sr / self.fmin))))

    def verdicts(self, audio: Any, sr: int) -> pd.DataFrame:
        """One row per clip: what pYIN heard and whether the clip is a clear note.

        Parameters
        ----------
        audio : array of shape (n_clips, n_samples) or (n_samples,)
            Waveforms at ``sr`` Hz.
        sr : int
            Sample rate in Hz.

        Returns
        -------
        pandas.DataFrame
            Columns ``voiced`` (share of voiced frames), ``pitch_hz`` (median, NaN if
            none), ``midi`` (nearest semitone), ``iqr_cents``, ``offset_cents`` (median's
            distance from ``midi``), ``clear`` (bool) and ``reason`` (one of
            :data:`REASONS`: the first test the clip fails, or ``"clear"``).
        """
        clips = np.asarray(audio, dtype=float)
        if clips.ndim == 1:
            clips = clips[None]
        if clips.ndim != 2:
            raise ValueError(f"PitchJudge: expected audio of shape (n_clips, n_samples), got "
                             f"{clips.shape}")
        frame = self.frame_length(sr)
        rows = [_unanalysable(clip, frame) for clip in clips]
        ok = [i for i, reason in enumerate(rows) if reason is None]
        table = pd.DataFrame({"voiced": 0.0, "pitch_hz": np.nan, "midi": np.nan,
                              "iqr_cents": np.nan, "offset_cents": np.nan,
                              "reason": [r or "" for r in rows]}, index=range(len(clips)))
        if ok:
            f0, voiced, _ = pitch_pyin(clips[ok], sr, fmin=self.fmin, fmax=self.fmax,
                                       frame_length=frame,
                                       hop_length=max(1, round(self.hop_s * sr)))
            for i, track, flags in zip(ok, np.atleast_2d(f0), np.atleast_2d(voiced),
                                       strict=True):
                table.loc[i, list(_TRACK_COLUMNS)] = _describe(track, flags)
            table.loc[ok, "reason"] = [self._reason(table.loc[i]) for i in ok]
        table["clear"] = table["reason"] == "clear"
        return table[["voiced", "pitch_hz", "midi", "iqr_cents", "offset_cents", "clear",
                      "reason"]]

    def _reason(self, row: pd.Series) -> str:
        if row["voiced"] < self.min_voiced or np.isnan(row["pitch_hz"]):
            return "unvoiced"
        if row["iqr_cents"] > self.max_iqr_cents:
            return "unsteady"
        if abs(row["offset_cents"]) > self.max_offset_cents:
            return "out of tune"
        if not self.lowest <= row["midi"] <= self.highest:
            return "out of range"
        return "clear"

    def rate(self, audio: Any, sr: int) -> dict[str, Any]:
        """The share of clear notes, with the counts behind it.

        Returns
        -------
        dict
            ``clear_rate`` (in [0, 1]), ``n``, ``n_clear``, ``n_unanalysable`` (silent,
            not finite or too short: counted as not clear) and ``reasons`` (count per
            reason).
        """
        table = self.verdicts(audio, sr)
        unanalysable = table["reason"].isin(["silent", "not finite", "too short"])
        return {"clear_rate": float(table["clear"].mean()) if len(table) else float("nan"),
                "n": len(table), "n_clear": int(table["clear"].sum()),
                "n_unanalysable": int(unanalysable.sum()),
                "reasons": table["reason"].value_counts().to_dict()}


_TRACK_COLUMNS = ("voiced", "pitch_hz", "midi", "iqr_cents", "offset_cents")


def _unanalysable(clip: np.ndarray, frame: int) -> str | None:
    """Why pYIN cannot analyse ``clip`` (``"not finite"``, ``"too short"``, ``"silent"``)."""
    if not np.isfinite(clip).all():
        return "not finite"
    if len(clip) < frame:
        return "too short"
    if np.sqrt(np.mean(clip**2)) < _SILENT_RMS:
        return "silent"
    return None


def _describe(track: np.ndarray, flags: np.ndarray) -> list[float]:
    """Voiced share, median pitch (Hz), nearest MIDI note, IQR and offset (cents)."""
    pitched = track[flags & np.isfinite(track)]
    if not len(pitched):
        return [0.0, np.nan, np.nan, np.nan, np.nan]
    cents = 1200 * np.log2(pitched / 440.0) + 6900  # MIDI number x 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q1, median, q3 = np.percentile(cents, [25, 50, 75])
    midi = round(median / 100)
    return [float(flags.mean()), float(440.0 * 2 ** ((median - 6900) / 1200)), float(midi),
            float(q3 - q1), float(median - 100 * midi)]
