"""A labelled set of audio clips: the common currency of the data loaders.

Taught in ``02_data_collection_preprocessing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SkippedFile:
    """A file a loader could not use, and why.

    Attributes
    ----------
    path : Path
        The file.
    reason : str
        Human-readable reason, e.g. ``"empty file (0 bytes)"``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """

    path: Path
    reason: str


@dataclass
class AudioSet:
    """Audio clips at one sample rate with one row of labels per clip.

    Attributes
    ----------
    clips : list of np.ndarray
        Mono float32 waveforms, shape ``(n_samples,)`` each; lengths may differ.
    sr : int
        Sample rate in Hz shared by every clip.
    labels : pandas.DataFrame
        One row per clip (same order as ``clips``); columns depend on the source
        (``path`` for files, ``digit``/``speaker``/``take``/``split`` for FSDD,
        ``midi``/``f0_hz``/``timbre``/``loudness`` for ``synth_notes``).
    skipped : list of SkippedFile
        Files that were passed over while loading, each with its reason.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """

    clips: list[np.ndarray]
    sr: int
    labels: pd.DataFrame
    skipped: list[SkippedFile] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.clips) != len(self.labels):
            raise ValueError(
                f"AudioSet: {len(self.clips)} clips but {len(self.labels)} label rows; "
                "pass one label row per clip."
            )
        self.labels = self.labels.reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, index: int) -> tuple[np.ndarray, dict]:
        return self.clips[index], self.labels.iloc[index].to_dict()

    def __repr__(self) -> str:
        dur = self.durations()
        text = (
            f"AudioSet({len(self)} clips at {self.sr} Hz, "
            f"{dur.sum():.1f} s in all, label columns {list(self.labels.columns)}"
        )
        if self.skipped:
            text += f", {len(self.skipped)} skipped:\n" + "\n".join(
                f"  {s.path}: {s.reason}" for s in self.skipped
            )
        return text + ")"

    def durations(self) -> np.ndarray:
        """Duration of every clip in seconds, shape ``(n_clips,)``."""
        return np.array([len(c) / self.sr for c in self.clips], dtype=float)

    def skip_report(self) -> pd.DataFrame:
        """The skipped files as a table with columns ``file`` and ``reason``."""
        return pd.DataFrame(
            {
                "file": [str(s.path) for s in self.skipped],
                "reason": [s.reason for s in self.skipped],
            }
        )

    def subset(self, mask: Sequence[bool] | np.ndarray) -> AudioSet:
        """The clips where ``mask`` is true (a boolean array of length ``len(self)``)."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(self),):
            raise ValueError(f"subset: mask has shape {mask.shape}, expected ({len(self)},)")
        keep = np.flatnonzero(mask)
        return AudioSet([self.clips[i] for i in keep], self.sr, self.labels.iloc[keep], [])

    def to_array(self, n_samples: int | None = None) -> np.ndarray:
        """Stack the clips into one float32 array of shape ``(n_clips, n_samples)``.

        Shorter clips are zero-padded at the end, longer ones cropped. ``n_samples``
        defaults to the longest clip.
        """
        if n_samples is None:
            n_samples = max((len(c) for c in self.clips), default=0)
        out = np.zeros((len(self), n_samples), dtype=np.float32)
        for i, clip in enumerate(self.clips):
            m = min(len(clip), n_samples)
            out[i, :m] = clip[:m]
        return out
