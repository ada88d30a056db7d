"""Listeners that judge a generated sound as audio, through their own ears.

The generators of chapters 4-6 make log-mel *images*; a classifier that looks at those
images cannot tell whether the sound they stand for, once vocoded, is still heard as
intended (a 32-band image can look right and invert to mush). The kit's rule is: **a
generated sound is judged as audio**: vocode it, then let a listener that analyses the
waveform with its own front end, trained on real recordings only, judge it.

:class:`AudioListener` is that listener. Its front end differs on purpose from the
generators' log-mel images (32 or 64 mel bands, 12-32 ms hops, dB relative to the clip's
peak):

1. each clip is resampled to the listener's rate, trimmed of leading and trailing silence
   (30 dB below its loudest frame) and brought to -20 dBFS RMS;
2. MFCCs: 25 ms Hann window, 10 ms hop, 40 Slaney mel bands, 20 coefficients, dB clamped
   ``top_db`` (40 dB) below the clip's loudest bin, so the noise floor a vocoder leaves
   does not count;
3. a summary over time, so clips of any length give one vector: the mean and standard
   deviation of every coefficient, the means over ``n_segments`` equal parts of the clip
   (the order of the sounds of a word), and the standard deviation and mean magnitude of
   the frame-to-frame differences (the deltas);
4. optionally (``pitch_profile=True``, the notes listener) a pitch-class profile: a
   128 ms STFT pooled into triangular bands of 1/3 semitone from 50 Hz to 4 kHz, in dB
   below the clip's loudest band (floor -40 dB), averaged over time and folded onto one
   octave (36 values, mean removed). It hears the pitch class while saying little about
   the timbre, which the MFCCs hear;
5. a standardised multinomial logistic regression (scikit-learn).

With ``noise_copies`` the real training clips are also heard in white noise at a random
SNR: a generic robustness augmentation (no vocoder output is ever trained on) that keeps
the listener from relying on details a person does not hear either, such as the exact
depth of the spectral valleys between harmonics or the noise floor of a pause. It
matters: trained on clean recordings alone, the speech listener recognises only 57 % of
the test words after a Griffin-Lim round trip through the first kit's 32-band
``FSDD_SPEC_32`` image (99 % of the originals); with one noisy copy of each, 89 %. Such a
listener penalises a vocoder for what is lost, not for merely sounding different from its
training set.

:func:`speech_listener` (spoken digits, FSDD) and :func:`notes_listener` (the 48 note
classes of ``load_mel_dataset("notes")``) build the kit's two listeners (6-8 s each on two
cores) and keep them on disk in ``data_dir()/cache/listeners`` (:meth:`AudioListener.save`
writes plain ``.npz`` arrays, no pickle), so every later process, e.g. each notebook, loads
them in under half a second; ``benchmarks/bench_roundtrip.py`` uses them to judge the mel
representations and vocoders.

Taught in ``07_evaluation``.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from aigc_kit.data.preprocess import normalize_loudness, resample, trim_silence
from aigc_kit.data.spoken_digits import fsdd
from aigc_kit.data.synth import TIMBRES, synth_notes
from aigc_kit.features.audio import mfcc
from aigc_kit.features.inputs import as_clips
from aigc_kit.features.mel_datasets import note_class_names
from aigc_kit.runtime.atomic import write_atomically
from aigc_kit.runtime.paths import data_dir

__all__ = ["AudioListener", "notes_listener", "speech_listener"]

_SILENT_PEAK = 1e-5  # peak amplitude below which a clip counts as silent (-100 dBFS)
_TRIM_DB = 30.0  # silence threshold before hearing, dB below the loudest frame
_LEVEL_DB = -20.0  # RMS level every clip is brought to, dBFS
_PROFILE_WINDOW_S = 0.128  # pitch-profile STFT window (s)
_PROFILE_BINS_PER_OCTAVE = 36
_PROFILE_FMIN_HZ = 50.0
_PROFILE_FLOOR_DB = -40.0

# synth_notes seed of the notes listener's training set: far from the seeds the GAN
# chapters train on (0, 1, ...) and hold out (1000 + seed), so their held-out notes are
# new to the listener too.
NOTES_LISTENER_SEED = 5000
_NOTE_PITCHES = tuple(range(60, 72))
NOTES_LISTENER_C = 0.01  # the notes listener's inverse regularisation strength

# Version of the kit's own listeners (their training data, settings and front end); part of
# the name of their cache files, so bump it whenever a change alters what they hear.
_LISTENER_VERSION = 1
_FILE_FORMAT = "aigc_kit.AudioListener"  # marker in every file that AudioListener.save writes
_FILE_VERSION = 1  # layout of those files
_SETTINGS = ("sr", "n_mfcc", "n_mels", "window_s", "hop_s", "n_segments", "top_db",
             "pitch_profile", "noise_copies", "noise_snr_db", "c", "seed")
_ARRAYS = ("class_names", "scaler_mean", "scaler_scale", "scaler_var", "coef", "intercept",
           "classes")


class AudioListener:
    """A classifier that hears waveforms through its own MFCC front end.

    Parameters
    ----------
    sr : int
        The listener's sample rate in Hz. Clips at a higher rate are resampled to it;
        clips at a lower rate are refused (upsampling cannot restore the missing band).
    n_mfcc : int
        Cepstral coefficients kept (at most ``n_mels``).
    n_mels : int
        Mel bands of the MFCC front end.
    window_s, hop_s : float
        MFCC analysis window and hop in seconds (25 ms and 10 ms).
    n_segments : int
        Equal parts of each clip whose mean MFCCs are kept (the temporal structure).
    top_db : float
        Dynamic range of the MFCC front end in dB below each clip's loudest bin.
    pitch_profile : bool
        Also hear a 36-bin pitch-class profile (see the module docstring); needed for
        notes, whose classes differ by a semitone.
    noise_copies : int
        Extra copies of every training clip in white noise (0: none).
    noise_snr_db : tuple of float
        Range of the copies' signal-to-noise ratio in dB, drawn uniformly.
    c : float
        Inverse L2 regularisation strength of the logistic regression.
    seed : int
        Seed of the noise augmentation (the regression itself is deterministic).

    Attributes
    ----------
    class_names : list of str
        Names of the classes in label order (set by :meth:`fit`).
    n_classes : int
        Number of classes.

    Notes
    -----
    Taught in ``07_evaluation``. An all-silent clip (peak below -100 dBFS) is refused with
    a ValueError rather than scored: there is nothing to hear, and a guess would count as
    recognised one time in ``n_classes``; count such clips as not recognised yourself.

    Examples
    --------
    Generated words judged as audio, next to held-out real ones (``score_samples`` takes
    the listener as two callables)::

        listener = speech_listener()
        audio = to_audio(generated_images, FSDD_SPEC)          # vocode first
        real = fsdd(split="test")
        report = score_samples(
            audio, real.clips,
            probabilities=lambda clips: listener.predict_proba(clips, 8000),
            features=lambda clips: listener.features(clips, 8000))
    """

    def __init__(
        self,
        sr: int = 8000,
        n_mfcc: int = 20,
        n_mels: int = 40,
        window_s: float = 0.025,
        hop_s: float = 0.010,
        n_segments: int = 4,
        top_db: float = 40.0,
        pitch_profile: bool = False,
        noise_copies: int = 1,
        noise_snr_db: tuple[float, float] = (10.0, 40.0),
        c: float = 0.01,
        seed: int = 0,
    ) -> None:
        if not (isinstance(sr, int | np.integer) and sr > 0):
            raise ValueError(f"AudioListener: sr must be a positive integer (Hz), got {sr!r}")
        if not 1 <= n_mfcc <= n_mels:
            raise ValueError(f"AudioListener: need 1 <= n_mfcc <= n_mels, got {n_mfcc}, {n_mels}")
        if not 0 < hop_s <= window_s:
            raise ValueError(f"AudioListener: need 0 < hop_s <= window_s (s), got {hop_s}, "
                             f"{window_s}")
        if n_segments < 1 or noise_copies < 0 or not c > 0 or not top_db > 0:
            raise ValueError("AudioListener: n_segments >= 1, noise_copies >= 0, c > 0 and "
                             "top_db > 0 are required")
        if pitch_profile and sr < 1000:
            raise ValueError(f"AudioListener: the pitch profile needs sr >= 1000 Hz, got {sr}")
        self.sr = int(sr)
        self.n_mfcc, self.n_mels, self.n_segments = n_mfcc, n_mels, n_segments
        self.n_fft = round(window_s * sr)
        self.hop_length = max(1, round(hop_s * sr))
        self.top_db = float(top_db)
        self.pitch_profile = pitch_profile
        self.noise_copies, self.noise_snr_db = noise_copies, tuple(noise_snr_db)
        self.c, self.seed = float(c), seed
        self.class_names: list[str] = []
        self._model: Pipeline | None = None
        self._profile_bank = _log_frequency_bank(self.sr) if pitch_profile else None

    # -----------------------------------------------------------------------------
    # Front end
    # -----------------------------------------------------------------------------

    @property
    def n_classes(self) -> int:
        """Number of classes the listener was fitted on (0 before :meth:`fit`)."""
        return len(self.class_names)

    def _clips(self, waveforms: Any, sr: int, caller: str) -> list[np.ndarray]:
        """Checked 1-D float32 clips at the listener's rate."""
        if not (isinstance(sr, int | np.integer) and sr > 0):
            raise ValueError(f"{caller}: sr must be a positive integer (Hz), got {sr!r}")
        if sr < self.sr:
            raise ValueError(
                f"{caller}: the clips are at {sr} Hz but this listener hears {self.sr} Hz; "
                f"upsampling cannot restore the band above {sr / 2:g} Hz. Generate or load "
                f"the audio at {self.sr} Hz or more, or fit an AudioListener(sr={sr}) on "
                "real recordings at that rate."
            )
        clips = []
        for i, clip in enumerate(as_clips(waveforms, caller)):
            if np.abs(clip).max() < _SILENT_PEAK:
                raise ValueError(
                    f"{caller}: clip {i} is silent (peak below -100 dBFS); there is nothing to "
                    "hear, so drop it and count it as not recognised"
                )
            clips.append(resample(clip, int(sr), self.sr))
        return clips

    def _summary(self, clip: np.ndarray) -> np.ndarray:
        """The summary vector of one checked clip at the listener's rate."""
        clip, _ = trim_silence(clip, self.sr, top_db=_TRIM_DB)
        clip = normalize_loudness(clip, target_db=_LEVEL_DB)
        if clip.size < self.n_fft:
            clip = np.pad(clip, (0, self.n_fft - clip.size))
        coeffs = mfcc(clip, self.sr, n_mfcc=self.n_mfcc, n_fft=self.n_fft,
                      hop_length=self.hop_length, n_mels=self.n_mels, top_db=self.top_db)
        coeffs = coeffs.astype(np.float64)  # (n_mfcc, n_frames)
        if coeffs.shape[1] < self.n_segments:  # a very short clip: repeat its frames
            coeffs = np.repeat(coeffs, self.n_segments, axis=1)
        delta = np.diff(coeffs, axis=1)
        parts = [coeffs.mean(1), coeffs.std(1)]
        parts += [s.mean(1) for s in np.array_split(coeffs, self.n_segments, axis=1)]
        parts += [delta.std(1), np.abs(delta).mean(1)]
        if self._profile_bank is not None:
            parts.append(self._profile(clip))
        return np.concatenate(parts)

    def _profile(self, clip: np.ndarray) -> np.ndarray:
        """Pitch-class profile: the time-averaged 1/3-semitone spectrum folded to an octave."""
        n_fft = round(_PROFILE_WINDOW_S * self.sr)
        x = torch.from_numpy(np.pad(clip, (0, max(0, n_fft - clip.size))))
        power = torch.stft(x, n_fft, n_fft // 4, window=torch.hann_window(n_fft),
                           return_complex=True).abs() ** 2  # (n_freqs, n_frames)
        db = 10.0 * torch.log10((self._profile_bank @ power.double()).clamp(min=1e-20))
        db = (db - db.max()).clamp(min=_PROFILE_FLOOR_DB).mean(1).numpy()  # (n_bands,)
        pitch_class = np.arange(db.size) % _PROFILE_BINS_PER_OCTAVE
        profile = (np.bincount(pitch_class, weights=db, minlength=_PROFILE_BINS_PER_OCTAVE)
                   / np.bincount(pitch_class, minlength=_PROFILE_BINS_PER_OCTAVE))
        return profile - profile.mean()

    def _summaries(self, waveforms: Any, sr: int, caller: str) -> np.ndarray:
        return self._stacked(self._clips(waveforms, sr, caller))

    def _stacked(self, clips: list[np.ndarray]) -> np.ndarray:
        """The summaries of checked clips, ``(n_clips, d)``, heard on one torch thread."""
        with _one_torch_thread():
            return np.stack([self._summary(c) for c in clips])

    def _fitted(self, caller: str) -> Pipeline:
        if self._model is None:
            raise RuntimeError(f"{caller}: the listener is not fitted; call fit() first")
        return self._model

    # -----------------------------------------------------------------------------
    # Learning and judging
    # -----------------------------------------------------------------------------

    def fit(
        self,
        waveforms: Sequence[np.ndarray] | np.ndarray,
        labels: Sequence[int] | np.ndarray,
        sr: int,
        class_names: Sequence[str] | None = None,
    ) -> AudioListener:
        """Learn the classes from real recordings.

        Parameters
        ----------
        waveforms : list of 1-D arrays, or array of shape (n_clips, n_samples)
            Real recordings, float (full scale 1), lengths may differ.
        labels : array of int, shape (n_clips,)
            Class of each clip, ``0 .. n_classes - 1``.
        sr : int
            Sample rate of ``waveforms`` in Hz, at least the listener's ``sr``.
        class_names : sequence of str, optional
            Name of each class; default ``"0"``, ``"1"``, ...

        Returns
        -------
        AudioListener
            ``self``, fitted.

        Raises
        ------
        ValueError
            Mismatched lengths, labels outside ``0 .. n_classes - 1``, fewer than two
            classes, or a clip that is non-finite, silent or at too low a rate.
        """
        labels = np.asarray(labels)
        clips = self._clips(waveforms, sr, "AudioListener.fit")
        if labels.shape != (len(clips),) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"AudioListener.fit: need one integer label per clip "
                             f"({len(clips)}), got labels of shape {labels.shape} and "
                             f"dtype {labels.dtype}")
        n_classes = int(labels.max()) + 1 if class_names is None else len(class_names)
        if labels.min() < 0 or labels.max() >= n_classes or len(np.unique(labels)) < 2:
            raise ValueError(f"AudioListener.fit: labels must lie in 0..{n_classes - 1} and "
                             f"name at least two classes, got {np.unique(labels)}")
        rng = np.random.default_rng(self.seed)
        heard, targets = list(clips), [labels]
        for _ in range(self.noise_copies):
            heard += [_in_noise(c, rng, self.noise_snr_db) for c in clips]
            targets.append(labels)
        x = self._stacked(heard)
        model = make_pipeline(StandardScaler(),
                              LogisticRegression(C=self.c, max_iter=5000))
        self._model = model.fit(x, np.concatenate(targets))
        self.class_names = ([str(k) for k in range(n_classes)] if class_names is None
                            else [str(n) for n in class_names])
        return self

    def features(self, waveforms: Sequence[np.ndarray] | np.ndarray, sr: int) -> np.ndarray:
        """The listener's standardised summary features, e.g. for ``frechet_distance``.

        Parameters
        ----------
        waveforms : list of 1-D arrays, or array of shape (n_clips, n_samples)
            Clips at ``sr`` (any lengths).
        sr : int
            Sample rate in Hz, at least the listener's.

        Returns
        -------
        np.ndarray of shape (n_clips, d)
            float64 features standardised with the training set's mean and standard
            deviation (dimensionless); ``d = n_mfcc * (n_segments + 4)``, plus 36 with
            ``pitch_profile``.
        """
        return self.hear(waveforms, sr, "AudioListener.features")[1]

    def predict_proba(self, waveforms: Sequence[np.ndarray] | np.ndarray, sr: int) -> np.ndarray:
        """Class probabilities of each clip.

        Parameters
        ----------
        waveforms : list of 1-D arrays, or array of shape (n_clips, n_samples)
            Clips at ``sr`` (any lengths).
        sr : int
            Sample rate in Hz, at least the listener's.

        Returns
        -------
        np.ndarray of shape (n_clips, n_classes)
            Probabilities, rows summing to 1, columns in label order.
        """
        return self.hear(waveforms, sr, "AudioListener.predict_proba")[0]

    def hear(
        self, waveforms: Sequence[np.ndarray] | np.ndarray, sr: int,
        caller: str = "AudioListener.hear",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Class probabilities and features of each clip, the front end run once.

        ``waveforms`` and ``sr`` as for :meth:`predict_proba`; ``caller`` names the method
        in error messages.

        Returns
        -------
        (np.ndarray, np.ndarray)
            :meth:`predict_proba`'s ``(n_clips, n_classes)`` and :meth:`features`'s
            ``(n_clips, d)``: what an Inception score and a Fréchet distance of the same
            clips need, for the price of one.
        """
        model = self._fitted(caller)
        scaler, regression = model[0], model[-1]
        features = scaler.transform(self._summaries(waveforms, sr, caller))
        proba = regression.predict_proba(features)
        full = np.zeros((len(proba), self.n_classes))  # classes absent from training: 0
        full[:, model.classes_] = proba
        return full, features

    def predict(self, waveforms: Sequence[np.ndarray] | np.ndarray, sr: int) -> np.ndarray:
        """The most probable class of each clip, ``(n_clips,)`` int labels."""
        return self.predict_proba(waveforms, sr).argmax(axis=1)

    def accuracy(
        self, waveforms: Sequence[np.ndarray] | np.ndarray, labels: Sequence[int] | np.ndarray,
        sr: int,
    ) -> float:
        """Share of clips heard as their label (0-1): the recognised-as-intended rate."""
        labels = np.asarray(labels)
        predicted = self.predict(waveforms, sr)
        if labels.shape != predicted.shape:
            raise ValueError(f"AudioListener.accuracy: {len(predicted)} clips but labels of "
                             f"shape {labels.shape}")
        return float(np.mean(predicted == labels))

    # -----------------------------------------------------------------------------
    # Saving and loading
    # -----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted listener to a ``.npz`` file, atomically and without pickle.

        The file holds the constructor's settings, the class names and the arrays of the
        fitted scaler and logistic regression; :meth:`load` rebuilds a listener whose
        ``predict_proba`` and ``features`` equal this one's exactly. The file is written
        beside ``path`` and renamed over it, so a reader never sees half of one.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (conventionally ending in ``.npz``; missing folders are
            created).

        Returns
        -------
        Path
            The written file.

        Raises
        ------
        RuntimeError
            The listener is not fitted.
        """
        model = self._fitted("AudioListener.save")
        scaler, regression = model[0], model[-1]
        arrays = {
            "format": np.array(_FILE_FORMAT), "file_version": np.array(_FILE_VERSION),
            "sr": np.array(self.sr), "n_mfcc": np.array(self.n_mfcc),
            "n_mels": np.array(self.n_mels), "window_s": np.array(self.n_fft / self.sr),
            "hop_s": np.array(self.hop_length / self.sr),
            "n_fft": np.array(self.n_fft), "hop_length": np.array(self.hop_length),
            "n_segments": np.array(self.n_segments), "top_db": np.array(self.top_db),
            "pitch_profile": np.array(bool(self.pitch_profile)),
            "noise_copies": np.array(self.noise_copies),
            "noise_snr_db": np.array(self.noise_snr_db, dtype=np.float64),
            "c": np.array(self.c), "seed": np.array(self.seed),
            "class_names": np.array(self.class_names, dtype=str),
            "scaler_mean": scaler.mean_, "scaler_scale": scaler.scale_,
            "scaler_var": scaler.var_, "coef": regression.coef_,
            "intercept": regression.intercept_, "classes": regression.classes_,
        }
        if any(a.dtype.hasobject for a in arrays.values()):
            raise ValueError("AudioListener.save: the settings must be plain numbers (seed an "
                             "int) to be saved without pickle")
        return write_atomically(path, lambda handle: np.savez(handle, **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> AudioListener:
        """Read a listener written by :meth:`save` (no pickle is ever loaded).

        Parameters
        ----------
        path : str or os.PathLike
            A file written by :meth:`save`.

        Returns
        -------
        AudioListener
            Fitted; its ``predict_proba`` and ``features`` equal the saved listener's.

        Raises
        ------
        FileNotFoundError
            There is no such file.
        ValueError
            The file is damaged, truncated or not a saved listener; the message names it.
            Delete it: the cached listeners of :func:`speech_listener` and
            :func:`notes_listener` are rebuilt on their next call, others must be fitted
            and saved again.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"AudioListener.load: no such file: {path}")
        try:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
            return cls._from_arrays(arrays)
        except Exception as err:  # any failure means the file is unusable
            raise ValueError(
                f"AudioListener.load: {path} is damaged, truncated or not a saved "
                f"AudioListener ({type(err).__name__}: {err}). Delete it; a cached listener "
                "of speech_listener() or notes_listener() is rebuilt on the next call, "
                "any other must be fitted and saved again."
            ) from err

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray]) -> AudioListener:
        """The listener that :meth:`save` stored as ``arrays``; ValueError if inconsistent."""
        missing = [k for k in ("format", "file_version", "n_fft", "hop_length",
                               *_SETTINGS, *_ARRAYS) if k not in arrays]
        if missing or str(arrays["format"]) != _FILE_FORMAT:
            raise ValueError(f"not written by AudioListener.save (missing {missing})")
        if int(arrays["file_version"]) != _FILE_VERSION:
            raise ValueError(f"file version {int(arrays['file_version'])}, this kit reads "
                             f"{_FILE_VERSION}")
        settings = {k: arrays[k].item() for k in _SETTINGS if k != "noise_snr_db"}
        listener = cls(**settings, noise_snr_db=tuple(float(v) for v in arrays["noise_snr_db"]))
        if (listener.n_fft, listener.hop_length) != (int(arrays["n_fft"]),
                                                     int(arrays["hop_length"])):
            raise ValueError("the stored window and hop do not rebuild the stored n_fft and "
                             "hop_length")
        listener.class_names = [str(n) for n in arrays["class_names"]]
        n_features = (listener.n_mfcc * (listener.n_segments + 4)
                      + _PROFILE_BINS_PER_OCTAVE * bool(listener.pitch_profile))
        listener._model = _rebuilt_model(arrays, listener.c, listener.n_classes)
        if listener._model[-1].n_features_in_ != n_features:
            raise ValueError(f"the regression reads {listener._model[-1].n_features_in_} "
                             f"features, the stored settings give {n_features}")
        return listener

    def __repr__(self) -> str:
        state = f"{self.n_classes} classes" if self._model is not None else "not fitted"
        return (f"AudioListener(sr={self.sr}, mfcc {self.n_mfcc}/{self.n_mels} bands, "
                f"pitch_profile={self.pitch_profile}, {state})")


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the block, then restore the previous count.

    The front end makes many tiny STFTs and matrix products (one clip at a time), for which
    torch's thread pool costs far more than it gains: on two cores one thread hears clips
    about 12 times faster, with bit-identical results. The setting is process-wide, so
    another thread running torch meanwhile is single-threaded too.
    """
    previous = torch.get_num_threads()
    if previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _rebuilt_model(arrays: dict[str, np.ndarray], c: float, n_classes: int) -> Pipeline:
    """The scaler + logistic-regression pipeline whose fitted arrays are in ``arrays``."""
    mean, scale, var = (np.asarray(arrays[k], dtype=np.float64)
                        for k in ("scaler_mean", "scaler_scale", "scaler_var"))
    coef = np.asarray(arrays["coef"], dtype=np.float64)
    intercept = np.asarray(arrays["intercept"], dtype=np.float64)
    classes = np.asarray(arrays["classes"])
    n_rows = 1 if classes.size == 2 else classes.size
    if (coef.ndim != 2 or mean.shape != (coef.shape[1],) or scale.shape != mean.shape
            or var.shape != mean.shape or intercept.shape != (n_rows,)
            or classes.shape != (max(2, n_rows),) or coef.shape[0] != n_rows):
        raise ValueError("the scaler and regression arrays have inconsistent shapes")
    if not (np.issubdtype(classes.dtype, np.integer) and classes.min() >= 0
            and classes.max() < n_classes and np.all(np.diff(classes) > 0)):
        raise ValueError(f"the regression's classes {classes} are not labels of the "
                         f"{n_classes} class names")
    if not all(np.isfinite(a).all() for a in (mean, scale, var, coef, intercept)):
        raise ValueError("the scaler or regression arrays contain NaN or infinite values")
    scaler, regression = StandardScaler(), LogisticRegression(C=c, max_iter=5000)
    scaler.mean_, scaler.scale_, scaler.var_ = mean, scale, var
    scaler.n_features_in_ = regression.n_features_in_ = coef.shape[1]
    regression.coef_, regression.intercept_, regression.classes_ = coef, intercept, classes
    return make_pipeline(scaler, regression)


def _in_noise(clip: np.ndarray, rng: np.random.Generator,
              snr_db: tuple[float, float]) -> np.ndarray:
    """``clip`` plus white noise at an SNR drawn uniformly from ``snr_db`` (dB)."""
    snr = rng.uniform(*snr_db)
    power = float(np.mean(clip.astype(np.float64) ** 2))
    noise = rng.normal(0.0, np.sqrt(power / 10.0 ** (snr / 10.0)), clip.size)
    return (clip + noise).astype(np.float32)


def _log_frequency_bank(sr: int) -> torch.Tensor:
    """Triangular 1/3-semitone bands from 50 Hz up, over a 128 ms STFT: ``(n_bands, n_freqs)``.

    The bands run from ``_PROFILE_FMIN_HZ`` to 4 kHz or ``0.475 sr``, whichever is lower, in
    whole octaves (so every pitch class has as many bands); each band is normalised to sum
    1 (the mean power of its bins).
    """
    n_fft = round(_PROFILE_WINDOW_S * sr)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    step = 2.0 ** (1.0 / _PROFILE_BINS_PER_OCTAVE)
    octaves = int(np.floor(np.log2(min(4000.0, 0.475 * sr) / _PROFILE_FMIN_HZ)))
    centres = _PROFILE_FMIN_HZ * step ** np.arange(octaves * _PROFILE_BINS_PER_OCTAVE)
    # At least one FFT bin wide, so low bands (narrower than the bin spacing) are not empty.
    spacing = sr / n_fft
    low = centres - np.maximum(centres * (1.0 - 1.0 / step), spacing)
    high = centres + np.maximum(centres * (step - 1.0), spacing)
    rising = (freqs[None] - low[:, None]) / (centres - low)[:, None]
    falling = (high[:, None] - freqs[None]) / (high - centres)[:, None]
    bank = np.maximum(0.0, np.minimum(rising, falling))
    return torch.from_numpy(bank / np.maximum(bank.sum(1, keepdims=True), 1e-12))


@lru_cache(maxsize=4)
def speech_listener(seed: int = 0, *, cache: bool = True) -> AudioListener:
    """The spoken-digit listener: FSDD's training split (takes 5-49), heard at 8 kHz.

    Built from scratch in about 8 s on two cores (the MFCC summaries of 5,400 clips, the
    2,700 recordings and one noisy copy each, then the regression); the dataset must be on
    disk, see ``aigc_kit.data.fsdd``. The fitted listener is then kept on disk as
    ``data_dir()/cache/listeners/speech-seed<seed>-<key>.npz`` (see
    :meth:`AudioListener.save`), so a later process loads it in about 0.4 s (mostly reading
    the training split, whose size is part of the key). Within a process every call with the
    same arguments returns the same object, so do not fit it again.

    Parameters
    ----------
    seed : int
        Seed of the noise augmentation.
    cache : bool
        Read and write the cache file (default). With False the listener is built from
        scratch and nothing is written.

    Returns
    -------
    AudioListener
        Fitted on the 2,700 training recordings (plus one noisy copy each), classes
        ``"0"``-``"9"``; recognises 99.0 % of the 300 test recordings (takes 0-4) as
        spoken.

    Warns
    -----
    RuntimeWarning
        The cache file is damaged (named in the message); it is rebuilt and overwritten.

    Notes
    -----
    Taught in ``07_evaluation``. The cache file's name covers the seed, the number of
    training recordings and the listeners' version, so a change to any of them builds a
    new one; delete ``data_dir()/cache/listeners`` to rebuild them all.
    """
    data = fsdd(split="train")
    key = {"kind": "speech", "seed": seed, "n_clips": len(data.clips)}
    return _cached_listener(key, lambda: _build_speech_listener(data, seed), cache)


@lru_cache(maxsize=4)
def notes_listener(seed: int = 0, n_variants: int = 16, *, c: float = NOTES_LISTENER_C,
                   cache: bool = True) -> AudioListener:
    """The notes listener: the 48 classes (timbre x pitch) of ``load_mel_dataset("notes")``.

    Trained on ``synth_notes`` at 8 kHz (one second, -20 dBFS, ``n_variants`` random
    variations per class) with seed ``NOTES_LISTENER_SEED + seed``, far from the seeds the
    GAN chapters train on and hold out, so their held-out notes are new to it. Built from
    scratch in about 6 s on two cores (with the default 16 variants: the MFCC summaries and
    pitch profiles of 2,304 clips, the 768 notes and two noisy copies each), then kept on
    disk as ``data_dir()/cache/listeners/notes-seed<seed>-v<n_variants>-<key>.npz`` (see
    :meth:`AudioListener.save`), so a later process loads it in a few milliseconds. Within a
    process every call with the same arguments returns the same object.

    Parameters
    ----------
    seed : int
        Offset of the ``synth_notes`` seed and seed of the noise augmentation.
    n_variants : int
        Random variations per class in the training set.
    c : float
        Inverse regularisation strength of its logistic regression. The default 0.01 gives
        a cautious listener (mean top probability 0.78 on the held-out notes, all of them
        recognised); ``benchmarks/bench_gan.py`` also asks a sharper one (``c=1``), which
        trusts the vocoder's round trip of real notes more, to show whether a score is
        limited by the listener or by the generator.
    cache : bool
        Read and write the cache file (default). With False the listener is built from
        scratch and nothing is written.

    Returns
    -------
    AudioListener
        Fitted with the pitch profile; labels ``timbre_index * 12 + pitch_index`` and class
        names from ``aigc_kit.features.note_class_names()`` (``"organ C4"`` ...), as in
        ``notes_images``. Recognises all 192 held-out notes of ``load_mel_dataset("notes")``
        (seed 1000) as intended.

    Warns
    -----
    RuntimeWarning
        The cache file is damaged (named in the message); it is rebuilt and overwritten.

    Notes
    -----
    Taught in ``07_evaluation``. Delete ``data_dir()/cache/listeners`` to rebuild the
    cached listeners.
    """
    key: dict[str, Any] = {"kind": "notes", "seed": seed, "n_variants": n_variants}
    if c != NOTES_LISTENER_C:
        key["c"] = float(c)  # the default's key (and cache file) as before
    return _cached_listener(key, lambda: _build_notes_listener(seed, n_variants, c), cache)


def _build_speech_listener(data: Any, seed: int) -> AudioListener:
    """Fit the speech listener on ``data``, FSDD's training split (the slow part)."""
    listener = AudioListener(sr=8000, noise_copies=1, seed=seed)
    return listener.fit(data.clips, data.labels["digit"].to_numpy(), data.sr,
                        class_names=[str(d) for d in range(10)])


def _build_notes_listener(seed: int, n_variants: int, c: float) -> AudioListener:
    """Synthesise the notes listener's training set and fit it (the slow part)."""
    notes = synth_notes(pitches=_NOTE_PITCHES, timbres=tuple(TIMBRES), loudness_db=(-20.0,),
                        n_variants=n_variants, duration_s=1.0, sr=8000,
                        seed=NOTES_LISTENER_SEED + seed)
    table = notes.labels
    timbre = table["timbre"].map({t: i for i, t in enumerate(TIMBRES)})
    pitch = table["midi"].map({p: i for i, p in enumerate(_NOTE_PITCHES)})
    labels = (timbre * len(_NOTE_PITCHES) + pitch).to_numpy().astype(int)
    listener = AudioListener(sr=8000, pitch_profile=True, noise_copies=2,
                             noise_snr_db=(0.0, 30.0), c=c, seed=seed)
    return listener.fit(notes.clips, labels, notes.sr,
                        class_names=note_class_names(_NOTE_PITCHES, tuple(TIMBRES)))


def _listener_cache_path(key: dict[str, Any]) -> Path:
    """``data_dir()/cache/listeners/<kind>-<readable settings>-<digest of the key>.npz``."""
    full = {**key, "version": _LISTENER_VERSION}
    digest = hashlib.sha256(json.dumps(full, sort_keys=True).encode()).hexdigest()[:12]
    readable = "-".join([key["kind"], f"seed{key['seed']}"]
                        + ([f"v{key['n_variants']}"] if "n_variants" in key else []))
    return data_dir() / "cache" / "listeners" / f"{readable}-{digest}.npz"


def _cached_listener(key: dict[str, Any], build: Callable[[], AudioListener],
                     cache: bool) -> AudioListener:
    """The listener cached under ``key``, else ``build()`` (saved when ``cache``)."""
    if not cache:
        return build()
    path = _listener_cache_path(key)
    if path.is_file():
        try:
            return AudioListener.load(path)
        except ValueError as err:
            warnings.warn(f"ignoring the cached {key['kind']} listener: {err} Rebuilding "
                          f"it and overwriting {path}.", RuntimeWarning, stacklevel=3)
    listener = build()
    try:
        listener.save(path)
    except OSError as err:  # a read-only data folder: still usable, just not cached
        warnings.warn(f"could not cache the {key['kind']} listener at {path} ({err}); it is "
                      "rebuilt in every process", RuntimeWarning, stacklevel=3)
    return listener
