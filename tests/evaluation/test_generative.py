"""Tests for aigc_kit.evaluation.generative: metrics of free generation, on feature and
probability matrices (Frechet, inception score, coverage, nearest neighbours)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import entropy

from aigc_kit.evaluation import (
    class_coverage,
    frechet_distance,
    generation_report,
    inception_score,
    nearest_neighbour_distance,
    score_samples,
)


def test_nearest_neighbour_distance_matches_brute_force():
    rng = np.random.default_rng(3)
    samples, pool = rng.normal(size=(5, 4, 6)), rng.normal(size=(9, 4, 6))
    brute = [min(np.sqrt(np.mean((s - p) ** 2)) for p in pool) for s in samples]
    assert np.allclose(nearest_neighbour_distance(samples, pool), brute)
    assert np.allclose(nearest_neighbour_distance(pool, pool), 0.0, atol=1e-6)
    with pytest.raises(ValueError, match="trailing shape"):
        nearest_neighbour_distance(samples, pool[:, :3])


def test_inception_score_extremes_and_errors():
    confident_even = np.eye(10)[np.arange(200) % 10]
    mean, std = inception_score(confident_even, splits=2, return_std=True)
    assert inception_score(confident_even, splits=2) == mean
    assert mean == pytest.approx(10.0, rel=1e-6) and std == pytest.approx(0.0, abs=1e-9)
    collapsed = np.eye(10)[np.zeros(200, dtype=int)]
    assert inception_score(collapsed, splits=2) == pytest.approx(1.0, rel=1e-6)
    uncertain = np.full((200, 10), 0.1)
    assert inception_score(uncertain, splits=2) == pytest.approx(1.0, rel=1e-6)
    # In between, IS = exp(H(p(y)) - mean H(p(y|x))) per split (the KL form, rearranged).
    rng = np.random.default_rng(0)
    noisy = rng.dirichlet(np.full(10, 0.3), size=400)
    by_entropy = np.mean([np.exp(entropy(part.mean(axis=0)) - np.mean(entropy(part, axis=1)))
                          for part in np.array_split(noisy, 4)])
    assert inception_score(noisy, splits=4) == pytest.approx(by_entropy, rel=1e-9)
    assert 1.5 < by_entropy < 9.0  # a case between the extremes
    shuffled = inception_score(noisy, splits=4, rng=np.random.default_rng(1))
    assert shuffled != pytest.approx(by_entropy, rel=1e-9)  # other groups, another mean
    assert shuffled == pytest.approx(by_entropy, rel=0.1)
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.ones((40, 10)), splits=2)
    with pytest.raises(ValueError, match="too few"):
        inception_score(confident_even[:5], splits=10)


def test_generation_report_compares_with_real():
    real = np.eye(8)[np.arange(80) % 8]
    collapsed = np.eye(8)[np.arange(80) % 2]
    report = generation_report(collapsed, real, splits=2)
    assert report["coverage"] == 2 and report["n_classes"] == 8
    assert report["is_ratio"] == pytest.approx(2 / 8, rel=1e-6)
    with pytest.raises(ValueError, match="same classes"):
        generation_report(collapsed[:, :4], real)
    # A held-out set ordered by class, 4 confident examples of each of 48 classes, scores
    # the full 48 by default, not the 12 that each of 4 splits would see.
    ordered = np.eye(48)[np.repeat(np.arange(48), 4)]
    assert generation_report(ordered, ordered)["is_real"] == pytest.approx(48, rel=1e-6)


def test_frechet_distance_matches_the_closed_form_for_gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    b = rng.normal(size=(4000, 3)) * 2.0 + np.array([1.0, 0.0, -1.0])
    # N(0, I) vs N(m, 4I): |m|^2 + tr(I + 4I - 2 * 2I) = 2 + 3.
    assert frechet_distance(a, b) == pytest.approx(5.0, rel=0.05)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-6)
    assert frechet_distance(torch.tensor(a), b) == pytest.approx(frechet_distance(a, b))


def test_frechet_distance_is_finite_for_singular_covariances_and_checks_inputs():
    rng = np.random.default_rng(1)
    collapsed = np.repeat(rng.normal(size=(1, 16)), 10, axis=0)  # covariance exactly 0
    few = rng.normal(size=(5, 16))  # rank 4 of 16
    value = frechet_distance(collapsed, few)
    # sqrt(C_a C_b) = 0 for C_a = 0, so d^2 = |mu_a - mu_b|^2 + tr(C_b), up to the 1e-6
    # offset the singular product needs
    expected = np.sum((collapsed.mean(0) - few.mean(0)) ** 2) + np.trace(np.cov(few.T))
    assert value == pytest.approx(expected, rel=2e-3)
    with pytest.raises(ValueError, match="same feature extractor"):
        frechet_distance(few, few[:, :8])
    with pytest.raises(ValueError, match="n_examples >= 2"):
        frechet_distance(few[:1], few)
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(few * np.nan, few)


def test_class_coverage_counts_top_predictions():
    p = np.eye(4)[[0, 0, 2, 2, 2]] * 0.7 + 0.075
    assert class_coverage(p).tolist() == [2, 0, 3, 0]
    with pytest.raises(ValueError, match="n_classes"):
        class_coverage(np.ones(3))


def test_score_samples_runs_any_listener_over_both_sets():
    rng = np.random.default_rng(0)
    # An "audio" listener: it takes lists of waveforms (not images) and hears the class
    # from the loudest sample's index; its features are two spectral-ish statistics.
    def waves(classes: list[int]) -> list[np.ndarray]:
        out = []
        for c in classes:
            w = rng.normal(0.0, 0.1, 8)
            w[c] = 5.0
            out.append(w)
        return out

    seen: list[int] = []

    def probabilities(batch: list[np.ndarray]) -> torch.Tensor:  # tensors are accepted too
        seen.append(len(batch))
        return torch.nn.functional.one_hot(
            torch.tensor([int(np.argmax(w)) for w in batch]), 8).double() * 0.9 + 0.1 / 8

    def features(batch: list[np.ndarray]) -> np.ndarray:
        return np.stack([[w.std(), np.abs(w).mean(), w[:4].sum()] for w in batch])

    generated, real = waves([0, 0, 1, 1, 0, 1]), waves(list(range(8)) * 2)
    report = score_samples(generated, real, probabilities=probabilities, features=features)
    assert seen == [6, 16]  # the listener got the sets as they were
    want = generation_report(probabilities(generated).numpy(), probabilities(real).numpy())
    assert {k: report[k] for k in want} == pytest.approx(want)
    assert report["coverage"] == 2 and report["is_ratio"] < 0.5  # two classes of eight
    assert report["frechet"] == pytest.approx(frechet_distance(features(generated),
                                                               features(real)))
    # the baseline: the real set scored against itself is at distance 0 and ratio 1
    itself = score_samples(real, real, probabilities=probabilities, features=features)
    assert itself["frechet"] == pytest.approx(0.0, abs=1e-9) and itself["is_ratio"] == 1.0
    assert report["frechet"] > itself["frechet"] + 1.0 and itself["coverage"] == 8
    alone = score_samples(generated, real, probabilities=probabilities)
    assert "frechet" not in alone and alone["coverage"] == 2
