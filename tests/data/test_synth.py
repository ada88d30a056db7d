"""Tests for the embedded synthetic-notes dataset (aigc_kit.data.synth)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from aigc_kit.data import AudioSet, rms_db
from aigc_kit.data.synth import (
    TIMBRES,
    _fit_rms_db,
    midi_to_hz,
    midi_to_note,
    synth_note,
    synth_notes,
)

SR = 16000


@pytest.fixture(scope="module")
def default_set() -> AudioSet:
    return synth_notes()


def _peak_frequency(x: np.ndarray, sr: int, near_hz: float) -> float:
    """Frequency in Hz of the largest spectral peak within 20% of ``near_hz``."""
    n_fft = 8 * len(x)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n_fft))
    freqs = np.fft.rfftfreq(n_fft, 1 / sr)
    band = np.flatnonzero(np.abs(freqs - near_hz) < 0.2 * near_hz)
    i = band[np.argmax(spectrum[band])]
    a, b, c = np.log(spectrum[i - 1 : i + 2])
    return (i + 0.5 * (a - c) / (a - 2 * b + c)) * sr / n_fft  # parabolic interpolation


def _harmonic_profile(x: np.ndarray, sr: int, f0: float, n_harmonics: int = 8) -> np.ndarray:
    """Level of harmonics 1..n in dB relative to the fundamental, floored at -60 dB."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    levels = np.array(
        [spectrum[np.abs(freqs - k * f0) < f0 / 4].max() for k in range(1, n_harmonics + 1)]
    )
    return np.maximum(20 * np.log10(levels / levels[0]), -60.0)


def test_same_seed_is_bit_identical_and_other_seed_differs(default_set: AudioSet) -> None:
    again = synth_notes()
    assert all(np.array_equal(a, b) for a, b in zip(default_set.clips, again.clips, strict=True))
    pd.testing.assert_frame_equal(default_set.labels, again.labels)
    other = synth_notes(seed=1)
    n_equal = sum(np.array_equal(a, b) for a, b in zip(default_set.clips, other.clips, strict=True))
    assert n_equal == 0


def test_a_note_does_not_depend_on_the_other_notes_rendered(default_set: AudioSet) -> None:
    one = synth_notes(pitches=[64], timbres=["bell"], loudness_db=(-30.0, -20.0, -12.0))
    labels = default_set.labels
    index = np.flatnonzero((labels.midi == 64) & (labels.timbre == "bell"))
    assert len(one) == 3
    for clip, i in zip(one.clips, index, strict=True):
        np.testing.assert_array_equal(clip, default_set.clips[i])


def test_labels_cover_every_combination_once(default_set: AudioSet) -> None:
    labels = default_set.labels
    assert list(labels.columns) == [
        "midi", "note", "f0_hz", "timbre", "loudness", "loudness_db", "variant"
    ]
    assert len(default_set) == 12 * 4 * 3 == len(labels)
    combos = labels[["midi", "timbre", "loudness", "variant"]].drop_duplicates()
    assert len(combos) == len(labels)
    assert sorted(labels.midi.unique()) == list(range(60, 72))
    assert set(labels.timbre) == set(TIMBRES) and len(TIMBRES) >= 4
    assert labels.midi.dtype.kind == "i" and labels.variant.dtype.kind == "i"
    assert labels.f0_hz.dtype.kind == "f"
    levels = labels.groupby("loudness").loudness_db.first().to_dict()
    assert levels == {"soft": -30.0, "medium": -20.0, "loud": -12.0}


def test_note_names_and_equal_temperament() -> None:
    assert midi_to_note(60) == "C4" and midi_to_note(61) == "C#4" and midi_to_note(69) == "A4"
    assert midi_to_note(59) == "B3"
    assert midi_to_hz(69) == pytest.approx(440.0)
    assert midi_to_hz(60) == pytest.approx(261.6255653, rel=1e-9)
    labels = synth_notes(pitches=[57, 69, 81], timbres=["organ"]).labels
    assert labels.f0_hz.tolist() == pytest.approx([220.0] * 3 + [440.0] * 3 + [880.0] * 3)
    assert labels.note.unique().tolist() == ["A3", "A4", "A5"]


def test_variants_are_distinct_notes() -> None:
    notes = synth_notes(pitches=[62], timbres=["pluck"], loudness_db={"mf": -20.0}, n_variants=3)
    assert notes.labels.variant.tolist() == [0, 1, 2]
    assert notes.labels.loudness.tolist() == ["mf"] * 3
    for a, b in itertools.combinations(notes.clips, 2):
        assert not np.allclose(a, b)


def test_durations_and_dtype(default_set: AudioSet) -> None:
    assert np.all(default_set.durations() == 1.0)
    assert all(c.dtype == np.float32 and c.shape == (SR,) for c in default_set.clips)
    short = synth_notes(pitches=[60], duration_s=0.5, sr=22050)
    assert short.sr == 22050
    assert {c.shape for c in short.clips} == {(11025,)}


@pytest.mark.parametrize("timbre", sorted(TIMBRES))
def test_single_notes_are_peak_normalised_and_finite(timbre: str) -> None:
    x = synth_note(timbre, 330.0, 0.75, SR, np.random.default_rng(3))
    assert x.shape == (12000,) and x.dtype == np.float32
    assert np.isfinite(x).all()
    assert np.max(np.abs(x)) == pytest.approx(1.0, abs=1e-6)
    assert abs(float(x[-1])) < 1e-3  # the release fades the note out: no click at the end


@pytest.mark.parametrize("timbre", ["organ", "pluck", "bell"])
@pytest.mark.parametrize("f0", [110.0, 440.0, 1760.0])
def test_notes_are_in_tune(timbre: str, f0: float) -> None:
    """The spectral peak at f0 is within the 3-cent random detune (plus 1 cent slack)."""
    x = synth_note(timbre, f0, 2.0, SR, np.random.default_rng(0))
    cents = 1200 * np.log2(_peak_frequency(x, SR, f0) / f0)
    assert abs(cents) < 4.0, f"{timbre} at {f0} Hz is off by {cents:.2f} cents"


def test_timbres_differ_spectrally(default_set: AudioSet) -> None:
    """Harmonic profiles (dB re. fundamental, averaged over pitches) differ for each pair."""
    labels = default_set.labels
    medium = labels[labels.loudness == "medium"]
    profiles = {
        timbre: np.mean(
            [_harmonic_profile(default_set.clips[i], SR, medium.f0_hz[i]) for i in rows.index],
            axis=0,
        )
        for timbre, rows in medium.groupby("timbre")
    }
    for a, b in itertools.combinations(profiles, 2):
        distance = np.mean(np.abs(profiles[a] - profiles[b]))
        assert distance > 3.0, f"{a} and {b} differ by only {distance:.1f} dB per harmonic"


def test_loudness_levels_hit_the_target_rms(default_set: AudioSet) -> None:
    levels = np.array([rms_db(c) for c in default_set.clips])
    error = levels - default_set.labels.loudness_db.to_numpy()
    assert np.max(np.abs(error)) < 0.5
    assert max(np.max(np.abs(c)) for c in default_set.clips) <= 1.0


def test_fit_rms_db_limits_peaks_but_keeps_the_level() -> None:
    x = np.zeros(SR)
    x[:100] = 1.0  # a spike: plain gain to -12 dBFS would peak far above full scale
    x[100:] = 0.01 * np.sin(np.arange(SR - 100))
    y = _fit_rms_db(x, -12.0)
    assert rms_db(y) == pytest.approx(-12.0, abs=0.05)
    assert np.max(np.abs(y)) <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pitches": []}, r"non-empty set of MIDI numbers 0-127, got \[\]"),
        ({"pitches": [200]}, r"MIDI numbers 0-127, got \[200\]"),
        ({"timbres": ["kazoo"]}, r"unknown or no timbres \['kazoo'\]; choose from \['bell'"),
        ({"timbres": []}, "unknown or no timbres"),
        ({"n_variants": 0}, "n_variants must be at least 1, got 0"),
        ({"loudness_db": ()}, "loudness_db is empty; give at least one target RMS level"),
        ({"loudness_db": (-1.0,)}, "target_db must be below -3 dBFS, got -1.0"),
        ({"duration_s": 0.0}, "duration_s must give at least one sample, got 0.0"),
        # 12.5 kHz is above the 4 kHz Nyquist frequency
        ({"pitches": [127], "sr": 8000}, r"f0_hz must lie in \(0, sr/2\) = \(0, 4000\) Hz"),
    ],
)
def test_invalid_arguments_raise_naming_the_fix(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synth_notes(**kwargs)


def test_synth_note_rejects_unknown_timbre() -> None:
    with pytest.raises(ValueError, match="unknown timbre"):
        synth_note("theremin", 440.0, 1.0, SR, np.random.default_rng(0))
