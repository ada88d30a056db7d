"""The one training loop: every model of the course trains through :class:`Trainer`.

Every trainer of the kit (GAN, VAE, classifier, melody LSTM and VAE, digit voice) is a thin
*step function* run by this loop, as d2l's ``Trainer.fit`` runs every model of that book.
A step does chapter 3.2's four steps on one batch: (1) draw a batch of data, (2) compute the
model's output, (3) compute the loss, (4) back-propagate and let the optimiser update the
weights; it returns that step's losses as one tensor. Around the steps the loop adds what
a notebook needs, set once in a :class:`RunConfig`:

- a step count and a wall-clock budget (``steps`` / ``max_seconds``, whichever comes first);
- a learning-rate schedule (``lr_schedule="cosine"``: from the optimiser's rate down to
  ``lr_floor`` times it along half a cosine, over the steps or the time budget, whichever
  runs out first), applied to the optimisers a task hands the loop (:attr:`Task.optimizers`);
- seeding (same ``seed``, same machine -> the same history): a trainer calls
  ``run.start()`` (which seeds and returns the device) *before* it builds its batches,
  optimisers and step, so the whole run repeats;
- a ``tqdm`` progress bar with the latest losses, and a live loss plot;
- NaN/Inf detection: when a loss stops being finite, training stops, the weights go back to
  the last good snapshot (copied to the CPU every ``snapshot_every`` steps), and the result
  says what happened and what to try (also as a warning) instead of raising;
- callbacks (e.g. scoring samples along the way) and periodic checkpoints;
- the history, one row per step.

Losses are read back from the device once every ten steps (one synchronisation for ten
steps' values), so the bookkeeping costs almost nothing: ``benchmarks/bench_train_loop.py``
measures it against a bare PyTorch loop.

Models are put in train mode by their trainer and left in **eval mode** when the loop
returns, ready for sampling or evaluation.

Taught in ``04_deep_learning_models`` (the four steps) and ``06_project_audio_gan``.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

from aigc_kit.runtime.checkpoint import save_checkpoint
from aigc_kit.runtime.device import get_device, seed_everything
from aigc_kit.training.live_plot import LivePlot, plot_history

_SYNC_EVERY = 10  # steps between reading the losses back from the device
_OK = ("steps", "time budget")
LR_SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class RunConfig:
    """How long and how visibly to train: the options every trainer shares.

    Attributes
    ----------
    steps : int or None
        Number of training steps; ``None`` to run until ``max_seconds``.
    max_seconds : float or None
        Wall-clock budget in seconds; training stops after the step that exceeds it.
    seed : int or None
        Seed for :func:`aigc_kit.seed_everything`; ``None`` leaves the RNGs alone.
    device : str or torch.device or None
        Where to train; default :func:`aigc_kit.get_device`.
    progress : bool
        Show a progress bar.
    live_plot : bool
        Redraw the loss curves in the notebook every ``plot_every`` steps.
    plot_every : int
        Steps between live-plot updates.
    checkpoint_path : str or Path or None
        Save the trainer's models there (see :mod:`aigc_kit.runtime.checkpoint`) every
        ``checkpoint_every`` steps and at the end.
    checkpoint_every : int or None
        Steps between checkpoints; default: only at the end.
    snapshot_every : int
        Steps between in-memory snapshots used to undo a NaN/Inf blow-up.
    callback : callable or None
        ``callback(step, seconds)`` every ``callback_every`` steps and after the last step,
        with the models in eval mode and without gradients, e.g. to score samples along the
        way (the quality-vs-compute curve of ``06_project_audio_gan``). Its own run time is
        not counted in ``seconds`` nor against ``max_seconds``.
    callback_every : int
        Steps between callbacks.
    lr_schedule : {"constant", "cosine"} or None
        How the learning rate moves during the run (see :meth:`lr_factor`): ``"constant"``
        keeps the optimiser's rate; ``"cosine"`` lowers it along half a cosine to
        ``lr_floor`` times the starting rate at the end of the run, where the end is the
        step count or the time budget, whichever comes first. ``None`` (default): the
        trainer's own choice, constant unless its docstring says otherwise (the melody
        trainers of ``09_music_generation`` choose cosine). Applied by the loop before every
        step to the optimisers the task hands it (:attr:`Task.optimizers`); a task that
        hands none cannot be scheduled (a ValueError names it).
    lr_floor : float
        The cosine schedule's final rate as a fraction of the starting one, in [0, 1].

    Notes
    -----
    Frozen: derive variants with ``run.replace(max_seconds=30)``. Taught in
    ``04_deep_learning_models``; the cosine schedule in ``09_music_generation``.
    """

    steps: int | None = 1000
    max_seconds: float | None = None
    seed: int | None = 0
    device: str | torch.device | None = None
    progress: bool = True
    live_plot: bool = False
    plot_every: int = 50
    checkpoint_path: str | Path | None = None
    checkpoint_every: int | None = None
    snapshot_every: int = 25
    callback: Callable[[int, float], None] | None = None
    callback_every: int = 100
    lr_schedule: str | None = None
    lr_floor: float = 0.1

    def __post_init__(self) -> None:
        if self.steps is None and self.max_seconds is None:
            raise ValueError("give steps, max_seconds or both, or training would never end")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be >= 1, got {self.steps}")
        for label in ("plot_every", "snapshot_every", "checkpoint_every", "callback_every"):
            value = getattr(self, label)
            if value is not None and value < 1:
                raise ValueError(f"{label} must be >= 1, got {value}")
        if self.lr_schedule is not None and self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES} or None (the "
                             f"trainer's default), got {self.lr_schedule!r}")
        if not 0.0 <= self.lr_floor <= 1.0:
            raise ValueError(f"lr_floor must lie in [0, 1] (a fraction of the starting rate), "
                             f"got {self.lr_floor}")

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def start(self) -> torch.device:
        """Seed the RNGs (when ``seed`` is set) and return the device to train on."""
        if self.seed is not None:
            seed_everything(self.seed)
        return get_device(self.device)

    def lr_factor(self, progress: float) -> float:
        """The learning rate's multiplier at ``progress`` (0 = start, 1 = end of the run).

        ``"constant"`` and ``None``: 1. ``"cosine"``:
        ``f + (1 - f) * (1 + cos(pi * p)) / 2`` with ``f = lr_floor`` and ``p = progress``
        clipped to [0, 1]: 1 at the start, ``(1 + f) / 2`` half-way, ``f`` at the end.

        Notes
        -----
        Taught in ``09_music_generation``.
        """
        if self.lr_schedule != "cosine":
            return 1.0
        floor, p = self.lr_floor, min(max(progress, 0.0), 1.0)
        return (1 + floor) / 2 + (1 - floor) / 2 * math.cos(math.pi * p)

    def fraction_done(self, step: int, seconds: float) -> float:
        """How far a run is before step ``step`` (1-based) after ``seconds``: the larger of
        ``(step - 1) / steps`` and ``seconds / max_seconds``, at most 1.

        Notes
        -----
        What :meth:`lr_factor` is given by the loop; taught in ``09_music_generation``.
        """
        done = (step - 1) / self.steps if self.steps else 0.0
        if self.max_seconds is not None:
            done = max(done, seconds / self.max_seconds)
        return min(done, 1.0)


@dataclass(repr=False)
class TrainResult:
    """What a training run returns.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per step: ``step`` (1-based), ``seconds`` since the start, then the losses
        and diagnostics of the trainer.
    steps : int
        Steps run (rows of ``history``).
    seconds : float
        Wall-clock duration of the loop.
    stopped : str
        Why the loop ended: ``"steps"``, ``"time budget"``, or a message starting with
        ``"non-finite loss at step N: ..."`` (``"non-finite weights after step N: ..."``
        when the very last update broke the weights).

    Notes
    -----
    Taught in ``04_deep_learning_models``.
    """

    history: pd.DataFrame
    steps: int
    seconds: float
    stopped: str

    @property
    def ok(self) -> bool:
        """True when training ended normally (step count or time budget reached)."""
        return self.stopped in _OK

    def plot(self, ax: plt.Axes | None = None, columns: list[str] | None = None) -> plt.Axes:
        """Loss curves against the step, raw and smoothed (see ``live_plot.plot_history``)."""
        return plot_history(self.history, ax=ax, columns=columns,
                            title=f"{self.steps} steps in {self.seconds:.1f} s")

    def __repr__(self) -> str:
        last = ""
        if len(self.history):
            row = self.history.iloc[-1].drop(["step", "seconds"])
            last = ", last: " + ", ".join(f"{k}={v:.4g}" for k, v in row.items())
        return (f"TrainResult(steps={self.steps}, seconds={self.seconds:.1f}, "
                f"stopped={self.stopped!r}{last})")


@dataclass
class Task:
    """What one run trains: the models, one step, and the names of the step's values.

    Attributes
    ----------
    name : str
        Shown on the progress bar and the plot, saved in checkpoints (e.g. ``"train_gan"``).
    models : mapping of str to nn.Module
        Everything the step updates; snapshotted, restored, checkpointed under these keys.
    step : callable
        ``step(index) -> values``: one training step (``index`` counts from 1); ``values``
        is a 1-D tensor, one entry per column, left on the device (the loop reads it back).
    columns : sequence of str
        Names of the step's values, the history's columns after ``step`` and ``seconds``.
    checked : sequence of str, optional
        Columns that must stay finite (default: all of them).
    config : dict
        Hyperparameters recorded in checkpoints.
    lr : float, optional
        The learning rate, to suggest a lower one after a blow-up.
    optimizers : sequence of torch.optim.Optimizer
        The step's optimisers, for the loop's learning-rate schedule
        (:attr:`RunConfig.lr_schedule`): before every step the loop sets each parameter
        group's rate to its rate at the start of the run times
        :meth:`RunConfig.lr_factor`. Empty: the task cannot be scheduled.

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """

    name: str
    models: Mapping[str, nn.Module]
    step: Callable[[int], torch.Tensor]
    columns: Sequence[str]
    checked: Sequence[str] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    lr: float | None = None
    optimizers: Sequence[torch.optim.Optimizer] = ()


class Trainer:
    """Runs a :class:`Task` under a :class:`RunConfig`: the kit's one training loop.

    ``Trainer(run).fit(task)`` runs ``task.step`` until the step count or the time budget,
    with the bookkeeping of the module docstring, and returns a :class:`TrainResult`. The
    seed and the device are the caller's to apply, with ``device = run.start()``, before
    the task's models, data and optimisers are made (as every trainer of the kit does).
    Taught in ``04_deep_learning_models``.
    """

    def __init__(self, run: RunConfig | None = None) -> None:
        self.run = run or RunConfig()

    def fit(self, task: Task) -> TrainResult:
        """Train ``task`` and return its history; the models are left in eval mode."""
        run = self.run
        scheduled = run.lr_schedule not in (None, "constant")
        if scheduled and not task.optimizers:
            raise ValueError(f"{task.name}: RunConfig(lr_schedule={run.lr_schedule!r}) needs the "
                             "task's optimizers (Task.optimizers), and this trainer hands the "
                             "loop none; use lr_schedule=None or 'constant' with it")
        self._groups = [(group, group["lr"]) for opt in task.optimizers
                        for group in opt.param_groups] if scheduled else []
        self._task = task
        self._columns = list(task.columns)
        checked = task.checked if task.checked is not None else task.columns
        self._checked_at = [self._columns.index(c) for c in checked]
        self._rows: list[list[float]] = []
        self._pending: list[tuple[int, float, torch.Tensor]] = []
        self._good = (0, _snapshot(task.models))  # last weights known to give finite losses
        self._candidate: tuple[int, dict] | None = None
        self._plotter = LivePlot(title=task.name) if run.live_plot else None
        self._bar = tqdm(total=run.steps, desc=task.name, unit="step", disable=not run.progress,
                         dynamic_ncols=True)
        self._start = time.perf_counter()
        try:
            stopped, failure, step = self._loop()
            if failure is None and not _all_finite(task.models):
                failure = f"non-finite weights after step {step}: the last update overflowed"
            if failure is not None:
                stopped = self._restore(failure)
        finally:
            self._bar.close()
            seconds = time.perf_counter() - self._start
            for model in task.models.values():
                model.eval()
        history = pd.DataFrame(self._rows, columns=["step", "seconds", *self._columns])
        history = history.astype({"step": "int64"})
        if self._plotter is not None:
            self._plotter.update(history, force=True)
            self._plotter.close()
        if run.checkpoint_path is not None:
            self._save(self._good[0] if failure else len(history), stopped)
        return TrainResult(history=history, steps=len(history), seconds=seconds, stopped=stopped)

    def _loop(self) -> tuple[str, str | None, int]:
        """Run steps until done; return (why it stopped, failure message or None, last step)."""
        run, task = self.run, self._task
        step = 0
        while run.steps is None or step < run.steps:
            if step and step % run.snapshot_every == 0:
                self._candidate = (step, _snapshot(task.models))
            step += 1
            self._schedule(step)
            values = task.step(step)
            elapsed = time.perf_counter() - self._start
            self._pending.append((step, elapsed, values))
            out_of_time = run.max_seconds is not None and elapsed >= run.max_seconds
            failure = self._after_step(step, elapsed, out_of_time)
            if failure:
                return "steps", failure, step
            if out_of_time:
                return "time budget", None, step
        return "steps", None, step

    def _schedule(self, step: int) -> None:
        """Set every scheduled group's learning rate for step ``step``."""
        if self._groups:
            elapsed = time.perf_counter() - self._start
            factor = self.run.lr_factor(self.run.fraction_done(step, elapsed))
            for group, lr in self._groups:
                group["lr"] = lr * factor

    def _after_step(self, step: int, elapsed: float, out_of_time: bool) -> str | None:
        """Read values back, plot, checkpoint and call back when due; a failure message."""
        run = self.run
        last = step == run.steps or out_of_time
        plot_due = self._plotter is not None and step % run.plot_every == 0
        checkpoint_due = (run.checkpoint_path is not None and run.checkpoint_every is not None
                          and step % run.checkpoint_every == 0)
        callback_due = run.callback is not None and (step % run.callback_every == 0 or last)
        if not (len(self._pending) >= _SYNC_EVERY or last or plot_due or checkpoint_due
                or callback_due or step % run.snapshot_every == 0):
            return None
        failure = self._flush()
        if failure:
            return failure
        if plot_due:
            self._plotter.update(pd.DataFrame(self._rows,
                                              columns=["step", "seconds", *self._columns]))
        if checkpoint_due and _all_finite(self._task.models):
            self._save(step, "running")
        if callback_due:
            self._start += _timed_callback(run.callback, self._task.models, step, elapsed)
        return None

    def _flush(self) -> str | None:
        """Read pending values back; on a non-finite loss, keep rows up to it and explain."""
        pending, columns = self._pending, self._columns
        values = torch.stack([v for _, _, v in pending]).tolist()
        for (i, seconds, _), vals in zip(pending, values, strict=True):
            self._rows.append([i, seconds, *vals])
            bad = [f"{columns[c]}={vals[c]}" for c in self._checked_at
                   if not math.isfinite(vals[c])]
            if bad:
                pending.clear()
                return f"non-finite loss at step {i}: {', '.join(bad)}"
        self._bar.set_postfix({c: f"{v:.3g}" for c, v in zip(columns, values[-1], strict=True)
                               if math.isfinite(v)}, refresh=False)
        self._bar.update(len(pending))
        if self._candidate is not None and self._candidate[0] < pending[-1][0]:
            self._good, self._candidate = self._candidate, None  # its losses were finite
        pending.clear()
        return None

    def _restore(self, failure: str) -> str:
        """Put the last good weights back; the explanation, also given as a warning."""
        good_step, good = self._good
        for key, model in self._task.models.items():
            model.load_state_dict(good[key])
        lr = self._task.lr
        hint = (f"lower the learning rate (e.g. lr={lr / 10:g})" if lr
                else "lower the optimiser's learning rate")
        stopped = (f"{failure}. Training stopped and the weights were restored to the "
                   f"snapshot after step {good_step}. Try to {hint}, and check the inputs "
                   "for NaN/Inf.")
        warnings.warn(f"{self._task.name}: {stopped}", RuntimeWarning, stacklevel=4)
        return stopped

    def _save(self, step: int, stopped: str) -> None:
        task = self._task
        save_checkpoint(self.run.checkpoint_path, task.models,
                        meta={"trainer": task.name, "step": step, "stopped": stopped,
                              "config": task.config})


def fit(task: Task, run: RunConfig | None = None) -> TrainResult:
    """``Trainer(run).fit(task)``: train ``task`` with the kit's loop (see :class:`Trainer`).

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """
    return Trainer(run).fit(task)


class Batches:
    """Index batches over shuffled epochs, from a private generator seeded by the global RNG.

    Parameters
    ----------
    n : int
        Number of examples.
    batch_size : int
        Examples per batch (at most ``n``); the last incomplete batch of an epoch is dropped.
    device : torch.device
        Where the index tensors live (the device of the data they index).

    Notes
    -----
    ``batches()`` returns the next batch's indices; ``per_epoch`` is the number of batches
    in an epoch. Taught in ``04_deep_learning_models``.
    """

    def __init__(self, n: int, batch_size: int, device: torch.device) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.n, self.size, self.device = n, min(batch_size, n), device
        self.per_epoch = n // self.size
        self.rng = torch.Generator()
        self.rng.manual_seed(int(torch.randint(0, 2**62, (1,))))
        self.pos = self.per_epoch  # start a new epoch on the first call

    def __call__(self) -> torch.Tensor:
        if self.pos == self.per_epoch:
            self.perm = torch.randperm(self.n, generator=self.rng).to(self.device)
            self.pos = 0
        start = self.pos * self.size
        self.pos += 1
        return self.perm[start:start + self.size]


def place(model: nn.Module, device: torch.device) -> nn.Module:
    """Move ``model`` to ``device`` (in place, like ``Module.to``) and return it.

    On the CPU a model with 2-D convolutions also gets its 4-D weights in channels-last
    memory order (the same values, stored pixel by pixel): oneDNN's convolutions then skip
    a layout conversion each call, which halves a training step of chapter 10's digit voice
    and cuts the chapter 4 classifier's by a quarter on 2 cores (measured 12-07). Inputs
    need no change, and checkpoints load into a model of either order.

    Notes
    -----
    Taught in ``04_deep_learning_models`` (every trainer places its model through it).
    """
    model.to(device)
    if device.type == "cpu" and any(isinstance(m, nn.Conv2d | nn.ConvTranspose2d)
                                    for m in model.modules()):
        model.to(memory_format=torch.channels_last)
    return model


def prepare_data(data: Any, label: str, device: torch.device,
                 dtype: torch.dtype) -> torch.Tensor:
    """``data`` as a finite floating tensor ``(N, ...)`` on ``device``; ValueError otherwise.

    The error names the argument (``label``), how many values and examples are NaN/Inf and
    the first bad index, and how to drop them.

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """
    data = torch.as_tensor(np.asarray(data) if not isinstance(data, torch.Tensor) else data)
    if data.ndim == 0 or len(data) == 0:
        raise ValueError(f"{label} is empty: expected a tensor of shape (N, ...) with N >= 1")
    if data.is_complex():
        raise ValueError(f"{label} must be real-valued, got dtype {data.dtype}")
    data = data.to(dtype)
    if not bool(data.sum(dtype=torch.float64).isfinite()):  # finite iff every value is
        finite = torch.isfinite(data)
        bad_rows = (~finite).reshape(len(data), -1).any(dim=1).nonzero().flatten()
        raise ValueError(
            f"{label} contains {int((~finite).sum())} NaN/Inf values in {len(bad_rows)} "
            f"examples (first: index {int(bad_rows[0])}); drop or repair those examples "
            "before training (e.g. data[torch.isfinite(data).flatten(1).all(1)])"
        )
    return data.to(device)


def prepare_labels(y: Any, n: int, label: str) -> torch.Tensor:
    """Integer class labels ``(n,)`` as a long tensor; ValueError naming ``label`` otherwise.

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """
    y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y)
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise ValueError(f"{label} must hold integer class labels, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"{label} must have shape ({n},) to match the inputs, got "
                         f"{tuple(y.shape)}")
    if n and int(y.min()) < 0:
        raise ValueError(f"{label} holds negative labels; classes are numbered 0 .. C-1")
    return y.long()


def _timed_callback(
    callback: Callable[[int, float], None],
    models: Mapping[str, nn.Module],
    step: int,
    elapsed: float,
) -> float:
    """Call ``callback(step, elapsed)`` with the models in eval mode; return its run time."""
    began = time.perf_counter()
    modes = {key: model.training for key, model in models.items()}
    for model in models.values():
        model.eval()
    try:
        with torch.no_grad():
            callback(step, elapsed)
    finally:
        for key, model in models.items():
            model.train(modes[key])
    return time.perf_counter() - began


def _snapshot(models: Mapping[str, nn.Module]) -> dict[str, dict[str, torch.Tensor]]:
    return {key: {k: v.detach().to("cpu", copy=True) for k, v in m.state_dict().items()}
            for key, m in models.items()}


def _all_finite(models: Mapping[str, nn.Module]) -> bool:
    """Whether every weight and buffer is finite (one pass over them)."""
    sums = [t.sum(dtype=torch.float64) for m in models.values() for t in m.state_dict().values()
            if t.is_floating_point()]
    # A float64 sum of float32/16 values cannot overflow, so it is finite iff all values are.
    return bool(torch.stack(sums).sum().isfinite()) if sums else True
