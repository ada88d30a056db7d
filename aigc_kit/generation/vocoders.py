"""Vocoders: log-mel images back to waveforms, three ways, one call.

Every generator of the kit makes log-mel images; a person hears them only through a
vocoder. Three are compared in ``06_project_audio_gan``:

- ``GriffinLim(nnls_iter=0)``: the first kit's inversion, the clamped mel pseudo-inverse
  then Griffin-Lim;
- ``GriffinLim()`` (the default of ``aigc_kit.features.to_audio``): the mel bands
  turned into the non-negative least-squares spectrum first, then Griffin-Lim;
- :class:`TrainedVocoder`: a :class:`~aigc_kit.models.SpectralInverter` trained on real
  recordings predicts the linear spectrum, then Griffin-Lim.

Each is a callable ``vocoder(images, spec) -> waveforms`` (peak 0.9, like ``to_audio``),
so :func:`aigc_kit.evaluation.judge_vocoders` compares them on the same held-out clips.
A trained vocoder is saved with the spec it was trained for and refuses images of
another spec. Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from aigc_kit.features.audio import spectrogram_to_audio
from aigc_kit.features.mel_images import MelSpec, check_images, peak_normalize, to_audio
from aigc_kit.models.vocoder import SpectralInverter
from aigc_kit.runtime.checkpoint import CheckpointError, load_checkpoint, save_checkpoint


class Vocoder(Protocol):
    """Anything that turns images ``(n, 1, n_mels, n_frames)`` of ``spec`` into waveforms."""

    name: str

    def __call__(self, images: torch.Tensor, spec: MelSpec) -> np.ndarray:
        """Waveforms ``(n, spec.n_samples)`` at ``spec.sr``, peak 0.9."""
        ...


@dataclass(frozen=True)
class GriffinLim:
    """Mel inversion (pseudo-inverse, optionally non-negative least squares) + Griffin-Lim.

    Attributes
    ----------
    n_iter : int
        Griffin-Lim iterations (momentum 0.99).
    nnls_iter : int
        Non-negative least-squares steps of the mel inversion; 0 is the clamped
        pseudo-inverse alone.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    n_iter: int = 32
    nnls_iter: int = 50

    @property
    def name(self) -> str:
        """A short label such as ``"NNLS+GL-32"``."""
        return f"{'NNLS+' if self.nnls_iter else ''}GL-{self.n_iter}"

    def __call__(self, images: torch.Tensor, spec: MelSpec) -> np.ndarray:
        """Waveforms ``(n, spec.n_samples)``: :func:`aigc_kit.features.to_audio`."""
        return to_audio(images, spec, n_iter=self.n_iter, nnls_iter=self.nnls_iter)


class TrainedVocoder:
    """A trained :class:`~aigc_kit.models.SpectralInverter`, then Griffin-Lim.

    Parameters
    ----------
    inverter : SpectralInverter
        Trained by :func:`aigc_kit.training.train_vocoder`; its ``spec`` is the only one
        this vocoder accepts.
    n_iter : int
        Griffin-Lim iterations.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    def __init__(self, inverter: SpectralInverter, n_iter: int = 32) -> None:
        self.inverter = inverter.eval()
        self.n_iter = n_iter
        self.name = f"trained+GL-{n_iter}"

    @property
    def spec(self) -> MelSpec:
        """The representation the vocoder was trained for."""
        return self.inverter.spec

    def __call__(self, images: torch.Tensor, spec: MelSpec) -> np.ndarray:
        """Waveforms ``(n, spec.n_samples)`` at ``spec.sr``, peak 0.9."""
        if spec != self.spec:
            raise ValueError(f"TrainedVocoder: it was trained for {self.spec} but the images "
                             f"are of {spec}; train one for this spec with "
                             "aigc_kit.training.train_vocoder or use GriffinLim()")
        images = check_images(images, spec, "TrainedVocoder")
        device = next(self.inverter.parameters()).device
        with torch.no_grad():
            scaled = self.inverter(images.detach().float().clamp(-1, 1).to(device))
        db = (scaled.clamp(-1.0, 1.0) - 1.0) * (spec.top_db / 2)
        audio = spectrogram_to_audio(10.0 ** (db / 10.0), spec.n_fft, spec.hop_length,
                                     n_iter=self.n_iter, length=spec.n_samples)
        return peak_normalize(audio)

    def save(self, path: str | Path) -> Path:
        """Write the weights and the spec to ``path`` (a checkpoint, loaded safely)."""
        hidden = self.inverter.net[0].out_channels
        return save_checkpoint(path, {"vocoder": self.inverter},
                               meta={"spec": asdict(self.spec), "hidden": hidden,
                                     "n_iter": self.n_iter})

    @classmethod
    def load(cls, path: str | Path, spec: MelSpec) -> TrainedVocoder:
        """Load a vocoder saved by :meth:`save`, checking it was trained for ``spec``.

        Raises
        ------
        CheckpointError
            If the file is missing, damaged or tampered with, or holds a vocoder for
            another spec (the message names both specs and the fix).
        """
        meta = _read_meta(path)
        if meta.get("spec") != asdict(spec):
            raise CheckpointError(
                f"{path}: this vocoder was trained for MelSpec({meta.get('spec')}), not for "
                f"{spec}; train one for this spec (aigc_kit.training.train_vocoder) or load "
                "the checkpoint made for it")
        inverter = SpectralInverter(spec, hidden=int(meta["hidden"]))
        load_checkpoint(path, {"vocoder": inverter})
        return cls(inverter, n_iter=int(meta.get("n_iter", 32)))


def _read_meta(path: str | Path) -> dict:
    """The ``meta`` of a vocoder checkpoint, read safely (``weights_only=True``)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such vocoder checkpoint; train one with "
                              "aigc_kit.training.train_vocoder and save it")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unpickling failure is a bad file
        raise CheckpointError(f"{path}: not a readable checkpoint ({err}); delete it and "
                              "train the vocoder again") from err
    meta = state.get("meta") if isinstance(state, dict) else None
    if not isinstance(meta, dict) or "spec" not in meta or "hidden" not in meta:
        raise CheckpointError(f"{path}: not a vocoder checkpoint (no spec in its meta); save "
                              "vocoders with TrainedVocoder.save")
    return meta


VOCODERS: dict[str, Vocoder] = {
    "GL-32": GriffinLim(n_iter=32, nnls_iter=0),
    "NNLS+GL-32": GriffinLim(n_iter=32, nnls_iter=50),
    "NNLS+GL-128": GriffinLim(n_iter=128, nnls_iter=100),
}
"""The untrained vocoders by name: Griffin-Lim as the first kit did it, the default, and a
slower "done well" setting (more least-squares steps and Griffin-Lim iterations)."""
