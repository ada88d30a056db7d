"""Seeing clips in a notebook: inline players, storyboards and plots over time.

Players are HTML with the clip embedded as base64 data (an animated GIF in an ``<img>``,
or an MP4 in a ``<video>`` when FFmpeg is present), so they play in JupyterLab and in the
exported HTML alike, with no files beside the notebook.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML

from aigc_kit.apps.video.io import Soundtrack, as_frames, ffmpeg_available, write_gif, write_mp4

MAX_SECONDS = 30.0
# imageio's 0-10 MP4 quality of embedded players: on chapter 11's 15 s clip (128 x 96 px,
# 12 fps) 6 gives 165 kB at 32.7 dB PSNR, against 725 kB at 34.8 dB for write_mp4's 8.
PLAYER_QUALITY = 6


def _encoded(frames: np.ndarray, fps: float, fmt: str,
             audio: Soundtrack | None = None) -> tuple[str, str]:
    """(mime type, base64 text) of the clip written as GIF or MP4 (with ``audio``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clip.{fmt}"
        if fmt == "mp4":
            write_mp4(path, frames, fps, quality=PLAYER_QUALITY, audio=audio)
        else:
            write_gif(path, frames, fps)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    return ("video/mp4" if fmt == "mp4" else "image/gif"), data


def player_html(
    frames: object, fps: float, width: int = 256, fmt: str = "auto",
    max_seconds: float = MAX_SECONDS, audio: Soundtrack | None = None,
) -> str:
    """The HTML of an inline player for a clip (see ``play``).

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """
    arr = as_frames(frames)[: max(1, int(max_seconds * fps))]
    if fmt == "auto":
        fmt = "mp4" if ffmpeg_available() else "gif"
    if fmt not in ("gif", "mp4"):
        raise ValueError(f"fmt must be 'auto', 'gif' or 'mp4', got {fmt!r}")
    if audio is not None and fmt == "gif":
        raise ValueError("a GIF player has no sound: use fmt='mp4' (needs FFmpeg) to hear "
                         "the soundtrack, or audio=None")
    sound = None if audio is None else audio.fit(len(arr), fps)
    mime, data = _encoded(arr, fps, fmt, sound)
    if fmt == "mp4":
        # With sound: no autoplay (browsers block it), press play.
        options = "controls loop playsinline" + (" autoplay muted" if sound is None else "")
        return (f"<video width='{width}' {options} "
                f"src='data:{mime};base64,{data}'></video>")
    return (f"<img width='{width}' style='image-rendering:pixelated' "
            f"src='data:{mime};base64,{data}'/>")


def play(
    frames: object, fps: float, width: int = 256, fmt: str = "auto",
    max_seconds: float = MAX_SECONDS, audio: Soundtrack | None = None,
) -> HTML:
    """An inline player: a looping ``<video>`` (MP4, when FFmpeg is present) or animated GIF.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1].
    fps : float
        Frames per second.
    width : int
        Display width in pixels (the clip is scaled by the browser).
    fmt : str
        ``"auto"`` (MP4 if possible, else GIF), ``"gif"`` or ``"mp4"``.
    max_seconds : float
        Longest stretch embedded, in seconds (keeps notebooks small).
    audio : Soundtrack, optional
        Sound to play with the picture (MP4 only; the player then waits for a click).

    Taught in ``11_video_auto_editing``.
    """
    return HTML(player_html(frames, fps, width, fmt, max_seconds, audio))


def play_side_by_side(
    clips: Mapping[str, object], fps: float, width: int = 256, fmt: str = "auto",
    max_seconds: float = MAX_SECONDS,
) -> HTML:
    """Labelled players side by side, e.g. ``{"original": x, "edit": y}``.

    Taught in ``11_video_auto_editing``.
    """
    cells = "".join(
        f"<td style='padding:4px 12px;text-align:center;vertical-align:top'>"
        f"<b>{html.escape(label)}</b> ({len(as_frames(f)) / fps:.1f} s)<br>"
        f"{player_html(f, fps, width, fmt, max_seconds)}</td>"
        for label, f in clips.items()
    )
    return HTML(f"<table><tr>{cells}</tr></table>")


def storyboard(
    frames: object,
    fps: float,
    boundaries: Sequence[int] | np.ndarray | None = None,
    n: int = 12,
    cols: int = 6,
    title: str = "",
) -> plt.Figure:
    """A keyframe grid: the middle frame of every shot (with ``boundaries``), else ``n``
    evenly spaced frames; each labelled with its time in seconds.

    Taught in ``11_video_auto_editing``.
    """
    arr = as_frames(frames)
    if boundaries is not None:
        edges = np.concatenate([[0], np.asarray(boundaries, dtype=int), [len(arr)]])
        picks = ((edges[:-1] + edges[1:]) // 2).astype(int)
        labels = [f"shot {i}: {p / fps:.1f} s" for i, p in enumerate(picks)]
    else:
        picks = np.linspace(0, len(arr) - 1, min(n, len(arr))).round().astype(int)
        labels = [f"{p / fps:.1f} s" for p in picks]
    cols = max(1, min(cols, len(picks)))
    rows = int(np.ceil(len(picks) / cols))
    aspect = arr.shape[1] / arr.shape[2]
    fig, axes = plt.subplots(rows, cols, figsize=(1.9 * cols, 1.9 * aspect * rows + 0.5),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, p, label in zip(axes.ravel(), picks, labels, strict=False):
        ax.imshow(arr[p])
        ax.set_title(label, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_over_time(
    table: pd.DataFrame,
    fps: float,
    columns: Sequence[str] | None = None,
    boundaries: Sequence[int] | np.ndarray | None = None,
    true_boundaries: Sequence[int] | np.ndarray | None = None,
    title: str = "",
) -> plt.Figure:
    """One panel per column of a per-frame table against time in seconds, with detected
    (solid red) and true (dashed grey) shot boundaries as vertical lines.

    Taught in ``11_video_auto_editing``.
    """
    columns = list(table.columns if columns is None else columns)
    t = np.arange(len(table)) / fps
    fig, axes = plt.subplots(len(columns), 1, figsize=(9, 1.3 * len(columns) + 0.6),
                             sharex=True, squeeze=False)
    for ax, col in zip(axes[:, 0], columns, strict=True):
        ax.plot(t, table[col].to_numpy(), lw=1)
        ax.set_ylabel(col, rotation=0, ha="right", fontsize=8)
        for b in [] if true_boundaries is None else true_boundaries:
            ax.axvline(b / fps, color="0.5", ls="--", lw=0.8)
        for b in [] if boundaries is None else boundaries:
            ax.axvline(b / fps, color="tab:red", lw=0.8, alpha=0.7)
    axes[-1, 0].set_xlabel("time (s)")
    axes[-1, 0].set_xlim(0, max(t[-1], 1e-9))
    if title:
        axes[0, 0].set_title(title)
    fig.tight_layout()
    return fig
