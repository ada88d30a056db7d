"""The datasets of mel images: notes and spoken digits, their waveforms and splits.

:func:`notes_images` and :func:`fsdd_images` build them (with :func:`notes_waveforms` and
:func:`fsdd_waveforms`, the sound behind them); :func:`load_mel_dataset` gives the
train/held-out split the generative chapters use, by name. ``"notes"``: the generated
notes (48 classes, timbre x pitch); the held-out set is drawn with another seed, so it
holds new random variations of every class. ``"fsdd"``: spoken digits (10 classes) with
the customary split. Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from aigc_kit.data.preprocess import fix_length
from aigc_kit.data.spoken_digits import fsdd
from aigc_kit.data.synth import TIMBRES, midi_to_note, synth_notes
from aigc_kit.features.mel_images import (
    FSDD_SPEC,
    NOTES_SPEC,
    Device,
    MelSpec,
    prepare_clips,
    to_images,
)

DATASETS = ("notes", "fsdd")
_HELD_OUT_SEED_OFFSET = 1000


def note_class_names(pitches: Iterable[int] = range(60, 72),
                     timbres: Sequence[str] = tuple(TIMBRES)) -> list[str]:
    """Names of the note classes, ``"<timbre> <note>"``, in label order.

    The label of a note is ``timbre_index * len(pitches) + pitch_index``, so the classes
    run through every pitch of the first timbre, then the second, and so on.

    Parameters
    ----------
    pitches : iterable of int
        MIDI note numbers, as given to :func:`notes_images`.
    timbres : sequence of str
        Timbre names, as given to :func:`notes_images`.

    Returns
    -------
    list of str
        ``len(timbres) * len(pitches)`` names such as ``"organ C4"``.

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """
    pitches = list(pitches)
    return [f"{t} {midi_to_note(p)}" for t in timbres for p in pitches]


def notes_images(
    seed: int = 0,
    n_variants: int = 4,
    pitches: Iterable[int] = range(60, 72),
    timbres: Sequence[str] = tuple(TIMBRES),
    spec: MelSpec = NOTES_SPEC,
    device: Device = None,
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Synthesised notes (``synth_notes``) as log-mel images with integer class labels.

    The notes are synthesised directly at ``spec.sr`` and ``spec.duration_s`` long, at
    one loudness (-20 dBFS RMS): the images are level-free, so other loudness levels
    would only repeat them. Nothing is trimmed, so every note starts at frame 0.

    Parameters
    ----------
    seed : int
        Seed of ``synth_notes``: same seed, same notes.
    n_variants : int
        Random variations per (pitch, timbre).
    pitches : iterable of int
        MIDI note numbers (default C4 to B4).
    timbres : sequence of str
        Keys of ``aigc_kit.data.TIMBRES`` (default all four).
    spec : MelSpec
        Image size and analysis parameters.
    device : str or torch.device, optional
        Where the images are made and returned (default the CPU).

    Returns
    -------
    images : torch.Tensor of shape (n_notes, 1, spec.n_mels, spec.n_frames)
        float32 images in [-1, 1], ``n_notes = len(pitches) * len(timbres) * n_variants``.
    labels : pandas.DataFrame
        The ``synth_notes`` labels (``midi``, ``note``, ``f0_hz``, ``timbre``,
        ``variant``, ...) plus ``label`` (int, timbre x pitch class, see
        :func:`note_class_names`) and ``class_name`` (str).

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``. The 192 default
    notes take about half a second.
    """
    waveforms, labels = notes_waveforms(seed, n_variants, pitches, timbres, spec)
    return to_images(waveforms, spec, device), labels


def notes_waveforms(
    seed: int = 0,
    n_variants: int = 4,
    pitches: Iterable[int] = range(60, 72),
    timbres: Sequence[str] = tuple(TIMBRES),
    spec: MelSpec = NOTES_SPEC,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The waveforms behind :func:`notes_images`: ``(n_notes, spec.n_samples)`` and labels.

    Same arguments and labels as :func:`notes_images`; the float32 waveforms are at
    ``spec.sr``, -20 dBFS RMS. Taught in ``06_project_audio_gan``.
    """
    pitches, timbres = list(pitches), list(timbres)
    notes = synth_notes(pitches=pitches, timbres=timbres, loudness_db=(-20.0,),
                        n_variants=n_variants, duration_s=spec.duration_s, sr=spec.sr,
                        seed=seed)
    labels = notes.labels.copy()
    timbre_index = labels["timbre"].map({t: i for i, t in enumerate(timbres)})
    pitch_index = labels["midi"].map({p: i for i, p in enumerate(pitches)})
    labels["label"] = (timbre_index * len(pitches) + pitch_index).astype(int)
    names = note_class_names(pitches, timbres)
    labels["class_name"] = [names[i] for i in labels["label"]]
    return fix_length(np.stack(notes.clips), spec.n_samples), labels


def fsdd_images(
    split: str | None = None,
    digits: int | Iterable[int] | None = None,
    spec: MelSpec = FSDD_SPEC,
    device: Device = None,
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Spoken digits (FSDD) as log-mel images labelled by digit.

    The recordings go through :func:`prepare_clips` (trimmed at 30 dB, centred, -20 dBFS
    RMS) and :func:`to_images`.

    Parameters
    ----------
    split : {None, "train", "test"}
        The customary split: takes 0-4 of every speaker and digit are the test set.
    digits : int or iterable of int, optional
        Keep only these digits (0-9).
    spec : MelSpec
        Image size and analysis parameters.
    device : str or torch.device, optional
        Where the images are made and returned (default the CPU).

    Returns
    -------
    images : torch.Tensor of shape (n_clips, 1, spec.n_mels, spec.n_frames)
        float32 images in [-1, 1].
    labels : pandas.DataFrame
        The ``fsdd`` labels (``digit``, ``speaker``, ``take``, ``split``, ``path``) plus
        ``label`` (int, the digit).

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``. All 3,000 clips
    take about 3 s once the dataset is on disk (see ``aigc_kit.data.fsdd``).
    """
    waveforms, labels = fsdd_waveforms(split, digits, spec)
    return to_images(waveforms, spec, device), labels


def fsdd_waveforms(
    split: str | None = None,
    digits: int | Iterable[int] | None = None,
    spec: MelSpec = FSDD_SPEC,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The prepared recordings behind :func:`fsdd_images`: ``(n_clips, spec.n_samples)``.

    Same arguments and labels as :func:`fsdd_images`; float32 waveforms at ``spec.sr``
    (trimmed, centred, -20 dBFS RMS). Taught in ``06_project_audio_gan``.
    """
    data = fsdd(split=split, digits=digits)
    labels = data.labels.copy()
    labels["label"] = labels["digit"].astype(int)
    return prepare_clips(data.clips, data.sr, spec), labels


@dataclass
class MelImageDataset:
    """Mel images ``(n, 1, n_mels, n_frames)`` in [-1, 1] with integer class labels.

    ``audio_test`` holds the held-out waveforms ``(n_test, spec.n_samples)`` at ``spec.sr``
    that ``x_test`` was made from: the real sound generated audio is compared with (None
    for a dataset made of images only).

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
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

    @property
    def class_midi(self) -> list[int] | None:
        """MIDI note number of each class (``"organ C4"`` -> 60), or None if not notes."""
        midi = [_MIDI_OF_NAME.get(name.rsplit(" ", 1)[-1]) for name in self.class_names]
        return None if any(m is None for m in midi) else midi  # type: ignore[return-value]

    def fraction(self, share: float, seed: int = 0) -> MelImageDataset:
        """The same dataset with a random ``share`` (0 < share <= 1) of the training set."""
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        keep = torch.randperm(len(self.x_train), generator=torch.Generator().manual_seed(seed))
        keep = keep[: max(1, round(share * len(self.x_train)))]
        return MelImageDataset(self.name, self.spec, self.x_train[keep], self.y_train[keep],
                               self.x_test, self.y_test, self.class_names, self.audio_test)


_MIDI_OF_NAME = {midi_to_note(m): m for m in range(128)}  # "C4" -> 60, the inverse


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
