"""Tests for aigc_kit.evaluation against hand computations and scipy."""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from scipy import stats
from scipy.stats import binomtest

from aigc_kit.evaluation import (
    ab_preference,
    abx_summary,
    ai_or_real,
    mos,
    mushra_screen,
    mushra_summary,
    plot_mushra,
)

SCORES_A = [4, 5, 3, 4, 4, 5, 3, 4, 5, 4]
SCORES_B = [2, 3, 2, 1, 3]
T_975 = {10: 2.262, 5: 2.776}  # Student's t quantiles from a printed table, df = n - 1


def _hand_interval(scores: list[int]) -> tuple[float, float, float]:
    values = np.asarray(scores, dtype=float)
    mean = values.mean()
    half = T_975[len(values)] * values.std(ddof=1) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def _wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def _frame(**systems: list[int]) -> pd.DataFrame:
    rows = [{"tag": tag, "score": score} for tag, scores in systems.items() for score in scores]
    return pd.DataFrame(rows)


def test_mos_matches_hand_computation() -> None:
    result = mos(_frame(gan=SCORES_A))
    mean, low, high = _hand_interval(SCORES_A)
    row = result.loc["gan"]
    assert row["mos"] == pytest.approx(mean, abs=1e-3)
    assert row["ci_low"] == pytest.approx(low, abs=1e-3)
    assert row["ci_high"] == pytest.approx(high, abs=1e-3)
    assert row["n"] == 10
    assert list(result.columns) == ["mos", "ci_low", "ci_high", "n"]


def test_mos_two_systems_get_separate_rows() -> None:
    result = mos(_frame(vae=SCORES_B, gan=SCORES_A))
    assert sorted(result.index) == ["gan", "vae"]
    for tag, scores in [("gan", SCORES_A), ("vae", SCORES_B)]:
        mean, low, high = _hand_interval(scores)
        assert result.loc[tag, ["mos", "ci_low", "ci_high"]].tolist() == pytest.approx(
            [mean, low, high], abs=1e-3
        )
        assert result.loc[tag, "n"] == len(scores)


def test_mos_accepts_dicts_and_extra_columns() -> None:
    rows = [{"tag": "gan", "score": score, "rater_id": "r"} for score in SCORES_A]
    pd.testing.assert_frame_equal(mos(rows), mos(_frame(gan=SCORES_A)))


def test_mos_constant_scores_give_zero_width_interval() -> None:
    row = mos(_frame(gan=[3, 3, 3])).loc["gan"]
    assert (row["mos"], row["ci_low"], row["ci_high"]) == (3.0, 3.0, 3.0)


@pytest.mark.parametrize(
    ("ratings", "match"),
    [
        (_frame(gan=SCORES_A, vae=[4]), "at least 2 ratings.*vae"),
        ([], "no ratings"),
        (pd.DataFrame({"score": [1, 2]}), "tag"),
        (pd.DataFrame({"tag": ["a", None], "score": [1, 2]}), "no tag"),
        (pd.DataFrame({"tag": ["a", "a"], "score": [1, "good"]}), "finite"),
        (pd.DataFrame({"tag": ["a", "a"], "score": [1, np.nan]}), "finite"),
    ],
)
def test_mos_errors(ratings: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mos(ratings)


def test_ab_preference_15_of_20() -> None:
    result = ab_preference(["A"] * 15 + ["B"] * 5).loc["A|B"]
    assert result["n"] == 20 and result["prefer_a"] == 15 and result["ties"] == 0
    assert result["rate_a"] == 0.75
    assert result["p_value"] == pytest.approx(binomtest(15, 20, 0.5).pvalue, rel=1e-12)
    assert result["p_value"] == pytest.approx(0.0414, abs=1e-4)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(_wilson(15, 20), abs=1e-5)


def test_ab_preference_excludes_ties() -> None:
    result = ab_preference(["A", "tie", "b", "a", "TIE", "A"]).loc["A|B"]
    assert (result["n"], result["prefer_a"], result["ties"]) == (4, 3, 2)
    assert result["rate_a"] == 0.75
    assert result["p_value"] == pytest.approx(binomtest(3, 4).pvalue)


@pytest.mark.parametrize(
    ("results", "match"),
    [
        (["A", "C"], r"results\[1\] = 'C'"),
        (["tie", "tie"], "no A or B"),
        ([], "no A or B"),
        ("AB", "single string"),
        (["A", None], r"results\[1\]"),
    ],
)
def test_ab_preference_errors(results: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ab_preference(results)


def test_ai_or_real_perfect_answers() -> None:
    truth = ["ai", "real"] * 10
    result = ai_or_real(truth, truth).loc["ai|real"]
    assert result["n"] == 20 and result["accuracy"] == 1.0
    assert result["p_value"] == pytest.approx(2 * 0.5**20)
    assert result["p_value"] < 1e-5
    assert (result["ai_detected"], result["real_recognised"]) == (1.0, 1.0)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(_wilson(20, 20), abs=1e-5)


def test_ai_or_real_constant_answers_are_chance() -> None:
    result = ai_or_real(["ai", "real"] * 10, ["ai"] * 20).loc["ai|real"]
    assert result["accuracy"] == 0.5
    assert result["p_value"] == pytest.approx(1.0)
    assert (result["ai_detected"], result["real_recognised"]) == (1.0, 0.0)
    assert result["ci_low"] < 0.5 < result["ci_high"]


def test_ai_or_real_missing_class_is_nan() -> None:
    result = ai_or_real(["ai", "ai", "ai"], ["ai", "REAL", "ai"]).loc["ai|real"]
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert result["ai_detected"] == pytest.approx(2 / 3)
    assert math.isnan(result["real_recognised"])


@pytest.mark.parametrize(
    ("truth", "answers", "match"),
    [
        (["ai", "real"], ["ai"], "same length, got 2 and 1"),
        (["ai", "fake"], ["ai", "ai"], r"truth\[1\] = 'fake'"),
        (["ai"], ["human"], r"answers\[0\] = 'human'"),
        ([], [], "no trials"),
    ],
)
def test_ai_or_real_errors(truth: list[str], answers: list[str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ai_or_real(truth, answers)


# --- MUSHRA ------------------------------------------------------------------------------------


def _mushra_rows(
    reference_scores: dict[str, list[float]],
    systems: dict[str, float] | None = None,
) -> list[dict[str, object]]:
    """One trial per reference score; each system gets ``base + trial`` in every trial."""
    systems = {"sysA": 60.0, "anchor_35": 20.0} if systems is None else systems
    rows = []
    for rater, scores in reference_scores.items():
        for trial, reference in enumerate(scores):
            rows.append(
                {"rater_id": rater, "trial": trial, "condition": "reference", "score": reference}
            )
            for condition, base in systems.items():
                rows.append(
                    {
                        "rater_id": rater,
                        "trial": trial,
                        "condition": condition,
                        "score": base + trial,
                    }
                )
    return rows


def _misses(n_trials: int, n_missed: int, missed_score: float = 50.0) -> list[float]:
    return [missed_score] * n_missed + [100.0] * (n_trials - n_missed)


def test_mushra_screen_exactly_15_percent_is_kept_above_is_excluded() -> None:
    ratings = _mushra_rows({"edge": _misses(20, 3), "over": _misses(20, 4), "good": _misses(20, 0)})
    assert mushra_screen(ratings) == ["over"]
    # 1 of 7 trials (14.3 %) kept, 2 of 7 (28.6 %) excluded
    assert mushra_screen(_mushra_rows({"x": _misses(7, 1), "y": _misses(7, 2)})) == ["y"]


def test_mushra_screen_threshold_is_strict_and_configurable() -> None:
    ratings = _mushra_rows(
        {"r1": _misses(4, 1, missed_score=90.0), "r2": _misses(4, 1, missed_score=89.9)}
    )
    assert mushra_screen(ratings) == ["r2"]  # 90 is not below 90; 89.9 is
    assert mushra_screen(ratings, threshold=85.0) == []
    assert mushra_screen(ratings, threshold=95.0) == ["r1", "r2"]
    assert mushra_screen(ratings, max_fraction=0.25) == []  # 1 of 4 trials is 25 %
    assert mushra_screen(ratings, max_fraction=0.2) == ["r2"]


def test_mushra_screen_returns_sorted_ids_and_respects_reference_name() -> None:
    rows = _mushra_rows({"zed": _misses(5, 5), "amy": _misses(5, 2), "bob": _misses(5, 0)})
    assert mushra_screen(rows) == ["amy", "zed"]
    renamed = [
        {**row, "condition": "hidden_ref"} if row["condition"] == "reference" else row
        for row in rows
    ]
    assert mushra_screen(renamed, reference="hidden_ref") == ["amy", "zed"]


def _hand_t_interval(values: list[float]) -> tuple[float, float, float, float]:
    x = np.asarray(values, dtype=float)
    mean, std = x.mean(), x.std(ddof=1)
    half = stats.t.ppf(0.975, df=len(x) - 1) * std / math.sqrt(len(x))
    return mean, mean - half, mean + half, std


def test_mushra_summary_matches_hand_computation_after_screening() -> None:
    rows = _mushra_rows(
        {"r1": _misses(4, 0), "r2": [95.0, 100.0, 92.0, 98.0], "bad": _misses(4, 4)}
    )
    summary = mushra_summary(pd.DataFrame(rows))
    assert summary.attrs["excluded"] == ["bad"]
    assert list(summary.columns) == ["mean", "ci_low", "ci_high", "std", "n", "n_raters"]
    assert summary.index.name == "condition"
    assert list(summary.index) == ["reference", "sysA", "anchor_35"]  # mean descending
    expected = {
        "reference": [100.0] * 4 + [95.0, 100.0, 92.0, 98.0],
        "sysA": [60.0, 61.0, 62.0, 63.0] * 2,
        "anchor_35": [20.0, 21.0, 22.0, 23.0] * 2,
    }
    for condition, values in expected.items():
        row = summary.loc[condition]
        assert row[["mean", "ci_low", "ci_high", "std"]].tolist() == pytest.approx(
            _hand_t_interval(values), rel=1e-12
        )
        assert (row["n"], row["n_raters"]) == (8, 2)


def test_mushra_summary_confidence_and_unscreened() -> None:
    rows = _mushra_rows({"r1": _misses(4, 0), "bad": _misses(4, 4)})
    summary = mushra_summary(rows, screen=False, confidence=0.9)
    assert summary.attrs["excluded"] == []
    assert summary.loc["sysA", "n_raters"] == 2 and summary.loc["sysA", "n"] == 8
    values = [60.0, 61.0, 62.0, 63.0] * 2
    half = stats.t.ppf(0.95, df=7) * np.std(values, ddof=1) / math.sqrt(8)
    assert summary.loc["sysA", "ci_high"] == pytest.approx(np.mean(values) + half, rel=1e-12)
    assert summary.loc["reference", "mean"] == pytest.approx(75.0)  # 100 and 50 kept


def test_mushra_summary_single_rating_has_nan_interval() -> None:
    rows = _mushra_rows({"r1": [100.0, 96.0]})
    rows.append({"rater_id": "r1", "trial": 0, "condition": "once", "score": 42.0})
    row = mushra_summary(rows).loc["once"]
    assert (row["mean"], row["n"], row["n_raters"]) == (42.0, 1, 1)
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"]) and math.isnan(row["std"])


def test_mushra_summary_ignores_feedback_log_columns() -> None:
    rows = _mushra_rows({"r1": _misses(3, 0), "r2": _misses(3, 0)})
    logged = pd.DataFrame(rows).assign(
        record_id=range(len(rows)), sample_id="clip", tag="x", test="mushra", comment=None
    )
    pd.testing.assert_frame_equal(mushra_summary(logged), mushra_summary(rows))


def test_mushra_summary_all_excluded_names_the_raters() -> None:
    rows = _mushra_rows({"r1": _misses(4, 2), "r2": _misses(4, 4)})
    with pytest.raises(ValueError, match=r"excluded every rater \('r1', 'r2'\)"):
        mushra_summary(rows)
    assert mushra_summary(rows, screen=False).attrs["excluded"] == []


def _without(rows: list[dict[str, object]], **match: object) -> list[dict[str, object]]:
    return [row for row in rows if any(row[k] != v for k, v in match.items())]


def _replaced(rows: list[dict[str, object]], score: object, **match: object) -> list[dict]:
    return [
        {**row, "score": score} if all(row[k] == v for k, v in match.items()) else row
        for row in rows
    ]


_GOOD = _mushra_rows({"r1": _misses(3, 0), "r2": _misses(3, 0)})


@pytest.mark.parametrize(
    ("ratings", "match"),
    [
        ([], "no MUSHRA ratings"),
        (pd.DataFrame(columns=["rater_id", "trial", "condition", "score"]), "no MUSHRA ratings"),
        (
            pd.DataFrame(_GOOD).drop(columns=["trial", "condition"]),
            r"missing \['trial', 'condition'\]",
        ),
        (pd.DataFrame(_GOOD).rename(columns={"score": "rating"}), r"missing \['score'\]"),
        (
            _without(_GOOD, rater_id="r2", trial=1, condition="reference"),
            r"hidden reference in every trial: add a 'reference' condition.*rater 'r2' in trial 1",
        ),
        (
            _replaced(_GOOD, 120, rater_id="r1", trial=2, condition="sysA"),
            r"0 to 100.*\(rater 'r1', trial 2, condition 'sysA'\) = 120",
        ),
        (
            _replaced(_GOOD, -1.0, rater_id="r2", trial=0, condition="anchor_35"),
            r"\(rater 'r2', trial 0, condition 'anchor_35'\) = -1.0",
        ),
        (
            _replaced(_GOOD, math.nan, rater_id="r1", trial=0, condition="reference"),
            r"finite.*\(rater 'r1', trial 0, condition 'reference'\)",
        ),
        (
            _replaced(_GOOD, "great", rater_id="r1", trial=1, condition="sysA"),
            r"\(rater 'r1', trial 1, condition 'sysA'\) = 'great'",
        ),
        ([{**_GOOD[0], "rater_id": None}, *_GOOD[1:]], r"no rater_id, trial or condition.*\[0\]"),
    ],
)
def test_mushra_bad_input(ratings: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mushra_summary(ratings)
    with pytest.raises(ValueError, match=match):
        mushra_screen(ratings)


def test_mushra_reference_name_must_match() -> None:
    with pytest.raises(ValueError, match="add a 'hidden' condition.*rater 'r1' in trial 0"):
        mushra_summary(_GOOD, reference="hidden")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold": 101.0}, "threshold"),
        ({"max_fraction": 1.5}, "max_fraction"),
        ({"confidence": 95}, "confidence"),
    ],
)
def test_mushra_bad_settings(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mushra_summary(_GOOD, **kwargs)


def test_mushra_resubmission_keeps_last_row_and_warns() -> None:
    rows = [*_GOOD, {"rater_id": "r1", "trial": 2, "condition": "sysA", "score": 10.0}]
    with pytest.warns(UserWarning, match=r"\(rater 'r1', trial 2, condition 'sysA'\) 2 times"):
        summary = mushra_summary(rows)
    values = [60.0, 61.0, 10.0, 60.0, 61.0, 62.0]  # the re-submitted 10 replaced 62
    assert summary.loc["sysA", "mean"] == pytest.approx(np.mean(values))
    assert summary.loc["sysA", "n"] == 6


def test_mushra_resubmission_uses_timestamp_when_present() -> None:
    frame = pd.DataFrame(_GOOD)
    frame["timestamp"] = pd.date_range("2024-05-01", periods=len(frame), freq="min", tz="UTC")
    earlier = {
        "rater_id": "r1",
        "trial": 2,
        "condition": "sysA",
        "score": 10.0,
        "timestamp": pd.Timestamp("2024-04-01", tz="UTC"),
    }  # last row, oldest rating
    frame = pd.concat([frame, pd.DataFrame([earlier])], ignore_index=True)
    with pytest.warns(UserWarning, match="by timestamp"):
        summary = mushra_summary(frame)
    assert summary.loc["sysA", "mean"] == pytest.approx(61.0)  # the newer 62 was kept
    as_text = frame.assign(timestamp=frame["timestamp"].map(lambda t: t.isoformat()))
    with pytest.warns(UserWarning, match="by timestamp"):
        assert mushra_summary(as_text).loc["sysA", "mean"] == pytest.approx(61.0)


def test_mushra_no_warning_without_duplicates() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mushra_summary(_GOOD)


def test_plot_mushra_points_limits_and_order() -> None:
    rows = _mushra_rows(
        {"r1": _misses(3, 0), "r2": _misses(3, 0)},
        systems={"gan": 70.0, "vae": 50.0, "anchor_35": 10.0},
    )
    rows.append({"rater_id": "r1", "trial": 0, "condition": "once", "score": 30.0})
    summary = mushra_summary(rows)
    ax = plot_mushra(summary, title="MUSHRA")
    try:
        assert isinstance(ax, Axes)
        points = [line for line in ax.get_lines() if line.get_marker() == "o"]
        assert sum(len(line.get_xdata()) for line in points) == len(summary) == 5
        assert ax.get_ylim() == (0.0, 100.0)
        labels = [tick.get_text() for tick in ax.get_xticklabels()]
        assert labels == list(summary.index) == ["reference", "gan", "vae", "once", "anchor_35"]
        grey = [line for line in points if line.get_color() == "0.5"]
        assert sorted(grey[0].get_xdata()) == [0, 4]  # reference and anchor
        texts = {text.get_text() for text in ax.texts}
        assert {"bad", "poor", "fair", "good", "excellent"} <= texts
        assert ax.get_title() == "MUSHRA"
    finally:
        plt.close(ax.figure)


def test_plot_mushra_uses_given_axes_and_checks_columns() -> None:
    figure, ax = plt.subplots()
    try:
        assert plot_mushra(mushra_summary(_GOOD), ax=ax) is ax
        with pytest.raises(ValueError, match=r"missing \['ci_low', 'ci_high'\]"):
            plot_mushra(pd.DataFrame({"mean": [50.0]}), ax=ax)
    finally:
        plt.close(figure)


# --- ABX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("hits", "n"), [(15, 20), (14, 20), (5, 20), (10, 10), (0, 3)])
def test_abx_summary_one_sided_p_value(hits: int, n: int) -> None:
    result = abx_summary([True] * hits + [False] * (n - hits)).loc["A|B"]
    expected = binomtest(hits, n, 0.5, alternative="greater").pvalue
    assert result["p_value"] == pytest.approx(expected, rel=1e-12)
    assert (result["n"], result["correct"], result["rate"]) == (n, hits, hits / n)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(_wilson(hits, n), abs=1e-5)
    assert bool(result["hears_difference"]) is bool(expected < 0.05)


def test_abx_summary_is_one_sided_not_two_sided() -> None:
    result = abx_summary([1] * 15 + [0] * 5).loc["A|B"]
    assert result["p_value"] == pytest.approx(binomtest(15, 20).pvalue / 2)
    assert result["p_value"] == pytest.approx(0.0207, abs=1e-4)
    assert bool(result["hears_difference"]) is True
    worse = abx_summary([0] * 15 + [1] * 5).loc["A|B"]  # far below chance is not "hearing"
    assert worse["p_value"] > 0.99 and not worse["hears_difference"]


def test_abx_summary_accepts_arrays_of_bools_and_ints() -> None:
    a = abx_summary(np.array([True, False, True, True]))
    b = abx_summary([1, 0, 1, 1])
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["A|B", "correct"] == 3


def test_every_summary_is_a_table_with_a_row_per_comparison() -> None:
    ab = ab_preference(["A", "B", "A"], name="GAN|VAE")
    blind = ai_or_real(["ai", "real"], ["ai", "ai"], name="GAN|real")
    abx = abx_summary([1, 0, 1], name="original|GL-32")
    for table, name in ((ab, "GAN|VAE"), (blind, "GAN|real"), (abx, "original|GL-32")):
        assert isinstance(table, pd.DataFrame) and list(table.index) == [name]
        assert table.index.name == "comparison" and "p_value" in table
    opinions = mos(pd.DataFrame({"tag": ["a", "a", "b", "b"], "rater_id": list("wxyz"),
                                 "score": [4, 5, 2, 3]}))
    assert isinstance(opinions, pd.DataFrame) and list(opinions.index) == ["a", "b"]
    assert opinions["mos"].tolist() == [4.5, 2.5] and opinions["n"].tolist() == [2, 2]


@pytest.mark.parametrize(
    ("correct", "match"),
    [
        ([], "no ABX trials"),
        ("1101", "not the string"),
        ([1, 2], r"correct\[1\] = 2"),
        ([True, "yes"], r"correct\[1\] = 'yes'"),
        ([0, math.nan], r"correct\[1\]"),
    ],
)
def test_abx_summary_errors(correct: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        abx_summary(correct)


def test_t_half_width_is_the_student_t_interval_and_nan_without_spread() -> None:
    from aigc_kit.evaluation import t_half_width

    assert t_half_width(2.0, 4, 0.95) == pytest.approx(3.182446305 * 2.0 / 2.0, rel=1e-9)
    widths = t_half_width(pd.Series([1.0, 1.0]), pd.Series([1, 30]), 0.9)
    assert math.isnan(widths.iloc[0]) and widths.iloc[1] == pytest.approx(
        1.699127 / math.sqrt(30), rel=1e-6)
