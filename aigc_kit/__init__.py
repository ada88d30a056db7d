"""aigc-kit: a notebook-first teaching and analysis kit for AI-generated audio and video.

The package is laid out by topic, one module per stage of the AIGC pipeline of the course:
``data`` (collection and preprocessing), ``features``, ``models``, ``metrics``; each
function's docstring names the notebook that teaches it.
"""

from aigc_kit.device import get_device, seed_everything

__version__ = "0.1.0"
__all__ = ["get_device", "seed_everything", "__version__"]
