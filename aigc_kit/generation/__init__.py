"""Generation: sampling trained generators, and the model zoo of chapter 6.

- :mod:`~aigc_kit.generation.sampling`: one :func:`sample` for every VAE and GAN
  (:class:`GANSampler` wraps a trained generator with its prior), one :func:`reconstruct`
  for every VAE (the contract of :mod:`aigc_kit.models.contract`);
- :mod:`~aigc_kit.generation.recipes`: the named GAN recipes (the source's, batch norm +
  R1, the kit's, the class-conditional one and the harmonic generator chapter 6 ends
  with), defined once, :func:`get_recipe` and :func:`train_recipe`, and the diffusion
  model's :class:`DiffusionRecipe` (``06b_project_audio_diffusion``);
- :mod:`~aigc_kit.generation.zoo`: chapter 6's classifier, GAN and VAE trained once and
  cached for chapters 7, 8 and the report, and the diffusion model of chapter 6b
  (:func:`trained_diffusion`).

Taught in ``06_project_audio_gan``.
"""

from aigc_kit.generation.recipes import (
    BN_R1_RECIPE,
    CONDITIONAL_RECIPE,
    DIFFUSION_RECIPE,
    HARMONIC_RECIPE,
    KIT_RECIPE,
    RECIPES,
    SOURCE_RECIPE,
    DiffusionRecipe,
    GANParts,
    GANRecipe,
    TrainedGAN,
    build_parts,
    get_recipe,
    mixed_precision,
    train_recipe,
)
from aigc_kit.generation.sampling import (
    GANSampler,
    eval_mode,
    reconstruct,
    sample,
    seeded_generator,
)
from aigc_kit.generation.zoo import (
    DIFFUSION_STEPS,
    GAN_SECONDS,
    MODELS,
    VAE_LATENT,
    ZOO_RECIPES,
    TrainedDiffusion,
    TrainedModels,
    build_models,
    diffusion_settings,
    remember_diffusion,
    remember_models,
    sample_model,
    trained_diffusion,
    trained_models,
    zoo_recipe,
    zoo_settings,
)

__all__ = [
    "BN_R1_RECIPE",
    "DIFFUSION_RECIPE",
    "DIFFUSION_STEPS",
    "DiffusionRecipe",
    "TrainedDiffusion",
    "diffusion_settings",
    "remember_diffusion",
    "trained_diffusion",
    "CONDITIONAL_RECIPE",
    "HARMONIC_RECIPE",
    "get_recipe",
    "GANParts",
    "GANRecipe",
    "GANSampler",
    "GAN_SECONDS",
    "ZOO_RECIPES",
    "zoo_recipe",
    "MODELS",
    "KIT_RECIPE",
    "RECIPES",
    "SOURCE_RECIPE",
    "TrainedGAN",
    "TrainedModels",
    "VAE_LATENT",
    "build_models",
    "build_parts",
    "mixed_precision",
    "reconstruct",
    "remember_models",
    "sample",
    "seeded_generator",
    "eval_mode",
    "sample_model",
    "train_recipe",
    "trained_models",
    "zoo_settings",
]
