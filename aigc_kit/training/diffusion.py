"""The diffusion trainer: predict the noise, a step function on the kit's one loop.

Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch

from aigc_kit.models.diffusion import DiffusionModel
from aigc_kit.runtime.device import param_dtype
from aigc_kit.training.loop import Batches, RunConfig, Task, Trainer, TrainResult, prepare_data
from aigc_kit.training.optim import adam


@dataclass(frozen=True)
class DiffusionConfig:
    """The hyperparameters of :func:`train_diffusion`.

    Attributes
    ----------
    batch_size : int
        Images per step.
    lr : float
        Adam learning rate.
    drop_label : float
        Probability, in [0, 1), that an image's class is replaced by "no class" in a step:
        what lets classifier-free guidance predict without the class.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    batch_size: int = 64
    lr: float = 1e-3
    drop_label: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.drop_label < 1.0:
            raise ValueError(f"drop_label must lie in [0, 1), got {self.drop_label}")
        if self.batch_size < 1 or not self.lr > 0:
            raise ValueError(f"batch_size must be >= 1 and lr > 0, got {self.batch_size}, "
                             f"{self.lr}")

    def replace(self, **changes: Any) -> DiffusionConfig:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)


def train_diffusion(model: DiffusionModel, data: torch.Tensor, labels: torch.Tensor,
                    config: DiffusionConfig | None = None, *,
                    run: RunConfig | None = None) -> TrainResult:
    """Train ``model`` to predict the noise added to ``data`` (Ho et al. 2020's simple loss).

    Each step: a batch of images ``x_0`` and their classes, a step ``t`` per image drawn
    uniformly from ``0 .. T-1``, noise ``eps ~ N(0, I)``, ``x_t`` from
    :meth:`~aigc_kit.models.NoiseSchedule.add_noise`, and the loss ``mean (eps -
    eps_hat(x_t, t, y))^2``, where ``y`` is "no class" with probability ``drop_label``.

    Parameters
    ----------
    model : DiffusionModel
        Denoiser and schedule.
    data : torch.Tensor, shape (N, 1, n_mels, n_frames)
        Training images in [-1, 1].
    labels : torch.Tensor of int, shape (N,)
        Their classes.
    config : DiffusionConfig, optional
        Hyperparameters.
    run : RunConfig, optional
        Steps, time budget, seed, device, progress, live plot, callbacks.

    Returns
    -------
    TrainResult
        History column ``loss``; the model is left in eval mode.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    config, run = config or DiffusionConfig(), run or RunConfig()
    device = run.start()
    data = prepare_data(data, "data", device, param_dtype(model))
    labels = torch.as_tensor(labels)
    if labels.shape != (len(data),) or labels.is_floating_point():
        raise ValueError(f"train_diffusion: labels must be integers of shape ({len(data)},), "
                         f"got {labels.dtype} of shape {tuple(labels.shape)}")
    labels = labels.long().to(device)
    model.to(device).train()
    opt = adam(model.parameters(), lr=config.lr)
    batches = Batches(len(data), config.batch_size, device)
    n_steps, none = model.schedule.n_steps, model.n_classes

    def step(_: int) -> torch.Tensor:
        index = batches()
        x0, y = data[index], labels[index]
        t = torch.randint(n_steps, (len(x0),), device=device)
        y = torch.where(torch.rand(len(x0), device=device) < config.drop_label,
                        torch.full_like(y, none), y)
        noise = torch.randn_like(x0)
        target = x0 if model.target == "x0" else noise
        loss = (model(model.schedule.add_noise(x0, noise, t), t, y) - target).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.detach()[None]

    record = {**dataclasses.asdict(config), "seed": run.seed, "n_steps": n_steps,
              "schedule": model.schedule.kind, "target": model.target}
    return Trainer(run).fit(Task("train_diffusion", {"diffusion": model}, step,
                                 columns=("loss",), config=record, lr=config.lr,
                                 optimizers=(opt,)))
