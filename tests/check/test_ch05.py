"""Chapter 5's exercise checks: right answers pass, typical mistakes get a hint, no leaks."""

import numpy as np
import pytest
import torch

from aigc_kit import check
from aigc_kit.models import all_sequences, energy_probability, melody_energy
from aigc_kit.training import Adam


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def test_ex1_probability_of_ending_on_the_tonic():
    melodies = all_sequences(4, 4)
    P = energy_probability(melody_energy(melodies))
    expected = float(P[melodies[:, -1] == 0].sum())
    assert check.ch05_ex1(expected, melodies, P).ok is True
    uniform = check.ch05_ex1(float(np.mean(melodies[:, -1] == 0)), melodies, P)
    assert uniform.ok is False and "weight each melody" in uniform.message
    start = check.ch05_ex1(float(P[melodies[:, 0] == 0].sum()), melodies, P)
    assert start.ok is False and "starting" in start.message
    estimate = check.ch05_ex1(expected + 0.004, melodies, P)
    assert estimate.ok is False and "samples" in estimate.message
    assert check.ch05_ex1(100 * expected, melodies, P).ok is False
    assert all(f"{expected:.3f}" not in v.message for v in (uniform, start, estimate))
    assert check.ch05_ex1(..., melodies, P).ok is None


def _kit_adam(grads, lr, variant="correct"):
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = Adam([theta], lr=lr, variant=variant)
    path = []
    for g in grads:
        theta.grad = torch.tensor([float(g)], dtype=torch.float64)
        opt.step()
        path.append(theta.item())
    return np.array(path)


def test_ex2_adam_from_its_equations():
    assert check.ch05_ex2(_kit_adam).ok is True
    for variant, word in [("printed_step", "printed step"),
                          ("printed_moment", "printed moment")]:
        verdict = check.ch05_ex2(lambda g, lr, v=variant: _kit_adam(g, lr, v))
        assert verdict.ok is False and word in verdict.message

    def no_correction(grads, lr):
        theta, m, v, path = 0.0, 0.0, 0.0, []
        for g in grads:
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
            theta -= lr * m / (np.sqrt(v) + 1e-8)
            path.append(theta)
        return np.array(path)

    verdict = check.ch05_ex2(no_correction)
    assert verdict.ok is False and "bias correction" in verdict.message
    sign = check.ch05_ex2(lambda g, lr: -_kit_adam(g, lr))
    assert sign.ok is False and "up the gradient" in sign.message
    assert check.ch05_ex2(0.1).ok is False
    assert check.ch05_ex2(...).ok is None


def test_ex3_stable_discriminator_loss():
    softplus = torch.nn.functional.softplus
    assert check.ch05_ex3(lambda r, f: softplus(-r) + softplus(f)).ok is True
    naive = check.ch05_ex3(lambda r, f: -torch.log(torch.sigmoid(r))
                           - torch.log(1 - torch.sigmoid(f)))
    assert naive.ok is False and "softplus" in naive.message
    swapped = check.ch05_ex3(lambda r, f: softplus(-f) + softplus(r))
    assert swapped.ok is False and "swapped" in swapped.message
    mean = check.ch05_ex3(lambda r, f: (softplus(-r) + softplus(f)).mean())
    assert mean.ok is False and "no mean" in mean.message
    assert check.ch05_ex3(...).ok is None


def test_ex4_step_where_the_excess_falls_below_two():
    expected = int(np.ceil(np.log(0.5) / np.log(0.99)))
    assert check.ch05_ex4(expected).ok is True
    assert check.ch05_ex4(np.int64(expected)).ok is True
    other_beta = check.ch05_ex4(693)
    assert other_beta.ok is False and "0.999" in other_beta.message
    off = check.ch05_ex4(expected - 1)
    assert off.ok is False and "off by one" in off.message
    assert str(expected) not in off.message + other_beta.message
    assert check.ch05_ex4(...).ok is None
