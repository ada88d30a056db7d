"""Intelligibility of the digit text-to-speech, measured like WaveGAN's labelling test.

Three digit classifiers (the kit's ``MelClassifier``, seeds 0-2, trained with random time
shifts of up to 3 frames as in the notebook) are trained on FSDD's real training words;
their accuracy on the real held-out words is the ceiling. Each listener's figure is
printed, and their mean: listeners disagree on generated words far more than on real
ones. The conditional VAE of
``aigc_kit.apps.speech`` trains for ``--seconds`` of wall-clock time; 5 words per (digit,
speaker) pair, 300 in all, are generated at the notebook's temperature and classified.
Both figures and their ratio are printed. Target: at least 0.8 of generated words heard
as the intended digit within the notebook's default budget (35 s).

    AIGC_KIT_DATA_MIRROR=../shared/datasets python benchmarks/bench_tts.py
    python benchmarks/bench_tts.py --seconds 35 --temperature 0.5
"""

from __future__ import annotations

import argparse
import time

import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.apps.speech import intelligibility, train_digit_voice
from aigc_kit.features import FSDD_SPEC, fsdd_images
from aigc_kit.models import MelClassifier
from aigc_kit.training import RunConfig, evaluate_classifier, random_time_shift, train_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=35.0, help="TTS training budget (s)")
    parser.add_argument("--temperature", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = get_device()

    x_train, train = fsdd_images("train")
    x_test, test = fsdd_images("test")
    listeners, real = [], []
    for s in range(3):
        seed_everything(args.seed + s)
        listener = MelClassifier(n_classes=10, in_shape=FSDD_SPEC.shape)
        train_classifier(listener, x_train, torch.tensor(train.digit.to_numpy()), epochs=12,
                         lr=3e-3, augment=random_time_shift(3),
                         run=RunConfig(seed=args.seed + s, device=device, progress=False))
        listeners.append(listener)
        real.append(evaluate_classifier(listener, x_test, torch.tensor(test.digit.to_numpy()),
                                        device=device))

    start = time.perf_counter()
    voice, run = train_digit_voice(run=RunConfig(steps=None, max_seconds=args.seconds,
                                                 seed=args.seed, device=device, progress=False))
    voice.temperature = args.temperature
    print(f"conditional VAE: {run.steps} steps in {time.perf_counter() - start:.1f} s")
    scores = []
    for s, listener in enumerate(listeners):
        heard = intelligibility(voice, listener, n_per_pair=5, seed=args.seed)
        scores.append(heard.correct.mean())
        print(f"listener {s}: real held-out words {real[s]:.3f} ({len(test)} words); "
              f"generated words heard as intended {scores[-1]:.3f} ({len(heard)} words)")
    generated, ceiling = sum(scores) / 3, sum(real) / 3
    print(f"mean of 3 listeners: generated {generated:.3f}, real {ceiling:.3f}, ratio "
          f"{generated / ceiling:.3f} (temperature {args.temperature}, {args.seconds:.0f} s "
          f"of training); target: generated >= 0.8")
    worst = heard.groupby("digit").correct.mean().sort_values().head(3)
    print("hardest digits:", {int(d): round(v, 2) for d, v in worst.items()})


if __name__ == "__main__":
    main()
