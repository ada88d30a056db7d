"""Benchmark: the kit's batched PyTorch log-mel against per-clip librosa.

Both compute the same thing (power mel spectrogram, Slaney filterbank, dB relative to
each clip's maximum, 80 dB range) on the same clips; the script checks that the two
results agree before reporting the speed-up. Both sides get the same thread budget:
``torch.set_num_threads`` for the kit, ``threadpoolctl`` (BLAS) for librosa.

    python benchmarks/bench_features.py                  # 1,000 synthetic one-second notes
    python benchmarks/bench_features.py --data fsdd      # FSDD (needs AIGC_KIT_DATA_MIRROR)

The approach is taught in ``03_feature_extraction``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable

import librosa
import numpy as np
import torch
from threadpoolctl import threadpool_limits

from aigc_kit.data import TIMBRES, fix_length, synth_notes
from aigc_kit.features import log_mel

N_FFT, HOP, N_MELS, TOP_DB = 1024, 256, 64, 80.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000, help="number of clips")
    parser.add_argument("--seconds", type=float, default=1.0, help="clip length in s")
    parser.add_argument("--sr", type=int, default=16000, help="sample rate in Hz")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for both sides")
    parser.add_argument("--batch", type=int, default=None,
                        help="clips per log_mel call (default: all clips in one call)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--data", choices=["synth", "fsdd"], default="synth",
                        help="synthetic notes, or FSDD from AIGC_KIT_DATA_MIRROR")
    return parser.parse_args(argv)


def build_clips(data: str, n_clips: int, seconds: float, sr: int) -> np.ndarray:
    """``n_clips`` float32 clips of ``seconds`` each, shape ``(n_clips, n_samples)``."""
    n_samples = round(seconds * sr)
    if data == "fsdd":
        if not os.environ.get("AIGC_KIT_DATA_MIRROR"):
            sys.exit("--data fsdd needs AIGC_KIT_DATA_MIRROR pointing at a local FSDD copy")
        from aigc_kit.data import fsdd

        recordings = fsdd(sr=sr)
        pick = np.linspace(0, len(recordings) - 1, min(n_clips, len(recordings))).astype(int)
        return np.stack([fix_length(recordings.clips[i], n_samples) for i in pick])
    per_variant = 12 * len(TIMBRES) * 3  # the default pitches x timbres x loudness levels
    notes = synth_notes(n_variants=math.ceil(n_clips / per_variant), duration_s=seconds, sr=sr)
    return notes.to_array(n_samples)[:n_clips]


def kit_log_mel(clips: np.ndarray, sr: int, batch: int | None) -> np.ndarray:
    """The kit: one batched ``log_mel`` call (or one per ``batch`` clips)."""
    batch = batch or len(clips)
    return np.concatenate([
        log_mel(clips[i : i + batch], sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                top_db=TOP_DB).numpy()
        for i in range(0, len(clips), batch)
    ])


def librosa_log_mel(clips: np.ndarray, sr: int) -> np.ndarray:
    """The baseline: ``melspectrogram`` + ``power_to_db`` one clip at a time."""
    return np.stack([
        librosa.power_to_db(
            librosa.feature.melspectrogram(y=clip, sr=sr, n_fft=N_FFT, hop_length=HOP,
                                           n_mels=N_MELS),
            ref=np.max, top_db=TOP_DB,
        )
        for clip in clips
    ])


def best_time(run: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    """Best wall time in s over ``repeats`` runs (after one warm-up) and the result."""
    result = run()  # warm-up: caches, allocator, FFT plans
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    clips = build_clips(args.data, args.clips, args.seconds, args.sr)
    print(f"{len(clips)} {args.data} clips of {args.seconds:g} s at {args.sr} Hz; "
          f"n_fft={N_FFT}, hop={HOP}, n_mels={N_MELS}, top_db={TOP_DB:g}; "
          f"{args.threads} threads; best of {args.repeats}")
    kit_s, ours = best_time(lambda: kit_log_mel(clips, args.sr, args.batch), args.repeats)
    with threadpool_limits(limits=args.threads):
        base_s, ref = best_time(lambda: librosa_log_mel(clips, args.sr), args.repeats)
    diff = np.abs(ours - ref)
    print(f"max |kit - librosa|: {diff.max():.4f} dB over all bins, "
          f"{diff[ref > -60.0].max():.4f} dB over bins above -60 dB")
    print(f"log-mel over {len(clips)} clips: kit {kit_s:.2f} s, librosa per-clip "
          f"{base_s:.2f} s, speed-up {base_s / kit_s:.1f}x")
    return 0 if diff.max() < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
