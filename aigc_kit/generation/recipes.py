"""Named GAN recipes, defined once: the source's printed GAN, batch norm + R1, the kit's recipe.

A recipe is everything that decides how chapter 5's GAN is built and trained apart from
the data and the budget: the architecture switches (batch norm in G, a mixture latent
prior, an averaged generator) and the training hyperparameters (:class:`GANConfig`).
``06_project_audio_gan`` trains :data:`KIT_RECIPE` and compares it with the others,
``benchmarks/bench_gan.py`` measures each, and the model zoo
(:func:`aigc_kit.generation.trained_models`) trains :data:`KIT_RECIPE` for chapters 7, 8
and the report, so they evaluate the GAN chapter 6 ends with.

The three recipes (same layer sizes, latent 100):

- :data:`SOURCE_RECIPE` (``"source"``): exactly the printed networks, no batch norm, the
  plain non-saturating losses, batch 64;
- :data:`BN_R1_RECIPE` (``"bn-r1"``): batch norm in G and an R1 penalty on D
  (``r1_gamma=1``), batch 64;
- :data:`KIT_RECIPE` (``"kit"``): ``bn-r1`` plus a mixture latent prior
  (:class:`aigc_kit.models.MixturePrior`, 200 components, sd 0.1: DeLiGAN's remedy for
  samples that blend two modes), batch 32, and samples drawn from an exponential moving
  average of G's weights (decay 0.99, batch-norm statistics re-estimated at the end). Two
  settings make its steps cheaper, and within a fixed budget quality grows with steps: the
  R1 penalty on every 4th step, four times as heavy (``r1_every=4``), and one batch of fakes
  per step for both updates (``reuse_fakes=True``).

Every recipe runs its forward passes in bfloat16 where the machine multiplies bfloat16
natively (``precision="auto"`` of :func:`train_recipe`,
:func:`aigc_kit.runtime.fast_bfloat16`).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from aigc_kit.features.mel_datasets import MelImageDataset
from aigc_kit.generation.sampling import GANSampler
from aigc_kit.models.conv import ConvDiscriminator, ConvGenerator
from aigc_kit.models.diffusion import DiffusionModel, MLPDenoiser, NoiseSchedule
from aigc_kit.models.harmonic import HarmonicGenerator, LabelConditioned, ProjectionDiscriminator
from aigc_kit.models.mlp import MLPDiscriminator, MLPGenerator
from aigc_kit.models.prior import MixturePrior
from aigc_kit.runtime.device import fast_bfloat16, get_device
from aigc_kit.training.diffusion import DiffusionConfig, train_diffusion
from aigc_kit.training.gan import GANConfig, train_gan
from aigc_kit.training.loop import RunConfig, TrainResult

ARCHITECTURES = ("mlp", "conv")
GENERATORS = ("mlp", "conv", "harmonic")
PRECISIONS = ("auto", "float32", "bfloat16")


@dataclass(frozen=True)
class GANRecipe:
    """A named way to build and train the source's GAN.

    Attributes
    ----------
    name : str
        Short name (``"source"``, ``"bn-r1"``, ``"kit"``).
    description : str
        One line for tables and printouts.
    batch_norm : bool
        Batch normalisation after each hidden layer of the MLP generator.
    mixture_components : int
        Components of a :class:`aigc_kit.models.MixturePrior` latent prior; 0 draws
        ``z ~ N(0, I)``.
    mixture_sd : float
        Standard deviation of each mixture component.
    ema : bool
        Keep an exponential moving average of G's weights and sample from it.
    generator : {"mlp", "conv", "harmonic"}
        The source's MLP, the convolutional generator, or
        :class:`aigc_kit.models.HarmonicGenerator` (needs ``conditional``).
    conditional : bool
        Class-conditional: G is told the class (:class:`aigc_kit.models.LabelConditioned`
        for the MLP and convolutional generators) and D judges the image as that class
        (:class:`aigc_kit.models.ProjectionDiscriminator`).
    discriminator : {"mlp", "conv"}
        The projection discriminator's body (conditional recipes).
    training : GANConfig
        The hyperparameters of :func:`aigc_kit.training.train_gan`.

    Notes
    -----
    Frozen: ``recipe.replace(r1_gamma=0.1, mixture_components=48)`` derives a variant; names
    of :class:`GANConfig` fields go to ``training``. Taught in ``06_project_audio_gan``.
    """

    name: str
    description: str
    batch_norm: bool = True
    mixture_components: int = 0
    mixture_sd: float = 0.1
    ema: bool = False
    generator: str = "mlp"
    conditional: bool = False
    discriminator: str = "mlp"
    training: GANConfig = field(default_factory=GANConfig)

    def replace(self, **changes: Any) -> GANRecipe:
        """A copy with ``changes``; :class:`GANConfig` field names change ``training``."""
        own = {f.name for f in dataclasses.fields(self)}
        hyper = {f.name for f in dataclasses.fields(GANConfig)}
        training = {k: changes.pop(k) for k in list(changes) if k not in own}
        unknown = set(training) - hyper
        if unknown:
            raise TypeError(f"GANRecipe.replace: unknown setting(s) {sorted(unknown)}; "
                            f"accepted: {sorted(own | hyper)}")
        if training:
            changes["training"] = self.training.replace(**training)
        return dataclasses.replace(self, **changes)

    def __post_init__(self) -> None:
        if self.mixture_components < 0:
            raise ValueError(f"mixture_components must be >= 0, got {self.mixture_components}")
        if self.generator not in GENERATORS or self.discriminator not in ARCHITECTURES:
            raise ValueError(f"GANRecipe {self.name!r}: generator must be one of {GENERATORS} "
                             f"and discriminator one of {ARCHITECTURES}, got "
                             f"{self.generator!r}, {self.discriminator!r}")
        if self.generator == "harmonic" and not self.conditional:
            raise ValueError(f"GANRecipe {self.name!r}: the harmonic generator renders the "
                             "class's note, so it needs conditional=True")

    def build(self, data: MelImageDataset | Sequence[int], *, arch: str | None = None,
              seed: int = 0) -> GANParts:
        """Fresh networks for ``data``'s images: G, D, prior and EMA.

        Parameters
        ----------
        data : MelImageDataset or tuple of int
            The dataset (a conditional recipe needs its classes, the harmonic generator
            its spec and the notes' MIDI numbers), or for an unconditional recipe just the
            image shape ``(1, n_mels, n_frames)``.
        arch : {"mlp", "conv"}, optional
            Build the recipe with the source's MLPs or the convolutional GAN of
            ``aigc_kit.models`` instead of its own networks (``batch_norm`` then does not
            apply to the convolutional generator: it always has it). Not for the harmonic
            generator.
        seed : int
            Seed of the mixture prior's centres; the caller seeds the global RNG first for
            reproducible weights.
        """
        shape = tuple(data.spec.shape) if isinstance(data, MelImageDataset) else tuple(data)
        if arch is not None and arch not in ARCHITECTURES:
            raise ValueError(f"arch must be one of {ARCHITECTURES}, got {arch!r}")
        if arch is not None and self.generator == "harmonic":
            raise ValueError(f"recipe {self.name!r} has the harmonic generator; arch= swaps "
                             "in the MLP or convolutional networks of the other recipes only")
        kind = arch or self.generator
        latent = self.training.latent_dim
        generator, discriminator = self._networks(data, shape, kind, arch)
        prior = (MixturePrior(latent, self.mixture_components, self.mixture_sd, seed=seed)
                 if self.mixture_components else None)
        ema = copy.deepcopy(generator) if self.ema else None
        return GANParts(generator, discriminator, prior, ema)

    def _networks(self, data: MelImageDataset | Sequence[int], shape: tuple[int, ...],
                  kind: str, arch: str | None) -> tuple[nn.Module, nn.Module]:
        latent = self.training.latent_dim
        body = arch or self.discriminator
        if not self.conditional:
            if kind == "conv":
                return ConvGenerator(latent, shape), ConvDiscriminator(shape)
            return (MLPGenerator(latent, shape, batch_norm=self.batch_norm),
                    MLPDiscriminator(shape))
        if not isinstance(data, MelImageDataset):
            raise ValueError(f"recipe {self.name!r} is class-conditional: build it from the "
                             "MelImageDataset (its classes), not from an image shape")
        discriminator = ProjectionDiscriminator(shape, data.n_classes, body=body)
        if kind == "harmonic":
            if data.class_midi is None:
                raise ValueError(f"recipe {self.name!r} renders notes, but the classes of "
                                 f"dataset {data.name!r} are not notes ({data.class_names[:3]}"
                                 "...); use it with load_mel_dataset('notes')")
            return HarmonicGenerator(data.spec, data.class_midi, latent), discriminator
        inner = (ConvGenerator(latent, shape) if kind == "conv"
                 else MLPGenerator(latent, shape, batch_norm=self.batch_norm))
        return LabelConditioned(inner, latent, data.n_classes), discriminator


@dataclass
class GANParts:
    """The modules of one GAN: generator, discriminator, latent prior and averaged generator.

    Attributes
    ----------
    generator, discriminator : nn.Module
    prior : MixturePrior or None
        ``None`` for ``z ~ N(0, I)``.
    ema : nn.Module or None
        The moving average of the generator's weights, when the recipe keeps one.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    generator: nn.Module
    discriminator: nn.Module
    prior: MixturePrior | None = None
    ema: nn.Module | None = None

    @property
    def sampled(self) -> nn.Module:
        """The generator to sample from: the average when there is one."""
        return self.ema if self.ema is not None else self.generator

    def modules(self) -> dict[str, nn.Module]:
        """The parts that exist, by name (for checkpoints)."""
        parts = {"generator": self.generator, "discriminator": self.discriminator,
                 "prior": self.prior, "ema": self.ema}
        return {k: v for k, v in parts.items() if v is not None}


@dataclass
class TrainedGAN:
    """A GAN trained by :func:`train_recipe`: its recipe, its modules, its training run.

    ``sample(trained, n, seed=...)`` (:func:`aigc_kit.generation.sample`) draws ``n`` images
    from the averaged generator (when the recipe keeps one) with the recipe's prior: it is
    a :class:`aigc_kit.models.LatentSampler`, sampled like every VAE of the kit.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    recipe: GANRecipe
    parts: GANParts
    result: TrainResult | None = None

    @property
    def sampler(self) -> GANSampler:
        """The generator to sample (the average, if any), its latent size and its prior."""
        return GANSampler(self.parts.sampled, self.recipe.training.latent_dim, self.parts.prior)

    def sample(self, n: int, *, generator: torch.Generator | None = None,
               device: str | torch.device | None = None,
               labels: torch.Tensor | None = None) -> torch.Tensor:
        """``n`` generated examples ``(n, ...)`` on ``device`` (see :class:`GANSampler`).

        The contract's method; chapters call ``aigc_kit.generation.sample(trained, n,
        seed=...)``, which returns on the CPU in eval mode. A conditional recipe takes
        ``labels`` ``(n,)`` (default: every class equally often, shuffled).
        """
        return self.sampler.sample(n, generator=generator, device=device, labels=labels)


SOURCE_RECIPE = GANRecipe(
    "source", "the source's MLP GAN as printed", batch_norm=False)
BN_R1_RECIPE = GANRecipe(
    "bn-r1", "MLP GAN + batch norm + R1", batch_norm=True,
    training=GANConfig(r1_gamma=1.0))
KIT_RECIPE = GANRecipe(
    "kit", "MLP GAN + BN + R1 + mixture prior + EMA", batch_norm=True,
    mixture_components=200, ema=True,
    training=GANConfig(batch_size=32, r1_gamma=1.0, r1_every=4, reuse_fakes=True))
CONDITIONAL_RECIPE = GANRecipe(
    "conditional", "conditional MLP GAN (projection D) + BN + R1 + EMA", batch_norm=True,
    ema=True, conditional=True,
    training=GANConfig(batch_size=32, r1_gamma=1.0, r1_every=4, reuse_fakes=True))
HARMONIC_RECIPE = GANRecipe(
    "harmonic", "harmonic generator (f0, harmonics, noise) + projection D + R1 + EMA",
    ema=True, generator="harmonic", conditional=True,
    training=GANConfig(latent_dim=64, batch_size=32, lr=1e-3, r1_gamma=1.0, r1_every=4,
                       reuse_fakes=True))
RECIPES = {recipe.name: recipe for recipe in (SOURCE_RECIPE, BN_R1_RECIPE, KIT_RECIPE,
                                              CONDITIONAL_RECIPE, HARMONIC_RECIPE)}


@dataclass(frozen=True)
class DiffusionRecipe:
    """How the class-conditional diffusion model is built, trained and sampled.

    Attributes
    ----------
    name : str
        Short name (cache keys, tables).
    description : str
        One line for tables and plots.
    n_steps : int
        Diffusion steps ``T`` of the forward process.
    schedule : {"cosine", "linear"}
        The noise schedule (:class:`aigc_kit.models.NoiseSchedule`).
    target : {"x0", "eps"}
        What the denoiser predicts (:class:`aigc_kit.models.DiffusionModel`).
    hidden : tuple of int
        Hidden layer sizes of the MLP denoiser (the source's MLP widths).
    sampler : {"ddim", "ddpm"}
        Default sampler.
    sampling_steps : int
        Default number of DDIM steps.
    guidance : float
        Default classifier-free guidance scale.
    training : DiffusionConfig
        Batch size, learning rate, label-drop probability.

    Notes
    -----
    Taught in ``06b_project_audio_diffusion``.
    """

    name: str = "diffusion"
    description: str = "conditional diffusion (MLP denoiser, cosine schedule, predicts x0)"
    n_steps: int = 200
    schedule: str = "cosine"
    target: str = "x0"
    hidden: tuple[int, ...] = (1024, 1024)
    sampler: str = "ddim"
    sampling_steps: int = 25
    guidance: float = 1.0
    training: DiffusionConfig = field(default_factory=DiffusionConfig)

    def replace(self, **changes: Any) -> DiffusionRecipe:
        """A copy with ``changes`` applied (e.g. ``schedule="linear"``)."""
        return dataclasses.replace(self, **changes)

    def build(self, data: MelImageDataset, seed: int = 0) -> DiffusionModel:
        """An untrained model for ``data``'s images and classes, initialised from ``seed``."""
        torch.manual_seed(seed)
        return DiffusionModel(MLPDenoiser(data.spec.shape, data.n_classes, self.hidden),
                              NoiseSchedule(self.n_steps, self.schedule), self.sampler,
                              self.sampling_steps, self.guidance, self.target)

    def train(self, data: MelImageDataset, run: RunConfig,
              model: DiffusionModel | None = None) -> tuple[DiffusionModel, TrainResult]:
        """Train (a fresh model unless given) on ``data``'s training images and classes.

        Returns the model in eval mode and the loop's result; a run that stopped on a
        non-finite loss raises a RuntimeError naming the reason.
        """
        model = model if model is not None else self.build(data, seed=run.seed or 0)
        result = train_diffusion(model, data.x_train, data.y_train, self.training, run=run)
        if not result.ok:
            raise RuntimeError(f"training the diffusion model failed: {result.stopped}")
        return model.eval(), result


DIFFUSION_RECIPE = DiffusionRecipe()
"""The diffusion model of ``06b_project_audio_diffusion`` (see :class:`DiffusionRecipe`)."""


def get_recipe(name: str) -> GANRecipe:
    """The named recipe of :data:`RECIPES`; an unknown name raises a KeyError listing them.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if name not in RECIPES:
        raise KeyError(f"no GAN recipe named {name!r}; the recipes are {sorted(RECIPES)}")
    return RECIPES[name]


def mixed_precision(precision: str, device: str | torch.device | None = None) -> bool:
    """Whether ``precision`` (``"auto"``, ``"float32"``, ``"bfloat16"``) means bfloat16 here.

    ``"auto"`` is bfloat16 exactly where it runs natively (:func:`fast_bfloat16`).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "auto":
        return fast_bfloat16(get_device(device))
    return precision == "bfloat16"


def train_recipe(
    recipe: GANRecipe,
    data: torch.Tensor | MelImageDataset,
    run: RunConfig,
    *,
    arch: str | None = None,
    precision: str = "auto",
    parts: GANParts | None = None,
) -> TrainedGAN:
    """Build (unless ``parts`` are given) and train the GAN of ``recipe`` on ``data``.

    Parameters
    ----------
    recipe : GANRecipe
        E.g. :data:`KIT_RECIPE`.
    data : torch.Tensor of shape (N, 1, n_mels, n_frames), or MelImageDataset
        Training images in [-1, 1]; a conditional recipe needs the dataset (its
        ``x_train``, ``y_train``, classes and spec).
    run : RunConfig
        Budget, seed (also of the weights and the prior's centres), device, progress, live
        plot, callbacks.
    arch : {"mlp", "conv"}, optional
        Swap in the source's MLPs or the convolutional GAN (see :meth:`GANRecipe.build`);
        default the recipe's own networks.
    precision : {"auto", "float32", "bfloat16"}
        Forward passes in bfloat16 autocast (see :func:`mixed_precision`).
    parts : GANParts, optional
        Modules to train instead of fresh ones (e.g. to keep a reference to them for a
        callback that samples during training).

    Returns
    -------
    TrainedGAN
        With ``result``, the :class:`aigc_kit.training.TrainResult`.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if parts is None:
        parts = build_parts(recipe, data, run, arch)
    config = recipe.training.replace(mixed_precision=mixed_precision(precision, run.device))
    images, labels = _training_set(recipe, data)
    result = train_gan(parts.generator, parts.discriminator, images, config, run=run,
                       prior=parts.prior, ema=parts.ema, labels=labels)
    return TrainedGAN(recipe, parts, result)


def _training_set(recipe: GANRecipe, data: torch.Tensor | MelImageDataset
                  ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The training images, and their labels for a conditional recipe."""
    if isinstance(data, MelImageDataset):
        return data.x_train, data.y_train if recipe.conditional else None
    if recipe.conditional:
        raise ValueError(f"recipe {recipe.name!r} is class-conditional: pass the "
                         "MelImageDataset (images, labels, spec), not a tensor of images")
    return data, None


def build_parts(recipe: GANRecipe, data: torch.Tensor | MelImageDataset, run: RunConfig,
                arch: str | None = None) -> GANParts:
    """``recipe.build`` for ``data`` (a dataset, or images shaped like ``data[0]``), seeded.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if run.seed is not None:
        torch.manual_seed(run.seed)
    target = data if isinstance(data, MelImageDataset) else tuple(data.shape[1:])
    return recipe.build(target, arch=arch, seed=run.seed if run.seed is not None else 0)
