"""The training step both melody models share, as a task for the kit's one training loop.

:func:`melody_task` turns a model, its training tensors and a loss into a
:class:`aigc_kit.training.Task`: each step draws a batch (shuffled epochs), computes the
loss, back-propagates, clips the gradient norm to :data:`CLIP_NORM` and takes an AdamW
step. The loop (:class:`aigc_kit.training.Trainer`) runs it with everything else: the step
and time budget, the cosine learning-rate schedule (``RunConfig(lr_schedule="cosine")``,
the melody trainers' default), the progress bar, the history and the NaN stop.
:func:`aigc_kit.apps.music.train_melody_lstm` and
:func:`aigc_kit.apps.music.train_melody_vae` are this task with their own data and loss.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from aigc_kit.training.loop import Batches, RunConfig, Task

CLIP_NORM = 5.0
"""Gradients are clipped to this global norm before every update (the LSTM needs it)."""

Loss = Callable[[nn.Module, dict[str, torch.Tensor]], tuple[torch.Tensor, ...]]


def melody_task(
    name: str,
    model: nn.Module,
    data: Mapping[str, torch.Tensor],
    loss: Loss,
    columns: Sequence[str],
    *,
    batch_size: int,
    lr: float,
    weight_decay: float,
    device: torch.device,
    config: dict[str, Any] | None = None,
) -> Task:
    """The AdamW step with gradient clipping of the melody trainers, as a loop task.

    Call it after ``device = run.start()`` (the batches draw their order from the seeded
    global RNG), then ``Trainer(run).fit(task)``.

    Parameters
    ----------
    name : str
        The trainer's name (progress bar, checkpoints).
    model : nn.Module
        Moved to ``device`` and put in train mode.
    data : mapping of str to torch.Tensor
        Training tensors with the examples along the first axis (all the same length);
        each step indexes all of them with one batch of example indices.
    loss : callable
        ``loss(model, batch) -> (total, *parts)``: scalar tensors, ``total`` is minimised;
        they become the history's ``columns``.
    columns : sequence of str
        Names of ``(total, *parts)``.
    batch_size : int
        Examples per step.
    lr, weight_decay : float
        AdamW settings; ``lr`` is the starting rate of the loop's schedule.
    device : torch.device
        Where to train (``run.start()``).
    config : dict, optional
        More hyperparameters for the checkpoints.

    Returns
    -------
    Task
        With the optimiser in ``optimizers``, so the loop can schedule its rate.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    data = {k: v.to(device) for k, v in data.items()}
    sizes = {len(v) for v in data.values()}
    if len(sizes) != 1:
        raise ValueError(f"{name}: the training tensors hold different numbers of examples "
                         f"({sorted(sizes)})")
    batches = Batches(sizes.pop(), batch_size, device)
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)

    def step(_: int) -> torch.Tensor:
        index = batches()
        values = loss(model, {k: v[index] for k, v in data.items()})
        opt.zero_grad(set_to_none=True)
        values[0].backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        opt.step()
        return torch.stack([v.detach() for v in values])

    config = {"batch_size": batch_size, "lr": lr, "weight_decay": weight_decay,
              **(config or {})}
    return Task(name, {"model": model}, step, columns=columns, config=config, lr=lr,
                optimizers=(opt,))


def cosine_by_default(run: RunConfig) -> RunConfig:
    """``run`` with ``lr_schedule="cosine"`` when it leaves the schedule to the trainer.

    Notes
    -----
    The melody trainers' default schedule (``09_music_generation``).
    """
    return run if run.lr_schedule is not None else run.replace(lr_schedule="cosine")
