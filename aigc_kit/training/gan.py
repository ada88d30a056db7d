"""The GAN trainer: chapter 5's GAN done right, as a step function on the kit's loop.

Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

Prior = Callable[[int], torch.Tensor]


@dataclass(frozen=True)
class GANConfig:
    """The hyperparameters of :func:`train_gan`.

    Attributes
    ----------
    latent_dim : int
        Size of the noise vector ``z``.
    batch_size : int
        Real examples per batch (also fakes per batch).
    lr, betas : float, tuple of float
        Adam settings for both networks (the DCGAN defaults); ignored with ``optimizer``.
    r1_gamma : float
        Weight of the R1 penalty ``gamma / 2 * E ||grad_x D(x)||^2`` on real examples
        (Mescheder et al. 2018), added to D's loss; 0 turns it off. It keeps D smooth around
        the data, which on the small notes set stops mode collapse; each penalised step
        costs one more backward pass through D.
    r1_every : int
        Apply the R1 penalty on every ``r1_every``-th step only, weighted ``r1_every`` times
        as much ("lazy regularisation", Karras et al. 2020): the same smoothing on average
        for a fraction of the extra backward passes. 1 is every step; with more, the
        ``loss_d`` curve jumps on the penalised steps.
    reuse_fakes : bool
        Make one batch of fakes per step, with a graph, and use it for both updates (as
        PyTorch's DCGAN example does): the D step sees it detached, the G step passes it
        through the just-updated D. One forward pass of G per step instead of two.
    mixed_precision : bool
        Run both networks' forward passes (and so their backward passes) under
        ``torch.autocast`` in bfloat16; weights, optimiser states and losses stay float32
        (the R1 gradient is computed in float32 from a bfloat16 backward pass). About 1.5x
        more steps per second on ``benchmarks/bench_gan.py`` with a CPU that has native
        bfloat16 (see :func:`aigc_kit.runtime.fast_bfloat16`); slower where it is emulated.
    ema_decay : float
        In ``[0, 1)``, for the averaged generator (``ema`` of :func:`train_gan`); 0.99
        averages over about the last 100 steps.

    Notes
    -----
    Frozen: derive variants with ``config.replace(r1_gamma=0.1)``. The named recipes of
    :mod:`aigc_kit.generation.recipes` each hold one. Taught in ``06_project_audio_gan``.
    """

    latent_dim: int = 100
    batch_size: int = 64
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    r1_gamma: float = 0.0
    r1_every: int = 1
    reuse_fakes: bool = False
    mixed_precision: bool = False
    ema_decay: float = 0.99

    def __post_init__(self) -> None:
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay}")
        if self.r1_every < 1:
            raise ValueError(f"r1_every must be >= 1, got {self.r1_every}")
        if self.latent_dim < 1:
            raise ValueError(f"latent_dim must be >= 1, got {self.latent_dim}")

    def replace(self, **changes: Any) -> GANConfig:
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    data: torch.Tensor,
    config: GANConfig | None = None,
    *,
    run: RunConfig | None = None,
    prior: Prior | None = None,
    ema: nn.Module | None = None,
    optimizer: OptimizerFactory | None = None,
    labels: torch.Tensor | None = None,
) -> TrainResult:
    """Train a GAN with the non-saturating losses of chapter 4.3.

    Each step: (1) draw a batch of real examples (shuffled epochs); (2) **discriminator
    step**: D on the real batch and on ``G(z)`` made without a graph (with ``reuse_fakes``:
    with one, detached), ``discriminator_loss``, update D only; (3) **generator step**:
    fresh ``z`` (unless ``reuse_fakes``), ``D(G(z))`` with D *frozen* (its parameters stop
    requiring gradients, so nothing is accumulated for them and only G's optimiser steps),
    ``generator_loss``. The source's Keras code of chapter 5 instead applies D twice in the
    combined model and never freezes it, so its "generator step" also trains D towards
    calling fakes real.

    Parameters
    ----------
    generator : nn.Module
        Maps ``z`` of shape ``(batch, latent_dim)`` to examples shaped like ``data[i]``.
    discriminator : nn.Module
        Maps a batch of examples to logits of shape ``(batch,)``.
    data : torch.Tensor, shape (N, ...)
        Real examples, scaled like the generator's output (e.g. ``[-1, 1]`` for Tanh).
    config : GANConfig, optional
        Hyperparameters; default ``GANConfig()``.
    run : RunConfig, optional
        Steps, time budget, seed, device, progress, live plot, checkpoints (which hold
        ``{"generator", "discriminator"}``), callbacks; default ``RunConfig()``.
    prior : callable, optional
        ``prior(n) -> z`` of shape ``(n, latent_dim)``, e.g. a
        :class:`aigc_kit.models.MixturePrior` (moved to the device here); default
        ``z ~ N(0, I)``. Sample with the same prior.
    ema : nn.Module, optional
        A copy of the generator (``copy.deepcopy(generator)`` before training) kept as the
        exponential moving average of the generator's weights:
        ``ema <- ema_decay * ema + (1 - ema_decay) * G`` after every G update (buffers such
        as batch-norm statistics are copied). Averaging the last few hundred steps' weights
        smooths out the GAN's oscillation; sample from ``ema`` (Karras et al. 2018;
        Yazici et al. 2019). When training stops on a non-finite loss, it restarts at the
        restored G. At the end its batch-norm running statistics, which were copied from G,
        are re-estimated from the average's own outputs on 4,096 draws of the prior (the
        statistics must describe the weights they normalise; about +0.02 on
        ``benchmarks/bench_gan.py``). It is not saved in the checkpoint.
    optimizer : callable, optional
        ``optimizer(params) -> torch.optim.Optimizer``, called once per network, e.g.
        ``lambda p: aigc_kit.training.Adam(p, lr=2e-4, betas=(0.5, 0.999))``; default
        :func:`aigc_kit.training.adam` with the config's ``lr`` and ``betas``.
    labels : torch.Tensor of int, shape (N,), optional
        Class of each example, for a class-conditional GAN (chapter 6's
        :class:`aigc_kit.models.HarmonicGenerator` with a
        :class:`aigc_kit.models.ProjectionDiscriminator`): G is called as ``G(z, y)`` and
        D as ``D(x, y)``, the fakes of each step drawn for the labels of that step's real
        batch (so the classes keep the data's balance).

    Returns
    -------
    TrainResult
        History columns ``loss_d`` (with the R1 penalty, if any), ``loss_g``,
        ``d_real`` (mean ``sigmoid(D(x))``) and ``d_fake`` (mean ``sigmoid(D(G(z)))`` in
        the D step). Both models are left in eval mode; draw samples with
        :func:`aigc_kit.generation.sample` (e.g. of a
        :class:`aigc_kit.generation.GANSampler` with the prior).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    config, run = config or GANConfig(), run or RunConfig()
    device = run.start()
    data = prepare_data(data, "data", device, param_dtype(generator))
    if labels is not None:
        labels = _check_labels(labels, len(data)).to(device)
    place(generator, device).train()
    place(discriminator, device).train()
    if prior is None:
        def prior(n: int) -> torch.Tensor:
            return torch.randn(n, config.latent_dim, device=device)
    elif isinstance(prior, nn.Module):
        prior.to(device)
    make_opt = optimizer or (lambda p: adam(p, lr=config.lr, betas=config.betas))
    step = _GANStep(generator, discriminator, data, config, prior, make_opt,
                    _EMA(ema, generator, config.ema_decay, device) if ema is not None else None,
                    labels)
    record = {**dataclasses.asdict(config), "betas": list(config.betas),
              "custom_optimizer": optimizer is not None, "seed": run.seed,
              "prior": repr(prior) if isinstance(prior, nn.Module) else None,
              "ema_decay": config.ema_decay if ema is not None else None}
    task = Task("train_gan", {"generator": generator, "discriminator": discriminator}, step,
                columns=("loss_d", "loss_g", "d_real", "d_fake"), checked=("loss_d", "loss_g"),
                config=record, lr=None if optimizer else config.lr,
                optimizers=(step.opt_g, step.opt_d))
    result = Trainer(run).fit(task)
    if ema is not None:
        if not result.ok:  # a blow-up may have reached the average: restart it at G
            ema.load_state_dict(generator.state_dict())
        _reestimate_batch_norm(ema, prior, labels)
    return result


def _check_labels(labels: torch.Tensor, n: int) -> torch.Tensor:
    labels = torch.as_tensor(labels)
    if labels.shape != (n,) or labels.is_floating_point():
        raise ValueError(f"train_gan: labels must be integers of shape ({n},), one class per "
                         f"example, got {labels.dtype} of shape {tuple(labels.shape)}")
    return labels.long()


class _GANStep:
    """One GAN training step (D update, then G update with D frozen): ``step(index)``."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, data: torch.Tensor,
                 config: GANConfig, prior: Prior, make_opt: OptimizerFactory,
                 ema: _EMA | None, labels: torch.Tensor | None = None) -> None:
        self.g, self.d, self.data, self.config, self.prior = (generator, discriminator, data,
                                                              config, prior)
        self.opt_g, self.opt_d = make_opt(generator.parameters()), make_opt(
            discriminator.parameters())
        self.d_trainable = [p for p in discriminator.parameters() if p.requires_grad]
        self.batches = Batches(len(data), config.batch_size, data.device)
        self.example_shape = tuple(data.shape[1:])
        self.device_type = data.device.type
        self.ema = ema
        self.labels = labels

    def generate(self, n: int, y: torch.Tensor | None) -> torch.Tensor:
        """``G(z)``, or ``G(z, y)`` for a conditional GAN, with ``z`` from the prior."""
        z = self.prior(n)
        return self.g(z) if y is None else self.g(z, y)

    def judge(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """D's logits as float32: ``D(x)``, or ``D(x, y)`` for a conditional GAN."""
        return (self.d(x) if y is None else self.d(x, y)).float()

    def autocast(self) -> contextlib.AbstractContextManager:
        """bfloat16 autocast with ``mixed_precision``, else nothing."""
        if not self.config.mixed_precision:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=torch.bfloat16)

    def fakes(self, n: int, y: torch.Tensor | None = None
              ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """A batch of fakes without a graph, and the same with one when reusing fakes."""
        if self.config.reuse_fakes:
            with self.autocast():
                graph = self.generate(n, y)
            fake = graph.detach()
        else:
            graph = None
            with torch.no_grad(), self.autocast():
                fake = self.generate(n, y)
        if tuple(fake.shape[1:]) != self.example_shape:
            raise ValueError(
                f"the generator makes examples of shape {tuple(fake.shape[1:])} but the data "
                f"examples have shape {self.example_shape}; reshape one to match the other"
            )
        return fake, graph

    def d_step(self, real: torch.Tensor, fake: torch.Tensor, penalise: bool,
               y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Update D; its loss and its logits on the real and the fake batch."""
        config = self.config
        if penalise:
            real.requires_grad_(True)
        with self.autocast():
            real_logits = self.judge(real, y)
            fake_logits = self.judge(fake, y)
        loss_d = losses.discriminator_loss(real_logits, fake_logits)
        if penalise:
            (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
            penalty = grad.pow(2).flatten(1).sum(1).mean()
            loss_d = loss_d + config.r1_every * config.r1_gamma / 2 * penalty
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        self.opt_d.zero_grad(set_to_none=True)
        return loss_d, real_logits, fake_logits

    def g_step(self, n: int, graph: torch.Tensor | None,
               y: torch.Tensor | None = None) -> torch.Tensor:
        """Update G through a frozen D (and the average, if any); G's loss."""
        for p in self.d_trainable:
            p.requires_grad_(False)
        try:
            with self.autocast():
                g_fakes = graph if graph is not None else self.generate(n, y)
                g_logits = self.judge(g_fakes, y)
            loss_g = losses.generator_loss(g_logits)
            self.opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            self.opt_g.step()
            self.opt_g.zero_grad(set_to_none=True)
            if self.ema is not None:
                self.ema.update()
        finally:
            for p in self.d_trainable:
                p.requires_grad_(True)
        return loss_g

    def __call__(self, index: int) -> torch.Tensor:
        batch = self.batches()
        real = self.data[batch]
        y = None if self.labels is None else self.labels[batch]
        n = real.shape[0]
        fake, graph = self.fakes(n, y)
        penalise = bool(self.config.r1_gamma) and index % self.config.r1_every == 0
        loss_d, real_logits, fake_logits = self.d_step(real, fake, penalise, y)
        loss_g = self.g_step(n, graph, y)
        return torch.stack([
            loss_d.detach(), loss_g.detach(),
            torch.sigmoid(real_logits.detach()).mean(), torch.sigmoid(fake_logits.detach()).mean(),
        ])


class _EMA:
    """The exponential moving average of a generator's weights, kept in ``ema``."""

    def __init__(self, ema: nn.Module, generator: nn.Module, decay: float,
                 device: torch.device) -> None:
        place(ema, device).eval()
        mine, theirs = ema.state_dict(), generator.state_dict()
        if mine.keys() != theirs.keys() or any(mine[k].shape != theirs[k].shape for k in mine):
            raise ValueError("ema must be a copy of the generator (copy.deepcopy(generator)): "
                             "its parameters and buffers differ in names or shapes")
        with torch.no_grad():
            for k in mine:
                mine[k].copy_(theirs[k])
        params = dict(generator.named_parameters())
        self.ema_params = [t for k, t in mine.items() if k in params]
        self.g_params = [params[k].data for k in mine if k in params]
        self.buffers = [(mine[k], theirs[k]) for k in mine if k not in params]
        self.decay = decay

    @torch.no_grad()
    def update(self) -> None:
        """``ema <- decay * ema + (1 - decay) * G``; buffers copied."""
        torch._foreach_lerp_(self.ema_params, self.g_params, 1.0 - self.decay)
        for target, source in self.buffers:
            target.copy_(source)


@torch.no_grad()
def _reestimate_batch_norm(model: nn.Module, prior: Prior, labels: torch.Tensor | None = None,
                           batches: int = 16, batch_size: int = 256) -> None:
    """Recompute ``model``'s batch-norm running statistics from its outputs on prior draws.

    The statistics become the plain average over ``batches`` batches (momentum ``None``);
    the draws come from a forked, fixed-seed RNG, so the caller's random stream is untouched
    and the result is reproducible; a conditional model gets labels drawn from ``labels``.
    A model without batch norm is left as it is.
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
             and m.track_running_stats]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    try:
        with torch.random.fork_rng(devices=range(torch.cuda.device_count())):
            torch.manual_seed(0)
            for _ in range(batches):
                if labels is None:
                    model(prior(batch_size))
                else:
                    pick = torch.randint(len(labels), (batch_size,), device=labels.device)
                    model(prior(batch_size), labels[pick])
    finally:
        for m, momentum in zip(norms, momenta, strict=True):
            m.momentum = momentum
        model.eval()
