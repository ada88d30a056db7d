"""Training (chapters 3.2 and 4): losses, optimisers from the equations, the training loop.

- :mod:`~aigc_kit.training.losses`: the GAN losses from logits and the VAE loss;
- :mod:`~aigc_kit.training.optim`: gradient descent and Adam written from their update
  equations (the source's printed variants behind a flag), and test functions;
- :mod:`~aigc_kit.training.trainers`: the training loops with progress bar, time budget,
  NaN stop with restore, callbacks and checkpoints;
- :mod:`~aigc_kit.training.live_plot`: loss curves redrawn while training.

Taught in ``04_deep_learning_models``, ``05_math_losses_optimizers`` and
``06_project_audio_gan``.
"""

from aigc_kit.training.live_plot import (
    LivePlot,
    in_notebook,
    plot_history,
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
    rosenbrock,
    step_factor,
    trajectory,
)
from aigc_kit.training.trainers import (
    TrainResult,
    adam,
    evaluate_classifier,
    predict,
    random_time_shift,
    train_classifier,
    train_gan,
    train_vae,
)

__all__ = [
    "ADAM_VARIANTS",
    "Adam",
    "GradientDescent",
    "LivePlot",
    "TrainResult",
    "adam",
    "discriminator_loss",
    "evaluate_classifier",
    "gaussian_kl",
    "generator_loss",
    "in_notebook",
    "plot_history",
    "predict",
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
