"""Tests for aigc_kit.models: exact partition functions, stability, sampling, the melody space."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aigc_kit.models import (
    all_sequences,
    energy_from_probability,
    energy_probability,
    log_partition,
    melody_energy,
    sample_energy,
)


def test_partition_and_probabilities_match_the_definition():
    V = np.array([[0.0, 1.0], [2.0, np.log(3.0)]])
    Z = 1 + math.exp(-1) + math.exp(-2) + 1 / 3
    assert log_partition(V) == pytest.approx(math.log(Z))
    P = energy_probability(V)
    assert P.shape == V.shape
    np.testing.assert_allclose(P, np.exp(-V) / Z)


def test_large_energies_are_stable():
    V = np.array([1e4, 1e4 + 1.0, np.inf])
    assert log_partition(V) == pytest.approx(-1e4 + math.log1p(math.exp(-1)), rel=1e-15)
    P = energy_probability(V)
    np.testing.assert_allclose(P, [1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1)), 0])
    # shifting every energy changes Z, not P
    np.testing.assert_allclose(energy_probability(V - 1e4), P)


def test_energy_from_probability_inverts_up_to_a_constant():
    V = np.array([3.0, 5.0, 4.0, np.inf])
    recovered = energy_from_probability(energy_probability(V))
    np.testing.assert_allclose(recovered[:3], V[:3] + log_partition(V))  # -log P = V + log Z
    assert recovered[3] == np.inf
    np.testing.assert_allclose(energy_probability(recovered), energy_probability(V))
    with pytest.raises(ValueError, match="non-negative"):
        energy_from_probability([0.5, -0.1])


@pytest.mark.parametrize(("bad", "message"), [
    ([], "at least one state"),
    ([0.0, np.nan], "must not be NaN or -inf"),
    ([0.0, -np.inf], "must not be NaN or -inf"),
    ([np.inf, np.inf], r"every energy is \+inf, so Z = 0"),
])
def test_invalid_energies_raise(bad, message):
    with pytest.raises(ValueError, match=message):
        energy_probability(bad)


def test_sample_frequencies_match_probabilities():
    rng = np.random.default_rng(0)
    V = np.array([0.0, 0.5, 1.0, 3.0, np.inf, 2.0])
    P = energy_probability(V)
    n = 50_000
    samples = sample_energy(V, n, rng)
    assert samples.shape == (n,) and samples.dtype == np.int64
    freq = np.bincount(samples, minlength=V.size) / n
    assert freq[4] == 0.0
    assert np.all(np.abs(freq - P) < 5 * np.sqrt(P * (1 - P) / n) + 1e-12)
    repeat = sample_energy(V, 10, np.random.default_rng(1))
    np.testing.assert_array_equal(repeat, sample_energy(V, 10, np.random.default_rng(1)))


def test_all_sequences_enumerates_in_counting_order():
    seqs = all_sequences(8, 4)
    assert seqs.shape == (65_536, 8)
    np.testing.assert_array_equal(seqs[1], [0, 0, 0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(seqs[-1], [3] * 8)
    assert len(np.unique(seqs, axis=0)) == 65_536
    assert all_sequences(9, 2).reshape(-1, 3, 3).shape == (512, 3, 3)
    with pytest.raises(ValueError, match="exceed"):
        all_sequences(30, 4)
    with pytest.raises(ValueError, match=">= 1"):
        all_sequences(0, 4)


def test_melody_energy_terms():
    terms = dict(step_cost=0.5, leap_cost=1.5, repeat_cost=1.0, tonic_bonus=2.0)
    # intervals 1, 0, 2 -> 0.5 + 1.0 + (0.5 + 1.5 * 1); ends on 3, no bonus
    assert melody_energy([0, 1, 1, 3], **terms) == pytest.approx(3.5)
    # intervals 1, 1 -> 1.0; ends on the tonic -> -2
    assert melody_energy([2, 1, 0], **terms) == pytest.approx(-1.0)
    seqs = all_sequences(8, 4)
    V = melody_energy(seqs, **terms)
    assert V.shape == (65_536,)
    best = seqs[V == V.min()]
    assert (best[:, -1] == 0).all() and (np.abs(np.diff(best, axis=1)) == 1).all()
    worst = seqs[np.argmax(V)]
    assert (np.abs(np.diff(worst)) == 3).all()  # 3 0 3 0 ... 3: only the widest leaps
    with pytest.raises(ValueError, match="integer"):
        melody_energy([0.0, 1.0])
