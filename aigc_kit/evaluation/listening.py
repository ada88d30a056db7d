"""Statistics of subjective listening tests: MOS, A/B preference and "AI or real?".

Taught in ``07_evaluation``; the ratings usually come from a
:class:`aigc_kit.interaction.feedback.FeedbackLog` (``08_interaction_feedback_loop``).

* :func:`mos` -- the mean opinion score of each system with a Student-t confidence interval.
* :func:`ab_preference` -- how often listeners preferred system A over B, with a Wilson
  interval and an exact binomial test against "no preference" (0.5).
* :func:`ai_or_real` -- a blind test in which listeners guess whether each clip is generated;
  accuracy near 0.5 means the generated clips pass for real ones.

All intervals are two-sided with the given ``confidence`` (95 % by default); all p-values are
two-sided.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mos", "ab_preference", "ai_or_real"]

_AB_CHOICES = ("a", "b", "tie")
_AI_OR_REAL_LABELS = ("ai", "real")


def _ratings_frame(ratings: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """``ratings`` as a DataFrame with a complete ``tag`` column and finite numeric scores."""
    frame = ratings if isinstance(ratings, pd.DataFrame) else pd.DataFrame(list(ratings))
    if frame.empty:
        raise ValueError("no ratings given")
    missing = [column for column in ("tag", "score") if column not in frame.columns]
    if missing:
        raise ValueError(f"ratings need the columns 'tag' and 'score'; missing {missing}")
    if frame["tag"].isna().any():
        raise ValueError(
            f"{int(frame['tag'].isna().sum())} rating(s) have no tag (system); "
            "fill them first, e.g. frame.fillna({'tag': 'untagged'})"
        )
    scores = pd.to_numeric(frame["score"], errors="coerce")
    if not np.isfinite(scores.to_numpy(dtype=float)).all():
        raise ValueError("every score must be a finite number")
    return frame.assign(score=scores.astype(float))


def mos(
    ratings: pd.DataFrame | Iterable[Mapping[str, Any]], confidence: float = 0.95
) -> pd.DataFrame:
    """Mean opinion score of each system with a Student-t confidence interval.

    Parameters
    ----------
    ratings : pandas.DataFrame or iterable of dict
        One rating per row, with columns ``tag`` (the system) and ``score``; other columns are
        ignored, so :meth:`aigc_kit.interaction.feedback.FeedbackLog.to_frame` output works as is.
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by system (index name ``tag``, sorted), with columns ``mos`` (mean score),
        ``ci_low`` and ``ci_high`` (``mos -/+ t * s / sqrt(n)``, where ``s`` is the sample
        standard deviation and ``t`` the ``(1 + confidence) / 2`` quantile of Student's t with
        ``n - 1`` degrees of freedom) and ``n`` (number of ratings).

    Raises
    ------
    ValueError
        If a column is missing, there are no ratings, a tag is missing, a score is not a finite
        number, or a system has fewer than 2 ratings: the interval needs a standard deviation,
        so rather than an infinite or NaN interval, this is reported as an error.
    """
    frame = _ratings_frame(ratings)
    summary = frame.groupby("tag")["score"].agg(["mean", "std", "count"])
    too_few = summary.index[summary["count"] < 2].tolist()
    if too_few:
        raise ValueError(f"at least 2 ratings per system are needed; too few for {too_few}")
    n = summary["count"]
    t = stats.t.ppf((1 + confidence) / 2, df=n - 1)
    half_width = t * summary["std"] / np.sqrt(n)
    return pd.DataFrame(
        {
            "mos": summary["mean"],
            "ci_low": summary["mean"] - half_width,
            "ci_high": summary["mean"] + half_width,
            "n": n.astype("int64"),
        }
    )


def _labels(values: Iterable[Any], allowed: tuple[str, ...], name: str) -> list[str]:
    """``values`` lower-cased and stripped; ``ValueError`` naming the first unknown one."""
    if isinstance(values, str):
        raise ValueError(f"{name} must be a sequence of labels, not the single string {values!r}")
    labels = []
    for position, value in enumerate(values):
        label = value.strip().lower() if isinstance(value, str) else None
        if label not in allowed:
            raise ValueError(
                f"{name}[{position}] = {value!r} is not one of {', '.join(map(repr, allowed))}"
            )
        labels.append(label)
    return labels


def _binomial_summary(successes: int, n: int, confidence: float) -> dict[str, float]:
    """Two-sided exact binomial p-value against 0.5 and the Wilson interval of the rate."""
    test = stats.binomtest(successes, n, p=0.5, alternative="two-sided")
    interval = test.proportion_ci(confidence_level=confidence, method="wilson")
    return {
        "ci_low": float(interval.low),
        "ci_high": float(interval.high),
        "p_value": float(test.pvalue),
    }


def ab_preference(results: Sequence[str], confidence: float = 0.95) -> dict[str, float | int]:
    """Preference for system A in an A/B test, with a Wilson interval and a binomial test.

    Parameters
    ----------
    results : sequence of str
        One choice per trial: ``"A"``, ``"B"`` or ``"tie"`` (case-insensitive).
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    dict
        ``n`` -- trials that were not ties (the ones tested); ``prefer_a`` -- how many of them
        chose A; ``rate_a`` -- ``prefer_a / n``; ``ci_low``, ``ci_high`` -- Wilson interval of
        ``rate_a``; ``p_value`` -- two-sided exact binomial test of ``rate_a`` against 0.5
        (``scipy.stats.binomtest``); ``ties`` -- trials excluded as ties.

    Raises
    ------
    ValueError
        If a choice is not A, B or tie, or every trial is a tie (or there are none).
    """
    choices = _labels(results, _AB_CHOICES, "results")
    prefer_a, ties = choices.count("a"), choices.count("tie")
    n = len(choices) - ties
    if n == 0:
        raise ValueError(f"no A or B choices to test ({ties} tie(s), {len(choices)} trial(s))")
    return {
        "n": n,
        "prefer_a": prefer_a,
        "rate_a": prefer_a / n,
        **_binomial_summary(prefer_a, n, confidence),
        "ties": ties,
    }


def _class_accuracy(truth: list[str], correct: list[bool], label: str) -> float:
    """Accuracy on the trials whose truth is ``label``; NaN if there are none."""
    hits = [hit for actual, hit in zip(truth, correct, strict=True) if actual == label]
    return sum(hits) / len(hits) if hits else math.nan


def ai_or_real(
    truth: Sequence[str], answers: Sequence[str], confidence: float = 0.95
) -> dict[str, float | int]:
    """Score a blind "AI or real?" test: can listeners tell generated clips from real ones?

    Parameters
    ----------
    truth : sequence of str
        What each clip really is: ``"ai"`` or ``"real"`` (case-insensitive).
    answers : sequence of str
        The listeners' guesses, in the same order and with the same labels.
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    dict
        ``n`` -- number of trials; ``accuracy`` -- fraction guessed right; ``p_value`` --
        two-sided exact binomial test of the accuracy against chance (0.5); ``ci_low``,
        ``ci_high`` -- Wilson interval of the accuracy; ``ai_detected`` -- accuracy on the
        generated clips; ``real_recognised`` -- accuracy on the real clips (NaN if the test
        has no clip of that kind).

    Raises
    ------
    ValueError
        If the sequences differ in length, are empty, or hold a label other than ai/real.
    """
    truth_labels = _labels(truth, _AI_OR_REAL_LABELS, "truth")
    answer_labels = _labels(answers, _AI_OR_REAL_LABELS, "answers")
    if len(truth_labels) != len(answer_labels):
        raise ValueError(
            f"truth and answers must have the same length, got {len(truth_labels)} "
            f"and {len(answer_labels)}"
        )
    if not truth_labels:
        raise ValueError("no trials given")
    correct = [a == b for a, b in zip(truth_labels, answer_labels, strict=True)]
    n = len(correct)
    return {
        "n": n,
        "accuracy": sum(correct) / n,
        **_binomial_summary(sum(correct), n, confidence),
        "ai_detected": _class_accuracy(truth_labels, correct, "ai"),
        "real_recognised": _class_accuracy(truth_labels, correct, "real"),
    }
