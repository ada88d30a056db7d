"""Statistics of subjective listening tests: MOS, A/B preference and "AI or real?".

Taught in ``07_evaluation``; the ratings usually come from a
:class:`aigc_kit.interaction.feedback.FeedbackLog` (``08_interaction_feedback_loop``).

* :func:`mos` -- the mean opinion score of each system with a Student-t confidence interval.
* :func:`ab_preference` -- how often listeners preferred system A over B, with a Wilson
  interval and an exact binomial test against "no preference" (0.5).
* :func:`ai_or_real` -- a blind test in which listeners guess whether each clip is generated;
  accuracy near 0.5 means the generated clips pass for real ones.
* :func:`mushra_screen`, :func:`mushra_summary`, :func:`plot_mushra` -- MUSHRA
  (ITU-R BS.1534-3): listeners rate several conditions of each trial from 0 to 100, including a
  hidden reference and low-pass anchors; listeners who miss the hidden reference too often are
  excluded (post-screening), then each condition gets a mean with a Student-t interval.
* :func:`abx_summary` -- an ABX test: can a listener tell which of A and B the clip X is?

Every summary is a table (``pandas.DataFrame``), one row per system, condition or
comparison, as statistics packages for listening and user studies return them (e.g.
pingouin): :func:`mos` and :func:`mushra_summary` a row per system or condition,
:func:`ab_preference`, :func:`ai_or_real` and :func:`abx_summary` one row named by the
comparison (``table.loc["GAN|VAE", "p_value"]``). Display it, or read a value with ``.loc``.

All intervals are two-sided with the given ``confidence`` (95 % by default). The p-values of
:func:`ab_preference` and :func:`ai_or_real` are two-sided; the p-value of :func:`abx_summary` is
one-sided (rate above 0.5), because in ABX only doing better than chance means something.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "mos",
    "ab_preference",
    "ai_or_real",
    "mushra_screen",
    "mushra_summary",
    "plot_mushra",
    "abx_summary",
]

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

    Notes
    -----
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """
    frame = _ratings_frame(ratings)
    summary = frame.groupby("tag")["score"].agg(["mean", "std", "count"])
    too_few = summary.index[summary["count"] < 2].tolist()
    if too_few:
        raise ValueError(f"at least 2 ratings per system are needed; too few for {too_few}")
    n = summary["count"]
    half_width = t_half_width(summary["std"], n, confidence)
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


def _binomial_summary(
    successes: int, n: int, confidence: float, alternative: str = "two-sided"
) -> dict[str, float]:
    """Exact binomial p-value against 0.5 and the two-sided Wilson interval of the rate.

    ``alternative`` only changes the p-value (``"two-sided"`` or ``"greater"``); the interval is
    always the two-sided one, as a one-sided test would otherwise give a one-sided interval.
    """
    two_sided = stats.binomtest(successes, n, p=0.5, alternative="two-sided")
    interval = two_sided.proportion_ci(confidence_level=confidence, method="wilson")
    test = two_sided
    if alternative != "two-sided":
        test = stats.binomtest(successes, n, p=0.5, alternative=alternative)
    return {
        "ci_low": float(interval.low),
        "ci_high": float(interval.high),
        "p_value": float(test.pvalue),
    }


def ab_preference(results: Sequence[str] | pd.DataFrame, confidence: float = 0.95,
                  name: str = "A|B") -> pd.DataFrame:
    """Preference for system A in an A/B test, with a Wilson interval and a binomial test.

    Parameters
    ----------
    results : sequence of str, or DataFrame
        One choice per trial: ``"A"``, ``"B"`` or ``"tie"`` (case-insensitive); or the A/B
        records of a feedback log (``log.to_frame(test="ab")``: score 1 for A, -1 for B,
        0 for a tie), e.g. a class's logs pooled by ``aigc-kit ratings merge``.
    confidence : float, default 0.95
        Confidence level of the interval.
    name : str
        The comparison, e.g. ``"GAN|VAE"``: the index of the one row.

    Returns
    -------
    pandas.DataFrame
        One row indexed by ``name`` (like every summary of this module: a table, one row per
        system or comparison), with the columns ``n`` -- trials that were not ties (the ones
        tested); ``prefer_a`` -- how many of them chose A; ``rate_a`` -- ``prefer_a / n``;
        ``ci_low``, ``ci_high`` -- Wilson interval of ``rate_a``; ``p_value`` -- two-sided
        exact binomial test of ``rate_a`` against 0.5 (``scipy.stats.binomtest``); ``ties``
        -- trials excluded as ties.

    Raises
    ------
    ValueError
        If a choice is not A, B or tie, or every trial is a tie (or there are none).
    """
    if isinstance(results, pd.DataFrame):
        results = _ab_letters(results)
    choices = _labels(results, _AB_CHOICES, "results")
    prefer_a, ties = choices.count("a"), choices.count("tie")
    n = len(choices) - ties
    if n == 0:
        raise ValueError(f"no A or B choices to test ({ties} tie(s), {len(choices)} trial(s))")
    return _one_row(name, {
        "n": n,
        "prefer_a": prefer_a,
        "rate_a": prefer_a / n,
        **_binomial_summary(prefer_a, n, confidence),
        "ties": ties,
    })


def _ab_letters(frame: pd.DataFrame) -> list[str]:
    """``"A"``/``"B"``/``"tie"`` of the ``test="ab"`` records of a feedback-log frame."""
    if "score" not in frame or ("test" in frame and not (frame["test"] == "ab").all()):
        raise ValueError("ab_preference: give the A/B records of a feedback log "
                         "(log.to_frame(test='ab')), whose scores are 1 (A), -1 (B), 0 (tie)")
    letters = {1: "A", -1: "B", 0: "tie"}
    bad = sorted({int(v) for v in frame["score"] if int(v) not in letters})
    if bad:
        raise ValueError(f"ab_preference: A/B scores must be 1, -1 or 0, got {bad}")
    return [letters[int(v)] for v in frame["score"]]


def _class_accuracy(truth: list[str], correct: list[bool], label: str) -> float:
    """Accuracy on the trials whose truth is ``label``; NaN if there are none."""
    hits = [hit for actual, hit in zip(truth, correct, strict=True) if actual == label]
    return sum(hits) / len(hits) if hits else math.nan


def ai_or_real(
    truth: Sequence[str], answers: Sequence[str], confidence: float = 0.95,
    name: str = "ai|real",
) -> pd.DataFrame:
    """Score a blind "AI or real?" test: can listeners tell generated clips from real ones?

    Parameters
    ----------
    truth : sequence of str
        What each clip really is: ``"ai"`` or ``"real"`` (case-insensitive).
    answers : sequence of str
        The listeners' guesses, in the same order and with the same labels.
    confidence : float, default 0.95
        Confidence level of the interval.
    name : str
        What was told apart, e.g. ``"GAN|real"``: the index of the one row.

    Returns
    -------
    pandas.DataFrame
        One row indexed by ``name``, with the columns ``n`` -- number of trials;
        ``accuracy`` -- fraction guessed right; ``p_value`` --
        two-sided exact binomial test of the accuracy against chance (0.5); ``ci_low``,
        ``ci_high`` -- Wilson interval of the accuracy; ``ai_detected`` -- accuracy on the
        generated clips; ``real_recognised`` -- accuracy on the real clips (NaN if the test
        has no clip of that kind).

    Raises
    ------
    ValueError
        If the sequences differ in length, are empty, or hold a label other than ai/real.

    Notes
    -----
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
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
    return _one_row(name, {
        "n": n,
        "accuracy": sum(correct) / n,
        **_binomial_summary(sum(correct), n, confidence),
        "ai_detected": _class_accuracy(truth_labels, correct, "ai"),
        "real_recognised": _class_accuracy(truth_labels, correct, "real"),
    })


# --- MUSHRA (ITU-R BS.1534-3) ----------------------------------------------------------------

_MUSHRA_COLUMNS = ("rater_id", "trial", "condition", "score")
_MUSHRA_KEYS = ["rater_id", "trial", "condition"]
_MUSHRA_MAX_SCORE = 100.0
_MUSHRA_BANDS = (
    (0, 20, "bad"),
    (20, 40, "poor"),
    (40, 60, "fair"),
    (60, 80, "good"),
    (80, 100, "excellent"),
)
_FRACTION_TOLERANCE = 1e-9
_MAX_LISTED = 5


def _show(value: Any) -> str:
    """``repr`` of ``value``, as a plain Python value (``3``, not ``np.int64(3)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _listing(items: Sequence[str]) -> str:
    """The first few ``items`` joined by semicolons, with a count of the rest."""
    more = len(items) - _MAX_LISTED
    return "; ".join(items[:_MAX_LISTED]) + (f"; ... and {more} more" if more > 0 else "")


def _row_name(rater_id: Any, trial: Any, condition: Any) -> str:
    """``(rater 'r1', trial 3, condition 'anchor_35')``: how a rating is named in messages."""
    return f"(rater {_show(rater_id)}, trial {_show(trial)}, condition {_show(condition)})"


def _check_confidence(confidence: float) -> None:
    """``ValueError`` unless ``0 < confidence < 1``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")


def _check_screen_settings(threshold: float, max_fraction: float) -> None:
    """``ValueError`` unless ``threshold`` is a score in 0-100 and ``max_fraction`` in 0-1."""
    if not (math.isfinite(threshold) and 0 <= threshold <= _MUSHRA_MAX_SCORE):
        raise ValueError(f"threshold must be a score from 0 to 100 (e.g. 90), got {threshold!r}")
    if not 0 <= max_fraction <= 1:
        raise ValueError(
            f"max_fraction must be a fraction from 0 to 1 (e.g. 0.15), got {max_fraction!r}"
        )


def _as_frame(ratings: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """``ratings`` as a DataFrame with the MUSHRA columns and no missing key; a fresh index."""
    frame = ratings if isinstance(ratings, pd.DataFrame) else pd.DataFrame(list(ratings))
    if frame.empty:
        raise ValueError(
            "no MUSHRA ratings given: pass one row per rating with the columns "
            f"{list(_MUSHRA_COLUMNS)}"
        )
    missing = [column for column in _MUSHRA_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(
            f"MUSHRA ratings need the columns {list(_MUSHRA_COLUMNS)}; missing {missing}"
        )
    frame = frame.reset_index(drop=True)
    blank = frame.index[frame[_MUSHRA_KEYS].isna().any(axis=1)].tolist()
    if blank:
        raise ValueError(
            f"{len(blank)} MUSHRA rating(s) have no rater_id, trial or condition "
            f"(row(s) {blank[:_MAX_LISTED]}); fill them in or drop those rows"
        )
    return frame.assign(
        rater_id=frame["rater_id"].astype(str), condition=frame["condition"].astype(str)
    )


def _submission_order(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``frame`` in submission order (by ``timestamp`` if present, else row order) and how."""
    if "timestamp" not in frame.columns:
        return frame, "row order"
    stamps = frame["timestamp"]
    if not (pd.api.types.is_datetime64_any_dtype(stamps) or pd.api.types.is_numeric_dtype(stamps)):
        stamps = pd.to_datetime(stamps, utc=True, format="ISO8601", errors="coerce")
    order = np.argsort(stamps.to_numpy(), kind="stable") if stamps.notna().all() else None
    if order is None:  # missing timestamps: sort those first, the rest by time, ties by row
        order = (
            stamps.reset_index(drop=True)
            .sort_values(kind="stable", na_position="first")
            .index.to_numpy()
        )
    return frame.iloc[order], "timestamp"


def _keep_last(frame: pd.DataFrame, stacklevel: int) -> pd.DataFrame:
    """One rating per (rater, trial, condition): the last one, with a warning naming repeats."""
    ordered, how = _submission_order(frame)
    repeated = ordered.duplicated(subset=_MUSHRA_KEYS, keep=False)
    if not repeated.any():
        return frame
    counts = ordered[repeated].groupby(_MUSHRA_KEYS, sort=False).size()
    names = [f"{_row_name(*key)} {count} times" for key, count in counts.items()]
    warnings.warn(
        f"{len(names)} MUSHRA rating(s) were submitted more than once (a re-submitted trial?): "
        f"{_listing(names)}; kept the last of each (by {how}). Drop the unwanted rows to "
        "silence this warning.",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
    return ordered.drop_duplicates(subset=_MUSHRA_KEYS, keep="last").sort_index()


def _checked_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with float scores; ``ValueError`` naming ratings not finite or outside 0-100."""
    scores = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    good = np.isfinite(scores) & (scores >= 0) & (scores <= _MUSHRA_MAX_SCORE)
    if not good.all():
        bad = frame[~good]
        names = [
            f"{_row_name(row.rater_id, row.trial, row.condition)} = {_show(row.score)}"
            for row in bad.itertuples(index=False)
        ]
        raise ValueError(
            f"MUSHRA scores must be finite numbers from 0 to 100; {len(names)} bad score(s): "
            f"{_listing(names)}. Fix or drop these rows."
        )
    return frame.assign(score=scores)


def _check_reference(frame: pd.DataFrame, reference: str) -> None:
    """``ValueError`` naming every (rater, trial) that has no hidden-reference rating."""
    rated = frame[["rater_id", "trial"]].drop_duplicates()
    with_reference = frame.loc[frame["condition"] == reference, ["rater_id", "trial"]]
    found = set(zip(with_reference["rater_id"], with_reference["trial"], strict=True))
    missing = [
        f"rater {_show(rater)} in trial {_show(trial)}"
        for rater, trial in zip(rated["rater_id"], rated["trial"], strict=True)
        if (rater, trial) not in found
    ]
    if missing:
        raise ValueError(
            f"MUSHRA needs the hidden reference in every trial: add a {reference!r} condition "
            f"(none for {_listing(missing)}), or pass reference= the name your hidden "
            "reference has"
        )


def _mushra_frame(
    ratings: pd.DataFrame | Iterable[Mapping[str, Any]], reference: str, stacklevel: int
) -> pd.DataFrame:
    """Checked MUSHRA ratings: one float score in 0-100 per (rater, trial, condition)."""
    frame = _keep_last(_as_frame(ratings), stacklevel=stacklevel + 1)
    frame = _checked_scores(frame)
    _check_reference(frame, reference)
    return frame


def _excluded_raters(
    frame: pd.DataFrame, reference: str, threshold: float, max_fraction: float
) -> list[str]:
    """Raters whose hidden reference scored below ``threshold`` in > ``max_fraction`` trials."""
    hidden = frame[frame["condition"] == reference]
    missed = (hidden["score"] < threshold).groupby(hidden["rater_id"]).agg(["sum", "count"])
    fraction = missed["sum"] / missed["count"]
    return sorted(fraction.index[fraction > max_fraction + _FRACTION_TOLERANCE].tolist())


def mushra_screen(
    ratings: pd.DataFrame | Iterable[Mapping[str, Any]],
    reference: str = "reference",
    threshold: float = 90.0,
    max_fraction: float = 0.15,
) -> list[str]:
    """The listeners that MUSHRA post-screening (ITU-R BS.1534-3) excludes.

    In a MUSHRA test every trial hides the reference among the conditions to rate; a listener
    who cannot find it is not a reliable judge. A rater is excluded when the hidden reference
    scored below ``threshold`` in more than ``max_fraction`` of the trials they rated::

        (trials with reference score < threshold) / (trials rated) > max_fraction

    so exactly ``max_fraction`` (e.g. 3 of 20 trials at 15 %) is still kept. Taught in
    ``07_evaluation``.

    Parameters
    ----------
    ratings : pandas.DataFrame or iterable of dict
        One rating per row, with columns ``rater_id``, ``trial`` (the item), ``condition``
        (system, ``reference`` or an anchor) and ``score`` (0-100); other columns are ignored,
        so ``FeedbackLog.to_frame(test="mushra")`` output works as is. A (rater, trial,
        condition) rated more than once keeps its last rating (by ``timestamp`` if that column
        is there, else row order), with a warning.
    reference : str, default "reference"
        The condition name of the hidden reference.
    threshold : float, default 90.0
        Reference scores below this (on the 0-100 scale) count as a missed reference.
    max_fraction : float, default 0.15
        Largest fraction (0-1) of a rater's trials that may miss the reference.

    Returns
    -------
    list of str
        The excluded rater ids, sorted; empty if everyone passes.

    Raises
    ------
    ValueError
        If there are no ratings, a column is missing, a rater id/trial/condition is missing, a
        score is not a finite number in 0-100, a rater's trial has no ``reference`` rating, or
        ``threshold``/``max_fraction`` are out of range. The message names the rows.

    Warns
    -----
    UserWarning
        When a (rater, trial, condition) was rated more than once, naming them.
    """
    _check_screen_settings(threshold, max_fraction)
    frame = _mushra_frame(ratings, reference, stacklevel=2)
    return _excluded_raters(frame, reference, threshold, max_fraction)


def t_half_width(std: Any, n: Any, confidence: float = 0.95) -> Any:
    """Half-width of the Student-t confidence interval of a mean: ``t * std / sqrt(n)``.

    Parameters
    ----------
    std : float or array-like
        Sample standard deviation(s) (``ddof=1``).
    n : int or array-like
        Sample size(s); where ``n < 2`` the half-width is NaN (no spread to measure).
    confidence : float
        Confidence level, e.g. 0.95 (``t`` is the ``(1 + confidence) / 2`` quantile with
        ``n - 1`` degrees of freedom).

    Returns
    -------
    float or array-like
        Same shape as ``std`` and ``n`` broadcast (a pandas Series stays a Series).

    Notes
    -----
    The one interval of the kit's summaries: MOS and MUSHRA (``07_evaluation``) and the
    sweeps' seeds (``13_trends_challenges``, ``aigc-kit sweep summarize``).
    """
    n_float = np.asarray(n, dtype=float)
    t = stats.t.ppf((1 + confidence) / 2, df=np.where(n_float >= 2, n_float - 1, np.nan))
    return t * std / np.sqrt(n)


def _condition_summary(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per-condition mean, Student-t interval, std, n and n_raters, by mean descending."""
    grouped = frame.groupby("condition", sort=True)
    scores = grouped["score"].agg(["mean", "std", "count"])
    n = scores["count"].astype("int64")
    half_width = t_half_width(scores["std"], n, confidence)  # NaN for n == 1
    summary = pd.DataFrame(
        {
            "mean": scores["mean"],
            "ci_low": scores["mean"] - half_width,
            "ci_high": scores["mean"] + half_width,
            "std": scores["std"],
            "n": n,
            "n_raters": grouped["rater_id"].nunique().astype("int64"),
        }
    )
    return summary.sort_values("mean", ascending=False, kind="stable")


def mushra_summary(
    ratings: pd.DataFrame | Iterable[Mapping[str, Any]],
    reference: str = "reference",
    confidence: float = 0.95,
    screen: bool = True,
    threshold: float = 90.0,
    max_fraction: float = 0.15,
) -> pd.DataFrame:
    """Mean MUSHRA score of each condition with a Student-t interval, after post-screening.

    Raters excluded by :func:`mushra_screen` (when ``screen``) are dropped, then every
    condition -- systems, hidden reference and anchors alike -- is summarised over all its
    remaining ratings. Plot the result with :func:`plot_mushra`. Taught in ``07_evaluation``.

    Parameters
    ----------
    ratings : pandas.DataFrame or iterable of dict
        As in :func:`mushra_screen`: columns ``rater_id``, ``trial``, ``condition``, ``score``
        (0-100); other columns ignored.
    reference : str, default "reference"
        The condition name of the hidden reference.
    confidence : float, default 0.95
        Confidence level of the interval, between 0 and 1.
    screen : bool, default True
        Exclude unreliable raters first (see :func:`mushra_screen`).
    threshold, max_fraction : float, default 90.0 and 0.15
        The screening rule, as in :func:`mushra_screen`.

    Returns
    -------
    pandas.DataFrame
        Indexed by condition (index name ``condition``), sorted by ``mean`` descending, with
        columns ``mean`` (score, 0-100), ``ci_low`` and ``ci_high`` (``mean -/+ t * std /
        sqrt(n)``, ``t`` the ``(1 + confidence) / 2`` quantile of Student's t with ``n - 1``
        degrees of freedom), ``std`` (sample standard deviation), ``n`` (ratings) and
        ``n_raters`` (distinct raters). A condition with a single rating has no spread to
        estimate, so its ``std``, ``ci_low`` and ``ci_high`` are NaN. ``frame.attrs["excluded"]``
        lists the excluded rater ids (sorted; empty when ``screen`` is False).

    Raises
    ------
    ValueError
        For the bad inputs listed in :func:`mushra_screen`, a ``confidence`` outside (0, 1),
        or when screening excludes every rater (the message names them).

    Warns
    -----
    UserWarning
        When a (rater, trial, condition) was rated more than once, naming them.
    """
    _check_confidence(confidence)
    _check_screen_settings(threshold, max_fraction)
    frame = _mushra_frame(ratings, reference, stacklevel=2)
    excluded = _excluded_raters(frame, reference, threshold, max_fraction) if screen else []
    kept = frame[~frame["rater_id"].isin(excluded)]
    if kept.empty:
        raise ValueError(
            f"post-screening excluded every rater ({', '.join(map(repr, excluded))}): each "
            f"scored the hidden reference {reference!r} below {threshold:g} in more than "
            f"{max_fraction:.0%} of their trials. Check that {reference!r} really is the hidden "
            "reference, loosen threshold/max_fraction, or pass screen=False to see the raw "
            "ratings."
        )
    summary = _condition_summary(kept, confidence)
    summary.attrs["excluded"] = list(excluded)
    return summary


def _is_control(condition: str, reference: str = "reference") -> bool:
    """Whether ``condition`` is the hidden reference or an anchor (drawn in grey)."""
    name = condition.strip().lower()
    return name == reference or name.startswith("anchor")


def _draw_quality_bands(ax: Axes) -> None:
    """The BS.1534 quality scale as light bands with their names right of the axes."""
    for position, (low, high, name) in enumerate(_MUSHRA_BANDS):
        ax.axhspan(low, high, color="0.5", alpha=0.08 if position % 2 else 0.0, lw=0, zorder=0)
        ax.axhline(high, color="0.8", lw=0.6, zorder=1)
        ax.text(
            1.01,
            (low + high) / 2,
            name,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize="small",
            color="0.45",
        )


def plot_mushra(summary: pd.DataFrame, ax: Axes | None = None, title: str = "") -> Axes:
    """The usual MUSHRA plot: each condition's mean score with its confidence interval.

    One point per condition, in the summary's order (best first for :func:`mushra_summary`
    output), with the interval as error bars; the y axis runs from 0 to 100 with the BS.1534
    quality bands (bad, poor, fair, good, excellent, 20 points each) as light guides. The
    hidden reference (``"reference"``) and anchors (names starting with ``"anchor"``) are drawn
    in grey, the systems under test in colour. A condition with a NaN interval (a single
    rating) gets a point without a bar. Taught in ``07_evaluation``.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`mushra_summary` output: indexed by condition (or with a ``condition`` column),
        with columns ``mean``, ``ci_low`` and ``ci_high`` (scores, 0-100).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    title : str, default ""
        The axes title (none if empty).

    Returns
    -------
    matplotlib Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``summary`` is empty or lacks a column ``mean``, ``ci_low`` or ``ci_high``.
    """
    missing = [column for column in ("mean", "ci_low", "ci_high") if column not in summary]
    if missing:
        raise ValueError(f"summary needs the columns of mushra_summary(); missing {missing}")
    if summary.empty:
        raise ValueError("summary has no conditions to plot")
    import matplotlib.pyplot as plt

    names = [
        str(name)
        for name in (summary["condition"] if "condition" in summary.columns else summary.index)
    ]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(names) + 2.0), 4.0))
    x = np.arange(len(names))
    mean = summary["mean"].to_numpy(dtype=float)
    below = np.nan_to_num(mean - summary["ci_low"].to_numpy(dtype=float), nan=0.0)
    above = np.nan_to_num(summary["ci_high"].to_numpy(dtype=float) - mean, nan=0.0)
    control = np.array([_is_control(name) for name in names])
    for mask, colour, label in ((~control, "C0", "system"), (control, "0.5", "reference/anchor")):
        if mask.any():
            ax.errorbar(
                x[mask],
                mean[mask],
                yerr=[below[mask], above[mask]],
                fmt="o",
                color=colour,
                capsize=4,
                label=label,
                zorder=3,
            )
    _draw_quality_bands(ax)
    rotate = len(names) > 4 or max(map(len, names)) > 10
    ax.set_xticks(x, names, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(0, _MUSHRA_MAX_SCORE)
    ax.set_xlabel("condition")
    ax.set_ylabel("score (0-100)")
    if control.any() and not control.all():
        ax.legend(loc="lower left", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


# --- ABX ---------------------------------------------------------------------------------------


def _outcomes(correct: Iterable[Any]) -> list[bool]:
    """``correct`` as a list of bools; ``ValueError`` naming the first value not bool or 0/1."""
    if isinstance(correct, (str, bytes)):
        raise ValueError(
            f"correct must be a sequence of True/False (or 1/0), not the string {correct!r}"
        )
    outcomes = []
    for position, value in enumerate(correct):
        if isinstance(value, (bool, np.bool_)):
            outcomes.append(bool(value))
        elif isinstance(value, Real) and value in (0, 1):
            outcomes.append(bool(value))
        else:
            raise ValueError(
                f"correct[{position}] = {_show(value)} is not True/False or 1/0 (one value per "
                "ABX trial: True when the listener matched X correctly)"
            )
    return outcomes


def abx_summary(correct: Sequence[bool | int], confidence: float = 0.95,
                name: str = "A|B") -> pd.DataFrame:
    """Score an ABX test: can the listener hear a difference between A and B?

    In each trial the listener hears A, B and X (secretly A or B) and says which one X is.
    Guessing gets half right, so the test is one-sided: only a rate *above* 0.5 shows a
    difference is heard (a rate far below 0.5 would mean swapped labels, not hearing).
    Taught in ``07_evaluation``.

    Parameters
    ----------
    correct : sequence of bool or 0/1
        One value per ABX trial: True (or 1) when the listener identified X correctly.
    confidence : float, default 0.95
        Confidence level of the interval, between 0 and 1.

    name : str
        The pair compared, e.g. ``"original|NNLS+GL-32"``: the index of the one row.

    Returns
    -------
    pandas.DataFrame
        One row indexed by ``name``, with the columns ``n`` -- number of trials;
        ``correct`` -- trials answered right; ``rate`` --
        ``correct / n``; ``ci_low``, ``ci_high`` -- two-sided Wilson interval of ``rate``;
        ``p_value`` -- one-sided exact binomial test of ``rate > 0.5``
        (``scipy.stats.binomtest(..., alternative="greater")``); ``hears_difference`` --
        ``p_value < 0.05``.

    Raises
    ------
    ValueError
        If there are no trials, ``correct`` is a string, a value is not True/False or 1/0
        (its position is named), or ``confidence`` is outside (0, 1).
    """
    _check_confidence(confidence)
    outcomes = _outcomes(correct)
    if not outcomes:
        raise ValueError("no ABX trials given: pass one True/False per trial")
    n, hits = len(outcomes), sum(outcomes)
    summary = _binomial_summary(hits, n, confidence, alternative="greater")
    return _one_row(name, {
        "n": n,
        "correct": hits,
        "rate": hits / n,
        "ci_low": summary["ci_low"],
        "ci_high": summary["ci_high"],
        "p_value": summary["p_value"],
        "hears_difference": summary["p_value"] < 0.05,
    })


def _one_row(name: str, values: dict[str, Any]) -> pd.DataFrame:
    """The one-row table of a single comparison (``frame.loc[name, "p_value"]``)."""
    return pd.DataFrame([values], index=pd.Index([name], name="comparison"))
