"""Mel back to sound: the one place where spectrograms and log-mel images become waveforms.

The analysis features (:mod:`aigc_kit.features.audio`) go from sound to numbers; this
module goes back (as librosa keeps ``feature/inverse.py`` apart):

- :func:`spectrogram_to_audio`: a linear power spectrogram to a waveform by Griffin-Lim;
- :func:`griffin_lim_resynthesis`: a clip rebuilt from its own magnitude (chapter 7's
  "same sound, different waveform");
- :func:`mel_to_audio`: a log-mel spectrogram in dB to a waveform (mel pseudo-inverse,
  optionally refined by non-negative least squares, then Griffin-Lim);
- :func:`to_audio`: the kit's default vocoder, log-mel *images* of a
  :class:`~aigc_kit.features.MelSpec` to waveforms; :func:`vocode` runs any vocoder with
  a fixed seed;
- :class:`Vocoder`, the one protocol every vocoder follows (``vocoder(images, spec)``),
  :class:`GriffinLim` and :data:`VOCODERS`, the untrained ones compared in chapter 6. The
  trained vocoder is :class:`aigc_kit.models.TrainedVocoder`, beside its network.

Every function here returns sound as a float32 NumPy array ``(..., n_samples)``, like every
loader and player of the kit; vocoders return it at a peak of 0.9
(:func:`vocoder_level`), because log-mel images carry no level.

Taught in ``01_aigc_overview``, ``03_feature_extraction`` and ``06_project_audio_gan``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import torch
import torchaudio.functional as AF
import torchaudio.transforms as T

from aigc_kit.data.preprocess import normalize_peak
from aigc_kit.features.inputs import Device, as_float_tensor, check_band
from aigc_kit.features.mel_images import MelSpec, check_images, to_db

ArrayLike = np.ndarray | torch.Tensor
VOCODER_PEAK_DB = 20 * math.log10(0.9)
"""The level of every vocoder's output: a peak of 0.9 (about -0.92 dBFS)."""


@lru_cache(maxsize=32)
def _mel_pseudo_inverse(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float, device: torch.device
) -> torch.Tensor:
    """Moore-Penrose pseudo-inverse of the Slaney mel filterbank, ``(n_fft//2+1, n_mels)``."""
    fb = AF.melscale_fbanks(n_fft // 2 + 1, fmin, fmax, n_mels, sr, norm="slaney",
                            mel_scale="slaney")  # (n_freqs, n_mels)
    return torch.linalg.pinv(fb.double().T).float().to(device)


@lru_cache(maxsize=32)
def _mel_matrix(
    sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float, device: torch.device
) -> tuple[torch.Tensor, float]:
    """The Slaney mel filterbank ``(n_mels, n_fft//2+1)`` and its squared spectral norm."""
    fb = AF.melscale_fbanks(n_fft // 2 + 1, fmin, fmax, n_mels, sr, norm="slaney",
                            mel_scale="slaney").T.contiguous()
    return fb.to(device), float(torch.linalg.matrix_norm(fb.double(), ord=2) ** 2)


def _nnls_refine(mel: torch.Tensor, start: torch.Tensor, fb: torch.Tensor, lipschitz: float,
                 n_steps: int) -> torch.Tensor:
    """Non-negative least squares ``min ||fb @ S - mel||^2, S >= 0`` by FISTA from ``start``.

    Accelerated projected gradient (Beck & Teboulle 2009), step ``1 / ||fb||_2^2``.
    """
    x, z, t = start, start, 1.0
    for _ in range(n_steps):
        x_next = (z - fb.T @ (fb @ z - mel) / lipschitz).clamp(min=0.0)
        t_next = (1.0 + (1.0 + 4.0 * t * t) ** 0.5) / 2.0
        z = x_next + ((t - 1.0) / t_next) * (x_next - x)
        x, t = x_next, t_next
    return x


@lru_cache(maxsize=32)
def _griffin_lim(
    n_fft: int, hop_length: int, n_iter: int, length: int | None, device: torch.device
) -> T.GriffinLim:
    """A cached Griffin-Lim phase reconstruction (fast variant, momentum 0.99)."""
    return T.GriffinLim(n_fft=n_fft, hop_length=hop_length, n_iter=n_iter, power=2.0,
                        momentum=0.99, length=length).to(device)


def spectrogram_to_audio(
    power: torch.Tensor,
    n_fft: int,
    hop_length: int,
    n_iter: int = 32,
    length: int | None = None,
) -> torch.Tensor:
    """Waveforms from linear power spectrograms by Griffin-Lim (fast variant, momentum 0.99).

    Parameters
    ----------
    power : torch.Tensor of shape (..., n_fft // 2 + 1, n_frames)
        Non-negative STFT power (magnitude squared), e.g. from a trained vocoder.
    n_fft, hop_length : int
        STFT size and hop in samples (Hann window).
    n_iter : int
        Griffin-Lim iterations.
    length : int, optional
        Output length in samples; default ``hop_length * (n_frames - 1)``.

    Returns
    -------
    np.ndarray of shape (..., n_samples)
        float32 waveforms (computed on ``power``'s device).

    Notes
    -----
    Taught in ``06_project_audio_gan`` (the trained vocoder). Initial phases come from
    torch's global generator.
    """
    if power.shape[-2] != n_fft // 2 + 1:
        raise ValueError(f"spectrogram_to_audio: expected {n_fft // 2 + 1} frequency bins for "
                         f"n_fft={n_fft}, got {power.shape[-2]}")
    flat = power.reshape(-1, *power.shape[-2:]).float()
    with torch.no_grad():
        audio = _griffin_lim(n_fft, hop_length, n_iter, length, flat.device)(flat)
    return audio.reshape(*power.shape[:-2], audio.shape[-1]).cpu().numpy()


def griffin_lim_resynthesis(
    y: ArrayLike,
    n_fft: int = 512,
    hop_length: int = 128,
    n_iter: int = 64,
    device: Device = None,
) -> np.ndarray:
    """The clip rebuilt from its own STFT magnitude, with phase invented by Griffin-Lim.

    Only the phase changes (the magnitude is the clip's own, at full resolution), so the
    result sounds like the original; yet sample by sample it is a different waveform,
    which is why waveform SNR cannot judge resynthesis. Taught in ``07_evaluation``.

    Parameters
    ----------
    y : array of shape (..., n_samples)
        Waveform(s), at least ``n_fft`` samples long.
    n_fft, hop_length : int
        STFT size and hop in samples.
    n_iter : int
        Griffin-Lim iterations.
    device : str or torch.device, optional
        Where to compute (default the CPU).

    Returns
    -------
    np.ndarray of shape (..., n_samples), float32
    """
    x = as_float_tensor(y, device, "y").float()
    if x.shape[-1] < n_fft:
        raise ValueError(f"griffin_lim_resynthesis: need at least n_fft={n_fft} samples, "
                         f"got {x.shape[-1]}")
    window = torch.hann_window(n_fft, device=x.device)
    flat = x.reshape(-1, x.shape[-1])
    power = torch.stft(flat, n_fft, hop_length, window=window, return_complex=True).abs() ** 2
    out = _griffin_lim(n_fft, hop_length, n_iter, flat.shape[-1], x.device)(power)
    return out.reshape(x.shape).cpu().numpy()


def mel_to_audio(
    log_mel_db: ArrayLike,
    sr: int,
    n_fft: int = 1024,
    hop_length: int = 256,
    fmin: float = 0.0,
    fmax: float | None = None,
    n_iter: int = 32,
    ref_db: float = 0.0,
    length: int | None = None,
    device: Device = None,
    nnls_iter: int = 0,
) -> ArrayLike:
    """Waveform(s) from log-mel spectrogram(s): the inverse of :func:`log_mel`.

    dB back to mel power (``10 ** ((db + ref_db) / 10)``), mel power back to linear
    power with the pseudo-inverse of the mel filterbank (negative values set to 0),
    optionally refined into a non-negative least-squares solution (``nnls_iter``), then
    Griffin-Lim phase reconstruction (``n_iter`` iterations, momentum 0.99).

    The pseudo-inverse gives exactly the least-squares solution that
    ``torchaudio.transforms.InverseMelScale`` computes, but it is computed once per
    filterbank and cached, so each call is a single matrix product instead of a
    least-squares solve over every frame: on two CPU cores the inverse mel step costs
    far less than Griffin-Lim itself.

    Parameters
    ----------
    log_mel_db : array or tensor of shape (..., n_mels, n_frames)
        Log-mel spectrogram(s) in dB, e.g. from :func:`log_mel` or a generative model.
    sr, n_fft, hop_length, fmin, fmax
        The parameters the spectrogram was made with (Hz, samples, samples, Hz, Hz).
    n_iter : int
        Griffin-Lim iterations; more is cleaner and slower.
    ref_db : float
        Power level in dB that 0 dB in the input stands for.
    length : int, optional
        Output length in samples; default ``hop_length * (n_frames - 1)``.
    device : str or torch.device, optional
        Where to compute; default the input tensor's device, or the CPU for NumPy.
    nnls_iter : int
        Steps of accelerated projected gradient (FISTA) that turn the clamped
        pseudo-inverse into the non-negative spectrum whose mel bands best match the
        input; 0 keeps the clamped pseudo-inverse. The pseudo-inverse spreads each band's
        power smoothly over its bins with negative lobes; clamping them fills the valleys
        between harmonics with energy, which Griffin-Lim turns into noise. 50 steps (a
        few small matrix products, far cheaper than Griffin-Lim) keep what is heard:
        through the first kit's 32-band ``NOTES_SPEC_32`` and 32 iterations, a listener
        recognises 95 % of held-out notes instead of 61 %; it is the default of
        ``to_audio`` (``benchmarks/bench_roundtrip.py``).

    Returns
    -------
    np.ndarray of shape (..., n_samples)
        float32 waveform(s) (computed on ``device``; returned as NumPy like every sound of
        the kit).

    Notes
    -----
    Taught in ``01_aigc_overview`` and ``03_feature_extraction``.
    :func:`~aigc_kit.features.log_mel` measures dB from each clip's loudest bin, so the
    absolute loudness is lost: the caller rescales the result (e.g. to a peak or RMS
    level). Griffin-Lim starts from random phases drawn from
    torch's global generator; call :func:`aigc_kit.seed_everything` first for a
    repeatable result.
    """
    spec = as_float_tensor(log_mel_db, device, "log_mel_db", min_ndim=2)
    n_mels, n_frames = spec.shape[-2:]
    fmax = check_band(sr, fmin, fmax)
    pinv = _mel_pseudo_inverse(sr, n_fft, n_mels, float(fmin), fmax, spec.device)
    flat = spec.reshape(-1, n_mels, n_frames)
    if not (isinstance(nnls_iter, int) and nnls_iter >= 0):
        raise ValueError(f"nnls_iter must be a non-negative integer, got {nnls_iter!r}")
    with torch.no_grad():
        mel = 10.0 ** ((flat + ref_db) / 10.0)
        power = (pinv @ mel).clamp(min=0.0)
        if nnls_iter:
            fb, lipschitz = _mel_matrix(sr, n_fft, n_mels, float(fmin), fmax, spec.device)
            power = _nnls_refine(mel, power, fb, lipschitz, nnls_iter)
        audio = _griffin_lim(n_fft, hop_length, n_iter, length, spec.device)(power)
    return audio.reshape(*spec.shape[:-2], audio.shape[-1]).cpu().numpy()


def vocoder_level(audio: np.ndarray) -> np.ndarray:
    """Waveforms ``(n, n_samples)`` scaled to a peak of 0.9 each (:data:`VOCODER_PEAK_DB`).

    Log-mel images carry no level, so every vocoder of the kit returns this one level;
    all-zero rows stay zeros (:func:`aigc_kit.data.normalize_peak` does the scaling).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    return normalize_peak(audio, VOCODER_PEAK_DB, per_clip=True, silent="keep")


def to_audio(images: torch.Tensor, spec: MelSpec, n_iter: int = 32,
             nnls_iter: int = 50) -> np.ndarray:
    """Waveforms from log-mel images: :func:`to_db`, then ``mel_to_audio`` (Griffin-Lim).

    The kit's default vocoder: the mel bands are turned into a linear spectrum by
    non-negative least squares (``nnls_iter`` steps; 0 gives the plain clamped
    pseudo-inverse), then Griffin-Lim finds a phase. It won the comparison of chapter 6
    on what a listener hears at an acceptable speed (see :mod:`aigc_kit.features.mel_images`).
    The log-mel images carry no absolute level (0 dB is each clip's loudest bin), so
    every waveform is scaled to a peak of 0.9. Griffin-Lim draws its initial phases from
    torch's global generator (seed with ``aigc_kit.seed_everything`` to repeat).

    Parameters
    ----------
    images : torch.Tensor of shape (n, 1, spec.n_mels, spec.n_frames)
        Images in [-1, 1] (values outside are clamped), on any device; the inversion runs
        there.
    spec : MelSpec
        The spec the images were made with.
    n_iter : int
        Griffin-Lim iterations; more is cleaner and slower.
    nnls_iter : int
        Non-negative least-squares steps of the mel inversion (0: clamped pseudo-inverse).

    Returns
    -------
    np.ndarray of shape (n, spec.n_samples)
        float32 waveforms at ``spec.sr``, peak 0.9.

    Raises
    ------
    ValueError
        If the images have another shape than ``spec.shape`` (made with another spec), hold
        NaN or infinite values, or one is silence everywhere (-1 in every pixel).

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """
    images = check_images(images, spec, "to_audio")
    db = to_db(images.detach().float(), spec.top_db)
    audio = mel_to_audio(db, spec.sr, n_fft=spec.n_fft, hop_length=spec.hop_length,
                         n_iter=n_iter, length=spec.n_samples, nnls_iter=nnls_iter)
    return vocoder_level(audio)


def vocode(images: torch.Tensor, spec: MelSpec,
           vocoder: Vocoder | None = None,
           seed: int | None = None) -> np.ndarray:
    """Waveforms ``(n, spec.n_samples)`` from images by ``vocoder`` (default :func:`to_audio`).

    With ``seed``, the vocoder's random draws (Griffin-Lim's initial phases) come from a
    forked copy of torch's CPU generator seeded with it: the same images always give the
    same sound, and the caller's random state is left as it was. Without, the global
    generator is used. Taught in ``06_project_audio_gan``.
    """
    vocoder = vocoder or to_audio
    if seed is None:
        return vocoder(images, spec)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return vocoder(images, spec)


class Vocoder(Protocol):
    """Anything that turns images ``(n, 1, n_mels, n_frames)`` of ``spec`` into waveforms.

    The kit's one vocoder protocol: :func:`to_audio`, :class:`GriffinLim` and
    :class:`aigc_kit.models.TrainedVocoder` follow it, and every judge of
    :mod:`aigc_kit.evaluation` takes one. A plain function ``f(images, spec)`` qualifies
    too (its name is its ``__name__``).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    def __call__(self, images: torch.Tensor, spec: MelSpec) -> np.ndarray:
        """Waveforms ``(n, spec.n_samples)``, float32 NumPy, at ``spec.sr``, peak 0.9."""
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


VOCODERS: dict[str, Vocoder] = {
    "GL-32": GriffinLim(n_iter=32, nnls_iter=0),
    "NNLS+GL-32": GriffinLim(n_iter=32, nnls_iter=50),
    "NNLS+GL-128": GriffinLim(n_iter=128, nnls_iter=100),
}
"""The untrained vocoders by name: Griffin-Lim as the first kit did it, the default, and a
slower "done well" setting (more least-squares steps and Griffin-Lim iterations)."""
