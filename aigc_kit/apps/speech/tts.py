"""A digit text-to-speech on FSDD: a conditional VAE over log-mel images plus a vocoder.

Chapter 6.1's "speech synthesis", at a scale a laptop trains in a minute: the vocabulary
is the ten digits, the voices are FSDD's six speakers. :func:`train_digit_voice` trains a
:class:`aigc_kit.models.ConditionalVAE` on the FSDD training images conditioned on
(digit, speaker), or loads the one it trained before with the same settings (``cache``);
:func:`say` turns a string of digits into audio, one generated word per digit with short
pauses. The words are judged as *audio*, the way text-to-speech research measures
intelligibility: by a recogniser trained on other speech, never on the synthesiser's own
corpus. :func:`intelligibility` counts the generated words the outside judge
(``aigc_kit.evaluation.speech_judge()``, PocketSphinx's US-English recogniser restricted to
the digit words) hears as intended, with the in-domain ``speech_listener()`` (trained on
FSDD's training split, the very voices the model imitates) beside it; :func:`sentences`
says a digit string in every voice and gives the outside judge's digit error rate next to
real sentences of the same digits by the same speaker. Taught in ``10_speech_synthesis``.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from aigc_kit.data.preprocess import normalize_loudness, trim_silence
from aigc_kit.data.spoken_digits import fsdd, fsdd_speakers
from aigc_kit.evaluation.machine_listeners import AudioListener, speech_listener
from aigc_kit.evaluation.recognizer import DigitRecognizer, digit_error_rate, speech_judge
from aigc_kit.features.inverse import Vocoder, vocode
from aigc_kit.features.mel_datasets import fsdd_images
from aigc_kit.features.mel_images import FSDD_SPEC, MelSpec, sharpen
from aigc_kit.generation.sampling import eval_mode
from aigc_kit.models.conditional import ConditionalVAE
from aigc_kit.runtime.checkpoint import (
    CheckpointError,
    cached_model_path,
    load_checkpoint,
    save_checkpoint,
)
from aigc_kit.runtime.device import seed_everything
from aigc_kit.training.loop import RunConfig, TrainResult
from aigc_kit.training.vae import train_vae

DIGIT_VOICE_STEPS = 1000  # the digit voice's default training budget, steps (12-07, 40 ms
# FSDD_SPEC, seeds 0/1/2, 300 words: heard as intended by the outside judge 0.85x / 0.87x /
# 0.95x real; in-domain 0.95x; benchmarks/bench_tts.py). Chapter 10 loads it from the cache.
DIGIT_VOICE_POWER = 1.3  # the default sharpening of the generated images before vocoding
# (1,000 steps, seed 0, 120 words each, outside judge: power 1.0 -> 0.81x real, 1.3 -> 0.88x,
# 1.6 -> 0.85x, 2.0 -> 0.75x; in-domain 0.98 / 0.96 / 0.89 / 0.74 of the words)
_TRIM_DB, _LEVEL_DB, _PAUSE_S = 30.0, -20.0, 0.12
_ACCEPTED = "the digits 0-9 (spaces and hyphens are skipped)"


@dataclass
class DigitVoice:
    """A trained digit voice: the model, its speakers, the image format and how it speaks.

    Attributes
    ----------
    model : ConditionalVAE
        Conditioned on (digit, speaker index), in eval mode.
    speakers : list of str
        Speaker names in label order (e.g. ``"theo"``).
    spec : MelSpec
        The log-mel image format (default ``FSDD_SPEC``: 8 kHz, 64 bands x 64 frames,
        12 ms hop).
    temperature : float
        Scale of the latent codes drawn when speaking (below 1: clearer, less varied).
    power : float
        Sharpening of every generated image before vocoding
        (:func:`aigc_kit.features.sharpen`: the dB below the image's peak multiplied by
        ``power``, Tacotron's "raise the magnitudes to a power before Griffin-Lim"). A VAE
        averages what its labels leave open, so its spectra are blurred: the valleys
        between formants and harmonics too shallow. 1 leaves the images alone.
    vocoder : Vocoder, optional
        Turns images into sound; default the kit's ``to_audio``.
    result : TrainResult, optional
        The training run, when :func:`train_digit_voice` made the voice in this process.
    meta : dict
        How the voice was made: ``settings``, ``steps``, ``seconds``, ``cached`` (loaded
        from the cache), ``path`` (the cache file).

    Notes
    -----
    Taught in ``10_speech_synthesis``.
    """

    model: ConditionalVAE
    speakers: list[str]
    spec: MelSpec = FSDD_SPEC
    temperature: float = 0.2
    power: float = DIGIT_VOICE_POWER
    vocoder: Vocoder | None = None
    result: TrainResult | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def speaker_index(self, speaker: str) -> int:
        """The label of ``speaker``; a clear error lists the known ones."""
        if speaker not in self.speakers:
            raise ValueError(f"unknown speaker {speaker!r}; choose one of {self.speakers}")
        return self.speakers.index(speaker)

    def images(self, digits: list[int], speaker: str, seed: int = 0) -> torch.Tensor:
        """Generated log-mel images ``(len(digits), 1, n_mels, n_frames)`` on the CPU.

        The model's own output, before :attr:`power` sharpens it for the vocoder.
        """
        if not digits or any(not 0 <= d <= 9 for d in digits):
            raise ValueError(f"digits must be a non-empty list of 0..9, got {digits}")
        labels = torch.tensor([[d, self.speaker_index(speaker)] for d in digits])
        self.model.eval()
        gen = torch.Generator().manual_seed(seed)
        return self.model.sample(len(labels), labels=labels, generator=gen,
                                 temperature=self.temperature).cpu()

    def vocoded(self, digits: list[int], speaker: str, seed: int = 0) -> np.ndarray:
        """The generated words as sound, ``(len(digits), spec.n_samples)`` at ``spec.sr``.

        :meth:`images`, sharpened by :attr:`power`, then the vocoder with its random
        phases seeded by ``seed`` (the same seed always gives the same sound).
        """
        images = sharpen(self.images(digits, speaker, seed), self.power)
        return vocode(images, self.spec, self.vocoder, seed=seed)


def _check_cacheable(run: RunConfig) -> None:
    if run.steps is None or run.max_seconds is not None or run.seed is None:
        raise ValueError("train_digit_voice(cache=True) needs a step budget and a seed "
                         "(RunConfig(steps=..., seed=..., max_seconds=None)): a time budget "
                         "or an unseeded run gives another voice on every machine, so it "
                         "cannot be looked up; pass cache=False to train it anyway")


def train_digit_voice(
    *,
    latent_dim: int = 4,
    width: int = 16,
    beta: float = 1.0,
    lr: float = 4e-3,
    spec: MelSpec = FSDD_SPEC,
    run: RunConfig | None = None,
    cache: bool = False,
    curve_every: int = 0,
) -> DigitVoice:
    """Build and train the conditional VAE on FSDD's training split (or load it, ``cache``).

    The budget is a step count, not seconds: the same seed gives the same voice on every
    machine, however busy.

    Parameters
    ----------
    latent_dim : int
        Size of the latent code (what the labels do not say: timing, intonation).
    width : int
        Channel width of the convolutional encoder and decoder.
    beta : float
        Weight of the KL term. A small code under the full KL weight leaves the digit to
        the labels.
    lr : float
        Adam learning rate.
    spec : MelSpec
        The log-mel representation (default ``FSDD_SPEC``; ``FSDD_SPEC_24MS`` for the
        former 24 ms hop).
    run : RunConfig, optional
        Budget (steps and/or seconds), seed (of the initial weights too), device, progress
        bar, live plot; default ``RunConfig(steps=DIGIT_VOICE_STEPS)``.
    cache : bool
        Look the voice up in ``data/cache/models/`` (a checkpoint keyed by every setting
        above, the steps, the seed and the kit's version, loaded with ``weights_only``)
        and store it there after training: the second call loads in a second what the
        first trained. Needs a step budget and a seed.
    curve_every : int
        Every ``curve_every`` steps (and after the last), hear one word per (digit,
        speaker) of the voice as it trains (:func:`intelligibility` with ``n_per_pair=1``,
        seed 0: 60 words, a few seconds) by the outside judge and the in-domain listener;
        the points land in ``meta["curve"]`` (``step``, ``seconds``, ``outside``,
        ``in_domain``) and are cached with the voice. 0: none.

    Returns
    -------
    DigitVoice
        The voice; ``result`` is the training run when it was trained in this call (like
        every trainer that builds its model), ``meta["cached"]`` says whether it was
        loaded instead.

    Raises
    ------
    ValueError
        ``cache=True`` with a time budget or without a seed.

    Warns
    -----
    RuntimeWarning
        A damaged cache file is ignored (named in the message) and the voice retrained.

    Notes
    -----
    Taught in ``10_speech_synthesis``.
    """
    run = run or RunConfig(steps=DIGIT_VOICE_STEPS)
    settings = {"latent_dim": latent_dim, "width": width, "beta": float(beta),
                "lr": float(lr), "spec": asdict(spec), "steps": run.steps, "seed": run.seed,
                "curve_every": int(curve_every)}
    path = None
    if cache:
        _check_cacheable(run)
        path = cached_model_path("digit-voice", settings)
        voice = _load_voice(path, settings, spec)
        if voice is not None:
            return voice
    if run.seed is not None:
        seed_everything(run.seed)  # the initial weights too
    x, labels = fsdd_images("train", spec=spec)
    speakers = sorted(labels.speaker.unique())
    y = torch.tensor(np.stack([labels.digit.to_numpy(),
                               labels.speaker.map(speakers.index).to_numpy()], axis=1))
    model = ConditionalVAE(spec.shape, (10, len(speakers)), latent_dim=latent_dim,
                           width=width)
    curve: list[dict[str, float]] = []
    if curve_every:
        run = run.replace(callback=_listening(DigitVoice(model, speakers, spec), curve),
                          callback_every=int(curve_every))
    result = train_vae(model, x, labels=y, beta=beta, lr=lr, run=run)
    if not result.ok:
        raise RuntimeError(f"training the digit voice failed: {result.stopped}")
    meta = {"settings": settings, "speakers": speakers, "steps": result.steps,
            "seconds": result.seconds, "cached": False, "curve": curve}
    if path is not None:
        save_checkpoint(path, {"voice": model}, meta=meta)
        meta["path"] = str(path)
    return DigitVoice(model.eval(), speakers, spec, result=result, meta=meta)


def _listening(voice: DigitVoice, curve: list[dict[str, float]]) -> Any:
    """The loop's callback that hears 60 words of ``voice`` as it trains into ``curve``."""

    def listen(step: int, seconds: float) -> None:
        with eval_mode(voice.model):
            heard = intelligibility(voice, n_per_pair=1, seed=0)
        curve.append({"step": int(step), "seconds": float(seconds),
                      "outside": float(heard.correct.mean()),
                      "in_domain": float(heard.correct_in_domain.mean())})

    return listen


def _load_voice(path: Path, settings: dict[str, Any], spec: MelSpec) -> DigitVoice | None:
    """The cached voice of ``settings`` at ``path``, or None (a damaged file is reported)."""
    if not path.is_file():
        return None
    model = ConditionalVAE(spec.shape, (10, len(fsdd_speakers())),
                           latent_dim=settings["latent_dim"],
                           width=settings["width"])
    def same_settings(meta: dict[str, Any]) -> None:
        if meta.get("settings") != settings:
            raise CheckpointError(f"{path}: made with other settings")

    try:
        meta = load_checkpoint(path, {"voice": model}, check=same_settings)
    except CheckpointError as err:
        warnings.warn(f"ignoring the cached digit voice ({err}); training it again",
                      RuntimeWarning, stacklevel=3)
        return None
    meta = {**meta, "cached": True, "path": str(path)}
    return DigitVoice(model.eval(), list(meta["speakers"]), spec, meta=meta)


def spoken_digits(text: str) -> list[int]:
    """The digits of ``text`` (e.g. ``"20-26"`` -> ``[2, 0, 2, 6]``), or a clear error.

    Raises
    ------
    ValueError
        ``text`` holds no digit, or other characters than digits, spaces and hyphens; the
        message lists them and what is accepted.

    Notes
    -----
    Taught in ``10_speech_synthesis``: what :func:`say` accepts.
    """
    spoken = [c for c in str(text) if c not in " -"]
    bad = sorted({c for c in spoken if not (c.isascii() and c.isdigit())})
    if bad or not spoken:
        found = f"it holds {bad}" if bad else "it holds no digit"
        raise ValueError(f"say() speaks {_ACCEPTED} only; got {text!r}: {found}. Write "
                         "numbers as digits, e.g. '2026' rather than 'two thousand'")
    return [int(c) for c in spoken]


def say_words(voice: DigitVoice, text: str, speaker: str, seed: int = 0) -> list[np.ndarray]:
    """The generated words of :func:`say`, one waveform per digit, before joining.

    Each digit becomes a log-mel image made by the conditional VAE, sharpened and turned
    into sound (:meth:`DigitVoice.vocoded`), trimmed of silence (30 dB) and levelled to
    -20 dBFS. Spaces and hyphens are allowed and skipped.

    Returns
    -------
    list of np.ndarray, shape (n_samples,) each
        float32 mono words at ``voice.spec.sr`` (8 kHz), in the order of ``text``.

    Raises
    ------
    ValueError
        ``text`` holds anything but digits, spaces and hyphens (see :func:`spoken_digits`).

    Notes
    -----
    Taught in ``10_speech_synthesis``: the judges hear ``say("2026")`` word by word.
    """
    words = voice.vocoded(spoken_digits(text), speaker, seed)
    return [_endpointed(word, voice.spec.sr) for word in words]


def _endpointed(word: np.ndarray, sr: int) -> np.ndarray:
    """A word trimmed of silence (30 dB) and levelled to -20 dBFS RMS."""
    return normalize_loudness(trim_silence(word, sr, top_db=_TRIM_DB)[0], _LEVEL_DB)


def say(
    voice: DigitVoice, text: str, speaker: str, pause_s: float = _PAUSE_S, seed: int = 0
) -> np.ndarray:
    """Speak the digits of ``text`` (e.g. ``"2026"``) in ``speaker``'s voice.

    The words of :func:`say_words` joined with ``pause_s`` seconds of silence.

    Returns
    -------
    np.ndarray, shape (n_samples,)
        Mono audio at ``voice.spec.sr`` (8 kHz), float32.

    Raises
    ------
    ValueError
        ``text`` holds anything but digits, spaces and hyphens, or ``speaker`` is unknown.

    Notes
    -----
    Taught in ``10_speech_synthesis``.
    """
    return _joined(say_words(voice, text, speaker, seed), pause_s, voice.spec.sr)


def _joined(words: list[np.ndarray], pause_s: float, sr: int) -> np.ndarray:
    pause = np.zeros(int(pause_s * sr), dtype=np.float32)
    parts = []
    for word in words:
        parts += [word, pause]
    return np.concatenate(parts[:-1]).astype(np.float32)


def real_sentence(text: str, speaker: str, pause_s: float = _PAUSE_S) -> np.ndarray:
    """The digits of ``text`` as really spoken by ``speaker``: held-out FSDD takes, joined.

    The reference for :func:`say`: each digit is a held-out recording (takes 0-4; a digit
    said again uses the next take) by the same speaker, endpointed and levelled as
    :func:`say_words` does, joined with the same pauses. Mono float32 at 8 kHz.

    Notes
    -----
    Taught in ``10_speech_synthesis``.
    """
    digits = spoken_digits(text)
    data = fsdd(split="test", speakers=[speaker])
    table = data.labels.reset_index(drop=True)
    words = []
    for i, d in enumerate(digits):
        takes = np.flatnonzero(table["digit"].to_numpy() == d)
        take = takes[digits[:i].count(d) % len(takes)]
        words.append(_endpointed(data.clips[take], data.sr))
    return _joined(words, pause_s, data.sr)


def sentences(
    voice: DigitVoice,
    text: str,
    seed: int = 0,
    judge: DigitRecognizer | None = None,
    listener: AudioListener | None = None,
) -> pd.DataFrame:
    """``say(text)`` in every speaker's voice, heard whole and word by word, beside real speech.

    Parameters
    ----------
    voice : DigitVoice
        The trained voice.
    text : str
        Digits to say, e.g. ``"2026"``.
    seed : int
        Seed of :func:`say`.
    judge : DigitRecognizer, optional
        The outside judge; default ``speech_judge()``.
    listener : AudioListener, optional
        The in-domain listener; default ``speech_listener()``.

    Returns
    -------
    pandas.DataFrame
        One row per speaker (the index): ``heard`` (the digit string the outside judge
        hears in the whole generated sentence), ``digit_error_rate`` (its edit distance to
        ``text`` over the length), ``real_heard`` and ``real_digit_error_rate`` (the same
        for :func:`real_sentence`: held-out recordings of the same digits by the same
        speaker), ``words_heard`` and ``word_accuracy`` (the outside judge on each
        generated word alone), ``words_in_domain`` and ``word_accuracy_in_domain``
        (``speech_listener()``, trained on FSDD, on the same words).

    Notes
    -----
    Taught in ``10_speech_synthesis``.
    """
    judge, listener = judge or speech_judge(), listener or speech_listener()
    digits, sr = spoken_digits(text), voice.spec.sr
    spoken = "".join(map(str, digits))
    rows = {}
    for speaker in voice.speakers:
        words = say_words(voice, text, speaker, seed)
        [heard, real] = judge.hear_digit_strings(
            [_joined(words, _PAUSE_S, sr), real_sentence(text, speaker)], sr)
        by_word = judge.hear_digits(words, sr)
        in_domain = listener.predict(words, sr)
        rows[speaker] = {
            "heard": heard, "digit_error_rate": digit_error_rate(spoken, heard),
            "real_heard": real, "real_digit_error_rate": digit_error_rate(spoken, real),
            "words_heard": " ".join("-" if d < 0 else str(d) for d in by_word),
            "word_accuracy": float(np.mean(by_word == digits)),
            "words_in_domain": " ".join(map(str, in_domain)),
            "word_accuracy_in_domain": float(np.mean(in_domain == digits))}
    return pd.DataFrame(rows).T.rename_axis("speaker")


def intelligibility(
    voice: DigitVoice,
    judge: DigitRecognizer | None = None,
    n_per_pair: int = 5,
    seed: int = 0,
    *,
    listener: AudioListener | None = None,
) -> pd.DataFrame:
    """How often the generated digits are heard as intended: outside judge and in-domain.

    For every (digit, speaker) pair, ``n_per_pair`` words are generated and **vocoded** as
    :func:`say` does, then heard as audio twice: by the outside judge, a general English
    recogniser that never heard FSDD (``aigc_kit.evaluation.speech_judge()``), and by the
    in-domain ``speech_listener()``, trained on FSDD's training split (the six voices the
    voice imitates), which flatters the voice and is reported beside, never instead.

    Parameters
    ----------
    voice : DigitVoice
        The trained voice.
    judge : DigitRecognizer, optional
        The outside judge (anything with ``predict(waveforms, sr)`` giving digits, -1 for
        no word); default ``speech_judge()``.
    n_per_pair : int
        Words per (digit, speaker).
    seed : int
        Seed of the latent codes and the vocoder's phases.
    listener : AudioListener, optional
        The in-domain listener; default ``speech_listener()``.

    Returns
    -------
    pandas.DataFrame
        One row per generated word: ``digit``, ``speaker``, ``heard`` (the outside judge's
        digit, -1 when it hears no word) and ``correct``, then ``heard_in_domain`` and
        ``correct_in_domain``. Compare ``frame.correct.mean()`` with the same judge's score
        on real held-out words (``aigc_kit.evaluation.speech_verdicts``), never with 1.

    Notes
    -----
    Taught in ``10_speech_synthesis``.
    """
    judge = judge or speech_judge()
    listener = listener or speech_listener()
    rows = []
    for s, speaker in enumerate(voice.speakers):
        digits = [d for d in range(10) for _ in range(n_per_pair)]
        words = voice.vocoded(digits, speaker, seed=seed + s)
        heard = judge.predict(words, voice.spec.sr)
        in_domain = listener.predict(words, voice.spec.sr)
        rows += [{"digit": d, "speaker": speaker, "heard": int(h), "correct": d == h,
                  "heard_in_domain": int(i), "correct_in_domain": d == i}
                 for d, h, i in zip(digits, heard, in_domain, strict=True)]
    return pd.DataFrame(rows)
