"""Train/held-out splits of mel images for the generative chapters, by dataset name.

``"notes"``: the generated notes (48 classes, timbre x pitch); the held-out set is drawn
with another seed, so it holds new random variations of every class. ``"fsdd"``: spoken
digits (10 classes) with the customary split. Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aigc_kit.features.mel_images import (
    FSDD_SPEC,
    NOTES_SPEC,
    MelSpec,
    fsdd_waveforms,
    note_class_names,
    notes_waveforms,
    to_images,
)

DATASETS = ("notes", "fsdd")
_HELD_OUT_SEED_OFFSET = 1000


@dataclass
class MelImageDataset:
    """Mel images ``(n, 1, n_mels, n_frames)`` in [-1, 1] with integer class labels.

    ``audio_test`` holds the held-out waveforms ``(n_test, spec.n_samples)`` at ``spec.sr``
    that ``x_test`` was made from: the real sound generated audio is compared with (None
    for a dataset made of images only).
    """

    name: str
    spec: MelSpec
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str]
    audio_test: np.ndarray | None = None

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def fraction(self, share: float, seed: int = 0) -> MelImageDataset:
        """The same dataset with a random ``share`` (0 < share <= 1) of the training set."""
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        keep = torch.randperm(len(self.x_train), generator=torch.Generator().manual_seed(seed))
        keep = keep[: max(1, round(share * len(self.x_train)))]
        return MelImageDataset(self.name, self.spec, self.x_train[keep], self.y_train[keep],
                               self.x_test, self.y_test, self.class_names, self.audio_test)


def load_mel_dataset(name: str, seed: int = 0, n_variants: int = 8,
                     spec: MelSpec | None = None) -> MelImageDataset:
    """Load ``"notes"`` (``n_variants`` random variations per class) or ``"fsdd"``.

    Parameters
    ----------
    name : {"notes", "fsdd"}
        The data set.
    seed : int
        Seed of the training notes (the held-out notes use ``seed + 1000``).
    n_variants : int
        Notes per class in the training set (half as many held out).
    spec : MelSpec, optional
        The representation; default ``NOTES_SPEC`` or ``FSDD_SPEC`` (64 bands x 32
        frames). The first kit's 32 x 32 presets ``NOTES_SPEC_32`` and ``FSDD_SPEC_32``
        stay available here.

    Returns
    -------
    MelImageDataset

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if name == "notes":
        spec = spec or NOTES_SPEC
        train_audio, train = notes_waveforms(seed=seed, n_variants=n_variants, spec=spec)
        test_audio, test = notes_waveforms(seed=seed + _HELD_OUT_SEED_OFFSET,
                                           n_variants=max(1, n_variants // 2), spec=spec)
        names = note_class_names()
    elif name == "fsdd":
        spec = spec or FSDD_SPEC
        train_audio, train = fsdd_waveforms("train", spec=spec)
        test_audio, test = fsdd_waveforms("test", spec=spec)
        names = [str(d) for d in range(10)]
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
    return MelImageDataset(name, spec, to_images(train_audio, spec),
                           torch.tensor(train.label.to_numpy()), to_images(test_audio, spec),
                           torch.tensor(test.label.to_numpy()), names, test_audio)
