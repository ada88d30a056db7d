"""Self-checks of chapter 4's exercises (``notebooks/04_deep_learning_models``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from aigc_kit.check.core import Outcome, as_array, close, exercise, not_a_function, right, wrong
from aigc_kit.models import count_parameters
from aigc_kit.training import gaussian_kl, predict

#: Layer sizes the check feeds to the student's parameter counter, with their true counts.
_SIZES: list[tuple[list[int], int]] = [([3, 4, 2], 3 * 4 + 4 + 4 * 2 + 2), ([10, 1], 11),
                                       ([5, 7, 7, 3], 5 * 7 + 7 + 7 * 7 + 7 + 7 * 3 + 3)]


def _linear_sizes(model: nn.Module) -> list[int]:
    """``[in, hidden..., out]`` of a model made of a chain of ``nn.Linear`` layers."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return [linears[0].in_features, *(m.out_features for m in linears)]


@exercise
def ex1(answer: Callable[[Sequence[int]], int], generator: nn.Module) -> Outcome:
    """Exercise 1: count an MLP's parameters from its layer sizes.

    ``answer``: a function ``answer(sizes) -> int`` giving the number of weights and biases
    of the fully connected layers ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.
    """
    if (hint := not_a_function(answer, "n_mlp_params")) is not None:
        return hint
    for sizes, expected in _SIZES:
        got = answer(list(sizes))
        if close(got, expected, rtol=0, atol=0.5):
            continue
        weights_only = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        if close(got, weights_only, rtol=0, atol=0.5):
            return wrong(f"for sizes {sizes} your count misses the biases: each layer "
                         f"a -> b also has b biases")
        if close(got, expected + sizes[0], rtol=0, atol=0.5):
            return wrong(f"for sizes {sizes} you counted biases for the input too; only "
                         f"the layers' outputs have biases")
        return wrong(f"for sizes {sizes} your function's count is not right: a layer "
                     f"a -> b holds an a x b weight matrix and b biases")
    sizes = _linear_sizes(generator)
    if not close(answer(sizes), count_parameters(generator), rtol=0, atol=0.5):
        return wrong("your function counts the small examples right but not the generator's "
                     f"layers {sizes}; does it handle any number of layers?")
    return right(f"the generator's {len(sizes) - 1} linear layers hold all of its parameters "
                 "(its activations, LeakyReLU and tanh, have none); most sit in the widest "
                 "layers, since a layer's cost grows with the product of its two sizes")


@exercise
def ex2(answer: Any, y_test: Any, predicted: Any) -> Outcome:
    """Exercise 2: per-digit recall of the classifier on the test set.

    ``answer``: array of 10 floats in [0, 1], entry ``d`` the share of test recordings of
    digit ``d`` that the classifier heard as ``d``.
    """
    truth = as_array(y_test).astype(int)
    heard = as_array(predicted).astype(int)
    n_classes = 10
    expected = np.array([np.mean(heard[truth == d] == d) for d in range(n_classes)])
    got = as_array(answer)
    if got.size == 1:
        return wrong("one number is the overall accuracy; give one share per digit, an array "
                     "of 10 values")
    if got.shape != expected.shape:
        return wrong(f"expected one value per digit, shape ({n_classes},); yours has shape "
                     f"{got.shape}")
    if close(got, expected):
        return right("the lowest entries are the digits the classifier finds hardest; the "
                     "confusion matrix's row for them says what they are heard as")
    if close(got / 100, expected):
        return wrong("the values look like percentages; give shares between 0 and 1")
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.array([np.mean(truth[heard == d] == d) if np.any(heard == d)
                              else np.nan for d in range(n_classes)])
    if np.allclose(got, precision, rtol=1e-3, atol=1e-6, equal_nan=True):
        return wrong("you divided by how often each digit was *heard* (the columns): that is "
                     "precision; recall divides by how often it was *spoken* (the rows)")
    return wrong("for each digit d, take the test recordings whose label is d and the share "
                 "of them predicted as d")


@exercise
def ex3(answer: Any, classifier: nn.Module, x_test: torch.Tensor,
        y_test: torch.Tensor) -> Outcome:
    """Exercise 3: the classifier's mean cross-entropy on the test set, from its logits.

    ``answer``: a float, in nats.
    """
    logits = predict(classifier, x_test).double()
    labels = torch.as_tensor(y_test).long()
    expected = float(torch.nn.functional.cross_entropy(logits, labels))
    got = as_array(answer)
    if got.size != 1:
        return wrong(f"give one number, the mean over the test set (your answer has shape "
                     f"{got.shape}; did you forget to average the per-recording losses?)")
    got = got.reshape(())
    if close(got, expected, rtol=1e-4):
        return right("cross-entropy punishes confident mistakes most: accuracy counts a wrong "
                     "answer once, the loss counts it by how sure the model was")
    if close(got, -expected, rtol=1e-4):
        return wrong("the sign is off: the loss is minus the log-probability of the true "
                     "class, so it is positive")
    if close(got, expected / np.log(2), rtol=1e-4):
        return wrong("that is in bits (log base 2); use the natural log, for nats")
    if close(got, expected * len(labels), rtol=1e-4):
        return wrong("that is the sum over the test set; take the mean")
    return wrong("log-softmax is logit minus logsumexp of the row's logits; pick the entry "
                 "of the true class, negate, and average over the test recordings")


@exercise
def ex4(answer: Any, mu: torch.Tensor, logvar: torch.Tensor) -> Outcome:
    """Exercise 4: KL divergence of each example's posterior from N(0, I).

    ``answer``: array or tensor of shape ``(batch,)``, in nats.
    """
    mu64, logvar64 = mu.detach().double().cpu(), logvar.detach().double().cpu()
    expected = gaussian_kl(mu64, logvar64).numpy()
    got = as_array(answer)
    if got.shape != expected.shape:
        hint = " (one number per example: sum over the latent dimensions only)" \
            if got.size in (1, mu.numel()) else ""
        return wrong(f"expected shape {expected.shape}, one KL per example; yours has shape "
                     f"{got.shape}{hint}")
    if close(got, expected, rtol=1e-4):
        return right("an untrained encoder outputs mu and logvar near 0, so its KL is small; "
                     "training trades this term against reconstruction")
    if close(got, 2 * expected, rtol=1e-4):
        return wrong("off by a factor of 2: the closed form has a 1/2 in front of the sum")
    if close(got, expected / mu.shape[1], rtol=1e-4):
        return wrong("you averaged over the latent dimensions; the KL of independent "
                     "dimensions is their sum")
    std_as_var = 0.5 * (torch.exp(0.5 * logvar64) + mu64**2 - 1 - logvar64).sum(1).numpy()
    if close(got, std_as_var, rtol=1e-4):
        return wrong("exp(logvar) is the variance sigma^2; you used the standard deviation")
    return wrong("per example: 0.5 * sum over the latent dimensions of "
                 "(exp(logvar) + mu^2 - 1 - logvar)")
