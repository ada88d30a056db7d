"""A denoising diffusion model of log-mel images, written from its equations.

Beyond the source's GANs and VAEs: today's audio generators (DiffWave, AudioLDM, Stable
Audio) are diffusion models. The pieces here, each small and checked against
``diffusers`` in the tests:

* :class:`NoiseSchedule`: the forward process ``q(x_t | x_0) = N(sqrt(abar_t) x_0,
  (1 - abar_t) I)`` over ``n_steps`` steps, with the cosine schedule of Nichol and Dhariwal
  (2021) (``abar_t = cos^2(((t / T) + s) / (1 + s) * pi / 2)``, each beta capped at 0.999)
  or the linear one of Ho et al. (2020) (betas from 1e-4 to 0.02). The cosine schedule
  destroys the image more evenly over the steps, which matters with few steps.
* :func:`ddpm_step` (ancestral sampling, Ho et al. 2020) and :func:`ddim_step`
  (deterministic, Song et al. 2021): one step from ``x_t`` to ``x_{t-1}`` (or to an earlier
  step: DDIM skips) given the predicted noise; the predicted ``x_0`` is clipped to [-1, 1],
  the images' range.
* :class:`MLPDenoiser`: predicts the noise ``eps(x_t, t, label)`` with the source's MLP
  sizes (the image flattened, two hidden layers), the step and the class entering as
  learnt embeddings added to the first hidden layer; one extra class index means "no
  class", for classifier-free guidance (Ho and Salimans 2022): the label is dropped in
  training now and then, and sampling mixes the two predictions,
  ``eps = eps_none + w (eps_class - eps_none)`` with the guidance scale ``w``.
* :class:`DiffusionModel`: the denoiser and its schedule, sampled through the kit's one
  contract (``sample(n, *, labels, generator, device)``) with a sampler, a number of
  sampling steps and a guidance scale.

Trained by :func:`aigc_kit.training.train_diffusion` (the one loop); measured beside the
GANs and the VAE by ``benchmarks/bench_diffusion.py``. Taught in ``06_project_audio_gan``
(the comparison the course builds to).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from aigc_kit.models.contract import balanced_labels
from aigc_kit.models.harmonic import check_labels
from aigc_kit.models.mlp import check_shape
from aigc_kit.runtime.device import model_device

SCHEDULES = ("cosine", "linear")
SAMPLERS = ("ddim", "ddpm")
TARGETS = ("x0", "eps")
MAX_GUIDANCE = 20.0


@dataclass(frozen=True)
class NoiseSchedule:
    """The forward (noising) process: ``n_steps`` betas and their cumulative products.

    Attributes
    ----------
    n_steps : int
        Diffusion steps ``T`` (at least 2).
    kind : {"cosine", "linear"}
        The schedule (see the module docstring).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    n_steps: int = 200
    kind: str = "cosine"

    def __post_init__(self) -> None:
        if not (isinstance(self.n_steps, int) and self.n_steps >= 2):
            raise ValueError(f"NoiseSchedule: n_steps must be an integer >= 2, got "
                             f"{self.n_steps!r}")
        if self.kind not in SCHEDULES:
            raise ValueError(f"NoiseSchedule: kind must be one of {SCHEDULES}, got "
                             f"{self.kind!r}")

    def betas(self) -> torch.Tensor:
        """``beta_t`` for ``t = 0 .. n_steps - 1``, float32 ``(n_steps,)``."""
        if self.kind == "linear":
            return torch.linspace(1e-4, 0.02, self.n_steps, dtype=torch.float32)

        def abar(t: float) -> float:
            return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2

        n = self.n_steps
        return torch.tensor([min(1 - abar((i + 1) / n) / abar(i / n), 0.999)
                             for i in range(n)], dtype=torch.float32)

    def alpha_bars(self) -> torch.Tensor:
        """``abar_t = prod_{s <= t} (1 - beta_s)``, float32 ``(n_steps,)``."""
        return torch.cumprod(1.0 - self.betas(), dim=0)

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) noise`` for steps ``t`` ``(batch,)``."""
        abar = self.alpha_bars().to(x0.device)[t].view(-1, *([1] * (x0.ndim - 1)))
        return abar.sqrt() * x0 + (1 - abar).sqrt() * noise

    def timesteps(self, n: int, sampler: str) -> list[int]:
        """The steps a sampler visits, from noisiest to cleanest.

        ``"ddpm"`` visits every step (``n`` must be ``n_steps``); ``"ddim"`` every
        ``n_steps // n``-th, starting at 0 (``diffusers``' "leading" spacing).
        """
        check_sampler(sampler, n, self.n_steps)
        if sampler == "ddpm":
            return list(range(self.n_steps - 1, -1, -1))
        ratio = self.n_steps // n
        return [i * ratio for i in range(n - 1, -1, -1)]


def check_sampler(sampler: str, steps: int, n_steps: int) -> None:
    """A ValueError naming the valid choices unless ``sampler``/``steps`` can run.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if sampler == "ddpm" and steps != n_steps:
        raise ValueError(f"the DDPM sampler visits every one of the {n_steps} steps; got "
                         f"steps={steps} (use sampler='ddim' for fewer)")
    if not (isinstance(steps, int) and 1 <= steps <= n_steps):
        raise ValueError(f"steps must be an integer from 1 to {n_steps}, got {steps!r}")


def predicted_x0(abar_t: torch.Tensor, x_t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """``x_0`` implied by ``x_t`` and the predicted noise, clipped to [-1, 1].

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    return ((x_t - (1 - abar_t).sqrt() * eps) / abar_t.sqrt()).clamp(-1.0, 1.0)


def ddpm_step(schedule: NoiseSchedule, eps: torch.Tensor, t: int, x_t: torch.Tensor,
              noise: torch.Tensor) -> torch.Tensor:
    """One ancestral step ``x_t -> x_{t-1}``: the posterior mean plus ``sigma_t noise``.

    ``sigma_t^2 = (1 - abar_{t-1}) / (1 - abar_t) beta_t`` (the "fixed small" variance);
    no noise is added at ``t = 0``.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    abars = schedule.alpha_bars().to(x_t.device)
    abar, abar_prev = abars[t], abars[t - 1] if t > 0 else torch.tensor(1.0, device=x_t.device)
    alpha = abar / abar_prev
    x0 = predicted_x0(abar, x_t, eps)
    mean = (abar_prev.sqrt() * (1 - alpha) * x0 + alpha.sqrt() * (1 - abar_prev) * x_t) \
        / (1 - abar)
    if t == 0:
        return mean
    variance = ((1 - abar_prev) / (1 - abar) * (1 - alpha)).clamp(min=1e-20)
    return mean + variance.sqrt() * noise


def ddim_step(schedule: NoiseSchedule, eps: torch.Tensor, t: int, t_prev: int,
              x_t: torch.Tensor) -> torch.Tensor:
    """One deterministic DDIM step ``x_t -> x_{t_prev}`` (``t_prev < 0``: to the clean image).

    ``x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps`` with ``x0`` predicted and
    clipped (eta = 0).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    abars = schedule.alpha_bars().to(x_t.device)
    abar = abars[t]
    abar_prev = abars[t_prev] if t_prev >= 0 else torch.tensor(1.0, device=x_t.device)
    x0 = predicted_x0(abar, x_t, eps)
    return abar_prev.sqrt() * x0 + (1 - abar_prev).sqrt() * eps


def noise_from_x0(abar_t: torch.Tensor, x_t: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
    """The noise ``(x_t - sqrt(abar_t) x_0) / sqrt(1 - abar_t)`` a predicted clean image implies.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    return (x_t - abar_t.sqrt() * x0) / (1 - abar_t).sqrt()


def step_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embeddings ``(batch, dim)`` of integer steps ``t`` ``(batch,)``.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device) / half)
    angles = t.float()[:, None] * freqs[None]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class MLPDenoiser(nn.Module):
    """``eps(x_t, t, label)`` with the source's MLP sizes, conditioned by embeddings.

    Parameters
    ----------
    in_shape : tuple of int
        ``(1, n_mels, n_frames)``.
    n_classes : int
        Number of classes; index ``n_classes`` is "no class" (guidance).
    hidden : sequence of int
        Hidden layer sizes.

    Notes
    -----
    ``forward(x_t, t, labels)``: images ``(batch, *in_shape)``, steps and labels
    ``(batch,)`` (``n_classes`` for none) -> predicted noise, shaped like ``x_t``. The output
    layer starts at zero. Taught in ``06_project_audio_gan``.
    """

    def __init__(self, in_shape: Sequence[int], n_classes: int,
                 hidden: Sequence[int] = (1024, 1024)) -> None:
        super().__init__()
        self.in_shape, self.n_classes = tuple(int(s) for s in in_shape), n_classes
        size = math.prod(self.in_shape)
        self.inp = nn.Linear(size, hidden[0])
        self.step_mlp = nn.Sequential(nn.Linear(128, hidden[0]), nn.SiLU(),
                                      nn.Linear(hidden[0], hidden[0]))
        self.class_embed = nn.Embedding(n_classes + 1, hidden[0])
        layers: list[nn.Module] = []
        for n_in, n_out in zip(hidden[:-1], hidden[1:], strict=True):
            layers += [nn.SiLU(), nn.Linear(n_in, n_out)]
        self.body = nn.Sequential(*layers, nn.SiLU())
        self.out = nn.Linear(hidden[-1], size)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The predicted noise ``(batch, *in_shape)``."""
        check_shape(x_t, self.in_shape, type(self).__name__, "images")
        labels = check_labels(labels, len(x_t), self.n_classes + 1, type(self).__name__)
        h = (self.inp(x_t.flatten(1)) + self.step_mlp(step_embedding(t, 128))
             + self.class_embed(labels.to(x_t.device)))
        return self.out(self.body(h)).view_as(x_t)


class DiffusionModel(nn.Module):
    """A denoiser and its noise schedule, sampled through the kit's one contract.

    Parameters
    ----------
    denoiser : MLPDenoiser
        The noise predictor (its ``n_classes`` and ``in_shape`` are the model's).
    schedule : NoiseSchedule
        The forward process it was trained with.
    sampler : {"ddim", "ddpm"}
        Default sampler of :meth:`sample`.
    sampling_steps : int
        Default number of DDIM steps (DDPM always takes ``schedule.n_steps``).
    guidance : float
        Default classifier-free guidance scale ``w`` in [0, 20] (1: the conditional
        prediction alone; 0: ignore the class).
    target : {"x0", "eps"}
        What the denoiser predicts: the clean image (default) or the noise (Ho et al.'s
        choice). The samplers take the noise either way (:func:`noise_from_x0`). An MLP
        with 1024 hidden units cannot pass a 2048-pixel noise image through to its output,
        so predicting the noise leaves its loss near 1; the clean image, a note, fits.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    def __init__(self, denoiser: MLPDenoiser, schedule: NoiseSchedule = NoiseSchedule(),
                 sampler: str = "ddim", sampling_steps: int = 50, guidance: float = 1.0,
                 target: str = "x0") -> None:
        super().__init__()
        if target not in TARGETS:
            raise ValueError(f"DiffusionModel: target must be one of {TARGETS}, got {target!r}")
        check_sampler(sampler, schedule.n_steps if sampler == "ddpm" else sampling_steps,
                      schedule.n_steps)
        check_guidance(guidance)
        self.denoiser, self.schedule = denoiser, schedule
        self.sampler, self.sampling_steps, self.guidance = sampler, sampling_steps, guidance
        self.target = target
        self.n_classes, self.in_shape = denoiser.n_classes, denoiser.in_shape

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The denoiser's prediction of :attr:`target` (training)."""
        return self.denoiser(x_t, t, labels)

    def guided_noise(self, x_t: torch.Tensor, t: int, labels: torch.Tensor,
                     guidance: float) -> torch.Tensor:
        """The noise at step ``t``: ``none + w (class - none)`` of the two predictions.

        Guidance mixes the denoiser's outputs (one batched pass), then a predicted clean
        image is turned into the noise it implies (:func:`noise_from_x0`).
        """
        steps = torch.full((len(x_t),), t, device=x_t.device, dtype=torch.long)
        if guidance == 1.0:
            out = self.denoiser(x_t, steps, labels)
        else:
            none = torch.full_like(labels, self.n_classes)
            both = self.denoiser(torch.cat([x_t, x_t]), torch.cat([steps, steps]),
                                 torch.cat([labels, none]))
            out_class, out_none = both.chunk(2)
            out = out_none + guidance * (out_class - out_none)
        if self.target == "eps":
            return out
        return noise_from_x0(self.schedule.alpha_bars().to(x_t.device)[t], x_t, out)

    @torch.no_grad()
    def sample(self, n: int, *, labels: torch.Tensor | None = None,
               generator: torch.Generator | None = None,
               device: str | torch.device | None = None, sampler: str | None = None,
               steps: int | None = None, guidance: float | None = None) -> torch.Tensor:
        """``n`` images ``(n, *in_shape)`` in [-1, 1], from noise, class by class.

        ``labels`` default: every class equally often, shuffled by ``generator`` (as the
        GANs). ``sampler``, ``steps`` and ``guidance`` default to the model's; out-of-range
        values raise a ValueError naming the valid range. Call in eval mode (or through
        :func:`aigc_kit.generation.sample`).
        """
        device = torch.device(device) if device is not None else model_device(self)
        sampler, guidance = sampler or self.sampler, self.guidance if guidance is None \
            else guidance
        if steps is None:
            steps = self.schedule.n_steps if sampler == "ddpm" else self.sampling_steps
        timesteps = self.schedule.timesteps(steps, sampler)
        check_guidance(guidance)
        on = generator.device if generator is not None else torch.device("cpu")
        if labels is None:
            labels = balanced_labels(n, self.n_classes, generator)
        labels = check_labels(labels, n, self.n_classes, type(self).__name__).to(device)
        x = torch.randn(n, *self.in_shape, generator=generator, device=on).to(device)
        for i, t in enumerate(timesteps):
            eps = self.guided_noise(x, t, labels, guidance)
            if sampler == "ddpm":
                noise = torch.randn(x.shape, generator=generator, device=on).to(device)
                x = ddpm_step(self.schedule, eps, t, x, noise)
            else:
                t_prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
                x = ddim_step(self.schedule, eps, t, t_prev, x)
        return x.clamp(-1.0, 1.0)


def check_guidance(guidance: float) -> None:
    """A ValueError naming the range unless ``0 <= guidance <= 20``.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if not (isinstance(guidance, int | float) and 0.0 <= guidance <= MAX_GUIDANCE):
        raise ValueError(f"guidance must be a number from 0 to {MAX_GUIDANCE:g}, got "
                         f"{guidance!r}")
