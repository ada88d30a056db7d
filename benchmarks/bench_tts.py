"""Intelligibility of the digit text-to-speech, heard as audio (WaveGAN's labelling test).

The listener is ``aigc_kit.evaluation.speech_listener()``: an MFCC front end (25 ms / 10 ms,
40 bands, not the generator's log-mel image) and a logistic regression, trained on FSDD's
real training recordings only. Its accuracy on the real held-out recordings is the ceiling;
its accuracy on the same recordings after the round trip through ``FSDD_SPEC`` and the kit's
vocoder (``to_images`` then ``to_audio``) is what the representation keeps. The conditional
VAE of ``aigc_kit.apps.speech`` trains for ``--steps`` steps (the notebook's default, 1,000,
about 30 s on 2 cores: a step budget gives the same voice on a busy machine); 5 words per
(digit, speaker) pair, 300 in all, are generated at the notebook's temperature, **vocoded**
and heard. ``say(--text)`` is heard word by word. Target: generated words heard as intended
at >= 0.9x the rate of the real held-out recordings, within the notebook's default budget.

    AIGC_KIT_DATA_MIRROR=../shared/datasets python benchmarks/bench_tts.py
    python benchmarks/bench_tts.py --seed 1 --temperature 0.5   # less typical words
"""

from __future__ import annotations

import argparse
import time

import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.apps.speech import (
    DIGIT_VOICE_STEPS,
    intelligibility,
    say_words,
    train_digit_voice,
)
from aigc_kit.evaluation import speech_listener
from aigc_kit.features import FSDD_SPEC, fsdd_waveforms, to_audio, to_images
from aigc_kit.training import RunConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=DIGIT_VOICE_STEPS,
                        help="TTS training steps")
    parser.add_argument("--temperature", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--text", default="2026")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = get_device()

    listener = speech_listener()
    test_audio, test = fsdd_waveforms("test")
    digits = test.digit.to_numpy()
    real = listener.accuracy(test_audio, digits, FSDD_SPEC.sr)
    torch.manual_seed(args.seed)
    trip = listener.accuracy(to_audio(to_images(test_audio, FSDD_SPEC), FSDD_SPEC), digits,
                             FSDD_SPEC.sr)
    print(f"speech_listener: real held-out words {real:.3f}, through {FSDD_SPEC.n_mels}x"
          f"{FSDD_SPEC.n_frames} images + vocoder {trip:.3f} ({len(test)} words)")

    start = time.perf_counter()
    voice = train_digit_voice(run=RunConfig(steps=args.steps, seed=args.seed,
                                            device=device, progress=False))
    voice.temperature = args.temperature
    print(f"conditional VAE: {voice.result.steps} steps in {time.perf_counter() - start:.1f} s")
    heard = intelligibility(voice, listener, n_per_pair=5, seed=args.seed)
    generated = heard.correct.mean()
    print(f"generated words heard as intended (vocoded, {len(heard)} words): {generated:.3f}; "
          f"real {real:.3f}; ratio {generated / real:.3f} (target >= 0.9; temperature "
          f"{args.temperature}, {voice.result.steps} steps of training)")
    worst = heard.groupby("digit").correct.mean().sort_values().head(3)
    print("hardest digits:", {int(d): round(v, 2) for d, v in worst.items()})
    for speaker in voice.speakers:
        words = say_words(voice, args.text, speaker, seed=args.seed)
        said = "".join(str(d) for d in listener.predict(words, FSDD_SPEC.sr))
        print(f'say("{args.text}", {speaker}) heard as "{said}"')


if __name__ == "__main__":
    main()
