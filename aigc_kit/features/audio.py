"""Audio features: pitch, loudness, onsets and tempo, log-mel spectrograms and summaries.

Pitch (pYIN), onsets, tempo and chroma come from librosa; the log-mel spectrogram runs in
PyTorch (torchaudio transforms), batched over any leading dimensions, so a whole dataset
is one call. The way back from a spectrogram to sound is :mod:`aigc_kit.features.inverse`.
Every function accepts a waveform of shape ``(..., n_samples)``; frame-wise features come
back as ``(..., n_frames)`` or ``(..., n_bins, n_frames)``.

Taught in ``03_feature_extraction``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import librosa
import numpy as np
import pandas as pd
import torch
import torchaudio.functional as AF
import torchaudio.transforms as T

from aigc_kit.features.inputs import as_float_tensor, as_waveform, check_band

_AMIN = 1e-10  # power floor before taking logs (-100 dB)
# On the CPU a batch is transformed in chunks of about this many samples: small enough
# for the STFT to stay in cache (3-4x faster than one huge batch on two cores).
_CPU_CHUNK_SAMPLES = 2**18

ArrayLike = np.ndarray | torch.Tensor
Device = str | torch.device | None


# ---------------------------------------------------------------------------------
# Pitch
# ---------------------------------------------------------------------------------


def pitch_pyin(
    y: ArrayLike,
    sr: int,
    fmin: float = 65.0,
    fmax: float = 2093.0,
    frame_length: int = 2048,
    hop_length: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame-wise fundamental frequency by probabilistic YIN (librosa ``pyin``).

    All clips of a batch go through one multi-channel ``librosa.pyin`` call.

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s) at ``sr``.
    sr : int
        Sample rate in Hz.
    fmin, fmax : float
        Search range in Hz (default C2 = 65 Hz to C7 = 2093 Hz).
    frame_length : int
        Analysis frame in samples (2048 = 128 ms at 16 kHz; must hold two periods
        of ``fmin``).
    hop_length : int, optional
        Hop in samples; default ``frame_length // 4``.

    Returns
    -------
    f0_hz : np.ndarray of shape (..., n_frames)
        Fundamental frequency in Hz, NaN where the frame is unvoiced.
    voiced : np.ndarray of bool, shape (..., n_frames)
        Whether each frame is voiced (pitched).
    times_s : np.ndarray of shape (n_frames,)
        Centre time of each frame in seconds.

    Notes
    -----
    Taught in ``03_feature_extraction``. pYIN's Viterbi smoothing dominates the cost
    (about 0.1 s per one-second clip with the defaults).
    """
    y = as_waveform(y)
    check_band(sr, fmin, fmax)
    hop_length = frame_length // 4 if hop_length is None else hop_length
    f0, voiced, _ = librosa.pyin(
        y, fmin=fmin, fmax=fmax, sr=sr, frame_length=frame_length, hop_length=hop_length
    )
    times = librosa.times_like(f0.shape[-1], sr=sr, hop_length=hop_length)
    return np.where(voiced, f0, np.nan), voiced, times


def clip_pitch(y: ArrayLike, sr: int, **pyin_kwargs: Any) -> np.ndarray:
    """One pitch per clip: the median pYIN f0 over its voiced frames.

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s) at ``sr``.
    sr : int
        Sample rate in Hz.
    **pyin_kwargs
        ``fmin``, ``fmax``, ``frame_length``, ``hop_length`` for :func:`pitch_pyin`.

    Returns
    -------
    np.ndarray of shape (...)
        Pitch in Hz per clip (a 0-d array for one clip); NaN if no frame is voiced.

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    f0, _, _ = pitch_pyin(y, sr, **pyin_kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN
        return np.asarray(np.nanmedian(f0, axis=-1))


def hz_to_cents_error(estimate_hz: ArrayLike | float, true_hz: ArrayLike | float) -> np.ndarray:
    """Pitch error in cents, ``1200 * log2(estimate / true)`` (100 cents = 1 semitone).

    Parameters
    ----------
    estimate_hz : array or float
        Estimated frequencies in Hz; NaN (no estimate) gives NaN.
    true_hz : array or float
        Reference frequencies in Hz, positive; broadcast against ``estimate_hz``.

    Returns
    -------
    np.ndarray
        Signed error in cents (positive = estimate too high), broadcast shape.

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    estimate = np.asarray(estimate_hz, dtype=float)
    true = np.asarray(true_hz, dtype=float)
    if not (np.isfinite(true) & (true > 0)).all():
        raise ValueError("true_hz must be finite and positive")
    if (estimate <= 0).any():
        raise ValueError("estimate_hz must be positive (or NaN for no estimate)")
    return 1200.0 * np.log2(estimate / true)


# ---------------------------------------------------------------------------------
# Loudness, onsets and tempo
# ---------------------------------------------------------------------------------


def loudness_db(
    y: ArrayLike, frame_length: int = 2048, hop_length: int = 512, floor_db: float = -100.0
) -> np.ndarray:
    """Frame-wise RMS level in dBFS (a full-scale sine reads -3 dB).

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s), full scale = 1.
    frame_length, hop_length : int
        Frame and hop in samples; frames are centred (zero-padded at the edges).
    floor_db : float
        Level reported for silence, in dB.

    Returns
    -------
    np.ndarray of shape (..., n_frames)
        RMS level in dBFS, at least ``floor_db``.

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    y = as_waveform(y)
    rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length)[..., 0, :]
    return 20.0 * np.log10(np.maximum(rms, 10.0 ** (floor_db / 20.0)))


def _peak_pick_frames(sr: int, hop_length: int) -> dict[str, int]:
    """librosa's onset peak-picking windows (30 ms local max, 100 ms average) in frames.

    librosa rounds its defaults down, so at low frame rates (16 kHz, hop 512) they
    become 0 frames and every frame above the average counts as an onset; here each
    window is at least one frame.
    """

    def frames(seconds: float) -> int:
        return max(1, round(seconds * sr / hop_length))

    return {
        "pre_max": frames(0.03), "post_max": frames(0.03) + 1, "pre_avg": frames(0.1),
        "post_avg": frames(0.1) + 1, "wait": frames(0.03),
    }


def onsets_tempo(y: ArrayLike, sr: int, hop_length: int = 512) -> tuple[np.ndarray, float]:
    """Note onsets and the global tempo of one clip (librosa onset strength).

    Parameters
    ----------
    y : array of shape (n_samples,)
        One mono waveform (onset lists differ in length, so no batching).
    sr : int
        Sample rate in Hz.
    hop_length : int
        Hop of the onset-strength envelope in samples; it sets the time resolution
        (512 samples = 32 ms at 16 kHz).

    Returns
    -------
    onset_times_s : np.ndarray of shape (n_onsets,)
        Onset times in seconds (to within about one hop; peaks of the onset strength
        closer than 30 ms are merged).
    tempo_bpm : float
        Tempo in beats per minute (``librosa.feature.tempo``), quantised by the
        envelope's frame rate.

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    y = as_waveform(y)
    if y.ndim != 1:
        raise ValueError(f"onsets_tempo takes one mono clip of shape (n_samples,), got {y.shape}")
    envelope = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop_length)
    onsets = librosa.onset.onset_detect(
        onset_envelope=envelope, sr=sr, hop_length=hop_length, units="time",
        **_peak_pick_frames(sr, hop_length),
    )
    tempo = librosa.feature.tempo(onset_envelope=envelope, sr=sr, hop_length=hop_length)
    return onsets, float(tempo[0])


# ---------------------------------------------------------------------------------
# Log-mel spectrogram (PyTorch; its inverse is in aigc_kit.features.inverse)
# ---------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _mel_transform(
    sr: int, n_fft: int, hop_length: int, n_mels: int, fmin: float, fmax: float,
    device: torch.device,
) -> T.MelSpectrogram:
    """A cached power mel spectrogram matching ``librosa.feature.melspectrogram``.

    Same periodic Hann window, zero-padded centred frames and Slaney mel filterbank.
    """
    return T.MelSpectrogram(
        sample_rate=sr, n_fft=n_fft, hop_length=hop_length, f_min=fmin, f_max=fmax,
        n_mels=n_mels, power=2.0, center=True, pad_mode="constant", norm="slaney",
        mel_scale="slaney",
    ).to(device)


def _mel_power(
    waveforms: Any, sr: int, n_fft: int, hop_length: int, n_mels: int, fmin: float,
    fmax: float | None, device: Device,
) -> torch.Tensor:
    """Mel power spectrogram ``(..., n_mels, n_frames)`` of a batch of waveforms."""
    x = as_float_tensor(waveforms, device, "waveforms")
    fmax = check_band(sr, fmin, fmax)
    transform = _mel_transform(sr, n_fft, hop_length, n_mels, float(fmin), fmax, x.device)
    flat = x.reshape(-1, x.shape[-1])
    step = len(flat) if x.device.type != "cpu" else max(1, _CPU_CHUNK_SAMPLES // flat.shape[-1])
    with torch.no_grad():
        power = torch.cat([transform(flat[i : i + step]) for i in range(0, len(flat), step)])
    return power.reshape(*x.shape[:-1], *power.shape[-2:])


def _power_to_db(power: torch.Tensor, ref: str | float, top_db: float | None) -> torch.Tensor:
    """``10 log10(power / ref)``; ``ref="max"`` is each clip's maximum (last 2 dims).

    Values below ``(clip maximum in dB) - top_db`` are raised to that floor.
    """
    db = 10.0 * torch.log10(power.clamp(min=_AMIN))
    if ref == "max":
        db = db - db.amax(dim=(-2, -1), keepdim=True)
    else:
        db = db - 10.0 * np.log10(max(float(ref), _AMIN))
    if top_db is not None:
        if top_db < 0:
            raise ValueError(f"top_db must be non-negative, got {top_db!r}")
        db = torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - top_db)
    return db


def log_mel(
    waveforms: ArrayLike,
    sr: int,
    n_fft: int = 1024,
    hop_length: int = 256,
    n_mels: int = 64,
    fmin: float = 0.0,
    fmax: float | None = None,
    top_db: float | None = 80.0,
    device: Device = None,
) -> torch.Tensor:
    """Log-mel spectrogram in dB relative to each clip's loudest bin, batched in PyTorch.

    A torchaudio ``MelSpectrogram`` (power 2, periodic Hann window, centred
    zero-padded frames, Slaney mel scale and normalisation, i.e. the same as
    ``librosa.feature.melspectrogram``), then ``10 log10(S / max S)`` per clip with a
    floor of ``1e-10`` on the power, clamped at ``-top_db``: the same numbers as
    ``librosa.power_to_db(S, ref=np.max, top_db=top_db)`` on each clip. The transform
    is built once per (sr, n_fft, hop_length, n_mels, fmin, fmax, device) and cached;
    on the CPU a large batch is processed in cache-sized chunks.

    Parameters
    ----------
    waveforms : array or tensor of shape (..., n_samples)
        Waveform(s) at ``sr``; any leading dimensions are a batch.
    sr : int
        Sample rate in Hz.
    n_fft : int
        FFT size in samples (1024 = 64 ms at 16 kHz).
    hop_length : int
        Hop in samples (256 = 16 ms at 16 kHz).
    n_mels : int
        Number of mel bands.
    fmin, fmax : float
        Band edges in Hz (``fmax`` defaults to ``sr / 2``).
    top_db : float or None
        Dynamic range kept below each clip's maximum, in dB; None keeps all.
    device : str or torch.device, optional
        Where to compute; default the input tensor's device, or the CPU for NumPy.

    Returns
    -------
    torch.Tensor of shape (..., n_mels, n_frames)
        float32 dB values ``<= 0`` (0 dB = the clip's loudest bin), with
        ``n_frames = 1 + n_samples // hop_length``.

    Notes
    -----
    Taught in ``03_feature_extraction``; :func:`mel_to_audio` is the inverse.
    """
    power = _mel_power(waveforms, sr, n_fft, hop_length, n_mels, fmin, fmax, device)
    return _power_to_db(power, "max", top_db)


# ---------------------------------------------------------------------------------
# Timbre and harmony
# ---------------------------------------------------------------------------------


def mfcc(
    y: ArrayLike, sr: int, n_mfcc: int = 13, n_fft: int = 1024, hop_length: int = 256,
    n_mels: int = 64, fmin: float = 0.0, fmax: float | None = None, top_db: float = 80.0,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients, computed as ``librosa.feature.mfcc`` does.

    The mel power spectrogram of :func:`log_mel`, in dB relative to full-scale power
    1 (not to the clip's maximum, so coefficient 0 follows loudness), clamped
    ``top_db`` below each clip's maximum, then an orthonormal DCT-II over the mel
    axis.

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s) at ``sr``.
    sr : int
        Sample rate in Hz.
    n_mfcc : int
        Number of coefficients kept (at most ``n_mels``).
    n_fft, hop_length, n_mels, fmin, fmax, top_db
        As for :func:`log_mel` (samples, samples, bands, Hz, Hz, dB).

    Returns
    -------
    np.ndarray of shape (..., n_mfcc, n_frames)
        float32 coefficients (dimensionless; coefficient 0 scales with level in dB).

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    if not 1 <= n_mfcc <= n_mels:
        raise ValueError(f"n_mfcc must be in 1..n_mels={n_mels}, got {n_mfcc}")
    power = _mel_power(y, sr, n_fft, hop_length, n_mels, fmin, fmax, "cpu")
    db = _power_to_db(power, 1.0, top_db)
    dct = AF.create_dct(n_mfcc, n_mels, norm="ortho")  # (n_mels, n_mfcc)
    return (db.transpose(-1, -2) @ dct).transpose(-1, -2).numpy()


def chroma(
    y: ArrayLike, sr: int, hop_length: int = 512, n_fft: int = 2048, tuning: float | None = 0.0
) -> np.ndarray:
    """Chromagram: energy per pitch class C, C#, ..., B (librosa ``chroma_stft``).

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s) at ``sr``.
    sr : int
        Sample rate in Hz.
    hop_length, n_fft : int
        Hop and FFT size in samples.
    tuning : float or None
        Deviation from A4 = 440 Hz in fractions of a bin (semitone); 0 assumes
        standard tuning, None estimates it from the audio (slower).

    Returns
    -------
    np.ndarray of shape (..., 12, n_frames)
        Each frame scaled so its largest pitch class is 1.

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    y = as_waveform(y)
    return librosa.feature.chroma_stft(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length,
                                       tuning=tuning)


def spectral_centroid(
    y: ArrayLike, sr: int, n_fft: int = 1024, hop_length: int = 256
) -> np.ndarray:
    """Spectral centroid (the "centre of mass" of the spectrum, a brightness measure).

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s) at ``sr``.
    sr : int
        Sample rate in Hz.
    n_fft, hop_length : int
        FFT size and hop in samples.

    Returns
    -------
    np.ndarray of shape (..., n_frames)
        Centroid in Hz per frame (0 for silent frames).

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    y = as_waveform(y)
    return librosa.feature.spectral_centroid(y=y, sr=sr, n_fft=n_fft,
                                             hop_length=hop_length)[..., 0, :]


# ---------------------------------------------------------------------------------
# Per-clip summaries
# ---------------------------------------------------------------------------------

_PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def _summary_batch(y: np.ndarray, sr: int, n_mfcc: int) -> np.ndarray:
    """Summary vectors ``(n_clips, n_features)`` of equal-length clips ``(n_clips, n)``.

    Clips shorter than the chroma FFT (2048 samples) are zero-padded to it first.
    """
    if y.shape[-1] < 2048:
        y = np.pad(y, [(0, 0), (0, 2048 - y.shape[-1])])
    coeffs = mfcc(y, sr, n_mfcc=n_mfcc)
    centroid = spectral_centroid(y, sr)
    level = loudness_db(y)
    pitch_classes = chroma(y, sr)
    return np.concatenate(
        [
            coeffs.mean(-1), coeffs.std(-1),
            centroid.mean(-1, keepdims=True), centroid.std(-1, keepdims=True),
            level.mean(-1, keepdims=True), level.std(-1, keepdims=True),
            pitch_classes.mean(-1),
        ],
        axis=-1,
    )


def summary_feature_names(n_mfcc: int = 13) -> list[str]:
    """Column names of :func:`summary_features`, in order.

    Taught in ``03_feature_extraction``.
    """
    return [
        *(f"mfcc{i}_mean" for i in range(n_mfcc)),
        *(f"mfcc{i}_std" for i in range(n_mfcc)),
        "centroid_hz_mean", "centroid_hz_std", "loudness_db_mean", "loudness_db_std",
        *(f"chroma_{p}_mean" for p in _PITCH_CLASSES),
    ]


def summary_features(
    y: ArrayLike | Sequence[np.ndarray], sr: int, n_mfcc: int = 13
) -> pd.DataFrame:
    """One feature vector per clip, for plotting clips in 2-D or a quick classifier.

    Mean and standard deviation over frames of the MFCCs, the spectral centroid (Hz)
    and the frame loudness (dBFS), plus the mean chromagram. No pitch tracking, so a
    few hundred clips take about a second.

    Parameters
    ----------
    y : array of shape (n_clips, n_samples) or (n_samples,), or a list of 1-D arrays
        The clips at ``sr``. A list may hold clips of different lengths (each is then
        summarised on its own, more slowly); e.g. ``AudioSet.clips``.
    sr : int
        Sample rate in Hz.
    n_mfcc : int
        Number of MFCCs summarised.

    Returns
    -------
    pandas.DataFrame of shape (n_clips, 2 * n_mfcc + 16)
        One row per clip; columns named by :func:`summary_feature_names`
        (``.to_numpy()`` gives the float array).

    Notes
    -----
    Taught in ``03_feature_extraction``.
    """
    if isinstance(y, list | tuple):
        if not y:
            raise ValueError("summary_features: no clips given")
        clips = [as_waveform(c, "clip") for c in y]
        if any(c.ndim != 1 for c in clips):
            raise ValueError("summary_features: each clip in a list must be 1-D (n_samples,)")
        if len({len(c) for c in clips}) == 1:
            rows = _summary_batch(np.stack(clips), sr, n_mfcc)
        else:
            rows = np.stack([_summary_batch(c[None], sr, n_mfcc)[0] for c in clips])
    else:
        y = as_waveform(y)
        if y.ndim > 2:
            raise ValueError(f"summary_features: expected (n_clips, n_samples), got {y.shape}")
        rows = _summary_batch(np.atleast_2d(y), sr, n_mfcc)
    return pd.DataFrame(rows, columns=summary_feature_names(n_mfcc))
