"""Tests of aigc_kit.interaction.adapt: the prior that follows a listener's ratings."""

import numpy as np
import pytest

from aigc_kit.interaction import (
    LatentPrior,
    SimulatedListener,
    adapt_prior,
    brightness_hz,
    feedback_rounds,
)

SR = 8000


def _tone(tilt: float, f0: float = 220.0, seconds: float = 0.25) -> np.ndarray:
    """A harmonic tone whose harmonics fall off by ``exp(-k / tilt)``: brighter as tilt grows."""
    t = np.arange(int(seconds * SR)) / SR
    return sum(np.exp(-k / tilt) * np.sin(2 * np.pi * f0 * k * t)
               for k in range(1, int(SR / 2 / f0))).astype(np.float32)


def _decode(codes: np.ndarray) -> np.ndarray:
    """A stand-in generator: the first latent dimension sets the brightness."""
    return np.stack([_tone(0.5 + 1.5 * np.exp(0.8 * z[0])) for z in codes])


def test_latent_prior_draws_its_mean_and_spread():
    prior = LatentPrior(np.array([1.0, -2.0]), np.array([0.5, 2.0]))
    codes = prior.sample(20000, np.random.default_rng(0))
    assert codes.shape == (20000, 2) and codes.dtype == np.float32
    np.testing.assert_allclose(codes.mean(axis=0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(codes.std(axis=0), [0.5, 2.0], rtol=0.03)
    standard = LatentPrior.standard(3)
    assert standard.mean.tolist() == [0, 0, 0] and standard.std.tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match=r"1-D of one length, got \(2,\) and \(3,\)"):
        LatentPrior(np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match="mean must be finite"):
        LatentPrior(np.array([np.nan]), np.ones(1))


def test_adapt_prior_moves_towards_the_best_rated_codes():
    prior = LatentPrior.standard(3)
    codes = np.array([[2.0, 0, 0], [2.2, 0, 0], [-1.0, 0, 0], [-2.0, 0, 0]])
    new = adapt_prior(prior, codes, np.array([5, 4, 1, 1]), top_fraction=0.5, step=1.0,
                      min_std=0.3)
    assert new.mean == pytest.approx([2.1, 0, 0])
    assert new.std == pytest.approx([0.3, 0.3, 0.3])  # the floor
    half = adapt_prior(prior, codes, np.array([5, 4, 1, 1]), top_fraction=0.5, step=0.5)
    assert half.mean[0] == pytest.approx(1.05)
    with pytest.raises(ValueError, match="one score each"):
        adapt_prior(prior, codes, np.ones(3))
    with pytest.raises(ValueError, match="std"):
        LatentPrior(np.zeros(2), np.array([1.0, 0.0]))


def test_feedback_rounds_raise_the_simulated_rating_beyond_its_noise():
    listener = SimulatedListener(target_hz=brightness_hz(_tone(0.5 + 1.5 * np.exp(1.6)), SR),
                                 width_octaves=0.4, noise_std=0.5, seed=0)
    rated = []

    def rate(sample_id: str, clip: np.ndarray) -> int:
        rated.append(sample_id)
        return listener.rate(clip, SR)

    run = feedback_rounds(_decode, LatentPrior.standard(4), rate, rounds=4, per_round=24,
                          seed=0)
    first, last = run.history.iloc[0], run.history.iloc[-1]
    assert len(rated) == 96 and rated[0] == "r0-0" and rated[-1] == "r3-23"
    # The margin must beat the noise: three standard errors of both means together.
    assert last.mean_score - first.mean_score > 3 * np.hypot(first["sem"], last["sem"])
    assert last.mean_score - first.mean_score > listener.noise_std
    # It moved along the dimension that matters, towards z0 = 2.
    assert run.priors[-1].mean[0] > 1.0
    assert len(run.priors) == 5 and len(run.codes) == 4 and run.audio[0].shape[0] == 24
