"""Real held-out sounds through each mel representation and vocoder, judged as audio.

The generators of chapters 4-6 make log-mel images; whatever they make is heard only after a
vocoder turns the image back into a waveform. This benchmark asks how much of a *real* sound
survives that round trip (waveform -> log-mel image -> vocoder -> waveform), which bounds
what any generator using the representation can deliver. Every judgement is made on the
audio, by listeners with their own front ends trained on real recordings only
(:mod:`aigc_kit.evaluation.hearing`), never on the images:

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

Representations (``MelSpec``: rate, window/hop, mel bands x frames): the current presets
``FSDD_SPEC`` and ``NOTES_SPEC`` (32 x 32), and candidates with more bands, shorter hops
(64 frames) and, for notes, 16 kHz. Vocoders:

- ``GL-32``: Griffin-Lim as it is in the kit (``to_audio``: clamped mel pseudo-inverse,
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

from aigc_kit import seed_everything
from aigc_kit.data import TIMBRES, fix_length, fsdd, synth_notes
from aigc_kit.evaluation import lsd, notes_listener, spectral_convergence, speech_listener
from aigc_kit.features import (
    FSDD_SPEC,
    NOTES_SPEC,
    MelSpec,
    clip_pitch,
    hz_to_cents_error,
    mel_to_audio,
    prepare_clips,
    to_audio,
    to_db,
    to_images,
)

WORD_SPECS = {
    "32x32 FSDD_SPEC 8k 48/24ms": FSDD_SPEC,
    "64x32 8k 48/24ms": MelSpec(sr=8000, n_fft=384, hop_length=192, n_mels=64, n_frames=32),
    "32x64 8k 32/12ms": MelSpec(sr=8000, n_fft=256, hop_length=96, n_mels=32, n_frames=64),
    "64x64 8k 32/12ms": MelSpec(sr=8000, n_fft=256, hop_length=96, n_mels=64, n_frames=64),
}
NOTE_SPECS = {
    "32x32 NOTES_SPEC 8k 64/32ms": NOTES_SPEC,
    "64x32 8k 64/32ms": MelSpec(sr=8000, n_fft=512, hop_length=256, n_mels=64, n_frames=32),
    "64x64 8k 64/16ms": MelSpec(sr=8000, n_fft=512, hop_length=128, n_mels=64, n_frames=64),
    "128x64 8k 64/16ms": MelSpec(sr=8000, n_fft=512, hop_length=128, n_mels=128, n_frames=64),
    "64x64 16k 64/16ms": MelSpec(sr=16000, n_fft=1024, hop_length=256, n_mels=64, n_frames=64),
    "128x64 16k 64/16ms": MelSpec(sr=16000, n_fft=1024, hop_length=256, n_mels=128,
                                  n_frames=64),
}
VOCODERS = {"GL-32": (0, 32), "NNLS+GL-32": (50, 32), "NNLS+GL-128": (100, 128)}
PEAK = 0.9  # the peak to_audio scales to
PITCH_TOLERANCE_CENTS = 50.0


def vocode(images: torch.Tensor, spec: MelSpec, name: str) -> np.ndarray:
    """Waveforms ``(n, spec.n_samples)`` from images with the named vocoder (peak 0.9)."""
    nnls_iter, n_iter = VOCODERS[name]
    if nnls_iter == 0:
        return to_audio(images, spec, n_iter=n_iter)  # the kit's Griffin-Lim as it is
    audio = mel_to_audio(to_db(images, spec.top_db), spec.sr, n_fft=spec.n_fft,
                         hop_length=spec.hop_length, n_iter=n_iter, length=spec.n_samples,
                         nnls_iter=nnls_iter)
    peak = audio.abs().amax(dim=-1, keepdim=True).clamp(min=1e-12)
    return (audio * (PEAK / peak)).numpy()


def spectral_errors(audio: np.ndarray, original: np.ndarray, sr: int) -> tuple[float, float]:
    """Mean LSD (dB) and spectral convergence after matching each clip's RMS to the original."""
    rms = np.sqrt(np.mean(audio.astype(np.float64) ** 2, axis=-1, keepdims=True))
    target = np.sqrt(np.mean(original.astype(np.float64) ** 2, axis=-1, keepdims=True))
    matched = (audio * (target / np.maximum(rms, 1e-12))).astype(np.float32)
    n_fft = round(0.064 * sr)
    return (float(np.mean(lsd(matched, original, sr, n_fft=n_fft, hop_length=n_fft // 4))),
            float(np.mean(spectral_convergence(matched, original, n_fft=n_fft,
                                               hop_length=n_fft // 4))))


def pitch_kept(audio: np.ndarray, sr: int, f0_hz: np.ndarray) -> float:
    """Share of clips whose pYIN pitch lies within 50 cents of ``f0_hz`` (NaN counts as lost)."""
    pitch = clip_pitch(audio, sr, fmin=100.0, fmax=1000.0, frame_length=round(0.128 * sr))
    error = np.abs(hz_to_cents_error(pitch, f0_hz))
    return float(np.mean(error <= PITCH_TOLERANCE_CENTS))


def row(label: str, values: dict[str, float | str]) -> None:
    cells = "  ".join(f"{v:>8.3f}" if isinstance(v, float) else f"{v:>8}"
                      for v in values.values())
    print(f"  {label:<14}{cells}", flush=True)


def header(columns: list[str]) -> None:
    print(f"  {'':<14}" + "  ".join(f"{c:>8}" for c in columns), flush=True)


def run_words(n_words: int, vocoders: list[str], seed: int) -> None:
    test = fsdd(split="test")
    keep = np.unique(np.linspace(0, len(test.clips) - 1, n_words).round().astype(int))
    clips = [test.clips[i] for i in keep]
    digits = test.labels["digit"].to_numpy()[keep]
    start = time.perf_counter()
    listener = speech_listener(seed)
    print(f"speech_listener built in {time.perf_counter() - start:.1f} s")
    baseline = listener.accuracy(clips, digits, test.sr)
    print(f"\nWORDS: {len(clips)} FSDD test recordings; speech_listener hears "
          f"{baseline:.3f} of the original recordings as spoken (the 'vs orig' baseline)")
    for name, spec in WORD_SPECS.items():
        original = prepare_clips(clips, test.sr, spec)
        images = to_images(original, spec)
        print(f"\n{name}  ({spec.n_mels} bands x {spec.n_frames} frames, "
              f"{spec.duration_s:.3f} s)")
        header(["heard", "vs orig", "LSD dB", "SC", "rtf"])
        heard = listener.accuracy(original, digits, spec.sr)
        row("original", {"heard": heard, "vs": heard / baseline, "lsd": "-", "sc": "-",
                         "rtf": "-"})
        for vocoder in vocoders:
            seed_everything(seed)
            start = time.perf_counter()
            audio = vocode(images, spec, vocoder)
            rtf = (time.perf_counter() - start) / (len(audio) * spec.duration_s)
            heard = listener.accuracy(audio, digits, spec.sr)
            error, convergence = spectral_errors(audio, original, spec.sr)
            row(vocoder, {"heard": heard, "vs": heard / baseline, "lsd": error,
                          "sc": convergence, "rtf": rtf})


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
    start = time.perf_counter()
    listener = notes_listener(seed)
    print(f"\nnotes_listener built in {time.perf_counter() - start:.1f} s")
    print(f"NOTES: {n_notes} held-out notes (synth_notes seed {1000 + seed}), heard by "
          "notes_listener (48 classes) and pYIN; 'vs orig' divides by the originals' scores")
    for name, spec in NOTE_SPECS.items():
        original, labels, f0_hz = _notes(spec, n_notes, seed)
        images = to_images(original, spec)
        print(f"\n{name}  ({spec.n_mels} bands x {spec.n_frames} frames, "
              f"{spec.duration_s:.3f} s)")
        header(["heard", "vs orig", "pitch", "vs orig", "LSD dB", "SC", "rtf"])
        heard0 = listener.accuracy(original, labels, spec.sr)
        pitch0 = pitch_kept(original, spec.sr, f0_hz)
        row("original", {"heard": heard0, "vs": 1.0, "pitch": pitch0, "vsp": 1.0, "lsd": "-",
                         "sc": "-", "rtf": "-"})
        for vocoder in vocoders:
            seed_everything(seed)
            start = time.perf_counter()
            audio = vocode(images, spec, vocoder)
            rtf = (time.perf_counter() - start) / (len(audio) * spec.duration_s)
            heard = listener.accuracy(audio, labels, spec.sr)
            pitch = pitch_kept(audio, spec.sr, f0_hz)
            error, convergence = spectral_errors(audio, original, spec.sr)
            row(vocoder, {"heard": heard, "vs": heard / heard0, "pitch": pitch,
                          "vsp": pitch / pitch0, "lsd": error, "sc": convergence, "rtf": rtf})


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
