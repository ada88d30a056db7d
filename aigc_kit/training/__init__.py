"""Training (chapters 3.2 and 4): losses, optimisers from the equations, the training loop.

- :mod:`~aigc_kit.training.losses`: the GAN losses from logits and the VAE loss;
- :mod:`~aigc_kit.training.optim`: gradient descent and Adam written from their update
  equations (the source's printed variants behind a flag), and test functions;
- :mod:`~aigc_kit.training.loop`: the one training loop (:class:`Trainer`, :func:`fit`) with
  its run options (:class:`RunConfig`): step count and time budget, progress bar, live plot,
  NaN stop with restore, callbacks, checkpoints and the history;
- :mod:`~aigc_kit.training.gan`, :mod:`~aigc_kit.training.vae`,
  :mod:`~aigc_kit.training.diffusion`, :mod:`~aigc_kit.training.classifier`: the trainers,
  each a step function on that loop (:func:`train_gan` with its :class:`GANConfig`,
  :func:`train_vae`, :func:`train_diffusion` with its :class:`DiffusionConfig`,
  :func:`train_classifier`), and batched inference (:func:`predict`);
- :mod:`~aigc_kit.training.live_plot`: loss curves redrawn while training.

Taught in ``04_deep_learning_models``, ``05_math_losses_optimizers`` and
``06_project_audio_gan``.
"""

from aigc_kit.training.classifier import (
    evaluate_classifier,
    predict,
    random_time_shift,
    train_classifier,
)
from aigc_kit.training.diffusion import DiffusionConfig, train_diffusion
from aigc_kit.training.gan import GANConfig, train_gan
from aigc_kit.training.live_plot import (
    LivePlot,
    in_notebook,
    plot_history,
)
from aigc_kit.training.loop import (
    Batches,
    RunConfig,
    Task,
    Trainer,
    TrainResult,
    fit,
    place,
    prepare_data,
    prepare_labels,
)
from aigc_kit.training.losses import (
    discriminator_loss,
    gaussian_kl,
    generator_loss,
    saturating_generator_loss,
    vae_loss,
)
from aigc_kit.training.optim import (
    ADAM_VARIANTS,
    Adam,
    GradientDescent,
    OptimizerFactory,
    adam,
    rosenbrock,
    step_factor,
    trajectory,
)
from aigc_kit.training.vae import train_vae
from aigc_kit.training.vocoder import TrainedVocoder, linear_targets, train_vocoder

__all__ = [
    "DiffusionConfig",
    "train_diffusion",
    "train_vocoder",
    "TrainedVocoder",
    "linear_targets",
    "ADAM_VARIANTS",
    "Adam",
    "Batches",
    "GANConfig",
    "GradientDescent",
    "LivePlot",
    "OptimizerFactory",
    "RunConfig",
    "Task",
    "TrainResult",
    "Trainer",
    "adam",
    "discriminator_loss",
    "evaluate_classifier",
    "fit",
    "gaussian_kl",
    "generator_loss",
    "in_notebook",
    "plot_history",
    "predict",
    "place",
    "prepare_data",
    "prepare_labels",
    "random_time_shift",
    "rosenbrock",
    "saturating_generator_loss",
    "step_factor",
    "train_classifier",
    "train_gan",
    "train_vae",
    "trajectory",
    "vae_loss",
]
