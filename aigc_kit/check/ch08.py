"""Self-checks of chapter 8's exercises (``notebooks/08_interaction_feedback_loop``)."""

from __future__ import annotations

from math import comb

import numpy as np

from aigc_kit.check.core import Outcome, close, exercise, right, wrong
from aigc_kit.interaction.adapt import LatentPrior, adapt_prior
from aigc_kit.interaction.feedback import FeedbackLog


@exercise
def ex1(answer: np.ndarray, codes: np.ndarray, scores: np.ndarray) -> Outcome:
    """Exercise 1: the prior's new mean after one adjustment, by hand.

    ``answer``: array ``(latent_dim,)``, the mean of ``adapt_prior`` from the standard prior
    with ``top_fraction=0.5`` and ``step=0.5`` on ``codes`` ``(n, latent_dim)`` rated
    ``scores`` ``(n,)``.
    """
    codes, scores = np.asarray(codes, float), np.asarray(scores, float)
    expected = adapt_prior(LatentPrior.standard(codes.shape[1]), codes, scores,
                           top_fraction=0.5, step=0.5).mean
    if np.shape(answer) != expected.shape:
        return wrong(f"the mean is a latent vector: shape {expected.shape}, got "
                     f"{np.shape(answer)}")
    if close(answer, expected):
        return right("the prior moved half way towards the best-rated codes")
    n_elite = max(2, int(round(0.5 * len(codes))))
    order = np.argsort(-scores, kind="stable")
    if close(answer, codes[order[:n_elite]].mean(0)):
        return wrong("that is the elite's mean itself: step=0.5 moves only half way from "
                     "the old mean (0 for the standard prior)")
    if close(answer, 0.5 * codes[order[-n_elite:]].mean(0)):
        return wrong("those are the worst-rated codes: sort the scores from high to low")
    if close(answer, 0.5 * codes.mean(0)):
        return wrong("keep only the best-rated half of the codes (the elite), not all of them")
    return wrong("elite = the top_fraction best-rated codes; new mean = (1 - step) * old "
                 "mean + step * elite mean")


@exercise
def ex2(answer: np.ndarray, log: FeedbackLog, rounds: int) -> Outcome:
    """Exercise 2: the mean rating of each feedback round, read from the log.

    ``answer``: array ``(rounds,)``; the rounds' sample ids are ``"r{round}-{index}"``.
    """
    frame = log.to_frame(test="mos")
    in_round = frame[frame.sample_id.str.match(r"^r\d+-\d+$")]
    if in_round.empty:
        return wrong("the log holds no round ratings: run section 3 with rater='simulated'")
    round_of = in_round.sample_id.str.extract(r"^r(\d+)-")[0].astype(int)
    expected = in_round.score.groupby(round_of).mean().reindex(range(rounds)).to_numpy()
    if np.shape(answer) != expected.shape:
        return wrong(f"one mean per round: shape ({rounds},), got {np.shape(answer)}")
    if close(answer, expected):
        return right("the same numbers as run.history.mean_score, from the log alone")
    if close(answer, np.sort(expected)):
        return wrong("keep the rounds in order (round 0 first)")
    return wrong("take only sample ids starting 'r<round>-' (not the 'demo-' clips) and "
                 "group the scores by the round number in the id")


@exercise
def ex3(answer: float, results: list[str]) -> Outcome:
    """Exercise 3: the one-sided binomial p-value of "B preferred" in the A/B test.

    ``answer``: float, ``P(X >= k)`` for ``X ~ Binomial(n, 1/2)``, with ``k`` the pairs
    answered B and ``n`` the pairs that were not ties.
    """
    k, n = results.count("B"), sum(r in ("A", "B") for r in results)
    if n == 0:
        return wrong("no A/B answers yet: run section 5 first")

    def tail(k_: int, n_: int) -> float:
        return sum(comb(n_, i) for i in range(k_, n_ + 1)) / 2**n_

    expected = tail(k, n)
    if close(answer, expected):
        verdict = ("below 0.05: a preference this strong is unlikely to be chance" if
                   expected < 0.05 else "not below 0.05: these pairs cannot rule out chance")
        return right(verdict)
    if close(answer, tail(k, len(results))):
        return wrong("ties say nothing about a preference: leave them out of n")
    if close(answer, min(1.0, 2 * expected)):
        return wrong("that is two-sided; the question asks whether B is preferred "
                     "(one-sided)")
    if k < n and close(answer, tail(k + 1, n)):
        return wrong("include k itself: P(X >= k), not P(X > k)")
    return wrong("sum the binomial probabilities C(n, i) / 2**n for i = k, ..., n")
