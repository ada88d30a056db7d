"""A small trained vocoder: a network that turns a log-mel image into a linear spectrogram.

Griffin-Lim needs the linear (STFT) magnitude; a log-mel image holds only a few dozen
bands of it. The mel pseudo-inverse (or its non-negative least-squares refinement) spreads
each band's power smoothly over its bins, so the fine structure between the bands (where
the harmonics are) is guessed. :class:`SpectralInverter` *learns* that guess from real
recordings, as the post-net of Tacotron 1 (Wang et al. 2017) did before Griffin-Lim: a
fixed spread of every band over its bins, plus a learned correction from a few 1-D
convolutions over time (each mel frame sees its neighbours). Griffin-Lim then finds a
phase for the predicted magnitude. It is trained by
:func:`aigc_kit.training.train_vocoder`, which returns the vocoder it makes
(:class:`aigc_kit.training.TrainedVocoder`: the network, then Griffin-Lim).

Taught in ``06_project_audio_gan`` (the vocoder section).
"""

from __future__ import annotations

import torch
import torchaudio.functional as AF
from torch import nn

from aigc_kit.features.mel_images import MelSpec


def _spread_matrix(spec: MelSpec) -> torch.Tensor:
    """``(n_freqs, n_mels)``: each STFT bin takes the image value of its strongest mel band."""
    fb = AF.melscale_fbanks(spec.n_fft // 2 + 1, 0.0, spec.sr / 2, spec.n_mels, spec.sr,
                            norm="slaney", mel_scale="slaney")  # (n_freqs, n_mels)
    weights = fb / fb.sum(dim=1, keepdim=True).clamp(min=1e-12)
    weights[fb.sum(dim=1) == 0, -1] = 1.0  # bins no band covers (the very top) take the last
    return weights


class SpectralInverter(nn.Module):
    """Log-mel image -> linear log-magnitude spectrogram, learned from real recordings.

    Parameters
    ----------
    spec : MelSpec
        The representation it inverts; the network is sized for it and refuses images of
        another shape.
    hidden : int
        Channels of the hidden 1-D convolutions.
    kernel : int
        Frames each convolution sees (odd).

    Notes
    -----
    ``forward(images)`` maps ``(batch, 1, n_mels, n_frames)`` images in [-1, 1] to
    ``(batch, n_fft // 2 + 1, n_frames)`` in the same scale (-1 is ``top_db`` below the
    clip's loudest bin, +1 the loudest bin). The output is the fixed spread of the mel
    bands over their bins (a buffer, not trained) plus the learned correction, so the
    untrained network already gives a usable (blurred) spectrum. Taught in
    ``06_project_audio_gan``.
    """

    def __init__(self, spec: MelSpec, hidden: int = 192, kernel: int = 5) -> None:
        super().__init__()
        if kernel % 2 != 1 or kernel < 1 or hidden < 1:
            raise ValueError(f"SpectralInverter: kernel must be odd and hidden positive, got "
                             f"kernel={kernel}, hidden={hidden}")
        self.spec = spec
        n_freqs = spec.n_fft // 2 + 1
        self.register_buffer("spread", _spread_matrix(spec))
        pad = kernel // 2
        self.net = nn.Sequential(
            nn.Conv1d(spec.n_mels, hidden, kernel, padding=pad), nn.GELU(),
            nn.Conv1d(hidden, hidden, kernel, padding=pad), nn.GELU(),
            nn.Conv1d(hidden, n_freqs, kernel, padding=pad),
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Linear spectrogram ``(batch, n_freqs, n_frames)`` in image scale from images."""
        expected = self.spec.shape
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(f"SpectralInverter: expected images of shape (n, {str(expected)[1:]}"
                             f" for its MelSpec, got {tuple(images.shape)}")
        mel = images[:, 0]
        return self.spread @ mel + self.net(mel)
