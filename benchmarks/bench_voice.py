"""Benchmark: voice commands on held-out audio: accuracy, false accepts, latency.

Recognition (:class:`aigc_kit.interaction.CommandRecognizer`, PocketSphinx en-us with a
grammar of exactly the words a loop acts on) is measured on audio it never saw:

- **digits**: FSDD's test split (takes 0-4 of six speakers, real recordings at 8 kHz),
  the rating words "one" ... "five" with chapter 8's grammar (one..five, again, next,
  stop), and all ten digits with the full vocabulary (19 words);
- **commands**: the nine command words spoken by espeak-ng's rule-based voices (accents
  en-us, en-gb, en-gb-x-rp, en-gb-scotland, en-029, with two voice variants), with the
  full vocabulary and with the grammar of the loop that uses them;
- **false accepts**: audio that is no command: silence, white and pink noise, music
  (chords, a melody of the kit), 20 other English words and two commands at once.

The recogniser's two settings that trade accepted commands against false accepts
(``RecognizerConfig.min_confidence`` and ``background_prior``) are chosen by ``--tune`` on
a separate **tuning set** that shares nothing with the sets above: FSDD's *training* split,
five other espeak-ng voices (:data:`TUNE_VOICES`) and 20 other English words
(:data:`TUNE_WORDS`); the rule: the most commands right (mean of the FSDD and espeak-ng
rates) with at most 5 % of the tuning words accepted.

With flite installed (``apt-get install flite``), the command words are also spoken by
CMU flite's five voices (kal, kal16 diphone; awb, rms, slt unit selection from recordings
of people): a second family of unseen voices, less robotic than espeak-ng's. They were
made at CMU like PocketSphinx's acoustic model, so whether its training data held any of
their speakers is not known.

Latency is chapter 9's loop: a spoken "higher"/"lower"/"faster"/"slower" (espeak-ng)
-> recognised -> a new melody written by the LSTM and rendered -> WAV bytes ready to send,
from the end of the clip, 20 times (median and worst); beside it, in the same run, the
recogniser alone (the baseline). The browser's part (sending, starting the player) is
measured by ``tests/browser/test_lab_voice.py``.

Run: ``python benchmarks/bench_voice.py`` (needs pocketsphinx and espeak-ng; about a
minute on 2 cores; ``--tune`` adds about two minutes). Prints the tables; ``--seed`` picks
the noise and the melodies.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import soundfile as sf
import torch

from aigc_kit.apps.music import MelodyLSTM, MelodySteering, load_bach_soprano, render_melody, steer
from aigc_kit.data import fsdd
from aigc_kit.evaluation.recognizer import DIGIT_WORDS
from aigc_kit.interaction import (
    BACKGROUND_WORDS,
    COMMAND_WORDS,
    VOCABULARY,
    CommandRecognizer,
    RecognizerConfig,
    VoiceLoop,
    confusion_matrix,
    espeak,
)

VOICES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us+f3", "en-gb+m3")
OTHER_WORDS = ("hello", "banana", "window", "computer", "music", "yes", "maybe", "please",
               "thank you", "seventy", "water", "purple", "tomorrow", "listen", "good",
               "hundred", "okay", "never", "coffee", "start")
TWO_WORDS = ("four five", "next again", "higher faster", "stop now")
RATING = ("one", "two", "three", "four", "five", "again", "next", "stop")
STEER = ("higher", "lower", "faster", "slower", "again", "stop")
TUNE_VOICES = ("en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", "en-us+m5", "en-gb+f2")
TUNE_WORDS = ("table", "garden", "yellow", "morning", "paper", "river", "happy", "orange",
              "letter", "basket", "silver", "pencil", "number", "doctor", "station", "simple",
              "forward", "little", "under", "open")
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
TUNE_GRID = {"background_prior": (0.0, 1e-24, 1e-16, 1e-12), "min_confidence": (0.4, 0.5, 0.6)}
assert not set(TUNE_VOICES) & set(VOICES), "tuning and test voices must differ"
assert not {w for t in (*OTHER_WORDS, *TUNE_WORDS) for w in t.split()} & set(BACKGROUND_WORDS), \
    "the test and tuning words must not be background words"


def score(name: str, spoken: list[str], heard: list, words: tuple[str, ...]) -> dict:
    accepted = np.array([h.accepted for h in heard])
    right = np.array([h.command == s for h, s in zip(heard, spoken, strict=True)])
    return {"set": name, "clips": len(spoken), "grammar words": len(words),
            "accuracy": right.mean(), "accepted": accepted.mean(),
            "accuracy of accepted": right[accepted].mean() if accepted.any() else np.nan}


def flite(text: str, voice: str) -> tuple[np.ndarray, int]:
    wav = subprocess.run(["flite", "-voice", voice, "-t", text, "-o", "/dev/stdout"],
                         capture_output=True, check=True, timeout=30).stdout
    clip, sr = sf.read(io.BytesIO(wav), dtype="float32")
    return clip, int(sr)


def tuning_set(seed: int) -> list[tuple[str, str, np.ndarray, int]]:
    """(kind, word, clip, rate): FSDD training-split digits 1-5, espeak-ng commands and digits
    in the tuning voices, and the tuning words; nothing of the test sets."""
    train = fsdd(split="train", digits=[1, 2, 3, 4, 5])
    pick = np.random.default_rng(seed).choice(len(train.clips), 100, replace=False)
    clips = [("FSDD train", DIGIT_WORDS[train.labels.digit.iloc[i]], train.clips[i], train.sr)
             for i in pick]
    for v, voice in enumerate(TUNE_VOICES):
        clips += [("espeak-ng", w, *espeak(w, voice)) for w in (*COMMAND_WORDS, *RATING[:5])]
        clips += [("other word", w, *espeak(w, voice)) for w in TUNE_WORDS[v % 2::2]]
    return clips


def tune(seed: int) -> None:
    """Choose min_confidence and background_prior on the tuning set (printed)."""
    clips = tuning_set(seed)
    kinds = pd.Series([k for k, *_ in clips])
    rows = []
    for prior in TUNE_GRID["background_prior"]:
        for confidence in TUNE_GRID["min_confidence"]:
            config = replace(RecognizerConfig(), background_prior=prior,
                             min_confidence=confidence)
            recognizer = CommandRecognizer(tuple(VOCABULARY), config)
            heard = [recognizer.hear(clip, sr) for _, _, clip, sr in clips]
            right = pd.Series([h.command == w for h, (_, w, *_) in zip(heard, clips,
                                                                          strict=True)])
            accepted = pd.Series([h.accepted for h in heard])
            rows.append({"background_prior": prior, "min_confidence": confidence,
                         **right.groupby(kinds).mean().drop("other word"),
                         "false accepts (other words)": accepted[kinds == "other word"].mean()})
    table = pd.DataFrame(rows)
    table["mean right"] = table[["FSDD train", "espeak-ng"]].mean(axis=1)
    allowed = table[table["false accepts (other words)"] <= 0.05]
    counts = ", ".join(f"{kind} {n}" for kind, n in kinds.value_counts().items())
    print(f"tuning set: {len(clips)} clips ({counts})")
    print(table.round(3).to_string(index=False))
    if len(allowed):
        best = allowed.loc[allowed["mean right"].idxmax()]
        print(f"chosen (most right with <= 5 % false accepts): background_prior "
              f"{best.background_prior:g}, min_confidence {best.min_confidence:g}; "
              f"defaults: {RecognizerConfig()}")


def non_commands(seed: int) -> list[tuple[str, np.ndarray, int]]:
    rng = np.random.default_rng(seed)
    sr = 16000
    t = np.arange(sr * 2) / sr
    white = rng.normal(0, 0.1, sr * 2)
    pink = np.fft.irfft(np.fft.rfft(rng.normal(0, 1, sr * 2)) / np.sqrt(np.arange(sr + 1) + 1))
    chords = sum(np.sin(2 * np.pi * f * t) for f in (262, 330, 392)) * 0.2 * (t * 2 % 1 < 0.7)
    melody = steer("a hymn")
    corpus = load_bach_soprano()
    tune = render_melody(corpus.melodies[seed % len(corpus)], melody.timbre, 96, sr,
                         max_seconds=2.0)
    clips = [("silence", np.zeros(sr), sr), ("white noise", white, sr),
             ("pink noise", pink / np.abs(pink).max() * 0.3, sr), ("chords", chords, sr),
             ("Bach melody", tune, sr)]
    clips += [(f"word '{w}'", *espeak(w, voice)) for w in OTHER_WORDS
              for voice in ("en-us", "en-gb")]
    clips += [(f"two words '{w}'", *espeak(w)) for w in TWO_WORDS]
    return clips


def recognition(seed: int) -> None:
    digits = fsdd(split="test")
    spoken_digits = [DIGIT_WORDS[d] for d in digits.labels.digit]
    rating = fsdd(split="test", digits=[1, 2, 3, 4, 5])
    spoken_rating = [DIGIT_WORDS[d] for d in rating.labels.digit]
    commands = [(w, *espeak(w, v)) for v in VOICES for w in COMMAND_WORDS]
    steer_words = [c for c in commands if c[0] in STEER]
    full, chapter8, chapter9 = (CommandRecognizer(tuple(VOCABULARY)), CommandRecognizer(RATING),
                                CommandRecognizer(STEER))
    rows, tables = [], {}
    heard = chapter8.hear_all(rating.clips, rating.sr)
    rows.append(score("FSDD test, 'one'-'five' (chapter 8 grammar)", spoken_rating, heard,
                      RATING))
    tables["FSDD one-five, chapter 8 grammar"] = confusion_matrix(spoken_rating, heard, RATING)
    heard = full.hear_all(digits.clips, digits.sr)
    rows.append(score("FSDD test, ten digits (full vocabulary)", spoken_digits, heard,
                      tuple(VOCABULARY)))
    heard = [full.hear(c, sr) for _, c, sr in commands]
    spoken = [w for w, _, _ in commands]
    rows.append(score("espeak-ng command words (full vocabulary)", spoken, heard,
                      tuple(VOCABULARY)))
    tables["espeak-ng commands, full vocabulary"] = confusion_matrix(
        spoken, heard, tuple(VOCABULARY)).loc[list(COMMAND_WORDS)]
    heard = [chapter9.hear(c, sr) for _, c, sr in steer_words]
    rows.append(score("espeak-ng steering words (chapter 9 grammar)",
                      [w for w, _, _ in steer_words], heard, STEER))
    if shutil.which("flite"):
        spoken = [(w, *flite(w, v)) for v in FLITE_VOICES for w in (*COMMAND_WORDS, *RATING[:5])]
        heard = [full.hear(c, sr) for _, c, sr in spoken]
        rows.append(score("flite command and rating words (full vocabulary)",
                          [w for w, _, _ in spoken], heard, tuple(VOCABULARY)))
        others = [(w, *flite(w, v)) for v in FLITE_VOICES[2:] for w in OTHER_WORDS]
        heard = [full.hear(c, sr) for _, c, sr in others]
        rows.append({"set": "flite other words: false accepts (full vocabulary)",
                     "clips": len(others), "accepted": np.mean([h.accepted for h in heard])})
    else:
        print("flite is not installed (apt-get install flite): its voices are not measured")
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    others = non_commands(seed)
    fa = []
    for name, recognizer in (("full vocabulary", full), ("chapter 8 grammar", chapter8),
                             ("chapter 9 grammar", chapter9)):
        heard = [recognizer.hear(c, sr) for _, c, sr in others]
        kinds = pd.Series([n.split(" '")[0] for n, _, _ in others])
        accepted = pd.Series([h.accepted for h in heard])
        by_kind = accepted.groupby(kinds).mean()
        fa.append({"grammar": name, "false-accept rate (all)": accepted.mean(), **by_kind})
    print("\nfalse accepts on non-command audio (share accepted as a command):")
    print(pd.DataFrame(fa).round(3).to_string(index=False))
    for title, table in tables.items():
        print(f"\nconfusion matrix: {title}")
        print(table.to_string())


def latency(seed: int, repeats: int = 20) -> None:
    torch.manual_seed(seed)
    corpus = load_bach_soprano()
    steering = MelodySteering(MelodyLSTM(corpus.low, corpus.high), steer("a hymn"), sr=16000,
                              seed=seed)
    loop = VoiceLoop(steering.actions())
    spoken = [espeak(w, "en-us") for w in ("higher", "lower", "faster", "slower")]
    loop.handle(*spoken[0])  # warm-up
    total, alone = [], []
    for i in range(repeats):
        clip, sr = spoken[i % 4]
        start = time.perf_counter()
        outcome = loop.handle(clip, sr)
        if outcome.reply.clip is not None:
            buffer = io.BytesIO()
            sf.write(buffer, outcome.reply.clip, outcome.reply.sr, format="WAV")
        total.append(time.perf_counter() - start)
        start = time.perf_counter()
        loop.recognizer.hear(clip, sr)
        alone.append(time.perf_counter() - start)
    accepted = sum(o.heard.accepted for o in loop.history[1:])
    print(f"\nlatency, end of command -> new melody ready to send ({repeats} commands, "
          f"{accepted} accepted and acted on): median {np.median(total) * 1000:.0f} ms, "
          f"worst {np.max(total) * 1000:.0f} ms; recogniser alone (baseline): median "
          f"{np.median(alone) * 1000:.0f} ms, worst {np.max(alone) * 1000:.0f} ms; ratio "
          f"{np.median(total) / np.median(alone):.1f}x; target < 500 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tune", action="store_true",
                        help="first choose the thresholds on the tuning set")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.tune:
        tune(args.seed)
    recognition(args.seed)
    latency(args.seed)


if __name__ == "__main__":
    main()
