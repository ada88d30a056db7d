"""Self-checks of chapter 12's exercises (``notebooks/12_video_style_and_generation``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from aigc_kit.apps.video.io import to_tensor
from aigc_kit.apps.video.style import (
    RandomTextureNet,
    flicker_score,
    gram_matrices,
    lab_statistics,
)
from aigc_kit.check.core import Outcome, call_student, close, exercise, not_a_function, right, wrong

STRENGTH = 0.5
"""The colour-transfer strength of exercise 1."""


@exercise
def ex1(answer: Any, frames: np.ndarray, style: np.ndarray) -> Outcome:
    """Exercise 1: the Lab statistics colour transfer aims at for ``strength = 0.5``.

    ``answer``: array-like of shape (2, 3): the target means (row 0) and standard
    deviations (row 1) of L*, a*, b*.
    """
    mean_c, std_c = lab_statistics(frames)
    mean_s, std_s = lab_statistics(style)
    expected = np.stack([(1 - STRENGTH) * mean_c + STRENGTH * mean_s,
                         (1 - STRENGTH) * std_c + STRENGTH * std_s])
    got = np.asarray(answer, dtype=np.float64)
    if got.shape == (3, 2) and close(got.T, expected, atol=1e-3):
        return wrong("transposed: row 0 should hold the three means, row 1 the three "
                     "standard deviations (shape (2, 3))")
    if got.shape != (2, 3):
        return wrong(f"give an array of shape (2, 3): means in row 0, standard deviations "
                     f"in row 1, channels L*, a*, b*; got shape {got.shape}")
    if close(got, expected, atol=1e-3):
        return right("colour_transfer(frames, style, strength=0.5) maps every frame so that "
                     "its Lab statistics move half-way; one map for the whole clip, so no "
                     "flicker")
    if close(got, np.stack([mean_s, std_s]), atol=1e-3):
        return wrong("those are the style's own statistics (strength 1); at strength 0.5 "
                     "blend them with the clip's")
    if close(got, np.stack([mean_c, std_c]), atol=1e-3):
        return wrong("those are the clip's own statistics (strength 0); at strength 0.5 "
                     "blend them with the style's")
    if close(got[0], expected[0], atol=1e-3):
        pooled = np.sqrt((1 - STRENGTH) * std_c**2 + STRENGTH * std_s**2)
        if close(got[1], pooled, atol=1e-3):
            return wrong("the means are right; colour_transfer blends the standard "
                         "deviations linearly, not the variances")
        return wrong("the means are right; check the standard deviations (row 1)")
    return wrong("use lab_statistics(frames) (pooled over all frames) and "
                 "lab_statistics(style), then target = (1 - s) * clip + s * style for the "
                 "means and for the standard deviations, with s = 0.5")


def _made_up_clips() -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs (output, input) of small clips on which the student's function is called."""
    rng = np.random.default_rng(12)
    x = np.clip(np.cumsum(rng.normal(0, 0.05, (6, 8, 10, 3)), axis=0) + 0.5, 0, 1)
    y = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)
    return [(y.astype(np.float32), x.astype(np.float32)),
            (x[::-1].copy().astype(np.float32), y.astype(np.float32))]


@exercise
def ex2(answer: Callable[[np.ndarray, np.ndarray], float], output: np.ndarray,
        frames: np.ndarray) -> Outcome:
    """Exercise 2: the flicker score written from its definition.

    ``answer``: a function ``f(output, input) -> float`` of two clips ``(T, H, W, 3)``;
    it is called on ``output``, ``frames`` (a stylised clip and the clip it came from)
    and on two made-up pairs.
    """
    if failed := not_a_function(answer, "flicker"):
        return failed
    pairs = [(np.asarray(output, np.float32), np.asarray(frames, np.float32)),
             *_made_up_clips()]
    got, failed = call_student(lambda: np.array([float(answer(y, x)) for y, x in pairs]),
                               how_called="answer(output, input) with two (T, H, W, 3) "
                                          "float arrays")
    if failed:
        return failed
    expected = np.array([flicker_score(y, x) for y, x in pairs])
    if close(got, expected, rtol=1e-3):
        return right("the same as aigc_kit.apps.video.flicker_score")
    if close(got, 1.0 / expected, rtol=1e-3):
        return wrong("the ratio is upside down: the output's change divided by the input's, "
                     "so added flicker gives a score above 1")

    def ratio(func: Callable[[np.ndarray], float]) -> np.ndarray:
        return np.array([func(y) / func(x) for y, x in pairs])

    if close(got, ratio(lambda c: float((np.diff(c, axis=0) ** 2).mean())), rtol=1e-3):
        return wrong("the definition uses the mean absolute change |y_t - y_(t-1)|, not the "
                     "squared change")
    if close(got, ratio(lambda c: float(np.abs(np.diff(c, axis=1)).mean())), rtol=1e-3):
        return wrong("take the difference along time (axis 0 of a (T, H, W, 3) clip), not "
                     "along the rows of the image")
    return wrong("flicker = mean(|y_t - y_(t-1)|) / mean(|x_t - x_(t-1)|), each mean over "
                 "all consecutive frame pairs, pixels and colours (np.diff(..., axis=0))")


@exercise
def ex3(answer: Any, image: np.ndarray, seed: int = 0) -> Outcome:
    """Exercise 3: the first-layer Gram matrix of one frame in the random texture network.

    ``answer``: array or tensor of shape (C, C) (C = 96 with the default network), the
    Gram matrix ``F F^T / (H W)`` of ``RandomTextureNet(seed=seed)``'s first feature map of
    ``image`` (one frame ``(H, W, 3)`` in [0, 1]); a leading batch axis of 1 is accepted.
    """
    net = RandomTextureNet(seed=seed)
    image = np.asarray(image, dtype=np.float32)
    with torch.no_grad():
        features = net(to_tensor(image[None]))
        grams = [g[0].numpy() for g in gram_matrices(features)]
    expected = grams[0]
    got = (answer.detach().cpu().numpy() if hasattr(answer, "detach")
           else np.asarray(answer)).astype(np.float64)
    if got.ndim == 3 and got.shape[0] == 1:
        got = got[0]
    if got.shape == grams[1].shape and close(got, grams[1], rtol=1e-3, atol=1e-5):
        return wrong("that is the second layer's Gram matrix; the exercise asks for the "
                     "first layer's (net(x)[0])")
    if got.shape != expected.shape:
        return wrong(f"the first layer has {expected.shape[0]} channels, so its Gram matrix "
                     f"is ({expected.shape[0]}, {expected.shape[0]}); got {got.shape}")
    if close(got, expected, rtol=1e-3, atol=1e-5):
        return right("each entry says how strongly two random filters respond together, "
                     "wherever in the frame: the texture statistic style transfer matches")
    h, w = image.shape[:2]
    if close(got, expected * h * w, rtol=1e-3, atol=1e-3):
        return wrong("divide F F^T by the number of positions H * W (the mean over pixels)")
    if close(got * expected.shape[0], expected, rtol=1e-3, atol=1e-5):
        return wrong("divide by H * W only, not by the number of channels as well")
    return wrong("x = torch.from_numpy(frame).permute(2, 0, 1)[None] (shape (1, 3, H, W), "
                 "values in [0, 1]); F = net(x)[0] reshaped to (C, H * W); "
                 "G = F @ F.T / (H * W)")


@exercise
def ex4(answer: Any, reconstructions: np.ndarray, clips: np.ndarray) -> Outcome:
    """Exercise 4: the mean per-clip PSNR of the VAE's reconstructions, in dB.

    ``answer``: float, the mean over clips of ``10 log10(1 / MSE_clip)``, with the MSE of
    each clip over all its values (data in [0, 1]).
    """
    real = np.asarray(clips, dtype=np.float32)
    error = np.asarray(reconstructions, dtype=np.float32) - real  # float32: fast on 6 M values
    if error.shape != real.shape:
        raise ValueError(f"reconstructions {error.shape} and clips {real.shape} differ in shape")
    np.square(error, out=error)
    mse = error.reshape(len(real), -1).mean(axis=1, dtype=np.float64)
    psnr = 10 * np.log10(1.0 / np.maximum(mse, 1e-12))
    expected = float(psnr.mean())
    got = float(np.asarray(answer, dtype=np.float64))
    if close(got, expected, rtol=1e-4, atol=1e-3):
        return right("the same definition as reconstruction_scores (after['psnr'])")
    if close(got, 10 * np.log10(1.0 / mse.mean()), rtol=1e-4, atol=1e-3):
        return wrong("that is the PSNR of the mean MSE; compute one PSNR per clip first and "
                     "average those (the log of a mean is not the mean of the logs)")
    if close(got, 2 * expected, rtol=1e-4, atol=1e-3):
        return wrong("PSNR from an MSE is 10 log10(1 / MSE): the 20 log10 form is for an "
                     "amplitude ratio")
    if close(got, float(mse.mean()), rtol=1e-4, atol=1e-9):
        return wrong("that is the mean MSE; turn each clip's MSE into dB first")
    return wrong("for each clip: MSE = mean((recon - real)^2) over its frames, pixels and "
                 "colours; PSNR = 10 log10(1 / MSE); answer = the mean PSNR over clips")
