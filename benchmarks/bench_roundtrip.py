"""Real held-out sounds through each mel representation and vocoder, judged as audio.

The generators of chapters 4-6 make log-mel images; whatever they make is heard only after a
vocoder turns the image back into a waveform. This benchmark asks how much of a *real* sound
survives that round trip (waveform -> log-mel image -> vocoder -> waveform), which bounds
what any generator using the representation can deliver. Every judgement is made on the
audio, by listeners with their own front ends trained on real recordings only
(:mod:`aigc_kit.evaluation.machine_listeners`), never on the images:

- words: the FSDD test split (takes 0-4, ``--words`` of the 300, spread over digits and
  speakers), prepared as ``fsdd_images`` does (trimmed, centred in the image's window,
  -20 dBFS). ``heard``: share recognised as the spoken digit by ``speech_listener()``;
  ``vs orig``: that share divided by the same listener's score on the original, untouched
  recordings (measured in the same run);
- notes: held-out notes of ``load_mel_dataset("notes")`` (``synth_notes`` seed 1000 +
  ``--seed``, unseen by the listener), synthesised at the representation's rate and length.
  ``heard``: share recognised as the intended timbre and pitch (48 classes) by
  ``notes_listener()``; ``pitch``: share whose pYIN pitch (``clip_pitch``, median over voiced
  frames, 100-1000 Hz, 128 ms frames) lies within 50 cents of the note; ``vs orig``: the
  same divided by the originals' scores;
- for both: log-spectral distance (``lsd``, dB, floor -80 dB) and spectral convergence
  (``spectral_convergence``) against the time-aligned original on a 64 ms / 16 ms STFT at the
  representation's rate, after scaling the vocoded clip to the original's RMS (the images
  carry no level); ``rtf``: seconds of vocoder compute per second of audio (``--threads``
  CPU threads), images -> waveforms.

Representations (``MelSpec``: rate, window/hop, mel bands x frames): the first kit's presets
``FSDD_SPEC_32`` and ``NOTES_SPEC_32`` (32 x 32), the presets chosen from this table
(``FSDD_SPEC`` and ``NOTES_SPEC``, 64 x 32; ``FSDD_SPEC_64`` at a 12 ms hop), and other
candidates with more bands, shorter hops and, for notes, 16 kHz. Each table comes from
:func:`aigc_kit.evaluation.judge_vocoders`. Vocoders (``aigc_kit.features.VOCODERS``):

- ``GL-32``: Griffin-Lim as the first kit did it (clamped mel pseudo-inverse,
  32 iterations, momentum 0.99);
- ``NNLS+GL-32``: the clamped pseudo-inverse refined into the non-negative least-squares
  spectrum (50 FISTA steps, ``mel_to_audio(nnls_iter=50)``), then the same 32 iterations;
- ``NNLS+GL-128``: 100 NNLS steps and 128 Griffin-Lim iterations ("done well").

Rows ``original`` give the listeners' scores on the time-aligned originals of each
representation (for words: the recording cropped to the image's window), the ceiling for
that representation.

    python benchmarks/bench_roundtrip.py                       # 300 words, 144 notes
    python benchmarks/bench_roundtrip.py --words 100 --notes 48
    python benchmarks/bench_roundtrip.py --kinds notes --vocoders GL-32 NNLS+GL-32
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from aigc_kit.data import TIMBRES, fix_length, fsdd, synth_notes
from aigc_kit.evaluation import judge_vocoders, notes_listener, speech_listener
from aigc_kit.features import FSDD_SPEC_32, NOTES_SPEC_32, VOCODERS, MelSpec, prepare_clips

WORD_SPECS = {
    "32x32 FSDD_SPEC_32 8k 48/24ms": FSDD_SPEC_32,
    "64x32 FSDD_SPEC 8k 48/24ms": MelSpec(sr=8000, n_fft=384, hop_length=192, n_mels=64,
                                         n_frames=32),
    "32x64 8k 32/12ms": MelSpec(sr=8000, n_fft=256, hop_length=96, n_mels=32, n_frames=64),
    "64x64 FSDD_SPEC_64 8k 32/12ms": MelSpec(sr=8000, n_fft=256, hop_length=96, n_mels=64,
                                         n_frames=64),
}
NOTE_SPECS = {
    "32x32 NOTES_SPEC_32 8k 64/32ms": NOTES_SPEC_32,
    "64x32 NOTES_SPEC 8k 64/32ms": MelSpec(sr=8000, n_fft=512, hop_length=256, n_mels=64,
                                            n_frames=32),
    "64x64 8k 64/16ms": MelSpec(sr=8000, n_fft=512, hop_length=128, n_mels=64, n_frames=64),
    "128x64 8k 64/16ms": MelSpec(sr=8000, n_fft=512, hop_length=128, n_mels=128, n_frames=64),
    "64x64 16k 64/16ms": MelSpec(sr=16000, n_fft=1024, hop_length=256, n_mels=64, n_frames=64),
    "128x64 16k 64/16ms": MelSpec(sr=16000, n_fft=1024, hop_length=256, n_mels=128,
                                  n_frames=64),
}
def run_words(n_words: int, vocoders: list[str], seed: int) -> None:
    test = fsdd(split="test")
    keep = np.unique(np.linspace(0, len(test.clips) - 1, n_words).round().astype(int))
    clips = [test.clips[i] for i in keep]
    digits = test.labels["digit"].to_numpy()[keep]
    listener = speech_listener(seed)
    baseline = listener.accuracy(clips, digits, test.sr)
    print(f"\nWORDS: {len(clips)} FSDD test recordings; speech_listener hears "
          f"{baseline:.3f} of the original recordings as spoken")
    for name, spec in WORD_SPECS.items():
        original = prepare_clips(clips, test.sr, spec)
        print(f"\n{name}  ({spec.n_mels} bands x {spec.n_frames} frames, "
              f"{spec.duration_s:.3f} s); heard_vs_original divides by the cropped originals")
        table = judge_vocoders({v: VOCODERS[v] for v in vocoders}, original, digits, spec,
                               listener, seed=seed)
        print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)


def _notes(spec: MelSpec, n_notes: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out notes at the spec's rate and length: waveforms, class labels, f0 in Hz."""
    n_variants = -(-n_notes // 48)
    notes = synth_notes(loudness_db=(-20.0,), n_variants=n_variants, duration_s=spec.duration_s,
                        sr=spec.sr, seed=1000 + seed)
    keep = np.unique(np.linspace(0, len(notes.clips) - 1, n_notes).round().astype(int))
    table = notes.labels.iloc[keep]
    timbre = table["timbre"].map({t: i for i, t in enumerate(TIMBRES)}).to_numpy()
    labels = timbre * 12 + table["midi"].to_numpy() - 60
    waveforms = fix_length(np.stack([notes.clips[i] for i in keep]), spec.n_samples)
    return waveforms, labels.astype(int), table["f0_hz"].to_numpy()


def run_notes(n_notes: int, vocoders: list[str], seed: int) -> None:
    listener = notes_listener(seed)
    print(f"\nNOTES: {n_notes} held-out notes (synth_notes seed {1000 + seed}), heard by "
          "notes_listener (48 classes) and pYIN")
    for name, spec in NOTE_SPECS.items():
        original, labels, f0_hz = _notes(spec, n_notes, seed)
        print(f"\n{name}  ({spec.n_mels} bands x {spec.n_frames} frames, "
              f"{spec.duration_s:.3f} s)")
        table = judge_vocoders({v: VOCODERS[v] for v in vocoders}, original, labels, spec,
                               listener, f0_hz=f0_hz, seed=seed)
        print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=300, help="FSDD test words (<= 300)")
    parser.add_argument("--notes", type=int, default=144, help="held-out notes (48 per variant)")
    parser.add_argument("--kinds", nargs="+", choices=("words", "notes"),
                        default=["words", "notes"])
    parser.add_argument("--vocoders", nargs="+", choices=tuple(VOCODERS), default=list(VOCODERS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not 1 <= args.words <= 300 or args.notes < 1:
        parser.error("need 1 <= --words <= 300 and --notes >= 1")
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    runs: dict[str, Callable[[], None]] = {
        "words": lambda: run_words(args.words, args.vocoders, args.seed),
        "notes": lambda: run_notes(args.notes, args.vocoders, args.seed),
    }
    for kind in args.kinds:
        runs[kind]()
    print(f"\ntotal {time.perf_counter() - start:.0f} s on {args.threads} threads")


if __name__ == "__main__":
    main()
