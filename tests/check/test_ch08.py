"""Chapter 8's self-checks: right answers pass, typical mistakes get a hint, not the answer."""

from math import comb

import numpy as np
import pytest

from aigc_kit import check
from aigc_kit.interaction import FeedbackLog, LatentPrior, adapt_prior


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def test_ex1_prior_mean_by_hand():
    rng = np.random.default_rng(0)
    codes, scores = rng.normal(size=(4, 16)), np.array([900.0, 400.0, 1200.0, 700.0])
    expected = adapt_prior(LatentPrior.standard(16), codes, scores, top_fraction=0.5,
                           step=0.5).mean
    assert check.ch08_ex1(expected, codes, scores).ok is True
    elite = codes[[2, 0]].mean(0)
    wrong = check.ch08_ex1(elite, codes, scores)
    assert wrong.ok is False and "half way" in wrong.message
    assert "worst" in check.ch08_ex1(0.5 * codes[[1, 3]].mean(0), codes, scores).message
    assert check.ch08_ex1(expected[:3], codes, scores).ok is False
    assert check.ch08_ex1(..., codes, scores).ok is None


def test_ex2_round_means_from_the_log(tmp_path):
    log = FeedbackLog(tmp_path / "r.jsonl")
    log.append(sample_id="demo-0", rater_id="a", score=5)
    for r, scores in enumerate([[1, 2], [3, 5]]):
        for i, s in enumerate(scores):
            log.append(sample_id=f"r{r}-{i}", rater_id="a", score=s)
    assert check.ch08_ex2(np.array([1.5, 4.0]), log, 2).ok is True
    with_demo = check.ch08_ex2(np.array([(5 + 1 + 2) / 3, 4.0]), log, 2)
    assert with_demo.ok is False and "1.5" not in with_demo.message
    assert check.ch08_ex2(np.array([1.5]), log, 2).ok is False
    empty = FeedbackLog(tmp_path / "e.jsonl")
    assert "section 3" in check.ch08_ex2(np.array([1.0]), empty, 1).message


def test_ex3_binomial_p_value():
    results = ["B", "B", "A", "tie", "B", "B", "B", "B"]
    k, n = 6, 7
    p = sum(comb(n, i) for i in range(k, n + 1)) / 2**n
    assert check.ch08_ex3(p, results).ok is True
    ties = check.ch08_ex3(sum(comb(8, i) for i in range(6, 9)) / 2**8, results)
    assert ties.ok is False and "ties" in ties.message and f"{p:.3f}" not in ties.message
    assert "two-sided" in check.ch08_ex3(2 * p, results).message
    assert "P(X >= k)" in check.ch08_ex3(1 / 2**7, results).message
    assert "section 5" in check.ch08_ex3(0.5, ["tie"]).message
    assert check.ch08_ex3(..., results).ok is None
