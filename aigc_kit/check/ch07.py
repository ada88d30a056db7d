"""Self-checks of chapter 7's exercises (``notebooks/07_evaluation``).

Each check recomputes the expected result from the objects the notebook passes in (the
original clip, the listener's probabilities, the ratings), so it stays right whatever
models, seeds or numbers of judges the notebook ran with; hints never give the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from aigc_kit.check.core import Outcome, close, exercise, not_a_function, right, wrong
from aigc_kit.evaluation.generative import inception_score
from aigc_kit.evaluation.signal import lsd, si_snr, snr


def _delayed(x: np.ndarray, d: int, wrap: bool = False) -> np.ndarray:
    """``x`` delayed by ``d`` samples: zeros in front (or wrapped round), same length."""
    if wrap:
        return np.roll(x, d)
    return np.concatenate([np.zeros(d), x[: len(x) - d]])


def _snr_lsd(estimate: np.ndarray, reference: np.ndarray, sr: float) -> np.ndarray:
    return np.array([snr(estimate, reference), lsd(estimate, reference, sr)])


@exercise
def ex1(answer: Any, original: np.ndarray, f0_hz: float, sr: float) -> Outcome:
    """Exercise 1: SNR and LSD of a clip delayed by half a period.

    ``answer``: array ``[snr_db, lsd_db]`` of ``original`` delayed by
    ``round(sr / (2 * f0_hz))`` samples (zeros in front, same length) against ``original``.
    """
    x = np.asarray(original, dtype=np.float64)
    d = int(round(sr / (2 * float(f0_hz))))
    expected = _snr_lsd(_delayed(x, d), x, sr)
    values = np.asarray(answer, dtype=np.float64)
    if values.shape != (2,):
        return wrong(f"give two numbers, np.array([snr_db, lsd_db]); got shape {values.shape}")
    if close(values, expected, rtol=1e-3, atol=1e-3):
        return right("a half-period delay changes no magnitude, so LSD barely moves, while SNR "
                     "collapses: the waveform metrics need an aligned, same-phase reference")
    if close(values[::-1], expected, rtol=1e-3, atol=1e-3):
        return wrong("the order is [SNR, LSD]: SNR first")
    if close(values, _snr_lsd(_delayed(x, d, wrap=True), x, sr), rtol=1e-3, atol=1e-3):
        return wrong("put zeros in front and cut the end (np.concatenate), rather than "
                     "wrapping the end round to the start with np.roll")
    if close(values, _snr_lsd(_delayed(x, 2 * d), x, sr), rtol=1e-3, atol=1e-3):
        return wrong("that is a whole period; the delay is half of it: sr / (2 * f0) samples")
    if any(close(values, _snr_lsd(_delayed(x, k), x, sr), rtol=1e-3, atol=1e-3)
           for k in (d - 1, d + 1) if k > 0):
        return wrong("round the half period to the nearest whole sample (round, not floor "
                     "or ceil)")
    if close(values[1], lsd(x, _delayed(x, d), sr), rtol=1e-3, atol=1e-3):
        return wrong("the kit's metrics take (estimate, reference): the delayed clip first")
    if values[0] > 30:
        return wrong("an SNR this high means the estimate is almost the original: did the "
                     "delay happen? The delay is sr / (2 * f0) samples")
    return wrong("delay `originals[0]` by round(spec.sr / (2 * f0)) samples (zeros in front, "
                 "same length), then snr(delayed, original) and lsd(delayed, original, sr)")


def _si_snr_no_mean(estimate: np.ndarray, reference: np.ndarray) -> float:
    alpha = estimate @ reference / (reference @ reference)
    target = alpha * reference
    return float(10 * np.log10((target @ target) / ((estimate - target) @ (estimate - target))))


def _check_inputs() -> list[tuple[np.ndarray, np.ndarray]]:
    """Estimate/reference pairs with a gain, a sign flip, noise and DC offsets."""
    rng = np.random.default_rng(7)
    t = np.arange(800) / 8000
    pairs = []
    for gain, offset in ((0.7, 0.0), (-1.7, 0.3), (2.5, -0.2)):
        reference = np.sin(2 * np.pi * 220 * t) + 0.3 * np.sin(2 * np.pi * 470 * t) + offset
        estimate = gain * reference + 0.25 * rng.standard_normal(t.size) + 0.5
        pairs.append((estimate, reference))
    return pairs


@exercise
def ex2(answer: Any) -> Outcome:
    """Exercise 2: SI-SNR written from its equation.

    ``answer``: a function ``(estimate, reference) -> float``, SI-SNR in dB of 1-D arrays;
    called here on its own pairs and compared with ``aigc_kit.evaluation.si_snr``.
    """
    if (hint := not_a_function(answer, "my_si_snr")) is not None:
        return hint
    func: Callable[[np.ndarray, np.ndarray], Any] = answer
    for estimate, reference in _check_inputs():
        try:
            value = float(np.asarray(func(estimate.copy(), reference.copy()), dtype=float))
        except Exception as error:  # noqa: BLE001 - the student's code may raise anything
            return wrong(f"your function raised {type(error).__name__}: {error}")
        expected = float(si_snr(estimate, reference))
        if close(value, expected, rtol=1e-4, atol=1e-4):
            continue
        if close(value, _si_snr_no_mean(estimate, reference), rtol=1e-4, atol=1e-4):
            return wrong("remove the mean of both signals first: with a DC offset the "
                         "projection is thrown off")
        if close(value, float(snr(estimate, reference)), rtol=1e-4, atol=1e-4):
            return wrong("that is the plain SNR; SI-SNR first scales the reference by "
                         "alpha = <est, ref> / <ref, ref> and calls the rest noise")
        if close(value, 10 ** (expected / 10), rtol=1e-3):
            return wrong("return decibels: 10 * log10 of the energy ratio")
        if close(value, 2 * expected, rtol=1e-4, atol=1e-4):
            return wrong("the ratio is of energies (squared norms): 10 * log10, not 20 * log10")
        if close(value, -expected, rtol=1e-4, atol=1e-4):
            return wrong("the ratio is target energy over noise energy, not the other way round")
        return wrong("with both signals zero-mean: alpha = <est, ref> / <ref, ref>, "
                     "s = alpha * ref, e = est - s, SI-SNR = 10 log10(<s, s> / <e, e>)")
    return right("a gain, even a negative one, does not change it: that is what "
                 "'scale-invariant' buys, and why -si_snr is a popular training loss")


@exercise
def ex3(answer: Any, probabilities: np.ndarray) -> Outcome:
    """Exercise 3: the Inception score of the GAN's samples, by hand, in one split.

    ``answer``: a float, ``exp(mean_x KL(p(y|x) || p(y)))`` with ``p(y)`` the mean row.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    expected = inception_score(p, splits=1)
    value = np.asarray(answer, dtype=np.float64)
    if value.shape != ():
        return wrong(f"give one number (a float), not an array of shape {value.shape}")
    if close(value, expected, rtol=1e-4):
        return right("1 means every sample is heard as the same blurred mixture; the number "
                     "of classes is the ceiling (confident and evenly spread)")
    if close(value, np.log(expected), rtol=1e-4, atol=1e-6):
        return wrong("that is the mean KL divergence; the score is its exponential")
    marginal = p.mean(axis=0, keepdims=True)
    reverse = np.sum(marginal * (np.log(marginal + 1e-12) - np.log(p + 1e-12)), axis=1)
    if close(value, np.exp(reverse.mean()), rtol=1e-4):
        return wrong("the KL divergence goes from each sample's p(y|x) to the marginal p(y): "
                     "sum over y of p(y|x) * (log p(y|x) - log p(y))")
    if value < 1 or value > p.shape[1]:
        return wrong("an Inception score lies between 1 and the number of classes; check the "
                     "KL divergence (natural logs, summed over classes, averaged over samples)")
    return wrong("p(y) is the mean of the rows of heard_as['GAN']; KL per sample summed over "
                 "the classes, averaged over the samples, then exp")


def _mos_interval(scores: np.ndarray, quantile: float | None = None, ddof: int = 1
                  ) -> np.ndarray:
    n = len(scores)
    q = stats.t.ppf(0.975, df=n - 1) if quantile is None else quantile
    return np.array([scores.mean(), q * scores.std(ddof=ddof) / np.sqrt(n)])


@exercise
def ex4(answer: Any, ratings: pd.DataFrame, system: str = "GAN") -> Outcome:
    """Exercise 4: the GAN's MOS and the half-width of its 95 % Student-t interval.

    ``answer``: array ``[mos, half_width]`` from the rows of ``ratings`` tagged ``system``.
    """
    values = np.asarray(answer, dtype=np.float64)
    if values.shape != (2,):
        return wrong(f"give two numbers, np.array([mos, half_width]); got shape {values.shape}")
    scores = ratings.loc[ratings["tag"] == system, "score"].to_numpy(dtype=np.float64)
    expected = _mos_interval(scores)
    if close(values, expected, rtol=1e-4):
        return right("the half-width shrinks as 1/sqrt(n): four times the ratings for half "
                     "the width")
    if not close(values[0], expected[0], rtol=1e-4):
        for other in sorted(set(ratings["tag"]) - {system}):
            other_scores = ratings.loc[ratings["tag"] == other, "score"].to_numpy(float)
            if close(values[0], other_scores.mean(), rtol=1e-4):
                return wrong(f"that is the mean of {other!r}; keep the rows tagged {system!r}")
        return wrong(f"the MOS is the mean of the 'score' column over the rows tagged "
                     f"{system!r}")
    if close(values[1], 2 * expected[1], rtol=1e-4):
        return wrong("that is the whole width of the interval; give half of it")
    if close(values[1], _mos_interval(scores, quantile=stats.norm.ppf(0.975))[1], rtol=1e-4):
        return wrong("with this few ratings use Student's t quantile, "
                     "scipy.stats.t.ppf(0.975, df=n - 1), not the normal 1.96")
    if close(values[1], _mos_interval(scores, ddof=0)[1], rtol=1e-4):
        return wrong("use the sample standard deviation (ddof=1), as pandas' .std() does")
    return wrong("half-width = t * s / sqrt(n): t = scipy.stats.t.ppf(0.975, df=n - 1), s the "
                 "sample standard deviation, n the number of ratings")
