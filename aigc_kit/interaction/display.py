"""Hearing and seeing audio in a notebook: players and the plots every chapter uses.

Players are ``IPython.display.Audio(data=..., rate=...)`` objects (they play in JupyterLab
and in the exported HTML); they are cropped to a few seconds so executed notebooks stay
small. Taught from ``01_aigc_overview`` on.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, Audio

MAX_SECONDS = 4.0


def audio(y: np.ndarray, sr: int, max_seconds: float = MAX_SECONDS) -> Audio:
    """A player for a mono clip, cropped to ``max_seconds`` and peak-normalised.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,)
        Waveform, any scale (a single row or column works too; several channels are
        refused rather than played one after the other).
    sr : int
        Sample rate in Hz.
    max_seconds : float
        Longest stretch embedded, in seconds.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """
    y = np.asarray(y, dtype=np.float32)
    if sum(size > 1 for size in y.shape) > 1:
        raise ValueError(f"audio(): expected a mono clip of shape (n_samples,), got shape "
                         f"{y.shape}; mix the channels down (aigc_kit.data.to_mono) or pick one")
    y = y.reshape(-1)[: int(max_seconds * sr)]
    if not np.all(np.isfinite(y)):
        raise ValueError("audio(): the clip contains NaN or Inf samples; nothing to play")
    return Audio(data=y, rate=sr, normalize=bool(np.any(y)))


def audio_table(clips: Mapping[str, np.ndarray], sr: int, max_seconds: float = MAX_SECONDS) -> HTML:
    """Labelled players side by side, e.g. ``{"original": x, "generated": y}``.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """
    cells = "".join(
        f"<td style='padding:4px 12px;text-align:center'><b>{html.escape(label)}</b><br>"
        f"{audio(y, sr, max_seconds)._repr_html_()}</td>"
        for label, y in clips.items()
    )
    return HTML(f"<table><tr>{cells}</tr></table>")


def plot_waveform(y: np.ndarray, sr: int, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Waveform against time in seconds.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """
    ax = ax or plt.subplots(figsize=(8, 2.2))[1]
    t = np.arange(len(y)) / sr
    ax.plot(t, y, lw=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", title=title, xlim=(0, max(t[-1], 1e-9)))
    return ax


def plot_spectrogram(
    spec_db: np.ndarray,
    sr: int,
    hop_length: int,
    ax: plt.Axes | None = None,
    title: str = "",
    ylabel: str = "mel band",
) -> plt.Axes:
    """A dB spectrogram of shape ``(n_bins, n_frames)`` against time in seconds.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """
    spec_db = np.asarray(spec_db)
    ax = ax or plt.subplots(figsize=(6, 2.8))[1]
    seconds = spec_db.shape[-1] * hop_length / sr
    img = ax.imshow(
        spec_db, origin="lower", aspect="auto", cmap="magma",
        extent=(0.0, seconds, 0, spec_db.shape[0]),
    )
    ax.figure.colorbar(img, ax=ax, label="dB")
    ax.set(xlabel="time (s)", ylabel=ylabel, title=title)
    return ax
