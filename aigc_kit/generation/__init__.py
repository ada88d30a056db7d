"""Generation: sampling trained generators, and the model zoo of chapter 6.

- :mod:`~aigc_kit.generation.sampling`: draw samples from a GAN generator or a VAE,
  reconstruct with a VAE;
- :mod:`~aigc_kit.generation.zoo`: chapter 6's classifier, GAN and VAE trained once and
  cached for chapters 7, 8 and the report.

Taught in ``06_project_audio_gan``.
"""

from aigc_kit.generation.sampling import (
    reconstruct,
    sample_generator,
    sample_model,
)
from aigc_kit.generation.zoo import (
    GAN_LATENT,
    VAE_LATENT,
    TrainedModels,
    trained_models,
)

__all__ = [
    "GAN_LATENT",
    "TrainedModels",
    "VAE_LATENT",
    "reconstruct",
    "sample_generator",
    "sample_model",
    "trained_models",
]
