"""The VAE trainer: reconstruction + beta * KL, as a step function on the kit's loop.

Taught in ``06_project_audio_gan``; the conditional VAE of ``10_speech_synthesis`` and the
video VAE of ``12_video_style_and_generation`` train through it too.
"""

from __future__ import annotations

import torch
from torch import nn

import aigc_kit.training.losses as losses
from aigc_kit.runtime.device import param_dtype
from aigc_kit.training.loop import (
    Batches,
    RunConfig,
    Task,
    Trainer,
    TrainResult,
    place,
    prepare_data,
)
from aigc_kit.training.optim import OptimizerFactory, adam


def train_vae(
    vae: nn.Module,
    data: torch.Tensor,
    *,
    labels: torch.Tensor | None = None,
    batch_size: int = 64,
    lr: float = 1e-3,
    beta: float = 1.0,
    optimizer: OptimizerFactory | None = None,
    run: RunConfig | None = None,
) -> TrainResult:
    """Train a VAE on ``reconstruction + beta * KL`` (:func:`aigc_kit.training.vae_loss`).

    Each step: draw a batch, ``recon, mu, logvar = vae(x)`` (``vae(x, y)`` with ``labels``),
    compute the loss, update.

    Parameters
    ----------
    vae : nn.Module
        ``vae(x)`` returns ``(recon, mu, logvar)``.
    data : torch.Tensor, shape (N, ...)
        Training examples.
    labels : torch.Tensor, shape (N, ...), optional
        Labels of a conditional VAE (e.g. :class:`aigc_kit.models.ConditionalVAE`), passed
        with each batch as ``vae(x, y)``.
    batch_size : int
        Examples per batch.
    lr : float
        Adam learning rate; ignored with ``optimizer``.
    beta : float
        Weight of the KL term (1 is the ELBO; smaller favours sharper reconstructions).
    optimizer : callable, optional
        ``optimizer(params) -> torch.optim.Optimizer``; default :func:`aigc_kit.training.adam`
        with ``lr``.
    run : RunConfig, optional
        Steps, time budget, seed, device, progress, live plot, checkpoints (which hold
        ``{"vae": vae}``), callbacks; default ``RunConfig()``.

    Returns
    -------
    TrainResult
        History columns ``loss``, ``reconstruction`` and ``kl``; the VAE is left in eval mode.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    run = run or RunConfig()
    device = run.start()
    data = prepare_data(data, "data", device, param_dtype(vae))
    if labels is not None:
        labels = torch.as_tensor(labels).to(device)
        if len(labels) != len(data):
            raise ValueError(f"train_vae: {len(labels)} labels for {len(data)} examples; give "
                             "one row of labels per example")
    place(vae, device).train()
    opt = (optimizer or (lambda p: adam(p, lr=lr)))(vae.parameters())
    batches = Batches(len(data), batch_size, device)

    def step(_: int) -> torch.Tensor:
        index = batches()
        x = data[index]
        recon, mu, logvar = vae(x) if labels is None else vae(x, labels[index])
        total, reconstruction, kl = losses.vae_loss(recon, x, mu, logvar, beta=beta)
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        return torch.stack([total.detach(), reconstruction.detach(), kl.detach()])

    config = {"batch_size": batch_size, "lr": lr, "beta": beta, "seed": run.seed,
              "custom_optimizer": optimizer is not None}
    return Trainer(run).fit(Task("train_vae", {"vae": vae}, step,
                                 columns=("loss", "reconstruction", "kl"), config=config,
                                 lr=None if optimizer else lr, optimizers=(opt,)))
