"""Train/held-out splits of mel images for the generative chapters, by dataset name.

``"notes"``: the generated notes (48 classes, timbre x pitch); the held-out set is drawn
with another seed, so it holds new random variations of every class. ``"fsdd"``: spoken
digits (10 classes) with the customary split. Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from aigc_kit.features.mel_images import (
    FSDD_SPEC,
    NOTES_SPEC,
    MelSpec,
    fsdd_images,
    note_class_names,
    notes_images,
)

DATASETS = ("notes", "fsdd")
_HELD_OUT_SEED_OFFSET = 1000


@dataclass
class MelImageDataset:
    """Mel images ``(n, 1, n_mels, n_frames)`` in [-1, 1] with integer class labels."""

    name: str
    spec: MelSpec
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str]

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
                               self.x_test, self.y_test, self.class_names)


def load_mel_dataset(name: str, seed: int = 0, n_variants: int = 8) -> MelImageDataset:
    """Load ``"notes"`` (``n_variants`` random variations per class) or ``"fsdd"``."""
    if name == "notes":
        x_train, train = notes_images(seed=seed, n_variants=n_variants)
        x_test, test = notes_images(seed=seed + _HELD_OUT_SEED_OFFSET,
                                    n_variants=max(1, n_variants // 2))
        spec, names = NOTES_SPEC, note_class_names()
    elif name == "fsdd":
        x_train, train = fsdd_images("train")
        x_test, test = fsdd_images("test")
        spec, names = FSDD_SPEC, [str(d) for d in range(10)]
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
    return MelImageDataset(name, spec, x_train, torch.tensor(train.label.to_numpy()),
                           x_test, torch.tensor(test.label.to_numpy()), names)
