"""Intelligibility of the digit text-to-speech, heard as audio by a judge that never heard FSDD.

Two judges hear every word, always in this order:

1. the **outside judge**, ``aigc_kit.evaluation.speech_judge()``: PocketSphinx's US-English
   recogniser (trained on other speech, never on FSDD or the kit's output) restricted to the
   ten digit words. This is the figure the targets are about;
2. ``speech_listener()``, **in-domain (trained on FSDD)**: an MFCC front end and a logistic
   regression fitted on FSDD's training split, the six voices the digit voice imitates. It
   flatters the voice and is printed beside, never instead.

Three sets of words are heard in one run, for each of ``--seeds``:

- ``real``: the 300 held-out FSDD words (takes 0-4), untouched; the ceiling, and the
  denominator of every ratio (``x real``);
- ``round trip``: the same words through the default ``FSDD_SPEC`` image and the default
  vocoder (``to_images`` then ``vocode``, phases seeded): what the representation keeps;
- ``generated``: the digit voice of ``10_speech_synthesis`` trained for ``--steps`` steps
  with that seed (or loaded from the model cache, ``--cache``; the same voice chapter 10
  loads for seed 0), heard every ``steps / 5`` steps as it trains (60 words, the curve
  printed), then 5 words per (digit, speaker)
  pair, 300 in all, at the notebook's temperature, **vocoded** and heard.

The table gives the mean over the seeds and the spread (sample standard deviation). Then
``say(--text)`` is said in every voice (first seed) and heard whole by the outside judge:
the digit error rate per speaker, beside real held-out takes of the same digits by the same
speaker joined the same way. Targets (issue 22): round trip >= 0.95x, generated >= 0.8x real
by the outside judge.

    AIGC_KIT_DATA_MIRROR=../shared/datasets python benchmarks/bench_tts.py
    python benchmarks/bench_tts.py --seeds 0 --steps 300        # a quick look
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch

from aigc_kit import get_device
from aigc_kit.apps.speech import (
    DIGIT_VOICE_STEPS,
    DigitVoice,
    intelligibility,
    sentences,
    train_digit_voice,
)
from aigc_kit.evaluation import IN_DOMAIN, OUTSIDE, speech_judge, speech_listener
from aigc_kit.features import FSDD_SPEC, fsdd_waveforms, to_images, vocode
from aigc_kit.training import RunConfig


def one_seed(args: argparse.Namespace, seed: int, audio: np.ndarray, digits: np.ndarray,
             device: torch.device) -> tuple[dict[tuple[str, str], float], DigitVoice]:
    """Shares heard as intended of the three sets by both judges for one seed, and the voice."""
    judge, listener = speech_judge(), speech_listener()
    sr = FSDD_SPEC.sr
    trip = vocode(to_images(audio, FSDD_SPEC), FSDD_SPEC, seed=seed)
    start = time.perf_counter()
    voice = train_digit_voice(run=RunConfig(steps=args.steps, seed=seed, device=device,
                                            progress=False), cache=args.cache,
                              curve_every=max(args.steps // 5, 1))
    voice.temperature = args.temperature
    made = "loaded from the cache" if voice.meta.get("cached") else "trained"
    curve = ", ".join(f"{p['step']}: {p['outside']:.2f} ({p['in_domain']:.2f})"
                      for p in voice.meta["curve"])
    print(f"seed {seed}: digit voice {made}, {voice.meta.get('steps', args.steps)} steps, "
          f"{time.perf_counter() - start:.1f} s; heard as it trained (60 words, outside "
          f"(in-domain)): {curve}", flush=True)
    heard = intelligibility(voice, judge, n_per_pair=5, seed=seed, listener=listener)
    scores = {("real", OUTSIDE): judge.accuracy(audio, digits, sr),
              ("real", IN_DOMAIN): listener.accuracy(audio, digits, sr),
              ("round trip", OUTSIDE): judge.accuracy(trip, digits, sr),
              ("round trip", IN_DOMAIN): listener.accuracy(trip, digits, sr),
              ("generated", OUTSIDE): float(heard.correct.mean()),
              ("generated", IN_DOMAIN): float(heard.correct_in_domain.mean())}
    print(f"seed {seed}: " + "; ".join(f"{name} {value:.3f}" for name, value in (
        ("real (outside)", scores[("real", OUTSIDE)]),
        ("round trip", scores[("round trip", OUTSIDE)]),
        ("generated", scores[("generated", OUTSIDE)]),
        ("in-domain real", scores[("real", IN_DOMAIN)]),
        ("round trip", scores[("round trip", IN_DOMAIN)]),
        ("generated", scores[("generated", IN_DOMAIN)]))), flush=True)
    return scores, voice


def summary(runs: list[dict[tuple[str, str], float]]) -> pd.DataFrame:
    """Mean, spread and ratio against real words per set, outside judge first."""
    frame = pd.DataFrame(runs)
    rows = {}
    for name in ("real", "round trip", "generated"):
        row = {}
        for judge, label in ((OUTSIDE, "outside"), (IN_DOMAIN, "in-domain")):
            values = frame[(name, judge)]
            real = frame[("real", judge)]
            row[f"{label} mean"] = values.mean()
            row[f"{label} sd"] = values.std(ddof=1) if len(values) > 1 else float("nan")
            row[f"{label} x real"] = (values / real).mean()
        rows[name] = row
    return pd.DataFrame(rows).T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=DIGIT_VOICE_STEPS,
                        help="training steps of the digit voice")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--temperature", type=float, default=0.2)
    parser.add_argument("--cache", action="store_true",
                        help="load (or train and store) each voice in the model cache")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--text", default="2026")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = get_device()
    audio, labels = fsdd_waveforms("test")
    digits = labels.digit.to_numpy()
    print(f"{len(audio)} held-out FSDD words; FSDD_SPEC {FSDD_SPEC.n_mels}x{FSDD_SPEC.n_frames},"
          f" hop {1000 * FSDD_SPEC.hop_length / FSDD_SPEC.sr:.0f} ms; outside judge: "
          f"{OUTSIDE}; beside it: {IN_DOMAIN}", flush=True)
    runs, voices = zip(*[one_seed(args, seed, audio, digits, device) for seed in args.seeds],
                       strict=True)
    print(f"\nheard as intended, seeds {args.seeds} (mean, sd; x real: ratio to real words "
          "by the same judge in the same run)")
    print(summary(list(runs)).to_string(float_format=lambda v: f"{v:.3f}"))
    table = sentences(voices[0], args.text, seed=args.seeds[0])
    print(f'\nsay("{args.text}") per speaker (seed {args.seeds[0]}): outside judge\'s digit '
          "error rate, generated vs real takes; word accuracy by both judges")
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))
    print(f"mean digit error rate: generated {table.digit_error_rate.astype(float).mean():.2f},"
          f" real {table.real_digit_error_rate.astype(float).mean():.2f}")


if __name__ == "__main__":
    main()
