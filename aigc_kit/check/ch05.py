"""Self-checks of chapter 5's exercises (``notebooks/05_math_losses_optimizers``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from aigc_kit.check.core import Outcome, as_array, close, exercise, not_a_function, right, wrong
from aigc_kit.training import discriminator_loss, step_factor

#: Gradient sequences the check feeds to the student's Adam, with the learning rates.
_ADAM_CASES: list[tuple[np.ndarray, float]] = [
    (np.ones(5), 0.1),
    (np.array([1.0, -2.0, 0.5, 3.0, -0.25, 0.0, 4.0]), 0.01),
    (np.array([1e-3, 2e-3, -1e-3, 5e-4]), 0.5),
]


def _adam_path(grads: np.ndarray, lr: float, variant: str = "correct", betas: tuple[float,
               float] = (0.9, 0.999), eps: float = 1e-8) -> np.ndarray:
    """Adam on one scalar from 0: the parameter after each gradient of ``grads``.

    ``variant`` is ``"correct"``, ``"printed_moment"``, ``"printed_step"`` (the source's
    misprints, as in :class:`aigc_kit.training.Adam`) or ``"no_bias_correction"``.
    """
    beta1, beta2 = betas
    theta = m = v = 0.0
    path = []
    for t, g in enumerate(np.asarray(grads, dtype=np.float64), start=1):
        if variant == "printed_moment":
            m, v = beta1 * m + (1 - beta1) * (g - m), beta2 * v + (1 - beta2) * (g * g - v)
        else:
            m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        c1, c2 = (1.0, 1.0) if variant == "no_bias_correction" else (1 - beta1**t,
                                                                      1 - beta2**t)
        if variant == "printed_step":
            theta -= lr / (np.sqrt(c2) * c1) * m / (np.sqrt(v) + eps)
        else:
            theta -= lr * (m / c1) / (np.sqrt(v / c2) + eps)
        path.append(theta)
    return np.array(path)


@exercise
def ex1(answer: Any, melodies: np.ndarray, P: np.ndarray) -> Outcome:
    """Exercise 1: the exact probability that a melody drawn from ``P`` ends on the tonic.

    ``answer``: a float in [0, 1].
    """
    melodies, P = np.asarray(melodies), np.asarray(P, dtype=np.float64)
    expected = float(P[melodies[:, -1] == 0].sum())
    got = as_array(answer)
    if got.size != 1:
        return wrong(f"give one probability, a single float (yours has shape {got.shape})")
    got = got.reshape(())
    if close(got, expected, rtol=1e-6, atol=1e-9):
        return right("compare with the share of melodies that end on the tonic: the tonic "
                     "bonus lowers their energy, and exp(-V) turns each unit of energy "
                     "saved into a factor of e = 2.7 in probability")
    if close(got, 100 * expected, rtol=1e-6):
        return wrong("that looks like a percentage; give a probability between 0 and 1")
    if close(got, np.mean(melodies[:, -1] == 0), rtol=1e-6):
        return wrong("that is the share of melodies that end on the tonic, each counted "
                     "once; weight each melody by its probability P")
    if close(got, P[melodies[:, 0] == 0].sum(), rtol=1e-6):
        return wrong("that is the probability of *starting* on the tonic; look at the last "
                     "note, melodies[:, -1]")
    if abs(float(got) - expected) < 0.02:
        return wrong("close, but not exact: an estimate from samples (freq or draws) has a "
                     "standard error; sum the exact probabilities P instead")
    return wrong("select the melodies whose last scale degree is 0 (the tonic) and add up "
                 "their probabilities P")


@exercise
def ex2(answer: Callable[[np.ndarray, float], Any]) -> Outcome:
    """Exercise 2: Adam written from its update equations.

    ``answer``: a function ``answer(grads, lr)`` returning the parameter after each step,
    an array of ``len(grads)`` floats, for one scalar parameter starting at 0, with
    ``betas = (0.9, 0.999)`` and ``eps = 1e-8``.
    """
    if (hint := not_a_function(answer, "adam_path")) is not None:
        return hint
    for grads, lr in _ADAM_CASES:
        got = as_array(answer(grads.copy(), lr))
        expected = _adam_path(grads, lr)
        if got.shape != expected.shape:
            return wrong(f"for {len(grads)} gradients your function returned shape {got.shape};"
                         f" return the parameter after every step, shape ({len(grads)},)")
        if close(got, expected, rtol=1e-6, atol=1e-12):
            continue
        if close(got, -expected, rtol=1e-6, atol=1e-12):
            return wrong("your parameter moves up the gradient; Adam subtracts its step")
        if len(grads) > 1 and close(got[1:], expected[:-1], rtol=1e-6, atol=1e-12):
            return wrong("your path seems shifted by one step: return the parameter *after* "
                         "each update, without the starting value 0")
        for variant, hint in [
            ("no_bias_correction", "without the bias correction: divide m by 1 - beta1^t and "
                                   "v by 1 - beta2^t (t counts from 1)"),
            ("printed_step", "that is the source's printed step factor, "
                             "1 / (sqrt(1 - beta2^t)(1 - beta1^t)); from m_hat / sqrt(v_hat)"
                             " the square root belongs in the numerator"),
            ("printed_moment", "those are the source's printed moment updates; the average is "
                               "beta1 m + (1 - beta1) g, without the extra - m"),
        ]:
            if close(got, _adam_path(grads, lr, variant), rtol=1e-6, atol=1e-12):
                return wrong(f"your Adam runs {hint}")
        return wrong(f"on the gradients {grads.tolist()} with lr {lr} your path differs from "
                     f"Adam's; start m = v = 0 and count steps from t = 1")
    return right("with a constant gradient it moves exactly lr per step: the step's size is "
                 "set by lr, not by the gradient's scale")


@exercise
def ex3(answer: Callable[[torch.Tensor, torch.Tensor], Any]) -> Outcome:
    """Exercise 3: the discriminator loss per example, from logits, stable at any logit.

    ``answer``: a function ``answer(real_logits, fake_logits)`` returning a tensor of
    ``real_logits.shape``, the loss ``-[log D(x) + log(1 - D(G(z)))]`` of each pair in nats.
    """
    if (hint := not_a_function(answer, "d_loss")) is not None:
        return hint
    real = torch.tensor([3.0, -2.0, 0.0, 0.5, 1.5, -0.7])
    fake = torch.tensor([-1.0, 0.5, 0.0, 2.0, -3.0, 0.3])
    extreme_real = torch.tensor([-200.0, -100.0, -20.0, 20.0, 100.0, 200.0])
    extreme_fake = torch.tensor([200.0, 100.0, 20.0, -20.0, -100.0, -200.0])
    for label, r, f in [("ordinary", real, fake), ("extreme", extreme_real, extreme_fake)]:
        expected = discriminator_loss(r.double(), f.double(), reduction="none")
        got = as_array(answer(r.clone(), f.clone()))
        if got.shape != tuple(expected.shape):
            return wrong(f"return one loss per pair, shape {tuple(expected.shape)} (yours has "
                         f"shape {got.shape}: no mean)")
        if label == "extreme" and not np.all(np.isfinite(got)):
            return wrong("at logits of +-100 or more your loss is inf or nan, in float32: "
                         "sigmoid rounds to 0 or 1 before the log; write -log(sigmoid(l)) and "
                         "-log(1 - sigmoid(l)) with softplus")
        if close(got, expected, rtol=1e-5, atol=1e-5):
            continue
        swapped = discriminator_loss(f.double(), r.double(), reduction="none")
        if close(got, swapped, rtol=1e-5, atol=1e-5):
            return wrong(f"on {label} logits the real and fake terms are swapped: D should say "
                         f"'real' (a large logit) on real examples")
        if close(got, expected / 2, rtol=1e-5, atol=1e-5):
            return wrong(f"on {label} logits your loss is half of L_D: add the two terms, "
                         f"don't average them")
        return wrong(f"on {label} logits your loss differs from -[log D(x) + log(1 - D(G(z)))]"
                     f" with D = sigmoid(logit)")
    return right("softplus(-l) and softplus(l) are the two terms: finite for any float32 "
                 "logit, with gradients of sigmoid(l) - 1 and sigmoid(l)")


@exercise
def ex4(answer: Any) -> Outcome:
    """Exercise 4: the step from which the printed Adam step is less than 2x too large.

    ``answer``: an int, the first step ``t`` at which, with ``betas = (0.9, 0.99)``, the
    printed factor is less than twice the correct one.
    """
    betas = (0.9, 0.99)
    steps = np.arange(1, 10_000)
    excess = (step_factor(steps, betas, variant="printed_step")
              / step_factor(steps, betas))
    expected = int(steps[np.argmax(excess < 2)])
    got = as_array(answer)
    if got.size != 1:
        return wrong("give one step number, an int")
    value = float(got.reshape(-1)[0])
    if value == expected:
        return right("beta2 = 0.99 remembers about 100 steps, so the excess fades ten times "
                     "sooner than with 0.999; at step 1 it is 1/(1 - beta2) = 100x")
    default = (step_factor(steps, variant="printed_step") / step_factor(steps)) < 2
    if value == steps[np.argmax(default)]:
        return wrong("that is the answer for the notebook's beta2 = 0.999; the exercise uses "
                     "beta2 = 0.99")
    if abs(value - expected) == 1:
        return wrong("off by one: the first step at which the excess is already below 2 "
                     "(steps count from t = 1)")
    if not value.is_integer():
        return wrong("the crossing point of the formula is not a step; give the first whole "
                     "step t at which the excess is below 2")
    return wrong("the printed factor over the correct one is 1 / (1 - beta2^t); find the "
                 "first t at which it drops below 2")
