"""aigc-kit: a notebook-first teaching and analysis kit for AI-generated audio and video.

The package tree is the course's pipeline, one subpackage per stage; each subpackage's
``__init__`` is its public face (``from aigc_kit.training import train_gan``):

- ``data``: loading, preprocessing, datasets (chapter 2.1);
- ``features``: audio features and the log-mel images the models see (2.2);
- ``models``: the generative models and the classifier (3, 5);
- ``training``: losses, optimisers from the equations, the training loop (3.2, 4);
- ``generation``: sampling, named recipes, the model zoo (5);
- ``evaluation``: signal and distribution metrics, listening statistics (2.5, 9);
- ``interaction``: players, widgets, the feedback log, simulated listeners (2.6, 2.7);
- ``apps``: music, speech, video and provenance (6, 8);
- ``runtime``: devices, seeds, folders, atomic writes, checkpoints.

``check`` holds the self-checks the chapters' exercises call (``check.ch05_ex1(answer)``).
``course`` holds the command-line tooling, which the notebooks never import. Each
function's docstring names the notebook that teaches it.

Imports follow the pipeline: a module imports only from its own stage or from the stages
before it, in this order (``tests/test_package.py`` keeps it so, and no two modules
import each other, not even for type checking):

runtime <- data <- features <- models <- training <- generation <- evaluation <-
interaction <- apps <- check, course

The applications (``apps.music``, ``apps.speech``, ``apps.video``, ``apps.provenance``)
do not import each other, and nothing imports ``course``.
"""

from aigc_kit.runtime.device import get_device, seed_everything

__version__ = "0.1.0"
__all__ = ["get_device", "seed_everything", "__version__"]
