"""The vocoder trainer: a :class:`~aigc_kit.models.SpectralInverter` fitted on real recordings.

Each real clip gives a pair: its log-mel image (the input, exactly as ``to_images`` makes
it) and its linear STFT magnitude in the same scale (the target: dB below the clip's
loudest bin, floored ``top_db`` below, mapped to [-1, 1]). The loss is the mean absolute
error between the two in that scale, a log-spectral L1, which weighs quiet and loud bins
alike as the ear roughly does. Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import numpy as np
import torch

from aigc_kit.features.mel_images import MelSpec, fit_frames, to_images
from aigc_kit.models.vocoder import SpectralInverter
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
) -> tuple[SpectralInverter, TrainResult]:
    """Train a :class:`~aigc_kit.models.SpectralInverter` for ``spec`` on real clips.

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
    inverter : SpectralInverter
        In eval mode, on ``run``'s device.
    result : TrainResult
        History column ``loss`` (mean absolute error in image scale; x ``top_db / 2`` for dB).

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
                                   columns=("loss",), config=config, lr=lr))
    return inverter.eval(), result
