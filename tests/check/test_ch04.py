"""Chapter 4's exercise checks: right answers pass, typical mistakes get a hint, no leaks."""

import numpy as np
import pytest
import torch

from aigc_kit import check
from aigc_kit.models import MelClassifier, MLPGenerator
from aigc_kit.training import gaussian_kl, predict


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def test_ex1_parameter_counter():
    generator = MLPGenerator(latent_dim=10, out_shape=(1, 4, 4), hidden=(8, 6))
    good = check.ch04_ex1(lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:], strict=True)),
                          generator)
    assert good.ok is True
    no_bias = check.ch04_ex1(lambda s: sum(a * b for a, b in zip(s[:-1], s[1:], strict=True)),
                             generator)
    assert no_bias.ok is False and "bias" in no_bias.message
    assert "26" not in no_bias.message  # the count of the first case
    assert check.ch04_ex1(26, generator).ok is False
    assert check.ch04_ex1(..., generator).ok is None


def test_ex2_recall_per_digit():
    rng = np.random.default_rng(0)
    y = torch.tensor(np.repeat(np.arange(10), 6))
    predicted = np.where(rng.random(60) < 0.7, y.numpy(), (y.numpy() + 1) % 10)
    predicted[y.numpy() == 3] = 3  # digit 3 always right; nothing predicted as 4 below
    predicted[predicted == 4] = 5
    recall = np.array([np.mean(predicted[y.numpy() == d] == d) for d in range(10)])
    assert check.ch04_ex2(recall, y, predicted).ok is True
    percent = check.ch04_ex2(100 * recall, y, predicted)
    assert percent.ok is False and "percent" in percent.message
    precision = np.array([np.mean(y.numpy()[predicted == d] == d) if np.any(predicted == d)
                          else np.nan for d in range(10)])
    verdict = check.ch04_ex2(precision, y, predicted)
    assert verdict.ok is False and "precision" in verdict.message
    overall = check.ch04_ex2(float(np.mean(predicted == y.numpy())), y, predicted)
    assert overall.ok is False and "overall accuracy" in overall.message
    assert check.ch04_ex2(..., y, predicted).ok is None


def test_ex3_cross_entropy():
    torch.manual_seed(0)
    classifier = MelClassifier(n_classes=10, in_shape=(1, 16, 16))
    x, y = torch.randn(12, 1, 16, 16), torch.arange(12) % 10
    expected = float(torch.nn.functional.cross_entropy(predict(classifier, x).double(), y))
    assert check.ch04_ex3(expected, classifier, x, y).ok is True
    for mistake, word in [(-expected, "sign"), (expected / np.log(2), "bits"),
                          (12 * expected, "sum")]:
        verdict = check.ch04_ex3(mistake, classifier, x, y)
        assert verdict.ok is False and word in verdict.message
        assert f"{expected:.3f}" not in verdict.message
    assert check.ch04_ex3(..., classifier, x, y).ok is None


def test_ex4_kl_per_example():
    torch.manual_seed(1)
    mu, logvar = torch.randn(5, 3), 0.5 * torch.randn(5, 3)
    kl = gaussian_kl(mu, logvar)
    assert check.ch04_ex4(kl, mu, logvar).ok is True
    assert check.ch04_ex4(kl.numpy(), mu, logvar).ok is True
    for mistake, word in [(2 * kl, "factor of 2"), (kl / 3, "averaged"),
                          (kl.mean(), "shape")]:
        verdict = check.ch04_ex4(mistake, mu, logvar)
        assert verdict.ok is False and word in verdict.message
        assert f"{float(kl[0]):.3f}" not in verdict.message
    assert check.ch04_ex4(..., mu, logvar).ok is None
