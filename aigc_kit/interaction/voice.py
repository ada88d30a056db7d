"""Voice commands: say a digit to rate a clip, "again", "next", "higher" ... to steer.

The vocabulary lives here and only here (:data:`VOCABULARY`): the ten digit words (ratings
1-5 and choices) and nine command words. Speech is heard by the kit's outside recogniser,
CMU PocketSphinx with its US-English model (the judge of
:mod:`aigc_kit.evaluation.recognizer`), restricted by a JSGF grammar to *exactly* the words
a loop acts on, so it can only ever answer with one of them; everything else must be
rejected ("didn't catch that").

:class:`CommandRecognizer` turns one clip into a :class:`Heard`:

1. the clip (any rate, any number of channels; :func:`as_clip`) is mixed down, and a clip
   whose level stays below ``silence_db`` (RMS, dBFS) is rejected as silence;
2. it is resampled to 16 kHz, trimmed (``trim_db`` below its loudest frame), scaled to a
   0.9 peak and padded with ``pad_s`` of digital silence (the endpointing of
   :class:`~aigc_kit.evaluation.DigitRecognizer`);
3. PocketSphinx decodes it with the one-word grammar; the word's posterior probability in
   the decoder's lattice is its **confidence** (0-1);
4. it is rejected when no word is heard, when the confidence is below ``min_confidence``,
   or when more than ``max_extra_s`` of the trimmed sound lies outside the word the grammar
   matched (a second word, a longer word, music around it);
5. a **checking pass** decodes it again with :data:`BACKGROUND_WORDS`, about 240 ordinary
   English words, competing with the commands at a small prior (``background_prior``); the
   command is accepted only if it still wins. A grammar of commands alone has to answer
   with a command, so "coffee" comes out as "stop"; with rivals, "coffee" is heard as
   "dog" and rejected ("that sounded more like 'dog' than 'stop'"). Background words one
   phone away from a command ("door" for "four") are left out: telling those apart is a
   test of one phone, which narrowband speech fails.

The two thresholds (``min_confidence`` 0.4, ``background_prior`` 1e-12) were chosen by
``benchmarks/bench_voice.py --tune`` on a tuning set that shares nothing with the test
sets: FSDD's *training* split, five espeak-ng voices not used for testing and twenty other
English words; the rule: the most commands right with at most 5 % of the tuning words
accepted. On the held-out test sets (seed 0, 2 cores): FSDD test-split "one" ... "five"
(real, 8 kHz) 51 % right with chapter 8's grammar and 95 % of the accepted ones right;
command words in CMU flite's five voices 84 % right, in espeak-ng's seven robotic voices
35 %; an English word outside the vocabulary is taken for a command 2.5-7.5 % of the time in
espeak-ng voices and 27 % in flite's (before the checking pass: 35-38 % and 65 %); silence,
noise, music and two words at once never. The check costs about 25 ms a command.

:class:`VoiceLoop` is the one command loop of the kit: ``listen -> recognise -> act ->
feedback shown``. A loop is built from actions (word -> plain method returning a
:class:`Reply`); the recogniser's grammar is exactly the loop's words. The microphone widget
(:func:`aigc_kit.interaction.microphone`) feeds it browser recordings, and headless code
(papermill, tests) feeds it files or arrays through the very same :meth:`VoiceLoop.handle`.
:class:`RatingSession` (chapter 8: digits rate the playing clip into the feedback log with
``source="voice"``, "again" replays, "next" moves on) and :class:`ExplorerVoice` (the latent
explorer: "louder"/"softer", "higher"/"lower" along its first direction) provide actions;
chapter 9's melody steering is :class:`aigc_kit.apps.music.MelodySteering`.

Taught in ``08_interaction_feedback_loop`` (and used by ``09_music_generation`` and
``benchmarks/bench_voice.py``).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import soundfile as sf

from aigc_kit.data.io import load_audio
from aigc_kit.data.preprocess import resample, rms_db, to_mono, trim_silence
from aigc_kit.evaluation.recognizer import DIGIT_WORDS, INSTALL_HINT
from aigc_kit.interaction.feedback import FeedbackLog
from aigc_kit.interaction.widgets import Sample, record_rating

__all__ = [
    "BACKGROUND_WORDS",
    "COMMAND_WORDS",
    "VOCABULARY",
    "CommandRecognizer",
    "ExplorerVoice",
    "Heard",
    "Outcome",
    "RatingSession",
    "RecognizerConfig",
    "Reply",
    "VoiceLoop",
    "as_clip",
    "confusion_matrix",
    "espeak",
]

COMMAND_WORDS: tuple[str, ...] = ("again", "next", "louder", "softer", "higher", "lower",
                                  "faster", "slower", "stop")
"""The command words, besides the digits."""

VOCABULARY: dict[str, str] = {
    **{word: f"the digit {d} (a rating 1-5, or a choice)" for d, word in enumerate(DIGIT_WORDS)},
    "again": "play the clip again",
    "next": "move on to the next clip without rating",
    "louder": "play louder (latent explorer)",
    "softer": "play softer (latent explorer)",
    "higher": "a higher melody (chapter 9) or a step along the explorer's first direction",
    "lower": "a lower melody (chapter 9) or a step back along the explorer's first direction",
    "faster": "a faster melody (chapter 9)",
    "slower": "a slower melody (chapter 9)",
    "stop": "stop listening",
}
"""Every word the kit understands and what it does: the one place the vocabulary is kept."""

BACKGROUND_WORDS: tuple[str, ...] = tuple("""
a about after all also and any are as ask at away back bad be because bed been big bird
black blue book both boy bring but buy by call came can car cat city come could cut day
did do dog door down draw each end eat even eye face fall far feel find fish fly food
foot from game get girl give go gold got great green grow had hand has have he head hear
help her here him his home horse hot house how i if in into is it its job just keep kind
king know land last late laugh learn leave left let life light like line long look made
make man many may me men might milk mind more most mother move much must my name near
need new night no not now of off old on only or other our out over own page park part
people place plan play point put queen quick rain read red ride right road rock room
round run said same sat saw say school sea see sell send shall she ship shoe short show
side sing sit sky sleep small snow so some song soon sound speak spell spring stand star
still street such sun take talk tell than that the their them then there they thing
think this those thought through time today told took town true try turn up us use very
walk want warm was wash watch way we well went were what when where which while white
who why wind with word work world would write year young your
""".split())
"""Ordinary English words that compete with a command in the recogniser's checking pass.

Common short words of children's reading lists, without the vocabulary, its homophones
("won", "to", "too", "for", "fore", "ate") and its near rhymes ("tree", "free"), and without
any word ``benchmarks/bench_voice.py`` tests or tunes with (those must stay unseen).
"""

_MODEL_SR = 16000  # PocketSphinx en-us (Hz)
_FRAME_S = 0.01  # its frame step (s)
_PEAK = 0.9


@dataclass(frozen=True)
class RecognizerConfig:
    """Front end and rejection thresholds of :class:`CommandRecognizer`.

    Attributes
    ----------
    min_confidence : float
        Lowest posterior (0-1) of the word heard that is accepted.
    max_extra_s : float
        Most sound (s) outside the matched word that is accepted (more: two words, or a
        word outside the vocabulary).
    background_prior : float
        Prior probability of each of the :data:`BACKGROUND_WORDS` relative to a command
        word in the second, checking pass (0: no check). A command is accepted only if it
        still wins when these ordinary English words compete with it.
    silence_db : float
        A clip whose RMS level (dBFS) stays below this is silence.
    trim_db : float
        Endpointing threshold, dB below the loudest frame.
    pad_s : float
        Digital silence added on both sides (s).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    min_confidence: float = 0.4
    max_extra_s: float = 0.25
    background_prior: float = 1e-12
    silence_db: float = -55.0
    trim_db: float = 30.0
    pad_s: float = 0.25


@dataclass(frozen=True)
class Heard:
    """What the recogniser made of one clip.

    Attributes
    ----------
    word : str or None
        The word heard (one of the grammar's), also when it was rejected; None: nothing.
    confidence : float
        Its posterior probability, 0-1 (0 when nothing was heard).
    reason : str
        Why it was rejected; ``""`` when accepted.
    seconds : float
        Time the recogniser took (s).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    word: str | None
    confidence: float
    reason: str = ""
    seconds: float = 0.0

    @property
    def accepted(self) -> bool:
        """True when a word was heard with enough confidence."""
        return self.word is not None and not self.reason

    @property
    def command(self) -> str | None:
        """The accepted word, or None."""
        return self.word if self.accepted else None

    @property
    def digit(self) -> int | None:
        """The accepted digit (0-9), or None."""
        return DIGIT_WORDS.index(self.word) if self.accepted and self.word in DIGIT_WORDS \
            else None

    @property
    def message(self) -> str:
        """A line for the person who spoke."""
        if self.accepted:
            return f"heard '{self.word}' (confidence {self.confidence:.2f})"
        return f"didn't catch that: {self.reason}"


def as_clip(audio: Any, sr: int | None = None) -> tuple[np.ndarray, int]:
    """A mono float32 clip and its rate from a file, or an array at a given rate.

    Parameters
    ----------
    audio : str, path-like or array
        An audio file (any rate and channel count), or samples ``(n_samples,)``,
        ``(n_channels, n_samples)`` or ``(n_samples, n_channels)`` (up to 8 channels);
        integer PCM is scaled to [-1, 1].
    sr : int, optional
        The array's sample rate in Hz (required for an array; ignored for a file).

    Returns
    -------
    clip : np.ndarray
        float32, ``(n_samples,)``.
    sr : int

    Raises
    ------
    ValueError
        No rate for an array, an empty or non-finite clip, or an unreadable file (named).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    if isinstance(audio, str | os.PathLike):
        return load_audio(Path(audio))
    if not (isinstance(sr, int | np.integer) and sr > 0):
        raise ValueError(f"as_clip: an array needs its sample rate: pass sr= (Hz), got {sr!r}")
    x = np.asarray(audio)
    if np.issubdtype(x.dtype, np.integer):
        x = x / float(np.iinfo(x.dtype).max + 1)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2 and x.shape[1] <= 8 < x.shape[0]:
        x = x.T  # (n_samples, n_channels), as soundfile reads
    if x.ndim not in (1, 2) or x.size == 0 or (x.ndim == 2 and x.shape[0] > 8):
        raise ValueError(f"as_clip: expected a clip (n_samples,) or (n_channels, n_samples) "
                         f"with at most 8 channels, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("as_clip: the clip holds NaN or infinite samples; record it again")
    return to_mono(x), int(sr)


def espeak(text: str, voice: str = "en-us", speed: int = 160) -> tuple[np.ndarray, int]:
    """``text`` spoken by the rule-based synthesiser espeak-ng: held-out voices for tests.

    Parameters
    ----------
    text : str
        What to say, e.g. ``"higher"``.
    voice : str
        An espeak-ng voice, optionally with a variant (``"en-gb-scotland"``, ``"en-us+f3"``).
    speed : int
        Words per minute.

    Returns
    -------
    clip : np.ndarray
        Mono float32 samples.
    sr : int
        Their rate (22050 Hz).

    Raises
    ------
    FileNotFoundError
        espeak-ng is not installed (``apt-get install espeak-ng``).

    Notes
    -----
    Used by ``benchmarks/bench_voice.py`` and the voice tests; ``08_interaction_feedback_loop``
    and ``09_music_generation`` ship commands it spoke (``interaction/static/*.wav``).
    """
    program = shutil.which("espeak-ng")
    if program is None:
        raise FileNotFoundError("espeak-ng is not installed: apt-get install espeak-ng "
                                "(Debian/Ubuntu) or brew install espeak-ng (macOS)")
    wav = subprocess.run([program, "-v", voice, "-s", str(int(speed)), "--stdout", text],
                         capture_output=True, check=True, timeout=30).stdout
    clip, sr = sf.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    return to_mono(clip.T), int(sr)


def _grammar(words: Sequence[str]) -> str:
    # no parentheses around the alternatives (PocketSphinx 5.1 loses words with them)
    return f"#JSGF V1.0;\ngrammar commands;\npublic <command> = {' | '.join(words)} ;\n"


def _phone_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two phone sequences (substitutions, insertions,
    deletions)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def _rivals(decoder: Any, words: Sequence[str]) -> tuple[str, ...]:
    """The :data:`BACKGROUND_WORDS` more than one phone away from every pronunciation of
    ``words`` (a minimal pair such as "four"/"door" would turn the check into a test of
    the acoustic model on one phone, which narrowband speech fails)."""
    prons = []
    for word in words:
        for variant in (word, *(f"{word}({k})" for k in range(2, 5))):
            pron = decoder.lookup_word(variant)  # each looked up once
            if pron:
                prons.append(pron.split())
    rivals = []
    for word in BACKGROUND_WORDS:
        phones = decoder.lookup_word(word).split()
        if min(_phone_distance(phones, p) for p in prons) > 1:
            rivals.append(word)
    return tuple(rivals)


class CommandRecognizer:
    """PocketSphinx en-us restricted to a set of command words, with rejection.

    Parameters
    ----------
    words : sequence of str
        The words to listen for, each a key of :data:`VOCABULARY` (default: all of them).
    config : RecognizerConfig
        Front end and thresholds.

    Attributes
    ----------
    words : tuple of str
        The grammar's words.
    background : tuple of str
        The :data:`BACKGROUND_WORDS` of the checking pass (those more than one phone away
        from every one of ``words``).

    Raises
    ------
    ValueError
        A word outside :data:`VOCABULARY`.
    ImportError
        PocketSphinx is not installed (the message names the install command).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``; measured by ``benchmarks/bench_voice.py``.
    """

    def __init__(self, words: Sequence[str] = tuple(VOCABULARY),
                 config: RecognizerConfig = RecognizerConfig()) -> None:
        unknown = [w for w in words if w not in VOCABULARY]
        if unknown or not words:
            raise ValueError(f"CommandRecognizer: words must be keys of VOCABULARY "
                             f"({', '.join(VOCABULARY)}), got {list(words)!r}")
        try:
            import pocketsphinx
        except ImportError as err:
            raise ImportError(f"voice commands need CMU PocketSphinx: {INSTALL_HINT}") from err
        self.words = tuple(dict.fromkeys(words))
        self.config = config
        self._decoder = pocketsphinx.Decoder(pocketsphinx.Config(lm=None, loglevel="FATAL"))
        self._decoder.add_jsgf_string("commands", _grammar(self.words))
        self.background = _rivals(self._decoder, self.words)
        if config.background_prior > 0:
            self._decoder.add_fsg("background", self._decoder.create_fsg(
                "background", 0, 1, [(0, 1, 1.0, w) for w in self.words]
                + [(0, 1, config.background_prior, w) for w in self.background]))
        # warm up: the first resampling of a process loads its library (about 2 s), which
        # would otherwise delay the first spoken command
        self.hear(np.random.default_rng(0).normal(0, 0.05, 4800).astype(np.float32), 48000)

    def __repr__(self) -> str:
        return f"CommandRecognizer({len(self.words)} words: {' '.join(self.words)})"

    def _pcm(self, clip: np.ndarray, sr: int) -> tuple[bytes, int] | None:
        """Endpointed 16 kHz PCM and the number of sound frames, or None for silence."""
        if rms_db(clip) < self.config.silence_db:
            return None
        x = resample(clip, sr, _MODEL_SR)
        x, _ = trim_silence(x, _MODEL_SR, top_db=self.config.trim_db)
        if x.size == 0:
            return None
        pad = np.zeros(round(self.config.pad_s * _MODEL_SR), np.float32)
        x = np.concatenate([pad, x * (_PEAK / np.abs(x).max()), pad])
        frames = round((x.size - 2 * pad.size) / (_FRAME_S * _MODEL_SR))
        return np.round(x * 32767).astype(np.int16).tobytes(), frames

    def _words(self, search: str, pcm: bytes) -> list[Any]:
        """The word segments (no silences or fillers) PocketSphinx finds with a search."""
        decoder = self._decoder
        decoder.activate_search(search)
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        return [s for s in decoder.seg() or () if not s.word.startswith(("<", "["))]

    def _decode(self, pcm: bytes, frames: int) -> Heard:
        words = [s for s in self._words("commands", pcm) if s.word.split("(")[0] in self.words]
        if not words:
            return Heard(None, 0.0, "no command word in it")
        segment = words[0]
        word, confidence = segment.word.split("(")[0], float(segment.prob)
        start = round(self.config.pad_s / _FRAME_S)
        inside = min(segment.end_frame, start + frames) - max(segment.start_frame, start) + 1
        extra_s = (frames - max(inside, 0)) * _FRAME_S
        if extra_s > self.config.max_extra_s:
            return Heard(word, confidence, f"more than one word? ({extra_s:.2f} s of sound "
                                           f"around '{word}'); say one word")
        if confidence < self.config.min_confidence:
            return Heard(word, confidence, f"not sure (maybe '{word}', confidence "
                                           f"{confidence:.2f}); say it again")
        if self.config.background_prior > 0:
            rival = next((s.word.split("(")[0] for s in self._words("background", pcm)), None)
            if rival != word:
                like = f"more like '{rival}'" if rival else "like no word"
                return Heard(word, confidence, f"that sounded {like} than '{word}'; say "
                                               f"a command word")
        return Heard(word, confidence)

    def hear(self, audio: Any, sr: int | None = None) -> Heard:
        """Recognise one spoken command.

        Parameters
        ----------
        audio : str, path-like or array
            A file or samples, as for :func:`as_clip`.
        sr : int, optional
            The array's rate in Hz.

        Returns
        -------
        Heard
            ``heard.command`` is the word when accepted, else None with ``heard.reason``.
        """
        start = time.perf_counter()
        clip, sr = as_clip(audio, sr)
        pcm = self._pcm(clip, sr)
        heard = Heard(None, 0.0, "silence") if pcm is None else self._decode(*pcm)
        return Heard(heard.word, heard.confidence, heard.reason, time.perf_counter() - start)

    def hear_all(self, clips: Sequence[Any], sr: int | None = None) -> list[Heard]:
        """:meth:`hear` for each clip (files, or arrays at one rate ``sr``)."""
        return [self.hear(clip, sr) for clip in clips]


def confusion_matrix(spoken: Sequence[str], heard: Sequence[Heard],
                     words: Sequence[str]) -> pd.DataFrame:
    """Counts of each word spoken (rows) by what was accepted (columns, or ``"rejected"``).

    Rows ``words`` plus any other spoken label (e.g. ``"noise"``, ``"other word"``), in
    order of first appearance; columns ``words`` then ``"rejected"``.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``; printed by ``benchmarks/bench_voice.py``.
    """
    if len(spoken) != len(heard):
        raise ValueError(f"confusion_matrix: {len(spoken)} labels but {len(heard)} results")
    rows = list(dict.fromkeys([*words, *spoken]))
    table = pd.DataFrame(0, index=pd.Index(rows, name="spoken"),
                         columns=pd.Index([*words, "rejected"], name="heard"))
    for said, result in zip(spoken, heard, strict=True):
        table.loc[said, result.command or "rejected"] += 1
    return table


@dataclass
class Reply:
    """What an action answers: a message, and optionally a clip to play and a log record.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    message: str
    clip: np.ndarray | None = None
    sr: int | None = None
    record: dict[str, Any] | None = None


@dataclass
class Outcome:
    """One pass of the loop: what was heard, what was done, how long it took.

    Attributes
    ----------
    heard : Heard
    reply : Reply
        The action's reply, or the rejection message (no clip, no record).
    seconds : float
        From the clip's arrival to the reply being ready (recognise + act), s.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    heard: Heard
    reply: Reply
    seconds: float

    @property
    def message(self) -> str:
        """What the person is shown."""
        return self.reply.message if not self.heard.accepted else \
            f"{self.heard.message}: {self.reply.message}"


Action = Callable[[str], Reply]


@dataclass
class VoiceLoop:
    """The one command loop: listen -> recognise -> act -> feedback shown.

    Parameters
    ----------
    actions : mapping of str to callable
        ``word -> action(word) -> Reply``; the words are the grammar (keys of
        :data:`VOCABULARY`). ``"stop"`` is added: it stops the loop.
    config : RecognizerConfig
        The recogniser's thresholds.

    Attributes
    ----------
    history : list of Outcome
    stopped : bool
        True after "stop" was heard.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``; the microphone widget calls
    :meth:`handle` for every recording, headless code calls it with a file or an array.
    """

    actions: Mapping[str, Action]
    config: RecognizerConfig = field(default_factory=RecognizerConfig)
    history: list[Outcome] = field(default_factory=list)
    stopped: bool = False

    def __post_init__(self) -> None:
        self.actions = {**self.actions, "stop": self.actions.get("stop", self._stop)}
        self.recognizer = CommandRecognizer(tuple(self.actions), self.config)

    def _stop(self, _word: str) -> Reply:
        self.stopped = True
        return Reply("stopped listening")

    def handle(self, audio: Any, sr: int | None = None) -> Outcome:
        """Recognise one recording and act on it; nothing is done unless it was accepted.

        Parameters
        ----------
        audio : str, path-like or array
            The recording (file, or samples at ``sr``; any rate, any channels).
        sr : int, optional
            The array's rate in Hz.

        Returns
        -------
        Outcome
            Also appended to :attr:`history`.
        """
        start = time.perf_counter()
        heard = self.recognizer.hear(audio, sr)
        reply = self.actions[heard.command](heard.command) if heard.accepted else \
            Reply(heard.message)
        outcome = Outcome(heard, reply, time.perf_counter() - start)
        self.history.append(outcome)
        return outcome


class RatingSession:
    """Chapter 8 by voice: a digit rates the playing clip, "again" replays, "next" skips.

    Parameters
    ----------
    make_clip : callable
        ``make_clip(index) -> np.ndarray`` (mono, at ``sr``): the generator's next clip.
    sr : int
        Its rate in Hz.
    log : FeedbackLog
        Where ratings go (``test="mos"``, ``source="voice"``).
    rater_id : str
        The speaker.
    tag : str, optional
        The model tag written with each rating.
    prefix : str
        Sample ids are ``f"{prefix}-{index}"``.
    on_rated : callable, optional
        ``on_rated(record)`` after each rating (e.g. adjust the generator every N ratings).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    scores = tuple(DIGIT_WORDS[1:6])

    def __init__(self, make_clip: Callable[[int], np.ndarray], sr: int, log: FeedbackLog,
                 rater_id: str = "voice", tag: str | None = None, prefix: str = "voice",
                 on_rated: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._make_clip, self.sr, self.log = make_clip, sr, log
        self.rater_id, self.tag, self.prefix, self._on_rated = rater_id, tag, prefix, on_rated
        self.index = -1
        self.current = self._advance()

    def _advance(self) -> Sample:
        self.index += 1
        clip = np.asarray(self._make_clip(self.index), dtype=np.float32)
        self.current = Sample(f"{self.prefix}-{self.index}", clip, self.sr, tag=self.tag)
        return self.current

    def _play(self, message: str, record: dict[str, Any] | None = None) -> Reply:
        return Reply(message, self.current.audio, self.sr, record)

    def rate(self, word: str) -> Reply:
        """Rate the playing clip with the spoken digit (1-5), then play the next one."""
        score = DIGIT_WORDS.index(word)
        record = record_rating(self.log, self.current, self.rater_id, score, source="voice")
        if self._on_rated is not None:
            self._on_rated(record)
        rated = self.current.sample_id
        self._advance()
        return self._play(f"rated {rated} {score} ✓; now playing {self.current.sample_id}",
                          record)

    def again(self, _word: str = "again") -> Reply:
        """Play the current clip again."""
        return self._play(f"again: {self.current.sample_id}")

    def next(self, _word: str = "next") -> Reply:
        """Skip the current clip unrated and play the next one."""
        skipped = self.current.sample_id
        self._advance()
        return self._play(f"skipped {skipped}; now playing {self.current.sample_id}")

    def actions(self) -> dict[str, Action]:
        """The loop's actions: "one" ... "five", "again", "next"."""
        return {**{word: self.rate for word in self.scores}, "again": self.again,
                "next": self.next}


class ExplorerVoice:
    """The latent explorer by voice: "louder"/"softer" (gain), "higher"/"lower" (slider 0).

    Parameters
    ----------
    explorer : LatentExplorer
        The explorer whose first slider is moved (:meth:`LatentExplorer.render`).
    sr : int
        The rate of its clips, Hz.
    step : float
        Slider step per command.
    gain_step_db : float
        Gain change per "louder"/"softer" (dB), within -24..+12 dB.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    def __init__(self, explorer: Any, sr: int, step: float = 1.0,
                 gain_step_db: float = 6.0) -> None:
        self.explorer, self.sr, self.step, self.gain_step_db = explorer, sr, step, gain_step_db
        self.gain_db = 0.0

    def _reply(self, what: str, values: list[float]) -> Reply:
        clip = self.explorer.render(values)
        clip = np.clip(np.asarray(clip, np.float32) * 10 ** (self.gain_db / 20), -1, 1)
        return Reply(f"{what}: {self.explorer.sliders[0].description} {values[0]:+.1f}, "
                     f"gain {self.gain_db:+.0f} dB", clip, self.sr)

    def volume(self, word: str) -> Reply:
        """"louder" or "softer": change the playback gain by ``gain_step_db``."""
        sign = 1 if word == "louder" else -1
        self.gain_db = float(np.clip(self.gain_db + sign * self.gain_step_db, -24, 12))
        return self._reply(word, [s.value for s in self.explorer.sliders])

    def move(self, word: str) -> Reply:
        """"higher" or "lower": move the first slider by ``step`` (within its range)."""
        slider = self.explorer.sliders[0]
        sign = 1 if word == "higher" else -1
        slider_value = float(np.clip(slider.value + sign * self.step, slider.min, slider.max))
        return self._reply(word, [slider_value] + [s.value for s in self.explorer.sliders[1:]])

    def actions(self) -> dict[str, Action]:
        """The loop's actions: "louder", "softer", "higher", "lower"."""
        return {"louder": self.volume, "softer": self.volume, "higher": self.move,
                "lower": self.move}
