"""Feedback and adjustment (chapter 2.7): steer a generator's latent prior with ratings.

A trained generator (a VAE decoder or a GAN generator) maps codes ``z ~ N(0, I)`` to
sounds. Listeners rate a batch of sounds; :func:`adapt_prior` moves the Gaussian the codes
are drawn from towards the codes of the best-rated sounds, in the manner of the
cross-entropy method:

1. keep the ``top_fraction`` best-rated codes (the *elite*);
2. ``mean <- (1 - step) * mean + step * mean(elite)`` and likewise for the standard
   deviation, per latent dimension;
3. keep every standard deviation at least ``min_std``, so the generator keeps some variety
   and later rounds can still explore.

The generator's weights do not change, so every sample stays something the generator
learnt to make (the notebook checks this with the kit's classifier); only *which* of its
sounds get drawn changes. Taught in ``08_interaction_feedback_loop``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LatentPrior:
    """A diagonal Gaussian over latent codes.

    Parameters
    ----------
    mean, std : np.ndarray, shape (latent_dim,)
        Per-dimension mean and standard deviation (std > 0).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def standard(cls, latent_dim: int) -> LatentPrior:
        """The training prior ``N(0, I)`` of ``latent_dim`` dimensions."""
        return cls(np.zeros(latent_dim), np.ones(latent_dim))

    def __post_init__(self) -> None:
        mean, std = np.asarray(self.mean, dtype=np.float64), np.asarray(self.std, np.float64)
        if mean.ndim != 1 or mean.shape != std.shape:
            raise ValueError(f"LatentPrior: mean and std must be 1-D of one length, got "
                             f"{mean.shape} and {std.shape}")
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
            raise ValueError("LatentPrior: mean must be finite and std finite and > 0")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "std", std)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` codes, shape ``(n, latent_dim)``, float32."""
        return (self.mean + self.std * rng.standard_normal((n, len(self.mean)))).astype(
            np.float32)


def adapt_prior(
    prior: LatentPrior,
    codes: np.ndarray,
    scores: np.ndarray,
    top_fraction: float = 0.25,
    step: float = 0.7,
    min_std: float = 0.3,
) -> LatentPrior:
    """Move ``prior`` towards the codes whose sounds were rated best.

    Parameters
    ----------
    prior : LatentPrior
        The prior the ``codes`` were drawn from.
    codes : np.ndarray, shape (n, latent_dim)
        The codes of the rated sounds.
    scores : np.ndarray, shape (n,)
        Their ratings (e.g. 1-5; any scale where higher is better). Ties at the elite's
        threshold are broken by order.
    top_fraction : float
        Share of the codes kept as the elite, in (0, 1]; at least 2 codes are kept.
    step : float
        How far to move, in (0, 1]: 1 replaces the prior by the elite's Gaussian.
    min_std : float
        Floor of every standard deviation after the update.

    Returns
    -------
    LatentPrior
        The adjusted prior.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    codes = np.asarray(codes, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if codes.ndim != 2 or codes.shape[1] != len(prior.mean) or len(codes) != len(scores):
        raise ValueError(f"adapt_prior: codes must be (n, {len(prior.mean)}) with one score "
                         f"each, got codes {codes.shape} and {len(scores)} scores")
    if not (0 < top_fraction <= 1 and 0 < step <= 1 and min_std > 0):
        raise ValueError("adapt_prior: need 0 < top_fraction <= 1, 0 < step <= 1, min_std > 0")
    if len(codes) < 2 or not np.all(np.isfinite(scores)):
        raise ValueError("adapt_prior: need at least 2 rated codes with finite scores")
    n_elite = max(2, int(round(top_fraction * len(codes))))
    elite = codes[np.argsort(-scores, kind="stable")[:n_elite]]
    mean = (1 - step) * prior.mean + step * elite.mean(axis=0)
    std = (1 - step) * prior.std + step * elite.std(axis=0)
    return LatentPrior(mean, np.maximum(std, min_std))


@dataclass
class FeedbackRun:
    """What :func:`feedback_rounds` did, round by round.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per round: ``round``, ``mean_score``, ``sem`` (standard error of the mean),
        ``n``.
    priors : list of LatentPrior
        The prior each round's codes were drawn from (``priors[0]`` is the starting one),
        plus the prior after the last round's adjustment.
    codes : list of np.ndarray, each (per_round, latent_dim)
        The codes drawn in each round.
    audio : list of np.ndarray, each (per_round, n_samples)
        The sounds rated in each round.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    history: pd.DataFrame
    priors: list[LatentPrior] = field(default_factory=list)
    codes: list[np.ndarray] = field(default_factory=list)
    audio: list[np.ndarray] = field(default_factory=list)


def feedback_rounds(
    decode: Callable[[np.ndarray], np.ndarray],
    prior: LatentPrior,
    rate: Callable[[str, np.ndarray], int],
    *,
    rounds: int = 4,
    per_round: int = 24,
    seed: int = 0,
    **adapt_kwargs: float,
) -> FeedbackRun:
    """Generate -> rate -> adjust, ``rounds`` times.

    Parameters
    ----------
    decode : callable
        ``decode(codes)`` maps codes ``(n, latent_dim)`` to mono clips ``(n, n_samples)``.
    prior : LatentPrior
        The starting prior (usually :meth:`LatentPrior.standard`).
    rate : callable
        ``rate(sample_id, clip) -> score``; in the notebooks it plays the clip to a
        listener (simulated or human) and writes the rating to the feedback log. Sample ids
        are ``"r{round}-{index}"``.
    rounds, per_round : int
        Number of rounds and of clips rated per round.
    seed : int
        Seed of the codes.
    **adapt_kwargs
        Passed to :func:`adapt_prior` (``top_fraction``, ``step``, ``min_std``).

    Returns
    -------
    FeedbackRun

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    if rounds < 1 or per_round < 2:
        raise ValueError("feedback_rounds: need rounds >= 1 and per_round >= 2")
    rng = np.random.default_rng(seed)
    run = FeedbackRun(pd.DataFrame(), [prior])
    rows = []
    for r in range(rounds):
        codes = prior.sample(per_round, rng)
        clips = np.asarray(decode(codes))
        scores = np.array([rate(f"r{r}-{i}", clip) for i, clip in enumerate(clips)], float)
        rows.append({"round": r, "mean_score": scores.mean(),
                     "sem": scores.std(ddof=1) / np.sqrt(len(scores)), "n": len(scores)})
        run.codes.append(codes)
        run.audio.append(clips)
        prior = adapt_prior(prior, codes, scores, **adapt_kwargs)
        run.priors.append(prior)
    run.history = pd.DataFrame(rows)
    return run
