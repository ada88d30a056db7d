"""Real footage that ships with the kit: four short clips from packages on PyPI and Debian,
with their shot boundaries annotated by hand (``real_clips/clips.csv``; how they were
annotated, their sources and licences: ``real_clips/README.md``).

Taught in ``11_video_auto_editing``; scored by ``benchmarks/bench_cuts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aigc_kit.apps.video.io import Footage, Soundtrack, load_video

REAL_CLIPS_DIR = Path(__file__).with_name("real_clips")
"""Folder of the real clips and their table ``clips.csv``."""


@dataclass
class RealClip:
    """One real clip and its hand-annotated truth.

    Attributes
    ----------
    name : str
    frames : np.ndarray, shape (T, H, W, 3)
        float32 in [0, 1], at the file's own frame rate.
    fps : float
        Frames per second.
    boundaries : np.ndarray of int, shape (n,)
        First frame of every new shot (hand-annotated; all hard cuts).
    audio : Soundtrack or None
        The soundtrack when asked for and present.
    content, source, licence : str
        What the clip shows, where it comes from, and its licence.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    name: str
    frames: np.ndarray
    fps: float
    boundaries: np.ndarray
    audio: Soundtrack | None
    content: str
    source: str
    licence: str

    @property
    def spans(self) -> np.ndarray:
        """Transition spans ``[start, end)`` (one frame per hard cut), shape (n, 2)."""
        return np.stack([self.boundaries, self.boundaries + 1], axis=1).reshape(-1, 2)


def real_clip_table() -> pd.DataFrame:
    """The table of real clips (``real_clips/clips.csv``), indexed by name: file, fps,
    frames, cuts (space-separated frames), content, source, licence.

    Taught in ``11_video_auto_editing``.
    """
    return pd.read_csv(REAL_CLIPS_DIR / "clips.csv", dtype={"cuts": str},
                       keep_default_na=False).set_index("name")


def load_real_clip(name: str, audio: bool = False) -> RealClip:
    """Load one of the real clips (``real_clip_table().index``) with its annotated cuts.

    Parameters
    ----------
    name : str
        ``"bikes"`` (five hard cuts, traffic close to the camera), ``"bigbuckbunny"`` (one
        shot, with sound), ``"tree"`` (a hand sweeps in front of the lens), ``"vtest"``
        (people walking through a static shot).
    audio : bool
        Also read the soundtrack (None for the clips without one).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).

    Taught in ``11_video_auto_editing``.
    """
    table = real_clip_table()
    if name not in table.index:
        raise ValueError(f"unknown real clip {name!r}; choose one of {list(table.index)}")
    row = table.loc[name]
    path = REAL_CLIPS_DIR / row["file"]
    footage = _load_with_sound(path) if audio else load_video(path)
    frames, fps, sound = footage.frames, footage.fps, footage.soundtrack
    if len(frames) != int(row["frames"]) or fps != float(row["fps"]):
        raise ValueError(f"{path}: expected {row['frames']} frames at {row['fps']} fps, read "
                         f"{len(frames)} at {fps}: the file does not match clips.csv")
    cuts = np.array([int(c) for c in row["cuts"].split()], dtype=int)
    return RealClip(name, frames.astype(np.float32) / 255.0, fps, cuts, sound,
                    row["content"], row["source"], row["licence"])


def _load_with_sound(path: Path) -> Footage:
    """``load_video(path, audio=True)`` without the no-sound warning (the table says which
    clips are silent)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*has no audio track")
        return load_video(path, audio=True)
