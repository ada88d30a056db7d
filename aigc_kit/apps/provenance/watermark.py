"""A keyed, inaudible-ish provenance watermark for generated audio (chapter 8).

Taught in ``13_trends_challenges``.

How it works
------------
*Embedding* (:func:`embed_watermark`). The clip is analysed at a fixed internal rate of
8,000 Hz (:data:`WATERMARK_SR`) with a short-time Fourier transform (256-sample frames,
hop 128, square-root Hann window). A secret ``key`` seeds a pseudo-random *phase pattern*:
one unit-magnitude complex number per STFT bin inside ``band_hz`` and per frame. In every
frame the pattern is scaled so that its energy is ``strength_db`` below the clip's own
energy in that band and frame (quiet frames get a quiet mark, silence gets none: a simple
form of temporal masking), and at most ``ceiling_db`` below the frame's whole energy,
turned back into a waveform, resampled to the clip's rate and
added. The mark is therefore confined to ``band_hz`` (which must lie below 4,000 Hz) and
follows the loudness of the audio it hides in.

*Detection* (:func:`detect_watermark`). The received clip is resampled to 8,000 Hz and
analysed the same way. Every band bin contributes ``cos(phase(Y) - phase(P))``, the cosine
between the received phase and the key's phase; the score is the weighted sum of these
cosines divided by its standard deviation under "no watermark". Without the key's mark
the pattern's phases are independent of the audio, each cosine has mean 0 and variance
1/2 whatever the audio is, and the score is (very nearly) standard normal. The threshold
for a wanted false-positive rate ``alpha`` is therefore simply the normal quantile
``z = Q^-1(alpha)`` (3.72 for the default ``alpha = 1e-4``), and the false-positive rate
does not depend on the kind of audio -- the benchmark ``benchmarks/bench_watermark.py``
checks this on real speech and generated notes.

Because only phases are compared, a gain change does not affect the score at all; because
the mark lives below 4 kHz and is defined at 8 kHz, resampling (to any rate of at least
8 kHz, and back or not) leaves it intact.

Limits (documented, measured in the benchmark)
----------------------------------------------
* **Synchronisation.** The detector assumes the clip starts where it started when it was
  marked. Cutting off the beginning, or delaying it, by more than a few samples destroys
  the phase alignment and the mark is not found (no resynchronisation search is done).
  Time stretching and pitch shifting destroy it too.
* **Short clips.** The score grows with the square root of the number of band bins, i.e.
  with the duration and the bandwidth: clips shorter than :data:`MIN_SECONDS` are refused
  and clips under about 0.5 s of actual sound are detected less reliably.
* **Quiet band, weak mark.** A clip with little energy in ``band_hz`` (a low, pure note)
  gets a correspondingly quiet mark, which added noise covers first: most of the misses
  under 20 dB SNR noise are such clips.
* **Silence carries no mark.** The mark is scaled to the audio in each frame; digital
  silence receives nothing, and a clip that is mostly silence carries little mark.
* **Not cryptographically secure.** Anyone with the key can remove or forge the mark;
  anyone without it can still destroy it (e.g. by a small delay or heavy filtering of the
  band). It is a provenance *signal*, not proof.
* **"Inaudible" is not verified by listening tests.** The mark sits ``strength_db`` below
  the audio in its band and frame; :func:`watermark_to_signal_db` reports the overall
  ratio. Stationary tones with a quiet band can make the noise-like mark audible at
  strong settings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import butter, sosfiltfilt
from scipy.stats import norm

from aigc_kit.data.preprocess import fix_length, resample

WATERMARK_SR = 8000
"""Internal analysis rate in Hz: the mark is defined (and must fit) below 4,000 Hz."""
N_FFT = 256
"""STFT frame length in samples at :data:`WATERMARK_SR` (32 ms)."""
HOP = N_FFT // 2
"""STFT hop in samples at :data:`WATERMARK_SR` (16 ms)."""
MIN_SECONDS = 0.25
"""Shortest clip (s) either function accepts."""
DEFAULT_BAND_HZ = (1000.0, 3500.0)
"""Default band of the mark in Hz: inside telephone bandwidth, above most speech energy."""
DEFAULT_STRENGTH_DB = -18.0
"""Default mark energy relative to the audio's energy in the band, per frame, in dB."""
DEFAULT_CEILING_DB = -25.0
"""Default cap on the mark's energy relative to the whole frame's energy, in dB."""
DEFAULT_FPR = 1e-4
"""Default target false-positive rate of :func:`detect_watermark`."""

Key = int | str | bytes


@dataclass(frozen=True)
class WatermarkResult:
    """What :func:`detect_watermark` found in one clip.

    Attributes
    ----------
    score : float
        Detection statistic: approximately standard normal (mean 0, std 1) when the clip
        carries no mark for this key, large and positive when it does.
    threshold : float
        ``score`` above which the mark is declared present (normal quantile of the
        target false-positive rate).
    present : bool
        ``score > threshold``.
    p_value : float
        Probability of a score at least this large on a clip without the mark.
    n_bins : int
        Number of time-frequency bins that contributed (0 for silence in the band).

    Notes
    -----
    Taught in ``13_trends_challenges``.
    """

    score: float
    threshold: float
    present: bool
    p_value: float
    n_bins: int

    def __str__(self) -> str:
        verdict = "present" if self.present else "absent"
        return (
            f"watermark {verdict}: score {self.score:.2f} (threshold {self.threshold:.2f}, "
            f"p = {self.p_value:.2g}, {self.n_bins} bins)"
        )


# ---------------------------------------------------------------------------------
# Checks and small helpers
# ---------------------------------------------------------------------------------


def _check_audio(audio: np.ndarray, sr: int, what: str) -> np.ndarray:
    x = np.asarray(audio)
    if x.ndim != 1:
        raise ValueError(
            f"{what}: audio must be mono with shape (n_samples,), got shape {x.shape}; "
            "mix down with aigc_kit.data.to_mono first."
        )
    if not np.issubdtype(x.dtype, np.number):
        raise ValueError(f"{what}: audio must be numeric, got dtype {x.dtype}")
    if int(sr) != sr or sr < WATERMARK_SR:
        raise ValueError(
            f"{what}: sr must be an integer sample rate of at least {WATERMARK_SR} Hz, got "
            f"{sr}; the mark lives below {WATERMARK_SR // 2} Hz and needs that bandwidth."
        )
    if len(x) < MIN_SECONDS * sr:
        raise ValueError(
            f"{what}: clip is {len(x) / sr:.3f} s long ({len(x)} samples at {sr} Hz); the "
            f"watermark needs at least {MIN_SECONDS} s. Pad or concatenate short clips."
        )
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{what}: audio contains NaN or Inf at {int(np.sum(~np.isfinite(x)))} samples; "
            "clean it (e.g. np.nan_to_num) before watermarking."
        )
    return x


def _band_bins(band_hz: Sequence[float], what: str) -> np.ndarray:
    try:
        lo, hi = (float(b) for b in band_hz)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what}: band_hz must be a pair (lo, hi) in Hz, got {band_hz!r}"
        ) from None
    nyquist = WATERMARK_SR / 2
    if not (0 <= lo < hi <= nyquist):
        raise ValueError(
            f"{what}: band_hz must satisfy 0 <= lo < hi <= {nyquist:.0f} Hz (the mark is "
            f"defined at {WATERMARK_SR} Hz, whose Nyquist frequency is {nyquist:.0f} Hz), "
            f"got ({lo}, {hi}); choose e.g. {DEFAULT_BAND_HZ}."
        )
    freqs = np.fft.rfftfreq(N_FFT, d=1 / WATERMARK_SR)
    bins = np.flatnonzero((freqs >= lo) & (freqs <= hi) & (freqs > 0) & (freqs < nyquist))
    if len(bins) < 8:
        raise ValueError(
            f"{what}: band_hz {band_hz} spans only {len(bins)} STFT bins "
            f"({WATERMARK_SR / N_FFT:.2f} Hz apart); widen it to at least 8 bins (about "
            f"{8 * WATERMARK_SR / N_FFT:.0f} Hz)."
        )
    return bins


def _key_seed(key: Key) -> list[int]:
    """A key of any supported type as entropy words for ``numpy.random.SeedSequence``."""
    if isinstance(key, bool) or not isinstance(key, int | str | bytes):
        raise ValueError(f"key must be an int, str or bytes secret, got {type(key).__name__}")
    raw = key if isinstance(key, bytes) else str(key).encode("utf-8")
    digest = hashlib.sha256(b"aigc-kit watermark v1|" + type(key).__name__.encode() + raw)
    return [int.from_bytes(digest.digest()[i : i + 4], "little") for i in range(0, 32, 4)]


def _pattern(key: Key, n_frames: int, n_bins: int) -> np.ndarray:
    """The key's unit-magnitude phase pattern, shape ``(n_frames, n_bins)``, complex.

    Frame ``t`` of the pattern does not depend on the clip length (draws are sequential),
    so a clip and its extension share the mark on their common frames.
    """
    rng = np.random.default_rng(np.random.SeedSequence(_key_seed(key)))
    phase = rng.random((n_frames, n_bins)) * 2 * np.pi
    return np.exp(1j * phase)


_WINDOW = np.sqrt(np.hanning(N_FFT + 1)[:-1])  # periodic sqrt-Hann: sums to 1 at hop N/2


def _n_frames(n_samples: int) -> int:
    return max(1, int(np.ceil((n_samples - N_FFT) / HOP)) + 1)


def _stft(x: np.ndarray) -> np.ndarray:
    """STFT at the internal rate, shape ``(n_frames, N_FFT // 2 + 1)``."""
    n_frames = _n_frames(len(x))
    padded = np.zeros((n_frames - 1) * HOP + N_FFT)
    padded[: len(x)] = x
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    return np.fft.rfft(padded[idx] * _WINDOW, axis=1)


def _istft(spec: np.ndarray, n_samples: int) -> np.ndarray:
    """Overlap-add inverse of :func:`_stft`, cropped to ``n_samples``."""
    frames = np.fft.irfft(spec, n=N_FFT, axis=1) * _WINDOW
    out = np.zeros((len(spec) - 1) * HOP + N_FFT)
    for t, frame in enumerate(frames):
        out[t * HOP : t * HOP + N_FFT] += frame
    return out[:n_samples]


def threshold_for(false_positive_rate: float) -> float:
    """Score threshold giving the wanted false-positive rate on unmarked audio.

    Parameters
    ----------
    false_positive_rate : float
        Wanted probability (0 < rate < 0.5) that a clip without the mark is declared
        marked.

    Returns
    -------
    float
        The standard-normal quantile ``Q^-1(rate)``; e.g. 3.09 for 1e-3, 3.72 for 1e-4.

    Notes
    -----
    Taught in ``13_trends_challenges``.
    """
    if not 0 < false_positive_rate < 0.5:
        raise ValueError(
            f"false_positive_rate must be between 0 and 0.5, got {false_positive_rate}"
        )
    return float(norm.isf(false_positive_rate))


# ---------------------------------------------------------------------------------
# Embedding and detection
# ---------------------------------------------------------------------------------


def _mark_at_internal_rate(
    x8: np.ndarray, key: Key, strength_db: float, ceiling_db: float, bins: np.ndarray
) -> np.ndarray:
    spec = _stft(x8)
    power = np.abs(spec) ** 2
    band_energy = np.sum(power[:, bins], axis=1)  # (n_frames,)
    energy = np.minimum(
        10 ** (strength_db / 10) * band_energy, 10 ** (ceiling_db / 10) * np.sum(power, axis=1)
    )
    # x2: overlap-adding frames whose phases are independent halves the energy (measured
    # by the ratio test in tests/test_watermark.py), so strength_db means what it says.
    gain = np.sqrt(2 * energy / len(bins))
    mark_spec = np.zeros_like(spec)
    mark_spec[:, bins] = _pattern(key, len(spec), len(bins)) * gain[:, None]
    return _istft(mark_spec, len(x8))


def embed_watermark(
    audio: np.ndarray,
    sr: int,
    key: Key,
    strength_db: float = DEFAULT_STRENGTH_DB,
    band_hz: Sequence[float] = DEFAULT_BAND_HZ,
    ceiling_db: float = DEFAULT_CEILING_DB,
) -> np.ndarray:
    """Add the keyed watermark to a clip.

    Parameters
    ----------
    audio : np.ndarray
        Mono waveform, shape ``(n_samples,)``, at least :data:`MIN_SECONDS` long, finite.
    sr : int
        Sample rate in Hz, at least 8,000 (e.g. 8,000 for FSDD, 16,000 for the notes).
    key : int, str or bytes
        The secret. The same key always gives the same mark (bit-identical output).
    strength_db : float
        Energy of the mark relative to the audio's own energy in ``band_hz``, per STFT
        frame, in dB (must be negative). -18 dB (default) puts the mark 18 dB below the
        audio in its band and, with ``ceiling_db``, typically about 29 dB (at least about
        25 dB) below the whole clip (see :func:`watermark_to_signal_db`); higher is more
        robust and more audible.
    band_hz : (float, float)
        Frequency band of the mark in Hz, inside 0-4,000 Hz. Default 1,000-3,500 Hz.
    ceiling_db : float
        Upper limit of the mark's energy relative to the *whole* frame (all frequencies
        below 4 kHz), in dB; it caps the mark in frames whose energy is mostly in the
        band, so the overall watermark-to-signal ratio stays at or below about this value.
        Default -25 dB.

    Returns
    -------
    np.ndarray
        The marked clip, float32, same shape as ``audio``. Not clipped: a clip that peaks
        at full scale may exceed +-1 by a tiny amount.

    Raises
    ------
    ValueError
        On a clip that is too short, not mono, or holds NaN/Inf; a band outside
        0-4,000 Hz or narrower than 8 STFT bins; a non-negative ``strength_db``.

    Notes
    -----
    Taught in ``13_trends_challenges``. See the module docstring for the method and its
    limits.
    """
    x = _check_audio(audio, sr, "embed_watermark")
    bins = _band_bins(band_hz, "embed_watermark")
    if not np.isfinite(strength_db) or strength_db >= 0:
        raise ValueError(
            f"embed_watermark: strength_db must be a negative number of dB (the mark is "
            f"quieter than the audio), got {strength_db}; -20 is the default."
        )
    x8 = resample(x, sr, WATERMARK_SR).astype(np.float64) if sr != WATERMARK_SR else x
    mark8 = _mark_at_internal_rate(x8, key, strength_db, ceiling_db, bins)
    mark = resample(mark8, WATERMARK_SR, sr) if sr != WATERMARK_SR else mark8
    return (x + fix_length(mark, len(x))).astype(np.float32)


def detect_watermark(
    audio: np.ndarray,
    sr: int,
    key: Key,
    band_hz: Sequence[float] = DEFAULT_BAND_HZ,
    false_positive_rate: float = DEFAULT_FPR,
) -> WatermarkResult:
    """Look for the watermark of ``key`` in a clip.

    Parameters
    ----------
    audio : np.ndarray
        Mono waveform, shape ``(n_samples,)``, at least :data:`MIN_SECONDS` long, finite.
        It may have been resampled, re-levelled or mixed with noise since it was marked,
        but must start where the marked clip started.
    sr : int
        Its sample rate in Hz (at least 8,000); need not be the rate it was marked at.
    key : int, str or bytes
        The secret used by :func:`embed_watermark`.
    band_hz : (float, float)
        The band the mark was embedded in (must match the embedding).
    false_positive_rate : float
        Wanted probability of declaring an unmarked clip marked; sets the threshold via
        :func:`threshold_for` (default 1e-4, threshold 3.72).

    Returns
    -------
    WatermarkResult
        ``score`` (about N(0, 1) without the mark), ``threshold``, ``present``,
        ``p_value`` and ``n_bins``. A clip that is silent in the band gives score 0.

    Notes
    -----
    Taught in ``13_trends_challenges``. The score is a weighted sum of
    ``cos(phase(Y) - phase(P))`` over band bins, each frame weighted by the square root
    of its share of band energy, normalised by its standard deviation under "no mark".
    """
    x = _check_audio(audio, sr, "detect_watermark")
    bins = _band_bins(band_hz, "detect_watermark")
    threshold = threshold_for(false_positive_rate)
    x8 = resample(x, sr, WATERMARK_SR).astype(np.float64) if sr != WATERMARK_SR else x
    spec = _stft(x8)[:, bins]
    mag = np.abs(spec)
    floor = 1e-9 * max(float(mag.max()), 1e-30)
    used = mag > floor
    n_used = int(used.sum())
    if n_used == 0 or mag.max() < 1e-12:
        return WatermarkResult(0.0, threshold, False, 0.5, 0)
    pattern = _pattern(key, len(spec), len(bins))
    cosines = np.where(used, np.real(spec * np.conj(pattern)) / np.maximum(mag, floor), 0.0)
    weights = _frame_weights(mag)
    num = float(np.sum(weights[:, None] * cosines))
    var = 0.5 * float(np.sum(weights[:, None] ** 2 * used))
    score = num / np.sqrt(var)
    return WatermarkResult(
        score=score,
        threshold=threshold,
        present=bool(score > threshold),
        p_value=float(norm.sf(score)),
        n_bins=n_used,
    )


def _frame_weights(mag: np.ndarray) -> np.ndarray:
    """Per-frame detection weights (key-independent, so the null stays N(0, 1))."""
    energy = np.sum(mag**2, axis=1)
    return np.sqrt(energy / max(float(energy.max()), 1e-30))


def watermark_to_signal_db(original: np.ndarray, marked: np.ndarray) -> float:
    """Energy of the added mark relative to the original clip, in dB.

    Parameters
    ----------
    original, marked : np.ndarray
        The clip before and after :func:`embed_watermark`, same shape ``(n_samples,)``.

    Returns
    -------
    float
        ``10 log10(sum((marked - original)^2) / sum(original^2))``; e.g. -30 means the
        mark is 30 dB below the audio (the SNR of the marked clip against the original is
        the negative of this).

    Notes
    -----
    Taught in ``13_trends_challenges``.
    """
    a = np.asarray(original, dtype=np.float64)
    b = np.asarray(marked, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"original has shape {a.shape} but marked has shape {b.shape}")
    energy = float(np.sum(a**2))
    if energy <= 0:
        raise ValueError("original is silent: the watermark-to-signal ratio is undefined")
    return float(10 * np.log10(max(float(np.sum((b - a) ** 2)), 1e-30) / energy))


# ---------------------------------------------------------------------------------
# Attacks and the robustness table
# ---------------------------------------------------------------------------------

Attack = Callable[[np.ndarray, int, np.random.Generator], tuple[np.ndarray, int]]


def _resample_round_trip(via_sr: int) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        return fix_length(resample(resample(x, sr, via_sr), via_sr, sr), len(x)), sr

    return attack


def _resample_to(target_sr: int) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        return resample(x, sr, target_sr), target_sr

    return attack


def _white_noise(snr_db: float) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        power = float(np.mean(np.asarray(x, dtype=np.float64) ** 2))
        noise = rng.standard_normal(len(x)) * np.sqrt(power / 10 ** (snr_db / 10))
        return (x + noise).astype(np.float32), sr

    return attack


def _gain(db: float) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        return (np.asarray(x, dtype=np.float32) * np.float32(10 ** (db / 20))), sr

    return attack


def _low_pass(cutoff_hz: float) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        sos = butter(8, cutoff_hz, btype="low", fs=sr, output="sos")
        return sosfiltfilt(sos, np.asarray(x, dtype=np.float64)).astype(np.float32), sr

    return attack


def _quantise(bits: int) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        step = 2.0 / 2**bits
        return (np.round(np.clip(x, -1, 1) / step) * step).astype(np.float32), sr

    return attack


def _delay(n_samples: int) -> Attack:
    def attack(x: np.ndarray, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        return np.concatenate([np.zeros(n_samples, np.float32), x[:-n_samples]]), sr

    return attack


def default_attacks(sr: int) -> dict[str, Attack]:
    """The standard set of signal-processing "attacks" for :func:`robustness_table`.

    Parameters
    ----------
    sr : int
        Sample rate in Hz of the clips that will be attacked (chooses the round-trip rate).

    Returns
    -------
    dict of str to callable
        Name -> ``attack(audio, sr, rng) -> (audio, sr)``. ``none``; a resampling round
        trip (8 -> 16 -> 8 kHz for 8 kHz clips, else via 8 kHz); a one-way conversion to
        22,050 Hz; white noise at 20 dB SNR; gain -6 and +6 dB; an MP3-like 3 kHz
        low-pass; 8-bit quantisation; and a 1 ms delay (a known failure: see the module
        docstring's limits).

    Notes
    -----
    Taught in ``13_trends_challenges``.
    """
    via = 16000 if sr == WATERMARK_SR else WATERMARK_SR
    return {
        "none": lambda x, s, rng: (x, s),
        f"resample {sr / 1000:g}k -> {via / 1000:g}k -> {sr / 1000:g}k": _resample_round_trip(via),
        "resample to 22.05k": _resample_to(22050),
        "white noise 20 dB SNR": _white_noise(20.0),
        "gain -6 dB": _gain(-6.0),
        "gain +6 dB": _gain(6.0),
        "low-pass 3 kHz": _low_pass(3000.0),
        "8-bit quantisation": _quantise(8),
        "delay 1 ms": _delay(max(1, sr // 1000)),
    }


def robustness_scores(
    clips: Sequence[np.ndarray],
    sr: int,
    key: Key,
    attacks: Mapping[str, Attack] | None = None,
    strength_db: float = DEFAULT_STRENGTH_DB,
    band_hz: Sequence[float] = DEFAULT_BAND_HZ,
    wrong_key: Key | None = None,
    seed: int = 0,
    ceiling_db: float = DEFAULT_CEILING_DB,
) -> pd.DataFrame:
    """Detection scores of every clip under every attack, marked and unmarked.

    Every clip is marked with ``key``; each attack is applied to the marked clip and to
    the original. Three scores per clip and attack: the marked clip with ``key``
    (``case = "marked"``, should be high), the unmarked clip with ``key``
    (``"unmarked"``) and the marked clip with ``wrong_key`` (``"wrong key"``); the last two
    should look like draws from a standard normal distribution.

    Parameters
    ----------
    clips : sequence of np.ndarray or AudioSet
        Mono clips at ``sr``, each at least :data:`MIN_SECONDS` long.
    sr : int
        Sample rate in Hz.
    key : int, str or bytes
        The secret used for marking and detection.
    attacks : mapping of str to callable, optional
        ``attack(audio, sr, rng) -> (audio, sr)``; default :func:`default_attacks`.
    strength_db, band_hz : see :func:`embed_watermark`.
    wrong_key : int, str or bytes, optional
        A different key for the wrong-key check (default: ``f"{key}-wrong"``).
    seed : int
        Seed of the random attacks (the noise).
    ceiling_db : float
        See :func:`embed_watermark`.

    Returns
    -------
    pandas.DataFrame
        Long table, one row per (attack, clip, case), columns ``attack``, ``clip`` (index
        into ``clips``), ``case``, ``score``, ``duration_s`` and ``wsr_db`` (the clip's
        watermark-to-signal ratio before the attack, dB).

    Notes
    -----
    Taught in ``13_trends_challenges``.
    """
    clip_list = [np.asarray(c) for c in getattr(clips, "clips", clips)]
    if not clip_list:
        raise ValueError("robustness_scores: clips is empty; pass at least one clip")
    if attacks is None:
        attacks = default_attacks(sr)
    if wrong_key is None:
        wrong_key = f"{key}-wrong"
    if wrong_key == key:
        raise ValueError("robustness_scores: wrong_key must differ from key")
    marked = [embed_watermark(c, sr, key, strength_db, band_hz, ceiling_db) for c in clip_list]
    wsr = [watermark_to_signal_db(c, m) for c, m in zip(clip_list, marked, strict=True)]
    rng = np.random.default_rng(seed)
    rows = []
    for name, attack in attacks.items():
        for i, (original, mark) in enumerate(zip(clip_list, marked, strict=True)):
            y, y_sr = attack(mark, sr, rng)
            x, x_sr = attack(original.astype(np.float32), sr, rng)
            cases = (("marked", y, y_sr, key), ("unmarked", x, x_sr, key),
                     ("wrong key", y, y_sr, wrong_key))
            for case, audio, audio_sr, k in cases:
                result = detect_watermark(audio, audio_sr, k, band_hz)
                rows.append(
                    {
                        "attack": name,
                        "clip": i,
                        "case": case,
                        "score": result.score,
                        "duration_s": len(original) / sr,
                        "wsr_db": wsr[i],
                    }
                )
    return pd.DataFrame(rows)


def robustness_table(
    clips: Sequence[np.ndarray],
    sr: int,
    key: Key,
    attacks: Mapping[str, Attack] | None = None,
    strength_db: float = DEFAULT_STRENGTH_DB,
    band_hz: Sequence[float] = DEFAULT_BAND_HZ,
    false_positive_rate: float = DEFAULT_FPR,
    wrong_key: Key | None = None,
    seed: int = 0,
    scores: pd.DataFrame | None = None,
    ceiling_db: float = DEFAULT_CEILING_DB,
) -> pd.DataFrame:
    """Detection and false-positive rates of the watermark under each attack.

    Parameters
    ----------
    clips, sr, key, attacks, strength_db, band_hz, wrong_key, seed, ceiling_db
        As in :func:`robustness_scores`, which this calls.
    false_positive_rate : float
        Target false-positive rate of the detector; sets the threshold
        (:func:`threshold_for`).
    scores : pandas.DataFrame, optional
        A :func:`robustness_scores` table to summarise instead of computing one (then
        ``clips`` ... ``seed`` are ignored), e.g. to compare thresholds without re-running.

    Returns
    -------
    pandas.DataFrame
        One row per attack, indexed by its name (in the order given), with columns
        ``detection_rate`` (marked clips found with the right key), ``fpr_unmarked``
        (unmarked clips declared marked), ``fpr_wrong_key`` (marked clips declared marked
        by a wrong key), all fractions of clips; ``median_score_marked``,
        ``median_score_unmarked`` and ``n_clips``. ``attrs`` holds ``threshold`` and
        ``wsr_db`` (median watermark-to-signal ratio of the marked clips, dB).

    Notes
    -----
    Taught in ``13_trends_challenges``; ``benchmarks/bench_watermark.py`` runs it on FSDD
    speech and generated notes.
    """
    threshold = threshold_for(false_positive_rate)
    if scores is None:
        scores = robustness_scores(
            clips, sr, key, attacks, strength_db, band_hz, wrong_key, seed, ceiling_db
        )
    rows = []
    for name, group in scores.groupby("attack", sort=False):
        by_case = {case: g["score"].to_numpy() for case, g in group.groupby("case")}
        rows.append(
            {
                "attack": name,
                "detection_rate": float(np.mean(by_case["marked"] > threshold)),
                "fpr_unmarked": float(np.mean(by_case["unmarked"] > threshold)),
                "fpr_wrong_key": float(np.mean(by_case["wrong key"] > threshold)),
                "median_score_marked": float(np.median(by_case["marked"])),
                "median_score_unmarked": float(np.median(by_case["unmarked"])),
                "n_clips": len(by_case["marked"]),
            }
        )
    table = pd.DataFrame(rows).set_index("attack")
    table.attrs["threshold"] = threshold
    table.attrs["wsr_db"] = float(scores.groupby("clip")["wsr_db"].first().median())
    return table
