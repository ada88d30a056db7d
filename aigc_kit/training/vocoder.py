"""The vocoder trainer: a :class:`~aigc_kit.models.SpectralInverter` fitted on real recordings.

Each real clip gives a pair: its log-mel image (the input, exactly as ``to_images`` makes
it) and its linear STFT magnitude in the same scale (the target: dB below the clip's
loudest bin, floored ``top_db`` below, mapped to [-1, 1]). The loss is the mean absolute
error between the two in that scale, a log-spectral L1, which weighs quiet and loud bins
alike as the ear roughly does. :func:`train_vocoder` builds and trains the network and
returns the :class:`TrainedVocoder` it makes (the network, then Griffin-Lim; a
:class:`aigc_kit.features.Vocoder`), which saves and loads itself with its spec. Taught in
``06_project_audio_gan``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from aigc_kit.features.inverse import spectrogram_to_audio, vocoder_level
from aigc_kit.features.mel_images import MelSpec, check_images, fit_frames, to_images
from aigc_kit.models.vocoder import SpectralInverter
from aigc_kit.runtime.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from aigc_kit.runtime.device import model_device
from aigc_kit.training.loop import Batches, RunConfig, Task, Trainer, TrainResult
from aigc_kit.training.optim import adam


def linear_targets(waveforms: np.ndarray | torch.Tensor, spec: MelSpec) -> torch.Tensor:
    """Linear STFT magnitudes of waveforms in image scale, ``(n, n_fft // 2 + 1, n_frames)``.

    Parameters
    ----------
    waveforms : array or tensor of shape (n, spec.n_samples)
        Real clips at ``spec.sr`` (see ``aigc_kit.features.prepare_clips``).
    spec : MelSpec
        The representation: STFT size, hop, frames and ``top_db``.

    Returns
    -------
    torch.Tensor of shape (n, n_fft // 2 + 1, spec.n_frames)
        float32 in [-1, 1]: -1 is ``top_db`` dB below each clip's loudest bin, +1 that bin.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    x = torch.as_tensor(np.asarray(waveforms, dtype=np.float32))
    if x.ndim != 2:
        raise ValueError(f"linear_targets: expected waveforms (n, n_samples), got {tuple(x.shape)}")
    window = torch.hann_window(spec.n_fft)
    power = torch.stft(x, spec.n_fft, spec.hop_length, window=window,
                       return_complex=True).abs() ** 2
    db = 10 * torch.log10(power.clamp(min=1e-10))
    db = fit_frames((db - db.amax(dim=(-2, -1), keepdim=True)).clamp(min=-spec.top_db), spec)
    return db / (spec.top_db / 2) + 1.0


def train_vocoder(
    waveforms: np.ndarray | torch.Tensor,
    spec: MelSpec,
    *,
    hidden: int = 192,
    batch_size: int = 32,
    lr: float = 2e-3,
    run: RunConfig | None = None,
) -> TrainedVocoder:
    """Build and train a :class:`~aigc_kit.models.SpectralInverter` for ``spec`` on real clips.

    The network is built after ``run``'s seed is set, so the same seed gives the same
    vocoder.

    Parameters
    ----------
    waveforms : array or tensor of shape (n, spec.n_samples)
        Real training clips at ``spec.sr`` (never generated ones), e.g. from
        ``prepare_clips``; at least 2.
    spec : MelSpec
        The representation the vocoder inverts.
    hidden : int
        Hidden channels of the network.
    batch_size : int
        Clips per step.
    lr : float
        Adam learning rate.
    run : RunConfig, optional
        Steps, time budget, seed, device, progress; default ``RunConfig(steps=300)``.

    Returns
    -------
    TrainedVocoder
        The network in eval mode on ``run``'s device, then Griffin-Lim (32 iterations);
        its ``result`` is the run, history column ``loss`` (mean absolute error in image
        scale; x ``top_db / 2`` for dB).

    Notes
    -----
    Taught in ``06_project_audio_gan``. About 2 s per 100 steps on two CPU cores for the
    64-band presets.
    """
    run = run or RunConfig(steps=300)
    if len(waveforms) < 2:
        raise ValueError(f"train_vocoder: need at least 2 real clips, got {len(waveforms)}")
    device = run.start()
    inputs = to_images(waveforms, spec).to(device)
    targets = linear_targets(waveforms, spec).to(device)
    inverter = SpectralInverter(spec, hidden=hidden).to(device).train()
    opt = adam(inverter.parameters(), lr=lr)
    batches = Batches(len(inputs), batch_size, device)

    def step(_: int) -> torch.Tensor:
        index = batches()
        loss = (inverter(inputs[index]) - targets[index]).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.detach().reshape(1)

    config = {"batch_size": batch_size, "lr": lr, "hidden": hidden, "seed": run.seed}
    result = Trainer(run).fit(Task("train_vocoder", {"vocoder": inverter}, step,
                                   columns=("loss",), config=config, lr=lr,
                                   optimizers=(opt,)))
    return TrainedVocoder(inverter, result=result)


class TrainedVocoder:
    """A trained :class:`~aigc_kit.models.SpectralInverter`, then Griffin-Lim.

    Parameters
    ----------
    inverter : SpectralInverter
        Trained by :func:`aigc_kit.training.train_vocoder`; its ``spec`` is the only one
        this vocoder accepts.
    n_iter : int
        Griffin-Lim iterations.
    result : TrainResult, optional
        The training run, when :func:`train_vocoder` made it.

    Notes
    -----
    A :class:`aigc_kit.features.Vocoder`. Taught in ``06_project_audio_gan``.
    """

    def __init__(self, inverter: SpectralInverter, n_iter: int = 32,
                 result: TrainResult | None = None) -> None:
        self.inverter = inverter.eval()
        self.n_iter = n_iter
        self.name = f"trained+GL-{n_iter}"
        self.result = result

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
        device = model_device(self.inverter)
        with torch.no_grad():
            scaled = self.inverter(images.detach().float().clamp(-1, 1).to(device))
        db = (scaled.clamp(-1.0, 1.0) - 1.0) * (spec.top_db / 2)
        audio = spectrogram_to_audio(10.0 ** (db / 10.0), spec.n_fft, spec.hop_length,
                                     n_iter=self.n_iter, length=spec.n_samples)
        return vocoder_level(audio)

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
