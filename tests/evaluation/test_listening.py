"""Tests for aigc_kit.evaluation against hand computations and scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from aigc_kit.evaluation import ab_preference, ai_or_real, mos

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
    result = ab_preference(["A"] * 15 + ["B"] * 5)
    assert result["n"] == 20 and result["prefer_a"] == 15 and result["ties"] == 0
    assert result["rate_a"] == 0.75
    assert result["p_value"] == pytest.approx(binomtest(15, 20, 0.5).pvalue, rel=1e-12)
    assert result["p_value"] == pytest.approx(0.0414, abs=1e-4)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(_wilson(15, 20), abs=1e-5)


def test_ab_preference_excludes_ties() -> None:
    result = ab_preference(["A", "tie", "b", "a", "TIE", "A"])
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
    result = ai_or_real(truth, truth)
    assert result["n"] == 20 and result["accuracy"] == 1.0
    assert result["p_value"] == pytest.approx(2 * 0.5**20)
    assert result["p_value"] < 1e-5
    assert (result["ai_detected"], result["real_recognised"]) == (1.0, 1.0)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(_wilson(20, 20), abs=1e-5)


def test_ai_or_real_constant_answers_are_chance() -> None:
    result = ai_or_real(["ai", "real"] * 10, ["ai"] * 20)
    assert result["accuracy"] == 0.5
    assert result["p_value"] == pytest.approx(1.0)
    assert (result["ai_detected"], result["real_recognised"]) == (1.0, 0.0)
    assert result["ci_low"] < 0.5 < result["ci_high"]


def test_ai_or_real_missing_class_is_nan() -> None:
    result = ai_or_real(["ai", "ai", "ai"], ["ai", "REAL", "ai"])
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
