"""Judging generated log-mel images as the sound they stand for: vocode, then listen.

:class:`AudioJudge` couples a vocoder (default ``aigc_kit.features.to_audio``) with an
:class:`~aigc_kit.evaluation.AudioListener` trained on real recordings only: every
"heard as", Inception score, coverage and Fréchet distance it gives is computed on
waveforms, through the listener's own MFCC front end, never on the generator's images.
:func:`judge_for` builds the judge of a dataset (the speech or the notes listener);
:func:`judge_vocoders` compares vocoders on the same real held-out clips (heard as
intended, pitch kept, log-spectral distance, spectral convergence, real-time factor);
:func:`pitch_kept` is the pitch test (pYIN within 50 cents); :func:`heard_and_seen` scores
generated images as heard, with the image classifier's view labelled beside it.

Taught in ``06_project_audio_gan`` and ``07_evaluation``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from aigc_kit.evaluation.generative import score_samples
from aigc_kit.evaluation.machine_listeners import AudioListener, notes_listener, speech_listener
from aigc_kit.evaluation.signal import lsd, spectral_convergence
from aigc_kit.features.audio import clip_pitch, hz_to_cents_error
from aigc_kit.features.inverse import Vocoder, to_audio, vocode
from aigc_kit.features.mel_datasets import MelImageDataset
from aigc_kit.features.mel_images import MelSpec, to_images
from aigc_kit.runtime.device import model_device

PITCH_TOLERANCE_CENTS = 50.0
_HEARD_SETS = 4  # sets of clips an AudioJudge remembers having heard


def _content_key(values: np.ndarray) -> str:
    """A key that changes whenever the array's values, dtype or shape do."""
    values = np.ascontiguousarray(values)
    return f"{hashlib.sha1(values.tobytes()).hexdigest()}{values.dtype}{values.shape}"


@dataclass
class AudioJudge:
    """A vocoder and a listener: judges images by what they sound like.

    Attributes
    ----------
    spec : MelSpec
        The images' representation (its ``sr`` is the audio's rate).
    listener : AudioListener
        Trained on real recordings only; hears at ``spec.sr`` or below.
    vocoder : callable
        ``vocoder(images, spec) -> waveforms``; default ``to_audio`` (NNLS + Griffin-Lim).
    seed : int
        Seed of the vocoder's random phases, drawn in a forked generator so the caller's
        random state is left alone: the same images always sound the same.

    Notes
    -----
    Taught in ``06_project_audio_gan`` and ``07_evaluation``.
    """

    spec: MelSpec
    listener: AudioListener
    vocoder: Vocoder = field(default=to_audio)
    seed: int = 0

    _last: tuple[str, np.ndarray] | None = field(default=None, init=False, repr=False)
    _heard: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, init=False,
                                                              repr=False)

    def audio(self, images: torch.Tensor) -> np.ndarray:
        """Waveforms ``(n, spec.n_samples)`` at ``spec.sr`` of images ``(n, 1, M, F)``.

        The last batch is remembered, so scoring the same images several ways vocodes
        them once.
        """
        images = torch.as_tensor(images).detach().cpu().float()
        key = _content_key(images.numpy())
        if self._last is None or self._last[0] != key:
            self._last = (key, vocode(images, self.spec, self.vocoder, self.seed))
        return self._last[1]

    def hear(self, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The listener's probabilities ``(n, n_classes)`` and features ``(n, d)`` of audio.

        The last few sets heard are remembered by content, so the real reference set of
        :meth:`scores` is heard once however many generators are scored against it.
        """
        audio = np.asarray(audio)
        key = _content_key(audio)
        if key not in self._heard:
            if len(self._heard) >= _HEARD_SETS:
                self._heard.pop(next(iter(self._heard)))  # the oldest
            self._heard[key] = self.listener.hear(audio, self.spec.sr)
        probabilities, features = self._heard[key]
        return probabilities.copy(), features.copy()

    def probabilities(self, images: torch.Tensor) -> np.ndarray:
        """The listener's class probabilities ``(n, n_classes)`` of the vocoded images."""
        return self.hear(self.audio(images))[0]

    def features(self, images: torch.Tensor) -> np.ndarray:
        """The listener's features ``(n, d)`` of the vocoded images (for Fréchet)."""
        return self.hear(self.audio(images))[1]

    def heard(self, images: torch.Tensor, labels: Any) -> np.ndarray:
        """Boolean ``(n,)``: is each vocoded image heard as its intended class ``labels``?"""
        labels = np.asarray(torch.as_tensor(labels).cpu())
        return self.probabilities(images).argmax(axis=1) == labels

    def scores(self, images: torch.Tensor, real_audio: np.ndarray) -> dict[str, float]:
        """IS ratio, coverage and Fréchet distance of the vocoded images, as heard.

        Parameters
        ----------
        images : torch.Tensor of shape (n, 1, n_mels, n_frames)
            Generated images (at least 2).
        real_audio : np.ndarray of shape (m, n_samples)
            Real held-out waveforms at ``spec.sr`` (e.g. ``MelImageDataset.audio_test``),
            the reference the generated audio is compared with.

        Returns
        -------
        dict
            :func:`aigc_kit.evaluation.score_samples` on audio: ``is_generated``,
            ``is_real``, ``is_ratio``, ``coverage``, ``n_classes``, ``frechet``.
        """
        return score_samples(self.audio(images), np.asarray(real_audio),
                             probabilities=lambda a: self.hear(a)[0],
                             features=lambda a: self.hear(a)[1])


def heard_and_seen(images: torch.Tensor, judge: AudioJudge, classifier: torch.nn.Module,
                   data: MelImageDataset) -> dict[str, float]:
    """Scores of generated images as heard and, labelled ``image_``, as seen.

    Parameters
    ----------
    images : torch.Tensor of shape (n, 1, n_mels, n_frames)
        Generated log-mel images (at least 2).
    judge : AudioJudge
        Vocoder and listener of the dataset (:func:`judge_for`).
    classifier : torch.nn.Module
        An image classifier with ``predict_proba(x)`` and ``features(x)`` (the kit's
        ``MelClassifier``), trained on the training images.
    data : MelImageDataset
        Gives the real reference sets: ``audio_test`` (heard) and ``x_test`` (seen).

    Returns
    -------
    dict
        The plain keys (``is_generated``, ``is_real``, ``is_ratio``, ``coverage``,
        ``n_classes``, ``frechet``) measured on audio: the images are vocoded and the
        listener hears them next to the real held-out recordings
        (:meth:`AudioJudge.scores`). The same keys prefixed ``image_`` are the image
        classifier's view of the images themselves, for comparison only: it can praise
        a picture that inverts to mush.

    Notes
    -----
    Taught in ``06_project_audio_gan``; ``TrainedModels.scores`` (chapters 7, 8, the
    report) is this with the zoo's models.
    """
    if data.audio_test is None:
        raise ValueError(f"dataset {data.name!r} holds no held-out audio to hear generated "
                         "images against; load it with aigc_kit.features.load_mel_dataset")
    device = model_device(classifier)

    def seen_features(x: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return classifier.eval().features(x.to(device)).cpu().numpy()

    heard = judge.scores(images, data.audio_test)
    seen = score_samples(images, data.x_test, features=seen_features,
                         probabilities=lambda x: classifier.predict_proba(x.cpu()).numpy())
    return {**heard, **{f"image_{k}": v for k, v in seen.items()}}


def listener_for(dataset: str) -> AudioListener:
    """The kit's listener of a dataset: ``"notes"`` -> notes, ``"fsdd"`` -> speech.

    Notes
    -----
    Taught in ``07_evaluation``. Built once per process (and cached on disk, see
    :mod:`aigc_kit.evaluation.machine_listeners`).
    """
    listeners = {"notes": notes_listener, "fsdd": speech_listener}
    if dataset not in listeners:
        raise ValueError(f"listener_for: no audio listener for dataset {dataset!r}; the kit "
                         f"has {sorted(listeners)}; fit an AudioListener on real recordings "
                         "of your own data instead")
    return listeners[dataset]()


def judge_for(dataset: str, spec: MelSpec, vocoder: Vocoder = to_audio,
              seed: int = 0) -> AudioJudge:
    """The :class:`AudioJudge` of a dataset's images: its listener with ``vocoder``.

    Notes
    -----
    Taught in ``06_project_audio_gan`` and ``07_evaluation``.
    """
    return AudioJudge(spec, listener_for(dataset), vocoder, seed)


def pitch_kept(audio: np.ndarray, sr: int, f0_hz: Any,
               tolerance_cents: float = PITCH_TOLERANCE_CENTS) -> np.ndarray:
    """Boolean ``(n,)``: is each clip's pYIN pitch within ``tolerance_cents`` of ``f0_hz``?

    The pitch of a clip is the median pYIN estimate over its voiced frames (100-1000 Hz,
    128 ms frames every 64 ms, ``aigc_kit.features.clip_pitch``); an unvoiced clip counts
    as lost.

    Parameters
    ----------
    audio : np.ndarray of shape (n, n_samples)
        Waveforms at ``sr``.
    sr : int
        Sample rate in Hz.
    f0_hz : array of shape (n,)
        Intended fundamental frequency of each clip in Hz.
    tolerance_cents : float
        Largest accepted error in cents (50: a quarter tone, the nearest semitone).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    frame = round(0.128 * sr)
    pitch = clip_pitch(np.asarray(audio), sr, fmin=100.0, fmax=1000.0, frame_length=frame,
                       hop_length=frame // 2)
    error = np.abs(hz_to_cents_error(pitch, np.asarray(f0_hz, dtype=float)))
    return np.nan_to_num(error, nan=np.inf) <= tolerance_cents


def _spectral_errors(audio: np.ndarray, original: np.ndarray, sr: int) -> tuple[float, float]:
    """Mean LSD (dB) and spectral convergence after matching each clip's RMS to the original."""
    rms = np.sqrt(np.mean(audio.astype(np.float64) ** 2, axis=-1, keepdims=True))
    target = np.sqrt(np.mean(original.astype(np.float64) ** 2, axis=-1, keepdims=True))
    matched = (audio * (target / np.maximum(rms, 1e-12))).astype(np.float32)
    n_fft = round(0.064 * sr)
    return (float(np.mean(lsd(matched, original, sr, n_fft=n_fft, hop_length=n_fft // 4))),
            float(np.mean(spectral_convergence(matched, original, n_fft=n_fft,
                                               hop_length=n_fft // 4))))


def judge_vocoders(
    vocoders: Mapping[str, Vocoder],
    clips: np.ndarray,
    labels: Any,
    spec: MelSpec,
    listener: AudioListener,
    f0_hz: Any | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Real held-out clips through the spec's images and each vocoder, judged as audio.

    Parameters
    ----------
    vocoders : mapping of str to callable
        ``vocoder(images, spec) -> waveforms`` by name (e.g.
        ``aigc_kit.features.VOCODERS`` plus a ``TrainedVocoder``).
    clips : np.ndarray of shape (n, spec.n_samples)
        Real held-out waveforms at ``spec.sr``, never seen by the listener or a vocoder.
    labels : array of int, shape (n,)
        Each clip's class, in the listener's label order.
    spec : MelSpec
        The representation the clips go through.
    listener : AudioListener
        Trained on real recordings only.
    f0_hz : array of shape (n,), optional
        Each clip's pitch in Hz, for the ``pitch`` column (notes).
    seed : int
        Seed of the vocoders' random phases.

    Returns
    -------
    pandas.DataFrame
        One row per vocoder after a row ``original`` (the clips untouched): ``heard``
        (share heard as intended), ``heard_vs_original``, ``pitch`` (share within 50
        cents, with ``f0_hz``), ``lsd_db`` and ``spectral_convergence`` against the
        original (after RMS matching; 64 ms / 16 ms STFT), ``rtf`` (seconds of vocoding
        per second of audio on this machine).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    clips = np.asarray(clips, dtype=np.float32)
    labels = np.asarray(labels)
    images = to_images(clips, spec)
    rows = {"original": _judge_row(clips, clips, labels, spec, listener, f0_hz, None)}
    for name, vocoder in vocoders.items():
        start = time.perf_counter()
        audio = vocode(images, spec, vocoder, seed)
        seconds = time.perf_counter() - start
        rows[name] = _judge_row(audio, clips, labels, spec, listener, f0_hz,
                                seconds / (len(clips) * spec.duration_s))
    table = pd.DataFrame(rows).T
    table.insert(1, "heard_vs_original", table["heard"] / table.loc["original", "heard"])
    return table


def _judge_row(audio: np.ndarray, clips: np.ndarray, labels: np.ndarray, spec: MelSpec,
               listener: AudioListener, f0_hz: Any | None, rtf: float | None) -> dict:
    """One row of :func:`judge_vocoders`."""
    row: dict[str, float] = {"heard": listener.accuracy(audio, labels, spec.sr)}
    if f0_hz is not None:
        row["pitch"] = float(np.mean(pitch_kept(audio, spec.sr, f0_hz)))
    if rtf is None:
        row.update(lsd_db=0.0, spectral_convergence=0.0, rtf=np.nan)
    else:
        error, convergence = _spectral_errors(audio, clips, spec.sr)
        row.update(lsd_db=error, spectral_convergence=convergence, rtf=rtf)
    return row
