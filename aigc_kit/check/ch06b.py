"""Self-checks of chapter 6b's exercises (``notebooks/06b_project_audio_diffusion``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from aigc_kit.check.core import Outcome, as_array, close, exercise, right, wrong
from aigc_kit.models.diffusion import NoiseSchedule, ddim_step, noise_from_x0


def _shaped(answer: Any, like: torch.Tensor) -> np.ndarray | Outcome:
    got = as_array(answer)
    if got.shape != tuple(like.shape):
        return wrong(f"give a tensor shaped like the images, {tuple(like.shape)} (yours has "
                     f"shape {got.shape})")
    return got


@exercise
def ex1(answer: Any, x0: torch.Tensor, noise: torch.Tensor, t: int,
        schedule: NoiseSchedule) -> Outcome:
    """Exercise 1: the forward process in one line, ``x_t`` from ``x_0``, the noise and ``t``.

    ``answer``: a tensor shaped like ``x0``.
    """
    got = _shaped(answer, x0)
    if isinstance(got, Outcome):
        return got
    abar, beta = schedule.alpha_bars()[t], schedule.betas()[t]
    expected = (abar.sqrt() * x0 + (1 - abar).sqrt() * noise).numpy()
    if close(got, expected, rtol=1e-4, atol=1e-5):
        return right("the same x_t the training loop makes for every image and step: no "
                     "loop over steps, the closed form jumps straight to step t")
    if close(got, (beta.sqrt() * noise + (1 - beta).sqrt() * x0).numpy(), atol=1e-5):
        return wrong("that is one noising step with beta_t; the closed form uses the "
                     "cumulative product alpha_bar_t = schedule.alpha_bars()[t]")
    if close(got, (abar * x0 + (1 - abar) * noise).numpy(), atol=1e-5):
        return wrong("alpha_bar_t is a variance share: the image is scaled by its square "
                     "root, the noise by the square root of 1 - alpha_bar_t")
    return wrong("x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) noise, with alpha_bar_t "
                 "from schedule.alpha_bars()")


@exercise
def ex2(answer: Any, x_t: torch.Tensor, x0_hat: torch.Tensor, t: int, t_prev: int,
        schedule: NoiseSchedule) -> Outcome:
    """Exercise 2: one DDIM step from ``x_t`` to ``x_{t_prev}`` given a predicted clean image.

    ``answer``: a tensor shaped like ``x_t``.
    """
    got = _shaped(answer, x_t)
    if isinstance(got, Outcome):
        return got
    abars = schedule.alpha_bars()
    eps = noise_from_x0(abars[t], x_t, x0_hat)
    expected = ddim_step(schedule, eps, t, t_prev, x_t).numpy()
    if close(got, expected, rtol=1e-4, atol=1e-4):
        return right("DDIM adds no fresh noise (eta = 0): the same start always gives the "
                     "same note, which is why it can skip steps")
    unclipped = (abars[t_prev].sqrt() * x0_hat + (1 - abars[t_prev]).sqrt()
                 * noise_from_x0(abars[t], x_t, x0_hat)).numpy()
    if not close(unclipped, expected, atol=1e-4) and close(got, unclipped, atol=1e-4):
        return wrong("clip the predicted clean image to [-1, 1] (the images' range) first, "
                     "and compute the noise from the unclipped one")
    same_t = ddim_step(schedule, eps, t, t, x_t).numpy()
    if close(got, same_t, atol=1e-4):
        return wrong("that stays at step t: use alpha_bar of t_prev for the step you land on")
    return wrong("eps = (x_t - sqrt(abar_t) x0) / sqrt(1 - abar_t); then x_prev = "
                 "sqrt(abar_prev) clip(x0) + sqrt(1 - abar_prev) eps")


@exercise
def ex3(answer: Any, guidance_table: pd.DataFrame) -> Outcome:
    """Exercise 3: the guidance scale with the clearest notes in ``guidance_table``.

    ``answer``: a float, one of the table's guidance scales (any of those tied for best).
    """
    got = as_array(answer)
    if got.size != 1:
        return wrong(f"give one guidance scale, a single float (yours has shape {got.shape})")
    rates = guidance_table["pitch clear / real"]
    best = [float(w) for w in rates.index[rates == rates.max()]]  # ties all count
    if any(close(got.reshape(()), w, atol=1e-9) for w in best):
        return right("more guidance is not always better: past the best scale the notes "
                     "exaggerate their class and the pitch judge finds fewer of them clear")
    if float(got.reshape(())) not in [float(w) for w in guidance_table.index]:
        return wrong(f"give one of the scales in the table's index: "
                     f"{[float(w) for w in guidance_table.index]}")
    if close(got.reshape(()), float(guidance_table["IS ratio (in-domain)"].idxmax()), atol=1e-9):
        return wrong("that scale has the best in-domain IS ratio; the question asks for the "
                     "pitch judge's clear rate")
    return wrong("look at the column 'pitch clear / real' and take the row where it is "
                 "highest")
