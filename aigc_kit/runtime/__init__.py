"""The runtime: devices and seeds, data folders, atomic writes, safe checkpoints.

Small pieces every stage relies on: :func:`get_device` (a GPU when there is one,
``AIGC_KIT_DEVICE`` to force one), :func:`seed_everything`, the data and cache folders and the
offline mirror (``AIGC_KIT_DATA_MIRROR``), :func:`write_atomically`, and checkpoints loaded
with ``weights_only=True`` and checked against a SHA-256 and the architecture.
Taught in ``01_aigc_overview`` (devices, seeds) and ``06_project_audio_gan`` (checkpoints).
"""

from aigc_kit.runtime.atomic import (
    write_atomically,
)
from aigc_kit.runtime.checkpoint import (
    CheckpointError,
    cached_model_path,
    describe_architecture,
    load_checkpoint,
    save_checkpoint,
)
from aigc_kit.runtime.device import (
    count_parameters,
    fast_bfloat16,
    get_device,
    model_device,
    param_dtype,
    seed_everything,
    training_throughput,
)
from aigc_kit.runtime.paths import (
    cache_dir,
    data_dir,
    mirror_dir,
    offline,
)

__all__ = [
    "CheckpointError",
    "cached_model_path",
    "cache_dir",
    "count_parameters",
    "data_dir",
    "describe_architecture",
    "fast_bfloat16",
    "get_device",
    "load_checkpoint",
    "mirror_dir",
    "model_device",
    "offline",
    "param_dtype",
    "save_checkpoint",
    "seed_everything",
    "training_throughput",
    "write_atomically",
]
