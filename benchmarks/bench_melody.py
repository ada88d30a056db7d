"""Melody generators against two baselines on held-out Bach chorales, measured in one run.

The Bach chorale soprano corpus (music21, cached in ``data/bach_soprano.npz``) is split by
tune (85 % training, 15 % held out). The conditioned LSTM trains for ``--lstm-seconds``
and the window VAE for ``--vae-seconds`` of wall-clock time (the kit's loop with its cosine
learning-rate schedule, the melody trainers' default; the step counts, and so the figures,
vary a little with the machine's load); then every generator makes as
many melodies as are held out, ``--repeats`` times, and the script prints the
total-variation distances of the pooled pitch-class and interval histograms to the
held-out melodies (mean and sd over the repeats), lower is better:

- ``random walk``: chromatic steps uniform in -2..+2 semitones from a real first note,
  reflected into the training range, durations drawn from the training durations;
- ``shuffled corpus``: real training melodies with their notes in random order. Its
  pitch-class histogram is real Bach's by construction, so its pitch-class distance is
  the floor of that metric and "beating" it there is noise; the interval histogram is
  the fair comparison with it;
- ``real (train)``: unshuffled training melodies, the floor of both metrics.

Target: each model (the LSTM and the VAE) beats the random walk on both distances and the
shuffled corpus on the interval distance (and, for the record, is compared with it on pitch
class too, where only a gap beyond the draws' standard deviation would mean anything).

    python benchmarks/bench_melody.py                  # about 80 s on 2 cores
    python benchmarks/bench_melody.py --lstm-seconds 90 --temperature 0.9 --repeats 10
"""

from __future__ import annotations

import argparse
import time

import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.apps.music import (
    MelodyLSTM,
    MelodyVAE,
    compare_to_baselines,
    load_bach_soprano,
    lstm_log_likelihood,
    train_melody_lstm,
    train_melody_vae,
    verdict,
)
from aigc_kit.training import RunConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lstm-seconds", type=float, default=45.0)
    parser.add_argument("--vae-seconds", type=float, default=20.0)
    parser.add_argument("--temperature", type=float, default=1.0, help="LSTM sampling")
    parser.add_argument("--vae-temperature", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1 is fastest for these small models on a "
                             "shared machine)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = get_device()
    began = time.perf_counter()
    corpus = load_bach_soprano()
    train, test = corpus.split(seed=args.seed)
    print(f"corpus: {len(corpus)} chorales, {corpus.n_notes} notes ({corpus.source}); "
          f"train {len(train)} / held-out {len(test)} melodies; device {device}")
    seed_everything(args.seed)  # the LSTM's initial weights (the VAE's follow its training)
    lstm = MelodyLSTM(corpus.low, corpus.high)
    result = train_melody_lstm(lstm, train,
                               run=RunConfig(steps=None, max_seconds=args.lstm_seconds,
                                             seed=args.seed, device=device, progress=False))
    print(f"LSTM: {result}")
    ll = lstm_log_likelihood(lstm, test)
    print(f"LSTM held-out cross-entropy: pitch {ll['pitch_ce']:.3f} nats/note "
          f"(uniform {torch.log(torch.tensor(float(corpus.n_pitches))):.3f}), "
          f"duration {ll['duration_ce']:.3f}")
    vae = MelodyVAE(corpus.low, corpus.high)
    result = train_melody_vae(vae, train,
                              run=RunConfig(steps=None, max_seconds=args.vae_seconds,
                                            seed=args.seed, device=device, progress=False))
    print(f"VAE: {result}")
    table = compare_to_baselines(train, test, lstm, vae, args.temperature, args.repeats,
                                 args.seed, vae_temperature=args.vae_temperature)
    print(f"\nhistogram distances to {len(test)} held-out melodies (total variation, lower "
          f"is closer; temperature LSTM {args.temperature}, VAE {args.vae_temperature}; "
          f"{args.repeats} draws):")
    print(table.round(4).to_string())
    print()
    for line in verdict(table, ["LSTM", "VAE"]):
        print(line)
    print(f"\ntotal {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
