"""Drawing notes: temperature, and the kit's seed / generator contract for the melody models.

Both melody models write a melody one note at a time, each token drawn from
``softmax(logits / temperature)`` by :func:`draw_tokens` (temperature 0: the likeliest
token). Their randomness follows :func:`aigc_kit.generation.sample`: ``seed=s`` is a
private CPU ``torch.Generator`` (the global RNG untouched, the same tokens on every
device), ``generator=g`` a ``torch.Generator`` of your own, neither torch's global RNG;
:func:`sampling_mode` turns those arguments into the generator and runs the model in eval
mode without gradients, as :func:`aigc_kit.generation.sample` does for the other models.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from aigc_kit.generation.sampling import eval_mode, seeded_generator


def check_temperature(temperature: float) -> None:
    """A ValueError unless ``temperature`` is finite and ``>= 0``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not (temperature >= 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be >= 0 (0 = always the likeliest token), got "
                         f"{temperature}")


def draw_tokens(logits: torch.Tensor, temperature: float,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """One token per row of ``logits`` ``(..., n_tokens)``, drawn at ``temperature``.

    Parameters
    ----------
    logits : torch.Tensor of shape (..., n_tokens)
    temperature : float
        Divides the logits before the softmax: 1 samples the model's distribution, below 1
        is more conservative, above 1 more adventurous; 0 takes the likeliest token.
    generator : torch.Generator, optional
        Draws the tokens on its own device (the probabilities are moved there); ``None``:
        the global RNG of ``logits``' device.

    Returns
    -------
    torch.Tensor of shape (...), int64, on ``logits``' device

    Notes
    -----
    Taught in ``09_music_generation`` (exercise 2 writes the probabilities by hand).
    """
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1).to(
        generator.device if generator is not None else logits.device)
    flat = torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, generator=generator)
    return flat.reshape(probs.shape[:-1]).to(logits.device)


@contextmanager
def sampling_mode(
    model: nn.Module, seed: int | None = None, generator: torch.Generator | None = None
) -> Iterator[torch.Generator | None]:
    """Eval mode and no gradients for a ``with`` block, yielding the generator to draw with.

    ``seed`` gives a fresh CPU ``torch.Generator`` seeded with it, ``generator`` is passed
    through, neither gives ``None`` (the global RNG); giving both is a ValueError. The
    model gets its train/eval mode back afterwards.

    Notes
    -----
    The melody side of :func:`aigc_kit.generation.sample`'s contract, used by
    :func:`aigc_kit.apps.music.generate_lstm` and
    :func:`aigc_kit.apps.music.generate_vae` (``09_music_generation``).
    """
    generator = seeded_generator(seed, generator, type(model).__name__)
    with eval_mode(model), torch.no_grad():
        yield generator
