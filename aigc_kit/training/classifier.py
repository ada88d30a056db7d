"""The classifier trainer (chapter 3.2's four steps, supervised), inference and an augmentation.

:func:`train_classifier` is a step function on the kit's loop; :func:`predict` and
:func:`evaluate_classifier` run a model over a data set in batches; :func:`random_time_shift`
augments spectrogram batches. Taught in ``04_deep_learning_models``; the listeners of
chapters 6-10 are trained with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.runtime.device import model_device, param_dtype
from aigc_kit.training.loop import (
    Batches,
    RunConfig,
    Task,
    Trainer,
    TrainResult,
    place,
    prepare_data,
    prepare_labels,
)
from aigc_kit.training.optim import OptimizerFactory


def train_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int | None = 10,
    batch_size: int = 64,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    one_cycle: bool = True,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    optimizer: OptimizerFactory | None = None,
    run: RunConfig | None = None,
) -> TrainResult:
    """Train a classifier with cross-entropy: the four steps of chapter 3.2, supervised.

    Each step: (1) draw a batch ``(x, y)`` (shuffled epochs; the last incomplete batch of an
    epoch is dropped), optionally ``augment`` it; (2) ``logits = model(x)``; (3)
    ``loss = cross_entropy(logits, y)``; (4) ``loss.backward()`` and an optimiser step.

    Parameters
    ----------
    model : nn.Module
        Maps a batch of inputs to logits of shape ``(batch, n_classes)``.
    x : torch.Tensor, shape (N, ...)
        Inputs, e.g. log-mel images ``(N, 1, n_mels, n_frames)``.
    y : torch.Tensor, shape (N,)
        Integer class labels ``0 .. n_classes - 1``.
    epochs : int or None
        Passes over the data: ``epochs * (N // batch_size)`` steps, whatever ``run.steps``
        says (``run.max_seconds`` still applies). ``None`` to use ``run``'s steps and budget.
    batch_size : int
        Examples per batch.
    lr, weight_decay : float
        AdamW settings (identical to Adam when ``weight_decay=0``); ignored with ``optimizer``.
    augment : callable, optional
        Applied to each training batch on the device, e.g. :func:`random_time_shift`.
    x_val, y_val : torch.Tensor, optional
        Validation set, scored at the end of every epoch and at the last step.
    one_cycle : bool
        When the number of steps is known (``epochs`` or ``run.steps``), follow the one-cycle
        learning-rate schedule (warm up to ``lr``, then anneal towards 0;
        ``torch.optim.lr_scheduler.OneCycleLR``). On FSDD it lifts test accuracy from about
        80-95% (constant rate, 10 epochs) to about 99%. With only ``run.max_seconds`` the rate
        stays constant.
    optimizer : callable, optional
        ``optimizer(params) -> torch.optim.Optimizer``.
    run : RunConfig, optional
        Time budget, seed, device, progress, live plot, checkpoints (which hold
        ``{"model": model}``); default ``RunConfig()``, with the steps set by ``epochs``.

    Returns
    -------
    TrainResult
        History columns ``loss``, ``accuracy`` (on the training batch) and, with a validation
        set, ``val_accuracy`` (NaN except at epoch ends and the last step). The model is
        left in eval mode.

    Notes
    -----
    Taught in ``04_deep_learning_models``.
    """
    run = run or RunConfig()
    device = run.start()
    x = prepare_data(x, "x", device, param_dtype(model))
    y = prepare_labels(y, len(x), "y").to(device)
    validation = _validation_set(x_val, y_val, x.dtype)
    place(model, device).train()
    make_opt = optimizer or (
        lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=weight_decay))
    opt = make_opt(model.parameters())
    batches = Batches(len(x), batch_size, device)
    steps = epochs * batches.per_epoch if epochs is not None else run.steps
    schedule = None
    if one_cycle and steps is not None:
        max_lr = [group["lr"] for group in opt.param_groups]
        schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=steps)

    def step(i: int) -> torch.Tensor:
        idx = batches()
        xb, yb = x[idx], y[idx]
        if augment is not None:
            xb = augment(xb)
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if schedule is not None and i < steps:  # the last step ran at the final rate
            schedule.step()
        stats = [loss.detach(), (logits.detach().argmax(1) == yb).float().mean()]
        if validation is not None:
            val = math.nan
            if i % batches.per_epoch == 0 or i == steps:
                val = evaluate_classifier(model, *validation, device=device)
            stats.append(stats[0].new_tensor(val))
        return torch.stack(stats)

    config = {"epochs": epochs, "batch_size": batch_size, "lr": lr, "one_cycle": one_cycle,
              "weight_decay": weight_decay, "seed": run.seed, "augment": augment is not None,
              "custom_optimizer": optimizer is not None}
    columns = ("loss", "accuracy") + (("val_accuracy",) if validation is not None else ())
    result = Trainer(run.replace(steps=steps)).fit(Task(
        "train_classifier", {"model": model}, step, columns=columns, checked=("loss",),
        config=config, lr=None if optimizer else lr,
        optimizers=() if schedule is not None else (opt,)))  # one-cycle runs its own
    if validation is not None and result.ok and math.isnan(
            result.history["val_accuracy"].iloc[-1]):
        # stopped by the time budget between epochs: score the final weights too
        result.history.loc[result.history.index[-1], "val_accuracy"] = evaluate_classifier(
            model, *validation, device=device)
    return result


def _validation_set(x_val: Any, y_val: Any, dtype: torch.dtype
                    ) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The validation inputs and labels on the CPU, checked; None without them."""
    if x_val is None and y_val is None:
        return None
    if x_val is None or y_val is None:
        raise ValueError("pass both x_val and y_val, or neither")
    x_val = prepare_data(x_val, "x_val", torch.device("cpu"), dtype)
    return x_val, prepare_labels(y_val, len(x_val), "y_val")


@torch.no_grad()
def predict(
    model: nn.Module,
    x: torch.Tensor,
    *context: torch.Tensor,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> torch.Tensor:
    """The model's outputs (e.g. logits) for every example of ``x``, in eval mode, on the CPU.

    Parameters
    ----------
    model : nn.Module
        Any model; put in eval mode for the call and returned to its previous mode after.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    *context : torch.Tensor, shape (N, ...)
        Further inputs cut into the same batches, e.g. class labels:
        ``model(x[batch], labels[batch])`` (integer tensors keep their dtype).
    batch_size : int
        Examples per forward pass.
    device : str or torch.device, optional
        Where to compute; the model is moved there. Default: where the model already is.

    Returns
    -------
    torch.Tensor, shape (N, ...)
        The stacked outputs, on the CPU.

    Raises
    ------
    ValueError
        A further input with another number of rows than ``x`` (the lengths named).

    Notes
    -----
    Taught in ``04_deep_learning_models``.
    """
    inputs = [torch.as_tensor(t) for t in (x, *context)]
    if any(len(t) != len(inputs[0]) for t in inputs):
        raise ValueError(f"predict: every input needs one row per example, got lengths "
                         f"{[len(t) for t in inputs]}")
    device = torch.device(device) if device is not None else model_device(model)
    model.to(device)
    was_training = model.training
    model.eval()
    try:
        dtype = param_dtype(model)
        inputs = [t.to(device, dtype) if t.is_floating_point() else t.to(device)
                  for t in inputs]
        outputs = [model(*(t[i:i + batch_size] for t in inputs)).cpu()
                   for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outputs)


def evaluate_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> float:
    """Accuracy (fraction of examples whose arg-max logit is the label) of a classifier.

    Parameters
    ----------
    model : nn.Module
        Returns logits ``(batch, n_classes)``.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N,)
        Integer labels.
    batch_size : int
        Examples per forward pass.
    device : str or torch.device, optional
        As in :func:`predict`.

    Returns
    -------
    float
        Accuracy in ``[0, 1]``.

    Notes
    -----
    Taught in ``04_deep_learning_models``.
    """
    y = prepare_labels(y, len(x), "y")
    logits = predict(model, x, batch_size=batch_size, device=device)
    return (logits.argmax(dim=1) == y).float().mean().item()


def random_time_shift(max_frames: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """An augmentation that rolls each example by a random number of frames in time.

    Parameters
    ----------
    max_frames : int
        Largest shift, in frames (columns of the spectrogram image), either way.

    Returns
    -------
    callable
        ``shift(batch) -> batch``: every example of a ``(batch, ..., n_frames)`` tensor is
        rolled along the last axis by its own shift, uniform in ``[-max_frames, max_frames]``
        (drawn from the global torch RNG, so seeded training repeats).

    Notes
    -----
    Taught in ``04_deep_learning_models``: a spoken digit is the same digit a little
    earlier or later, so shifted copies teach the classifier to ignore the position.
    """
    if max_frames < 0:
        raise ValueError(f"max_frames must be >= 0, got {max_frames}")

    def shift(batch: torch.Tensor) -> torch.Tensor:
        n, frames = batch.shape[0], batch.shape[-1]
        offsets = torch.randint(-max_frames, max_frames + 1, (n,), device=batch.device)
        index = (torch.arange(frames, device=batch.device) - offsets[:, None]) % frames
        index = index.view(n, *([1] * (batch.ndim - 2)), frames).expand_as(batch)
        return batch.gather(-1, index)

    return shift
