"""A simulated listener: a documented stand-in for a person who rates clips 1-5.

In JupyterLab a person rates the clips with the widgets of
:mod:`aigc_kit.interaction.widgets`; in the tests and in papermill reports nobody is there,
so the notebooks' ``rater = "simulated"`` uses a :class:`SimulatedListener` instead. It
rates through the same code path (its scores are written to the same
:class:`aigc_kit.interaction.feedback.FeedbackLog`), so the whole
generate -> rate -> adjust loop of ``08_interaction_feedback_loop`` runs headless.

Its taste is simple and stated: it likes a certain **brightness**. The brightness of a
clip is its mean spectral centroid in Hz (over frames louder than -50 dB of the clip's
peak). The score falls off with the distance from the preferred brightness on a log scale,
in octaves, like a Gaussian:

``score = 1 + 4 * exp(-0.5 * (log2(centroid / target_hz) / width_octaves) ** 2) + noise``

rounded to an integer and clipped to 1..5; ``noise ~ N(0, noise_std)`` makes it as
inconsistent as a person. A silent clip gets 1.

:class:`NaturalnessListener` judges how *natural* a clip sounds instead: it asks a
classifier how confidently it recognises the clip as one of the real classes (the kit's
evaluation network stands in for a listener's ear) and answers ``1 + 4 * confidence`` plus
noise, and in a blind test calls a clip "real" when its noisy confidence passes a threshold.
It drives the MOS, A/B and "AI or real?" tests of ``07_evaluation`` headless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import librosa
import numpy as np

MIN_SCORE, MAX_SCORE = 1, 5


def brightness_hz(audio: np.ndarray, sr: int, floor_db: float = -50.0) -> float:
    """Mean spectral centroid in Hz of the frames within ``floor_db`` of the loudest one.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,)
        A mono clip.
    sr : int
        Sample rate in Hz.
    floor_db : float
        Frames quieter than this (dB relative to the loudest frame) are ignored.

    Returns
    -------
    float
        Brightness in Hz; 0.0 for a silent clip.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` and ``07_evaluation``.
    """
    y = np.asarray(audio, dtype=np.float32).reshape(-1)
    if not np.all(np.isfinite(y)):
        raise ValueError("brightness_hz: the clip contains NaN or Inf samples")
    if len(y) < 512 or not np.any(y):
        return 0.0
    spectrum = np.abs(librosa.stft(y, n_fft=512, hop_length=128)) ** 2
    energy = spectrum.sum(axis=0)
    loud = energy >= energy.max() * 10 ** (floor_db / 10)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=512)
    centroids = (freqs[:, None] * spectrum[:, loud]).sum(axis=0) / energy[loud]
    return float(centroids.mean())


class Rater(Protocol):
    """What every simulated rater of the kit offers: a name and one ``rate`` signature.

    ``rate(clip, sr, *, reference=None) -> int``: a score for one mono clip at ``sr`` Hz;
    absolute ratings (MOS 1-5) take no ``reference``, relative ones (MUSHRA 0-100) need
    it. Widgets and logs call raters only through this.

    Notes
    -----
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """

    rater_id: str

    def rate(self, clip: np.ndarray, sr: int, *, reference: np.ndarray | None = None) -> int:
        """A score for ``clip``."""
        ...


def no_reference(rater: object, reference: np.ndarray | None) -> None:
    """A ``ValueError`` when an absolute rater is given a ``reference`` (never ignored).

    Notes
    -----
    Used by the raters of ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """
    if reference is not None:
        raise ValueError(f"{type(rater).__name__} rates clips on their own (a MOS score); "
                         "pass no reference (a MushraListener rates against one)")


@dataclass
class SimulatedListener:
    """A listener who prefers clips of a given brightness, with human-like noise.

    Parameters
    ----------
    target_hz : float
        The preferred brightness (mean spectral centroid) in Hz.
    width_octaves : float
        How far from the target, in octaves, the expected score has fallen from 5 to 3.4.
    noise_std : float
        Standard deviation of the noise added before rounding (in score points).
    seed : int
        Seed of the noise: the same listener rates the same clips the same way.
    rater_id : str
        The name written to the feedback log.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    target_hz: float = 1500.0
    width_octaves: float = 0.5
    noise_std: float = 0.5
    seed: int = 0
    rater_id: str = "simulated-listener"
    _rng: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.target_hz <= 0 or self.width_octaves <= 0 or self.noise_std < 0:
            raise ValueError("SimulatedListener: target_hz and width_octaves must be > 0 and "
                             "noise_std >= 0")
        self._rng = np.random.default_rng(self.seed)

    def expected_score(self, audio: np.ndarray, sr: int) -> float:
        """The noise-free score in [1, 5] (before rounding) of one clip."""
        centroid = brightness_hz(audio, sr)
        if centroid <= 0:
            return float(MIN_SCORE)
        distance = np.log2(centroid / self.target_hz) / self.width_octaves
        return float(MIN_SCORE + (MAX_SCORE - MIN_SCORE) * np.exp(-0.5 * distance**2))

    def rate(self, clip: np.ndarray, sr: int, *, reference: np.ndarray | None = None) -> int:
        """An integer score 1-5 for one clip at ``sr`` Hz: the expected score plus noise.

        An absolute rating (MOS): ``reference`` must be ``None``.
        """
        no_reference(self, reference)
        noisy = self.expected_score(clip, sr) + self._rng.normal(0.0, self.noise_std)
        return int(np.clip(np.rint(noisy), MIN_SCORE, MAX_SCORE))


@dataclass
class NaturalnessListener:
    """A simulated judge of naturalness: a classifier's confidence plus human-like noise.

    Parameters
    ----------
    confidence : callable
        ``confidence(clip, sr) -> float`` in [0, 1], e.g. the largest class probability a
        machine listener gives the clip (``listener.predict_proba(clip, sr).max()``).
    noise_std : float
        Standard deviation of the noise added to the score (points) and, divided by 4, to
        the confidence in :meth:`guess_real`.
    threshold : float
        Noisy confidence above which :meth:`guess_real` answers "real".
    seed : int
        Seed of the noise.
    rater_id : str
        The name written to the feedback log.

    Notes
    -----
    Taught in ``07_evaluation``.
    """

    confidence: Callable[[np.ndarray, int], float]
    noise_std: float = 0.5
    threshold: float = 0.6
    seed: int = 0
    rater_id: str = "simulated-judge"
    _rng: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.noise_std < 0 or not 0 < self.threshold < 1:
            raise ValueError("NaturalnessListener: noise_std >= 0 and 0 < threshold < 1")
        self._rng = np.random.default_rng(self.seed)

    def _confidence(self, clip: np.ndarray, sr: int) -> float:
        value = float(self.confidence(clip, sr))
        if not 0 <= value <= 1:
            raise ValueError(f"NaturalnessListener: confidence must be in [0, 1], got {value}")
        return value

    def rate(self, clip: np.ndarray, sr: int, *, reference: np.ndarray | None = None) -> int:
        """An integer naturalness score 1-5 of one clip at ``sr`` Hz (``reference``: None)."""
        no_reference(self, reference)
        noisy = MIN_SCORE + (MAX_SCORE - MIN_SCORE) * self._confidence(clip, sr)
        noisy += self._rng.normal(0.0, self.noise_std)
        return int(np.clip(np.rint(noisy), MIN_SCORE, MAX_SCORE))

    def guess_real(self, clip: np.ndarray, sr: int) -> str:
        """``"real"`` or ``"ai"``: the blind-test answer for one clip at ``sr`` Hz."""
        noisy = self._confidence(clip, sr) + self._rng.normal(0.0, self.noise_std / 4)
        return "real" if noisy > self.threshold else "ai"

    def prefer(self, a: np.ndarray, b: np.ndarray, sr: int) -> str:
        """``"A"`` or ``"B"``: the clip of the higher noisy score (ties go to ``"tie"``)."""
        score_a, score_b = self.rate(a, sr), self.rate(b, sr)
        return "tie" if score_a == score_b else ("A" if score_a > score_b else "B")


def spectral_distance_db(estimate: np.ndarray, reference: np.ndarray, sr: int,
                         n_fft: int = 512) -> float:
    """How different two clips' average spectra are, in dB (0 for the same clip).

    ``(estimate, reference)``, the order of every metric of the kit (the distance is
    symmetric, so the order changes nothing but reading).

    The clips' time-averaged power spectra (``n_fft``-point STFT) are each normalised to
    their peak and floored at -80 dB; the distance is the root-mean-square difference of
    the two in dB, each frequency bin weighted by the louder of the two spectra there to
    the power 0.3 (so a bin both clips leave near silence counts little, as it does for
    the ear). Level and timing do not count; timbre and bandwidth do. ``sr`` is in Hz.

    Notes
    -----
    The ear of :class:`MushraListener` (``07_evaluation``).
    """
    spectra = []
    for y in (estimate, reference):
        y = np.asarray(y, dtype=np.float32).reshape(-1)
        if not np.all(np.isfinite(y)):
            raise ValueError("spectral_distance_db: a clip contains NaN or Inf samples")
        power = (np.abs(librosa.stft(y, n_fft=n_fft, hop_length=n_fft // 4)) ** 2).mean(axis=1)
        spectra.append(np.maximum(power / max(power.max(), 1e-20), 1e-8))
    weight = np.maximum(*spectra) ** 0.3
    squared = (10 * np.log10(spectra[0]) - 10 * np.log10(spectra[1])) ** 2
    return float(np.sqrt((squared * weight).sum() / weight.sum()))


@dataclass
class MushraListener:
    """A simulated MUSHRA listener: rates how close each condition sounds to the reference.

    The expected score is ``100 * exp(-d / scale_db)``, with ``d`` the
    :func:`spectral_distance_db` between the condition and the reference (the hidden
    reference scores 100, a low-pass anchor far less), plus ``N(0, noise_std)`` noise,
    rounded and clipped to 0..100. An *unreliable* listener (``reliable=False``) answers
    at random, uniformly in 0..100, the kind of rater BS.1534's post-screening removes.
    In an ABX trial it says X is whichever of A and B is closer to it, with noise.

    Parameters
    ----------
    rater_id : str
    scale_db : float
        Distance (dB) at which the expected score has fallen to 100/e (37). 24 dB by
        default: on chapter 7's held-out notes the kit's vocoder round trip (about 8.5 dB)
        then scores about 70, a 700 Hz low-pass anchor (about 27 dB) about 32.
    noise_std : float
        Standard deviation of the score noise (points); also, in dB, of the ABX decision.
    reliable : bool
    seed : int

    Notes
    -----
    Taught in ``07_evaluation``.
    """

    rater_id: str = "mushra-listener"
    scale_db: float = 24.0
    noise_std: float = 3.0
    reliable: bool = True
    seed: int = 0
    _rng: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.scale_db <= 0 or self.noise_std < 0:
            raise ValueError("MushraListener: scale_db must be > 0 and noise_std >= 0")
        self._rng = np.random.default_rng(self.seed)

    def rate(self, clip: np.ndarray, sr: int, *, reference: np.ndarray | None = None) -> int:
        """A score 0-100 for ``clip`` against ``reference`` (both mono at ``sr`` Hz).

        A MUSHRA rating is relative: ``reference`` is required.
        """
        if reference is None:
            raise ValueError("MushraListener.rate: a MUSHRA score needs the reference clip "
                             "(rate(clip, sr, reference=...))")
        if not self.reliable:
            return int(self._rng.integers(0, 101))
        expected = 100 * np.exp(-spectral_distance_db(clip, reference, sr) / self.scale_db)
        return int(np.clip(np.rint(expected + self._rng.normal(0, self.noise_std)), 0, 100))

    def scores(self, reference: np.ndarray, conditions: dict[str, np.ndarray],
               sr: int) -> dict[str, int]:
        """``{condition: score}`` for one MUSHRA trial (for ``MushraTest.rate_trial``)."""
        return {name: self.rate(clip, sr, reference=reference)
                for name, clip in conditions.items()}

    def abx(self, a: np.ndarray, b: np.ndarray, x: np.ndarray, sr: int) -> str:
        """``"A"`` or ``"B"``: which one X sounds like."""
        if not self.reliable:
            return "AB"[int(self._rng.integers(0, 2))]
        to_a = spectral_distance_db(x, a, sr) + self._rng.normal(0, self.noise_std / 10)
        to_b = spectral_distance_db(x, b, sr) + self._rng.normal(0, self.noise_std / 10)
        return "A" if to_a <= to_b else "B"
