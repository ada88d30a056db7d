"""Chapter 6's exercise checks: right answers pass, typical mistakes get a hint, no leaks."""

import numpy as np
import pandas as pd
import pytest
import torch

from aigc_kit import check
from aigc_kit.evaluation import inception_score
from aigc_kit.models import MelClassifier


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _vocoder_table():
    rows = {("32 bands (NOTES_SPEC_32)", "original"): [1.0, 0.0, np.nan],
            ("32 bands (NOTES_SPEC_32)", "GL-32"): [0.6, 7.0, 0.01],
            ("32 bands (NOTES_SPEC_32)", "NNLS+GL-32"): [0.7, 1.0, 0.01],
            ("64 bands (NOTES_SPEC)", "original"): [1.0, 0.0, np.nan],
            ("64 bands (NOTES_SPEC)", "GL-32"): [0.8, 6.0, 0.01],
            ("64 bands (NOTES_SPEC)", "NNLS+GL-32"): [0.95, 4.0, 0.01],
            ("64 bands (NOTES_SPEC)", "trained+GL-32"): [0.9, 3.5, 0.02]}
    return pd.DataFrame(rows.values(), index=pd.MultiIndex.from_tuples(rows),
                        columns=["heard", "lsd_db", "rtf"])


def test_ex1_vocoder_with_the_lowest_distance():
    table = _vocoder_table()
    good = check.ch06_ex1("trained+GL-32", table)
    assert good.ok is True and "heard" in good.message
    original = check.ch06_ex1("original", table)
    assert original.ok is False and "reference" in original.message
    highest = check.ch06_ex1("GL-32", table)
    assert highest.ok is False and "highest" in highest.message
    for verdict in (original, highest, check.ch06_ex1("NNLS+GL-32", table),
                    check.ch06_ex1(3.5, table)):
        assert verdict.ok is False
    assert check.ch06_ex1(..., table).ok is None


def test_ex2_snr_per_example():
    torch.manual_seed(0)
    ref = torch.randn(6, 20) * 10
    rec = ref + torch.randn(6, 20)
    expected = 10 * torch.log10((ref**2).sum(1) / ((rec - ref) ** 2).sum(1))
    assert check.ch06_ex2(expected, rec, ref).ok is True
    for mistake, word in [(2 * expected, "10 log10"), (expected * np.log(10) / 10, "natural"),
                          (expected.mean(), "shape"),
                          (10 * torch.log10((rec**2).sum(1) / ((rec - ref) ** 2).sum(1)),
                           "reference")]:
        verdict = check.ch06_ex2(mistake, rec, ref)
        assert verdict.ok is False and word in verdict.message
        assert f"{float(expected[0]):.2f}" not in verdict.message
    assert check.ch06_ex2(..., rec, ref).ok is None


def test_ex3_inception_score_function():
    assert check.ch06_ex3(lambda p: inception_score(p, splits=1)).ok is True

    def mean_kl(p):
        return float(np.log(inception_score(p, splits=1)))

    log_only = check.ch06_ex3(mean_kl)
    assert log_only.ok is False and "exponential" in log_only.message

    def reversed_kl(p):
        q = p.mean(axis=0, keepdims=True)
        return float(np.exp(np.mean(np.sum(q * (np.log(q + 1e-12) - np.log(p + 1e-12)), 1))))

    verdict = check.ch06_ex3(reversed_kl)
    assert verdict.ok is False and "reversed" in verdict.message
    assert check.ch06_ex3(lambda p: p.mean(axis=0)).ok is False
    assert check.ch06_ex3(2.0).ok is False
    assert check.ch06_ex3(...).ok is None


def test_ex4_most_generated_class():
    torch.manual_seed(0)
    classifier = MelClassifier(n_classes=4, in_shape=(1, 8, 8))
    fake = torch.randn(24, 1, 8, 8)
    names = ["a", "b", "c", "d"]
    counts = np.bincount(classifier.predict_proba(fake).argmax(1).numpy(), minlength=4)
    best = names[int(counts.argmax())]
    assert check.ch06_ex4(best, classifier, fake, names).ok is True
    index = check.ch06_ex4(int(counts.argmax()), classifier, fake, names)
    assert index.ok is False and "index" in index.message
    least = names[int(counts.argmin())]
    if counts.min() < counts.max():
        verdict = check.ch06_ex4(least, classifier, fake, names)
        assert verdict.ok is False and best not in verdict.message
    assert check.ch06_ex4("z", classifier, fake, names).ok is False
    assert check.ch06_ex4(..., classifier, fake, names).ok is None
