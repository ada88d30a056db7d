"""The embedded default dataset: synthetic musical notes generated from a seed.

Four single-note synthesizers (``organ``, ``pluck``, ``bell``, ``bowed``) and
:func:`synth_notes`, which renders every (pitch, timbre, loudness, variant) combination
into an :class:`~aigc_kit.data.dataset.AudioSet` with exact pitch labels. No files
are read or downloaded, so the course runs offline from the first cell.

Taught in ``02_data_collection_preprocessing``; later chapters render melodies with
:func:`synth_note`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product

import numpy as np
import pandas as pd
from scipy.signal import lfilter
from tqdm.auto import tqdm

from aigc_kit.data.dataset import AudioSet
from aigc_kit.data.preprocess import normalize_peak, rms_db

Synth = Callable[[float, float, int, np.random.Generator], np.ndarray]

_NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_MAX_DETUNE_CENTS = 3.0
_LIMIT_THRESHOLD = 0.5  # the soft limiter is linear below this magnitude


# ---------------------------------------------------------------------------------
# Small building blocks
# ---------------------------------------------------------------------------------


def midi_to_hz(midi: float | np.ndarray) -> float | np.ndarray:
    """Equal-temperament frequency in Hz of a MIDI note number (A4 = 69 = 440 Hz).

    Taught in ``02_data_collection_preprocessing``.
    """
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)


def midi_to_note(midi: int) -> str:
    """Scientific pitch name of a MIDI note number, e.g. ``60 -> "C4"``, ``61 -> "C#4"``.

    Taught in ``02_data_collection_preprocessing``.
    """
    return f"{_NOTE_NAMES[int(midi) % 12]}{int(midi) // 12 - 1}"


def _note_args(
    f0_hz: float, duration_s: float, sr: int, rng: np.random.Generator
) -> tuple[int, float]:
    """Validate the common synthesizer arguments; return the length in samples and ``f0``.

    ``f0`` is ``f0_hz`` shifted by a random detune of at most ``_MAX_DETUNE_CENTS`` cents.
    """
    if not sr > 0:
        raise ValueError(f"sr must be a positive sample rate in Hz, got {sr!r}")
    if not 0.0 < f0_hz < sr / 2:
        raise ValueError(f"f0_hz must lie in (0, sr/2) = (0, {sr / 2:g}) Hz, got {f0_hz!r}")
    n = round(duration_s * sr) if np.isfinite(duration_s) else 0
    if n < 1:
        raise ValueError(f"duration_s must give at least one sample, got {duration_s!r}")
    return n, f0_hz * 2.0 ** (rng.uniform(-_MAX_DETUNE_CENTS, _MAX_DETUNE_CENTS) / 1200.0)


def _adsr(
    n: int, sr: int, attack_s: float, decay_s: float, sustain: float, release_s: float
) -> np.ndarray:
    """Attack-decay-sustain-release amplitude envelope of ``n`` samples, peak 1.

    The attack rises linearly, the decay falls exponentially (time constant
    ``decay_s``) towards ``sustain``, and the release fades linearly to 0 over the
    last ``release_s`` seconds of the note.
    """
    t = np.arange(n) / sr
    env = sustain + (1.0 - sustain) * np.exp(-np.maximum(t - attack_s, 0.0) / decay_s)
    env *= np.minimum(t / attack_s, 1.0)
    n_release = min(max(round(release_s * sr), 1), n)
    env[n - n_release :] *= np.linspace(1.0, 0.0, n_release)
    return env


def _scaled(rng: np.random.Generator, value: float, spread: float = 0.2) -> float:
    """``value`` times a random factor in ``[1 - spread, 1 + spread]``."""
    return value * rng.uniform(1.0 - spread, 1.0 + spread)


def _full_scale(x: np.ndarray) -> np.ndarray:
    """``x`` as float32 at a peak of 1 (0 dBFS); silence stays silent."""
    return normalize_peak(x, 0.0, silent="keep")


def _additive(phase: np.ndarray, harmonics: np.ndarray, amps: np.ndarray,
              offsets: np.ndarray) -> np.ndarray:
    """Sum of sines ``amps[k] * sin(harmonics[k] * phase + offsets[k])``."""
    return amps @ np.sin(np.outer(harmonics, phase) + offsets[:, None])


# ---------------------------------------------------------------------------------
# The four timbres
# ---------------------------------------------------------------------------------

# Drawbars 8', 4', 2 2/3', 2', 1 3/5', 1 1/3', 1' sound harmonics 1, 2, 3, 4, 5, 6, 8.
# (The sub-octave 16' and 5 1/3' bars are left out so the fundamental is the pitch.)
_DRAWBAR_HARMONICS = np.array([1, 2, 3, 4, 5, 6, 8])
_DRAWBAR_REGISTRATIONS = np.array(
    [
        [8, 8, 8, 0, 0, 0, 0],  # full "888" jazz organ
        [8, 6, 4, 4, 2, 2, 2],  # bright
        [8, 5, 3, 2, 0, 0, 0],  # mellow flute
        [8, 8, 6, 6, 4, 3, 4],  # gospel
        [8, 4, 0, 3, 0, 2, 0],  # church principal
    ]
)


def organ(f0_hz: float, duration_s: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A tonewheel-organ note: additive harmonics with drawbar-like weights.

    A random drawbar registration (each drawbar step is 3 dB) is perturbed by up to
    one step per harmonic; harmonics above 0.45 ``sr`` are dropped (band-limited).
    The envelope is an organ's: a fast attack, full sustain and a short release.

    Parameters
    ----------
    f0_hz : float
        Fundamental frequency in Hz (detuned by at most 3 cents at random).
    duration_s : float
        Note length in seconds, release included.
    sr : int
        Sample rate in Hz.
    rng : numpy.random.Generator
        Source of the random variation.

    Returns
    -------
    np.ndarray
        float32 waveform of shape ``(round(duration_s * sr),)`` with peak magnitude 1.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    n, f0 = _note_args(f0_hz, duration_s, sr, rng)
    levels = _DRAWBAR_REGISTRATIONS[rng.integers(len(_DRAWBAR_REGISTRATIONS))].astype(float)
    levels[1:] = np.clip(levels[1:] + rng.uniform(-1.0, 1.0, len(levels) - 1), 0.0, 8.0)
    amps = np.where(levels > 0, 10.0 ** (3.0 * (levels - 8.0) / 20.0), 0.0)
    keep = _DRAWBAR_HARMONICS * f0 < 0.45 * sr
    phase = 2 * np.pi * f0 * np.arange(n) / sr
    offsets = rng.uniform(0, 2 * np.pi, keep.sum())
    tone = _additive(phase, _DRAWBAR_HARMONICS[keep], amps[keep], offsets)
    env = _adsr(n, sr, _scaled(rng, 0.008), 0.1, 1.0, _scaled(rng, 0.05))
    return _full_scale(tone * env)


def _allpass_coefficient(delay: float, omega: float) -> float:
    """First-order allpass ``(c + z^-1) / (1 + c z^-1)`` with phase delay ``delay`` at ``omega``.

    Exact at ``omega`` (radians per sample), not only at low frequency (Jaffe & Smith).
    """
    return float(np.sin(omega * (1.0 - delay) / 2) / np.sin(omega * (1.0 + delay) / 2))


def _karplus_strong(excitation: np.ndarray, n: int, period: float, gain: float) -> np.ndarray:
    """Karplus-Strong string: ``excitation`` fed into a tuned, damped delay-line loop.

    The loop is an integer delay ``N``, the two-point average ``(1 + z^-1)/2`` (exactly
    half a sample of delay) and a first-order allpass supplying the fractional rest, so
    the loop delay at the fundamental is exactly ``period`` samples. The whole loop is
    one rational transfer function, run with a single :func:`scipy.signal.lfilter`.
    """
    n_int = int(np.floor(period - 1.0))
    c = _allpass_coefficient(period - n_int - 0.5, 2 * np.pi / period)
    # Y (1 + c z^-1) - gain z^-N (1 + z^-1)/2 (c + z^-1) Y = X (1 + c z^-1)
    a = np.zeros(n_int + 3)
    a[0], a[1] = 1.0, c
    a[n_int : n_int + 3] -= gain * np.array([c, 1.0 + c, 1.0]) / 2
    x = np.zeros(n)
    m = min(len(excitation), n)
    x[:m] = excitation[:m]
    return lfilter([1.0, c], a, x)


def pluck(f0_hz: float, duration_s: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A plucked string (Karplus-Strong), tuned to within a cent by an allpass filter.

    A one-period burst of zero-mean noise, low-passed by a random amount (brightness),
    circulates in a delay line whose total delay at the fundamental is exactly
    ``sr / f0`` samples. High notes decay faster, as on a real string; the note is
    damped over a short release at its end.

    Parameters
    ----------
    f0_hz : float
        Fundamental frequency in Hz (detuned by at most 3 cents at random).
    duration_s : float
        Note length in seconds, release included.
    sr : int
        Sample rate in Hz.
    rng : numpy.random.Generator
        Source of the random variation.

    Returns
    -------
    np.ndarray
        float32 waveform of shape ``(round(duration_s * sr),)`` with peak magnitude 1.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    n, f0 = _note_args(f0_hz, duration_s, sr, rng)
    period = sr / f0
    burst = rng.uniform(-1.0, 1.0, int(np.ceil(period)))
    brightness = rng.uniform(0.2, 0.7)  # one-pole low-pass coefficient: higher is duller
    burst = lfilter([1.0 - brightness], [1.0, -brightness], burst - burst.mean())
    string = _karplus_strong(burst, n, period, gain=rng.uniform(0.996, 0.999))
    env = _adsr(n, sr, 0.002, 1.0, 1.0, _scaled(rng, 0.04))
    return _full_scale(string * env)


def bell(f0_hz: float, duration_s: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """An FM (frequency-modulation) bell / electric-piano note.

    A 1:1 carrier:modulator pair gives a harmonic spectrum whose brightness follows the
    modulation index, which decays with the note (bright strike, mellow tail); a
    quieter inharmonic 3.5:1 partial that dies within about 0.1 s adds the metallic
    strike. The amplitude envelope is percussive (instant attack, exponential decay).

    Parameters
    ----------
    f0_hz : float
        Fundamental frequency in Hz (detuned by at most 3 cents at random).
    duration_s : float
        Note length in seconds, release included.
    sr : int
        Sample rate in Hz.
    rng : numpy.random.Generator
        Source of the random variation.

    Returns
    -------
    np.ndarray
        float32 waveform of shape ``(round(duration_s * sr),)`` with peak magnitude 1.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    n, f0 = _note_args(f0_hz, duration_s, sr, rng)
    t = np.arange(n) / sr
    # Keep the strongest FM sidebands (about index + 2 of them) below Nyquist.
    max_index = max(0.45 * sr / f0 - 2.0, 0.0)
    index0 = min(rng.uniform(1.5, 3.5), max_index)
    index = index0 * np.exp(-t / _scaled(rng, 0.3)) + min(0.3, max_index)
    phase = 2 * np.pi * f0 * t
    body = np.sin(phase + index * np.sin(phase))
    strike = 0.0
    if 3.5 * f0 < 0.45 * sr:
        strike = rng.uniform(0.1, 0.25) * np.exp(-t / _scaled(rng, 0.04)) * np.sin(3.5 * phase)
    env = _adsr(n, sr, 0.003, _scaled(rng, 0.6), 0.0, _scaled(rng, 0.05))
    return _full_scale((body + strike) * env)


def bowed(f0_hz: float, duration_s: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A bowed string: a band-limited sawtooth with delayed vibrato and a slow attack.

    The sawtooth is summed harmonic by harmonic (amplitudes ``1 / k**tilt``, ``tilt``
    random, so brightness varies) up to 0.45 ``sr``. The vibrato (5-6 Hz, 4-8 cents)
    fades in after the attack and is symmetric in cents, so the median pitch is ``f0``.

    Parameters
    ----------
    f0_hz : float
        Fundamental frequency in Hz (detuned by at most 3 cents at random).
    duration_s : float
        Note length in seconds, release included.
    sr : int
        Sample rate in Hz.
    rng : numpy.random.Generator
        Source of the random variation.

    Returns
    -------
    np.ndarray
        float32 waveform of shape ``(round(duration_s * sr),)`` with peak magnitude 1.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    n, f0 = _note_args(f0_hz, duration_s, sr, rng)
    t = np.arange(n) / sr
    depth_cents = rng.uniform(4.0, 8.0)
    onset = rng.uniform(0.1, 0.25)
    fade_in = np.clip((t - onset) / 0.2, 0.0, 1.0)
    vibrato = depth_cents * fade_in * np.sin(2 * np.pi * rng.uniform(5.0, 6.0) * t)
    phase = 2 * np.pi * np.cumsum(f0 * 2.0 ** (vibrato / 1200.0)) / sr
    n_harmonics = max(int(0.45 * sr / (f0 * 2.0 ** (depth_cents / 1200.0))), 1)
    harmonics = np.arange(1, n_harmonics + 1)
    amps = 1.0 / harmonics ** rng.uniform(1.0, 1.4)
    saw = _additive(phase, harmonics, amps, np.zeros(n_harmonics))
    env = _adsr(n, sr, _scaled(rng, 0.08), 0.2, 0.8, _scaled(rng, 0.1))
    return _full_scale(saw * env)


TIMBRES: dict[str, Synth] = {"organ": organ, "pluck": pluck, "bell": bell, "bowed": bowed}
"""The synthesizers by name; each maps ``(f0_hz, duration_s, sr, rng)`` to a waveform."""


def synth_note(
    timbre: str, f0_hz: float, duration_s: float, sr: int, rng: np.random.Generator
) -> np.ndarray:
    """One note of the named timbre (a key of :data:`TIMBRES`).

    Parameters
    ----------
    timbre : str
        ``"organ"``, ``"pluck"``, ``"bell"`` or ``"bowed"``.
    f0_hz : float
        Fundamental frequency in Hz.
    duration_s : float
        Note length in seconds, release included.
    sr : int
        Sample rate in Hz.
    rng : numpy.random.Generator
        Source of the random variation (detune, envelope times, brightness).

    Returns
    -------
    np.ndarray
        float32 waveform of shape ``(round(duration_s * sr),)`` with peak magnitude 1.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    if timbre not in TIMBRES:
        raise ValueError(f"unknown timbre {timbre!r}; choose one of {sorted(TIMBRES)}")
    return TIMBRES[timbre](f0_hz, duration_s, sr, rng)


# ---------------------------------------------------------------------------------
# Loudness
# ---------------------------------------------------------------------------------


def _soft_limit(x: np.ndarray) -> np.ndarray:
    """Linear below ``_LIMIT_THRESHOLD``, smoothly saturating towards magnitude 1 above."""
    t = _LIMIT_THRESHOLD
    mag = np.abs(x)
    over = t + (1.0 - t) * np.tanh((mag - t) / (1.0 - t))
    return np.where(mag > t, np.sign(x) * over, x)


def _fit_rms_db(x: np.ndarray, target_db: float) -> np.ndarray:
    """``x`` (not silent) as float32 at an RMS of ``target_db`` dBFS, peaks below 1.

    When plain gain would push peaks past 1 (a loud pluck's attack), the soft limiter
    rounds them off and the gain is found by bisection so the RMS still matches.
    ``target_db`` must be below -3 dBFS (the RMS of a full-scale sine).
    """
    if not target_db < -3.0:
        raise ValueError(f"target_db must be below -3 dBFS, got {target_db!r}")
    level = rms_db(x)
    if level <= -200.0:
        raise ValueError("_fit_rms_db: the waveform is silent")
    gain = 10.0 ** ((target_db - level) / 20.0)
    if gain * np.max(np.abs(x)) <= _LIMIT_THRESHOLD:
        return (x * gain).astype(np.float32)
    lo, hi = gain, gain * 10.0 ** (60.0 / 20.0)
    for _ in range(40):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if rms_db(_soft_limit(x * mid)) < target_db else (lo, mid)
    return _soft_limit(x * np.sqrt(lo * hi)).astype(np.float32)


def _loudness_levels(loudness_db: Sequence[float] | Mapping[str, float]) -> dict[str, float]:
    """Name each target level: a mapping is kept; three levels are soft/medium/loud."""
    if isinstance(loudness_db, Mapping):
        levels = {str(k): float(v) for k, v in loudness_db.items()}
    else:
        values = sorted(float(v) for v in loudness_db)
        names = ("soft", "medium", "loud") if len(values) == 3 else [f"{v:g} dBFS" for v in values]
        levels = dict(zip(names, values, strict=True))
    if not levels:
        raise ValueError("loudness_db is empty; give at least one target RMS level in dBFS")
    return levels


# ---------------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------------


def _note_rng(seed: int, midi: int, timbre: str, variant: int) -> np.random.Generator:
    """The generator for one note, independent of which other notes are rendered."""
    return np.random.default_rng([seed, midi, zlib.crc32(timbre.encode()), variant])


def synth_notes(
    pitches: Iterable[int] = range(60, 72),
    timbres: Sequence[str] = tuple(TIMBRES),
    loudness_db: Sequence[float] | Mapping[str, float] = (-30.0, -20.0, -12.0),
    n_variants: int = 1,
    duration_s: float = 1.0,
    sr: int = 16000,
    seed: int = 0,
    progress: bool = False,
) -> AudioSet:
    """The default dataset: every pitch x timbre x loudness x variant as a labelled clip.

    Each (pitch, timbre, variant) note is synthesized once with its own random
    variation (seeded from ``seed`` and the note, so a note does not change when other
    pitches or timbres are added) and rendered at every loudness level, so the levels
    of one note differ only in gain (and, when loud, a soft limiter on the peaks).

    Parameters
    ----------
    pitches : iterable of int
        MIDI note numbers (60 = C4 = 261.63 Hz). Default: the 12 notes C4 to B4.
    timbres : sequence of str
        Keys of :data:`TIMBRES`. Default: all four.
    loudness_db : sequence of float or mapping of str to float
        Target RMS levels in dBFS. Three levels are named ``"soft"``, ``"medium"`` and
        ``"loud"`` (quietest first); a mapping gives its own names.
    n_variants : int
        Random variations per (pitch, timbre).
    duration_s : float
        Clip length in seconds.
    sr : int
        Sample rate in Hz.
    seed : int
        Same seed, bit-identical clips; a different seed, different clips.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    AudioSet
        ``len(pitches) * len(timbres) * len(loudness_db) * n_variants`` float32 clips of
        ``round(duration_s * sr)`` samples. Label columns: ``midi`` (int), ``note``
        (str, e.g. ``"C4"``), ``f0_hz`` (float, equal temperament with A4 = 440 Hz),
        ``timbre`` (str), ``loudness`` (str), ``loudness_db`` (float, target RMS in
        dBFS) and ``variant`` (int).

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``. The 144 default clips take well
    under a second to generate.
    """
    pitches = [int(p) for p in pitches]
    if not pitches or min(pitches) < 0 or max(pitches) > 127:
        raise ValueError(f"pitches must be a non-empty set of MIDI numbers 0-127, got {pitches}")
    unknown = [t for t in timbres if t not in TIMBRES]
    if unknown or not timbres:
        raise ValueError(f"unknown or no timbres {unknown}; choose from {sorted(TIMBRES)}")
    if n_variants < 1:
        raise ValueError(f"n_variants must be at least 1, got {n_variants}")
    levels = _loudness_levels(loudness_db)
    notes = list(product(pitches, timbres, range(n_variants)))
    clips, rows = [], []
    for midi, timbre, variant in tqdm(notes, desc="synth_notes", disable=not progress):
        f0 = float(midi_to_hz(midi))
        note = synth_note(timbre, f0, duration_s, sr, _note_rng(seed, midi, timbre, variant))
        for name, target in levels.items():
            clips.append(_fit_rms_db(note, target))
            rows.append((midi, midi_to_note(midi), f0, timbre, name, target, variant))
    columns = ["midi", "note", "f0_hz", "timbre", "loudness", "loudness_db", "variant"]
    return AudioSet(clips, sr, pd.DataFrame(rows, columns=columns))
