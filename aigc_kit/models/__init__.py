"""Generative models of the course, from the linear-Gaussian warm-up to GANs and VAEs.

``LinearGaussianModel`` (``01_aigc_overview``); ``MelClassifier``
(``04_deep_learning_models``); the source's MLP GAN, the convolutional GAN, the VAEs and
``MixturePrior``, a latent prior for GANs, and the class-conditional GANs
(``LabelConditioned``, ``ProjectionDiscriminator``, ``HarmonicGenerator``, a generator built
for notes), and a denoising diffusion model (``DiffusionModel``, ``MLPDenoiser``,
``NoiseSchedule``, ``ddpm_step``, ``ddim_step``) (``06_project_audio_gan``); ``ConditionalVAE``
(``10_speech_synthesis``); the energy model ``P(X) = exp(-V(X)) / Z`` with its exact
partition function (``05_math_losses_optimizers``). The neural networks work on the log-mel
images of ``aigc_kit.features.mel_images``.

``GenerativeVAE`` and ``LatentSampler`` (:mod:`aigc_kit.models.contract`) are the one
contract every VAE (``encode``/``decode``/``sample``/``forward``) and every GAN generator
(``sample``) of the kit follows (``06_project_audio_gan``).
"""

from aigc_kit.models.classifier import MelClassifier
from aigc_kit.models.conditional import ConditionalVAE
from aigc_kit.models.contract import GenerativeVAE, LatentSampler, reparameterize
from aigc_kit.models.conv import ConvDecoder, ConvDiscriminator, ConvEncoder, ConvGenerator
from aigc_kit.models.diffusion import (
    DiffusionModel,
    MLPDenoiser,
    NoiseSchedule,
    ddim_step,
    ddpm_step,
)
from aigc_kit.models.energy import (
    all_sequences,
    energy_from_probability,
    energy_probability,
    log_partition,
    melody_energy,
    sample_energy,
)
from aigc_kit.models.gaussian import LinearGaussianModel
from aigc_kit.models.harmonic import HarmonicGenerator, LabelConditioned, ProjectionDiscriminator
from aigc_kit.models.mlp import (
    VAE,
    LatentDecoder,
    MLPDecoder,
    MLPDiscriminator,
    MLPEncoder,
    MLPGenerator,
)
from aigc_kit.models.prior import MixturePrior
from aigc_kit.models.vocoder import SpectralInverter
from aigc_kit.runtime.device import count_parameters  # re-exported for chapters 4, 6, 13

__all__ = [
    "DiffusionModel",
    "MLPDenoiser",
    "NoiseSchedule",
    "ddim_step",
    "ddpm_step",
    "SpectralInverter",
    "VAE",
    "ConditionalVAE",
    "ConvDecoder",
    "ConvDiscriminator",
    "ConvEncoder",
    "ConvGenerator",
    "GenerativeVAE",
    "HarmonicGenerator",
    "LabelConditioned",
    "ProjectionDiscriminator",
    "LatentDecoder",
    "LatentSampler",
    "LinearGaussianModel",
    "MLPDecoder",
    "MLPDiscriminator",
    "MLPEncoder",
    "MLPGenerator",
    "MelClassifier",
    "MixturePrior",
    "all_sequences",
    "count_parameters",
    "energy_from_probability",
    "energy_probability",
    "log_partition",
    "melody_energy",
    "reparameterize",
    "sample_energy",
]
