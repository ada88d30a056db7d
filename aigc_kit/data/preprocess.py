"""Small, composable preprocessing steps for waveforms.

Every function takes and returns NumPy float32 arrays with time on the last axis; levels are
in dBFS, i.e. decibels relative to a full-scale amplitude of 1.0. Taught in
``02_data_collection_preprocessing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import librosa
import numpy as np
import pandas as pd

from aigc_kit.data.dataset import AudioSet

_MAD_TO_Z = 0.6745  # 1 / (MAD of a standard normal): makes the MAD comparable to a std
_MEANAD_TO_Z = 1.253314  # sqrt(pi / 2): the same for the mean absolute deviation


def _float32(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def _db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def _audible_peak(x: np.ndarray, caller: str, consequence: str) -> float:
    """The largest absolute sample of ``x``; ValueError naming ``caller`` if ``x`` is silent."""
    peak = float(np.max(np.abs(x), initial=0.0))
    if peak == 0.0:
        raise ValueError(f"{caller}: the input is silent (all zeros), so {consequence}")
    return peak


def to_mono(x: np.ndarray) -> np.ndarray:
    """Mix a multi-channel waveform down to one channel by averaging the channels.

    Parameters
    ----------
    x : np.ndarray
        Waveform, shape ``(n_channels, n_samples)`` or already mono ``(n_samples,)``.

    Returns
    -------
    np.ndarray
        Mono float32 waveform, shape ``(n_samples,)``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    x = _float32(x)
    if x.ndim == 1:
        return x
    if x.ndim == 2:
        return x.mean(axis=0, dtype=np.float32)
    raise ValueError(
        f"to_mono: expected shape (n_samples,) or (n_channels, n_samples), got {x.shape}"
    )


def resample(x: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Change the sample rate with a high-quality band-limited resampler (soxr).

    Parameters
    ----------
    x : np.ndarray
        Waveform, shape ``(..., n_samples)``.
    orig_sr, target_sr : int
        Current and wanted sample rate in Hz.

    Returns
    -------
    np.ndarray
        float32 waveform, shape ``(..., ceil(n_samples * target_sr / orig_sr))``; ``x``
        itself (as float32) when the rates are equal.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    if orig_sr <= 0 or target_sr <= 0:
        raise ValueError(
            f"resample: sample rates must be positive (Hz), got {orig_sr} -> {target_sr}"
        )
    x = _float32(x)
    if orig_sr == target_sr:
        return x
    y = librosa.resample(x, orig_sr=orig_sr, target_sr=target_sr, res_type="soxr_hq", axis=-1)
    return _float32(y)


def trim_silence(
    x: np.ndarray,
    sr: int,
    top_db: float = 40.0,
    frame_length: int | None = None,
    hop_length: int | None = None,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Cut leading and trailing silence.

    A frame counts as silent when its RMS level is more than ``top_db`` below the loudest
    frame. Everything between the first and the last non-silent frame is kept.

    Parameters
    ----------
    x : np.ndarray
        Waveform, shape ``(n_samples,)`` or ``(n_channels, n_samples)`` (a frame is loud
        when any channel is).
    sr : int
        Sample rate in Hz; sets the default frame sizes.
    top_db : float
        Silence threshold in dB below the loudest frame.
    frame_length : int, optional
        Analysis frame in samples; default about 25 ms (``round(0.025 * sr)``).
    hop_length : int, optional
        Step between frames in samples; default ``frame_length // 4``. The bounds are
        accurate to about ``frame_length / 2`` samples.

    Returns
    -------
    trimmed : np.ndarray
        float32 ``x[..., start:end]``.
    (start, end) : tuple of int
        Sample indices of the kept region; ``(0, 0)`` (and an empty array) when ``x`` is
        all zeros.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    x = _float32(x)
    frame_length = frame_length or max(2, round(0.025 * sr))
    hop_length = hop_length or max(1, frame_length // 4)
    n = x.shape[-1]
    if n == 0 or not np.any(x):
        return x[..., :0], (0, 0)
    rms = librosa.feature.rms(
        y=x.reshape(-1, n), frame_length=frame_length, hop_length=hop_length, center=True
    )
    rms = rms.reshape(-1, rms.shape[-1]).max(axis=0)
    level_db = 20.0 * np.log10(np.maximum(rms, np.finfo(np.float32).tiny))
    loud = np.flatnonzero(level_db > level_db.max() - top_db)
    start = int(loud[0] * hop_length)
    end = int(min(n, (loud[-1] + 1) * hop_length))
    return x[..., start:end], (start, end)


def fix_length(
    x: np.ndarray, n_samples: int, align: Literal["start", "center"] = "start"
) -> np.ndarray:
    """Zero-pad or crop a waveform to exactly ``n_samples`` samples.

    Parameters
    ----------
    x : np.ndarray
        Waveform, shape ``(..., n)``.
    n_samples : int
        Wanted length in samples (>= 0).
    align : {"start", "center"}
        ``"start"`` keeps the beginning (pads or crops at the end); ``"center"`` keeps the
        middle (pads or crops both ends equally; an odd extra sample goes at the end).

    Returns
    -------
    np.ndarray
        float32 waveform, shape ``(..., n_samples)``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    if n_samples < 0:
        raise ValueError(f"fix_length: n_samples must be >= 0, got {n_samples}")
    if align not in ("start", "center"):
        raise ValueError(f"fix_length: align must be 'start' or 'center', got {align!r}")
    x = _float32(x)
    n = x.shape[-1]
    start = abs(n - n_samples) // 2 if align == "center" else 0
    if n >= n_samples:
        return x[..., start : start + n_samples].copy()
    out = np.zeros((*x.shape[:-1], n_samples), dtype=np.float32)
    out[..., start : start + n] = x
    return out


def normalize_peak(
    x: np.ndarray,
    peak_db: float = -1.0,
    *,
    per_clip: bool = False,
    silent: Literal["raise", "keep"] = "raise",
) -> np.ndarray:
    """Scale a waveform (or each clip of a batch) so its largest sample sits at ``peak_db`` dBFS.

    The kit's one peak normaliser: chapter 2's clean-up, the generated notes (0 dBFS) and
    every vocoder (a log-mel image carries no level, so each waveform a vocoder makes is
    scaled to a peak of 0.9, about -0.92 dBFS) call it.

    Parameters
    ----------
    x : np.ndarray
        Waveform, any shape; with ``per_clip``, clips ``(..., n_samples)``.
    peak_db : float
        Target peak level in dBFS (``-1.0`` leaves 1 dB of headroom below full scale).
    per_clip : bool
        Scale each clip along the last axis to the peak on its own (a batch of clips);
        otherwise the whole array shares one gain.
    silent : {"raise", "keep"}
        What an all-zero waveform (or clip) gets: a ``ValueError`` (there is no peak to
        scale), or left as zeros.

    Returns
    -------
    np.ndarray
        Scaled float32 waveform(s), same shape as ``x`` (computed in ``x``'s precision,
        then rounded once to float32).

    Raises
    ------
    ValueError
        If ``silent="raise"`` and ``x`` (or one of its clips) is all zeros.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    if silent not in ("raise", "keep"):
        raise ValueError(f"normalize_peak: silent must be 'raise' or 'keep', got {silent!r}")
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float32)
    if x.size == 0:
        raise ValueError("normalize_peak: the input holds no samples")
    peak = np.max(np.abs(x), axis=-1 if per_clip else None, keepdims=True)
    if silent == "raise" and np.any(peak == 0):
        where = "a clip of the batch is" if per_clip else "the input is"
        raise ValueError(f"normalize_peak: {where} silent (all zeros), so it has no peak to "
                         "scale; drop this clip (see detect_outliers) or check how it was "
                         "recorded.")
    # x / (peak / gain): with gain 1 (0 dBFS) exactly x / peak
    scale = np.where(peak > 0, peak / _db_to_gain(peak_db), 1.0).astype(x.dtype)
    return _float32(x / scale)


def rms_db(x: np.ndarray, eps: float = 1e-10) -> float:
    """Root-mean-square level of the whole clip in dBFS.

    Parameters
    ----------
    x : np.ndarray
        Waveform, any shape (all samples are pooled).
    eps : float
        Floor for the RMS amplitude, so silence gives ``20 * log10(eps)`` (-200 dB by
        default) instead of ``-inf``.

    Returns
    -------
    float
        ``20 * log10(rms)`` in dB; a full-scale sine measures -3.01 dBFS.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    x = np.asarray(x, dtype=np.float64)
    rms = float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0
    return 20.0 * float(np.log10(max(rms, eps)))


def normalize_loudness(
    x: np.ndarray, target_db: float = -20.0, peak_limit_db: float = -1.0
) -> np.ndarray:
    """Scale a waveform to an RMS level of ``target_db`` dBFS without exceeding a peak limit.

    Parameters
    ----------
    x : np.ndarray
        Waveform, any shape.
    target_db : float
        Target RMS level in dBFS.
    peak_limit_db : float
        The largest allowed peak in dBFS. When reaching ``target_db`` would push the peak
        above it, the gain is reduced so the peak sits exactly at the limit, and the RMS
        ends below ``target_db``.

    Returns
    -------
    np.ndarray
        Scaled float32 waveform, same shape as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is silent (all zeros).

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    x = _float32(x)
    peak = _audible_peak(
        x, "normalize_loudness",
        f"no gain can bring it to {target_db} dBFS; drop this clip (see detect_outliers).",
    )
    gain = _db_to_gain(target_db - rms_db(x))
    gain = min(gain, _db_to_gain(peak_limit_db) / peak)
    return _float32(x * gain)


def remove_dc(x: np.ndarray) -> np.ndarray:
    """Subtract the mean (the DC offset, 0 Hz component) of each channel.

    Parameters
    ----------
    x : np.ndarray
        Waveform, shape ``(..., n_samples)``.

    Returns
    -------
    np.ndarray
        float32 waveform with zero mean along the last axis, same shape as ``x``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1] == 0:
        return _float32(x)
    return _float32(x - x.mean(axis=-1, keepdims=True))


def robust_z(values: np.ndarray) -> np.ndarray:
    """Robust z-scores: ``0.6745 * (x - median) / MAD`` (Iglewicz and Hoaglin).

    Unlike the ordinary z-score, a few extreme values cannot hide themselves by inflating
    the spread. When more than half of the values are equal the MAD is 0; then the mean
    absolute deviation is used instead (``(x - median) / (1.2533 * meanAD)``), and when
    all values are equal every score is 0.

    Parameters
    ----------
    values : np.ndarray
        Shape ``(n,)``.

    Returns
    -------
    np.ndarray
        float64 scores, shape ``(n,)``; about ``N(0, 1)`` for normally distributed data.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    dev = values - np.median(values)
    mad = float(np.median(np.abs(dev)))
    if mad > 0:
        return _MAD_TO_Z * dev / mad
    mean_ad = float(np.mean(np.abs(dev)))
    if mean_ad > 0:
        return dev / (_MEANAD_TO_Z * mean_ad)
    return np.zeros_like(values)


def detect_outliers(
    clips: AudioSet | Sequence[np.ndarray],
    sr: int | None = None,
    clip_threshold: float = 0.999,
    max_clipping_ratio: float = 0.01,
    silence_db: float = -50.0,
    z_threshold: float = 3.5,
) -> pd.DataFrame:
    """Report clips that are clipped, near-silent, or unusually long, short, loud or quiet.

    Nothing is dropped: the table says which clips look suspicious and why, so you can
    listen to them and decide (e.g. ``ds.subset(~report.outlier)``).

    Parameters
    ----------
    clips : AudioSet or sequence of np.ndarray
        The clips; arrays of shape ``(n_samples,)`` (or ``(n_channels, n_samples)``).
    sr : int, optional
        Sample rate in Hz. Taken from the AudioSet; required for a list of arrays.
    clip_threshold : float
        A sample with ``|x| >= clip_threshold`` counts as clipped (full scale is 1.0).
    max_clipping_ratio : float
        Flag a clip when more than this fraction of its samples are clipped.
    silence_db : float
        Flag a clip whose RMS level is below this many dBFS as near-silent.
    z_threshold : float
        Flag a clip whose duration or RMS level has a robust z-score (see ``robust_z``)
        beyond +/- this value, relative to the other clips.

    Returns
    -------
    pandas.DataFrame
        One row per clip, in order, with columns ``clipping_ratio`` (fraction of samples),
        ``rms_db`` (dBFS), ``duration_s`` (seconds), ``duration_z``, ``loudness_z``,
        ``reasons`` (``"; "``-joined descriptions, empty when the clip looks fine) and
        ``outlier`` (bool).

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    if isinstance(clips, AudioSet):
        if sr is not None and sr != clips.sr:
            raise ValueError(f"detect_outliers: sr={sr} Hz but the AudioSet is at {clips.sr} Hz")
        sr, clips = clips.sr, clips.clips
    if sr is None:
        raise ValueError("detect_outliers: pass sr= (sample rate in Hz) with a list of arrays")
    arrays = [np.asarray(c) for c in clips]
    clipping = np.array([np.mean(np.abs(c) >= clip_threshold) if c.size else 0.0 for c in arrays])
    levels = np.array([rms_db(c) for c in arrays])
    durations = np.array([c.shape[-1] / sr for c in arrays], dtype=np.float64)
    duration_z, loudness_z = robust_z(durations), robust_z(levels)

    reasons = []
    for i in range(len(arrays)):
        found = []
        if clipping[i] > max_clipping_ratio:
            found.append(f"clipping: {clipping[i]:.1%} of samples at full scale")
        if levels[i] < silence_db:
            found.append(f"near-silent: RMS {levels[i]:.1f} dBFS < {silence_db:g} dBFS")
        if abs(duration_z[i]) > z_threshold:
            found.append(f"duration outlier: {durations[i]:.2f} s (robust z {duration_z[i]:+.1f})")
        if abs(loudness_z[i]) > z_threshold:
            found.append(
                f"loudness outlier: RMS {levels[i]:.1f} dBFS (robust z {loudness_z[i]:+.1f})"
            )
        reasons.append("; ".join(found))

    return pd.DataFrame(
        {
            "clipping_ratio": clipping.astype(np.float64),
            "rms_db": levels,
            "duration_s": durations,
            "duration_z": duration_z,
            "loudness_z": loudness_z,
            "reasons": reasons,
            "outlier": [bool(r) for r in reasons],
        }
    )
