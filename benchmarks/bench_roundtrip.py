"""Real held-out sounds through each mel representation and vocoder, judged as audio.

The generators of chapters 4-6 make log-mel images; whatever they make is heard only after a
vocoder turns the image back into a waveform. This benchmark asks how much of a *real* sound
survives that round trip (waveform -> log-mel image -> vocoder -> waveform), which bounds
what any generator using the representation can deliver. Every judgement is made on the
audio, never on the images:

- words: FSDD recordings (``--split test``: the 300 held-out takes 0-4; ``--split all``: all
  3,000, for tighter figures; ``--words`` of them, spread over digits and speakers), prepared
  as ``fsdd_images`` does (trimmed, centred in the image's window, -20 dBFS). ``heard``:
  share recognised as the spoken digit by the **outside judge**
  (``aigc_kit.evaluation.speech_judge()``: PocketSphinx's US-English recogniser restricted
  to the ten digit words, which never heard FSDD); ``heard_vs_original``: that share
  divided by the same judge's score on the time-aligned originals (measured in the same
  run). ``in_domain``: the same by ``speech_listener()`` (trained on FSDD's training split,
  the six voices of the test words; labelled in-domain, for comparison only);
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
``FSDD_SPEC_32`` and ``NOTES_SPEC_32`` (32 x 32), the 24 ms spoken-digit preset
``FSDD_SPEC_24MS`` (64 x 32, the default before the outside judge), the default ``FSDD_SPEC``
(12 ms hop, 64 x 64) and ``NOTES_SPEC``, and other candidates with more bands, other windows
and hops and, for notes, 16 kHz. Each table comes from
:func:`aigc_kit.evaluation.judge_vocoders`. Vocoders (``aigc_kit.features.VOCODERS``):

- ``GL-32``: Griffin-Lim as the first kit did it (clamped mel pseudo-inverse,
  32 iterations, momentum 0.99);
- ``NNLS+GL-32``: the clamped pseudo-inverse refined into the non-negative least-squares
  spectrum (50 FISTA steps, ``mel_to_audio(nnls_iter=50)``), then the same 32 iterations;
- ``NNLS+GL-128``: 100 NNLS steps and 128 Griffin-Lim iterations ("done well");
- ``trained+GL-32`` (words, with ``--trained-steps`` > 0): chapter 6's trained vocoder
  (``train_vocoder``, a spectral inverter fitted on the FSDD *training* split for
  ``--trained-steps`` steps), then Griffin-Lim; only with ``--split test``, so it never
  hears a word it was trained on.

Rows ``original`` give the judges' scores on the time-aligned originals of each
representation (for words: the recording cropped to the image's window), the ceiling for
that representation.

    python benchmarks/bench_roundtrip.py                       # 300 words, 144 notes
    python benchmarks/bench_roundtrip.py --kinds words --split all --words 1000
    python benchmarks/bench_roundtrip.py --words 100 --notes 48 --trained-steps 0
    python benchmarks/bench_roundtrip.py --kinds notes --vocoders GL-32 NNLS+GL-32
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from aigc_kit.data import TIMBRES, fix_length, fsdd, synth_notes
from aigc_kit.evaluation import (
    IN_DOMAIN,
    judge_vocoders,
    notes_listener,
    speech_judge,
    speech_listener,
)
from aigc_kit.features import (
    FSDD_SPEC,
    FSDD_SPEC_24MS,
    FSDD_SPEC_32,
    FSDD_SPEC_32MS,
    NOTES_SPEC_32,
    VOCODERS,
    MelSpec,
    fsdd_waveforms,
    prepare_clips,
)
from aigc_kit.training import RunConfig, train_vocoder

WORD_SPECS = {
    "32x32 FSDD_SPEC_32 8k 48/24ms": FSDD_SPEC_32,
    "64x32 FSDD_SPEC_24MS 8k 48/24ms": FSDD_SPEC_24MS,
    "64x64 FSDD_SPEC_32MS 8k 32/12ms": FSDD_SPEC_32MS,
    "64x64 FSDD_SPEC 8k 40/12ms": FSDD_SPEC,
    "80x64 8k 32/12ms": MelSpec(sr=8000, n_fft=256, hop_length=96, n_mels=80, n_frames=64),
    "64x80 8k 32/10ms": MelSpec(sr=8000, n_fft=256, hop_length=80, n_mels=64, n_frames=80),
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
class _BothJudges:
    """The outside judge's ``accuracy`` for ``judge_vocoders``; the in-domain one kept aside."""

    def __init__(self) -> None:
        self.judge, self.listener = speech_judge(), speech_listener()
        self.in_domain: list[float] = []

    def accuracy(self, audio: np.ndarray, labels: np.ndarray, sr: int) -> float:
        self.in_domain.append(self.listener.accuracy(audio, labels, sr))
        return self.judge.accuracy(audio, labels, sr)


def _words(split: str, n_words: int) -> tuple[list[np.ndarray], np.ndarray, int]:
    """``n_words`` FSDD recordings of ``split`` spread over digits and speakers."""
    data = fsdd(split=None if split == "all" else split)
    keep = np.unique(np.linspace(0, len(data.clips) - 1, n_words).round().astype(int))
    return [data.clips[i] for i in keep], data.labels["digit"].to_numpy()[keep], data.sr


def run_words(n_words: int, vocoders: list[str], seed: int, split: str,
              trained_steps: int) -> None:
    clips, digits, sr = _words(split, n_words)
    both = _BothJudges()
    print(f"\nWORDS: {len(clips)} FSDD recordings ({split}); the outside judge hears "
          f"{both.judge.accuracy(clips, digits, sr):.3f} of the untouched recordings as "
          f"spoken ({IN_DOMAIN}: {both.listener.accuracy(clips, digits, sr):.3f})")
    for name, spec in WORD_SPECS.items():
        original = prepare_clips(clips, sr, spec)
        chosen = {v: VOCODERS[v] for v in vocoders}
        if trained_steps and split == "test":
            train_audio, _ = fsdd_waveforms("train", spec=spec)
            trained = train_vocoder(train_audio, spec, run=RunConfig(
                steps=trained_steps, seed=seed, progress=False))
            chosen[trained.name] = trained
        print(f"\n{name}  ({spec.n_mels} bands x {spec.n_frames} frames, "
              f"{spec.duration_s:.3f} s); heard: outside judge; heard_vs_original divides by "
              "the cropped originals")
        both.in_domain.clear()
        table = judge_vocoders(chosen, original, digits, spec, both, seed=seed)
        table.insert(2, "in_domain", both.in_domain)
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
    parser.add_argument("--words", type=int, default=300,
                        help="FSDD words (<= 300 of the test split, <= 3000 of all)")
    parser.add_argument("--split", choices=("test", "all"), default="test",
                        help="the held-out takes, or every recording (no trained vocoder)")
    parser.add_argument("--trained-steps", type=int, default=300,
                        help="steps of the trained vocoder per word spec (0: none)")
    parser.add_argument("--notes", type=int, default=144, help="held-out notes (48 per variant)")
    parser.add_argument("--kinds", nargs="+", choices=("words", "notes"),
                        default=["words", "notes"])
    parser.add_argument("--vocoders", nargs="+", choices=tuple(VOCODERS), default=list(VOCODERS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not 1 <= args.words <= (300 if args.split == "test" else 3000) or args.notes < 1:
        parser.error("need 1 <= --words <= 300 (3000 with --split all) and --notes >= 1")
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    runs: dict[str, Callable[[], None]] = {
        "words": lambda: run_words(args.words, args.vocoders, args.seed, args.split,
                                   args.trained_steps),
        "notes": lambda: run_notes(args.notes, args.vocoders, args.seed),
    }
    for kind in args.kinds:
        runs[kind]()
    print(f"\ntotal {time.perf_counter() - start:.0f} s on {args.threads} threads")


if __name__ == "__main__":
    main()
