"""Tests for aigc_kit.features on the default synthetic notes and on test signals."""

from __future__ import annotations

import librosa
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import aigc_kit.features.audio as features
from aigc_kit.data import AudioSet, synth_note, synth_notes

SR = 16000


@pytest.fixture(scope="module")
def notes() -> AudioSet:
    return synth_notes()


@pytest.fixture(scope="module")
def waveforms(notes: AudioSet) -> np.ndarray:
    return notes.to_array()


def _sine(freq_hz: float, amplitude: float = 0.5, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * freq_hz * np.arange(int(seconds * sr)) / sr)).astype(
        np.float32
    )


def _click_track(bpm: float, seconds: float = 8.0, start_s: float = 0.25) -> tuple[np.ndarray,
                                                                                   np.ndarray]:
    """10 ms 2 kHz tone bursts every beat; returns (waveform, click times in s)."""
    y = np.zeros(int(seconds * SR), dtype=np.float32)
    times = np.arange(start_s, seconds - 0.1, 60.0 / bpm)
    burst = np.hanning(160) * np.sin(2 * np.pi * 2000 * np.arange(160) / SR)
    for t in times:
        i = int(round(t * SR))
        y[i : i + 160] += burst
    return y, times


def _librosa_log_mel(y: np.ndarray, sr: int, **kw) -> np.ndarray:
    power = librosa.feature.melspectrogram(y=y, sr=sr, **kw)
    return librosa.power_to_db(power, ref=np.max, top_db=80.0)


# --- pitch -------------------------------------------------------------------------


def test_clip_pitch_within_50_cents_on_the_default_set(notes: AudioSet,
                                                       waveforms: np.ndarray) -> None:
    labels = notes.labels
    assert labels.midi.nunique() >= 12 and labels.timbre.nunique() >= 4
    assert labels.loudness.nunique() >= 3
    estimate = features.clip_pitch(waveforms, SR)
    assert estimate.shape == (len(notes),)
    cents = features.hz_to_cents_error(estimate, labels.f0_hz.to_numpy())
    ok = np.abs(cents) <= 50.0  # NaN (no voiced frame) counts as a miss
    report = labels.assign(estimate_hz=estimate, cents=cents)
    worst = report.reindex(report.cents.abs().sort_values(ascending=False).index).head(10)
    print(f"pitch within 50 cents: {ok.mean():.1%} of {len(ok)} clips")
    assert ok.mean() >= 0.98, f"only {ok.mean():.1%} within 50 cents; worst:\n{worst}"


def test_pitch_pyin_shapes_and_unvoiced_silence() -> None:
    y = np.zeros((2, 3, 8000), dtype=np.float32)
    y[0, 1] = _sine(440.0, seconds=0.5)
    f0, voiced, times = features.pitch_pyin(y, SR, hop_length=256)
    n_frames = 1 + 8000 // 256
    assert f0.shape == voiced.shape == (2, 3, n_frames)
    assert voiced.dtype == bool and times.shape == (n_frames,)
    assert times[1] - times[0] == pytest.approx(256 / SR)
    assert np.isnan(f0[~voiced]).all() and not voiced[1].any()
    pitch = features.clip_pitch(y, SR, hop_length=256)
    assert pitch.shape == (2, 3)
    assert pitch[0, 1] == pytest.approx(440.0, rel=0.01)
    assert np.isnan(pitch[1]).all()


def test_hz_to_cents_error() -> None:
    assert features.hz_to_cents_error(880.0, 440.0) == pytest.approx(1200.0)
    err = features.hz_to_cents_error(np.array([440.0 * 2 ** (1 / 12), np.nan]), 440.0)
    assert err[0] == pytest.approx(100.0) and np.isnan(err[1])
    with pytest.raises(ValueError, match="true_hz must be finite and positive"):
        features.hz_to_cents_error(440.0, 0.0)
    with pytest.raises(ValueError, match=r"estimate_hz must be positive \(or NaN"):
        features.hz_to_cents_error(-1.0, 440.0)


# --- loudness, onsets, tempo --------------------------------------------------------


@pytest.mark.parametrize("amplitude", [1.0, 0.5, 0.01])
def test_loudness_of_a_sine(amplitude: float) -> None:
    level = features.loudness_db(_sine(440.0, amplitude))
    expected = 20 * np.log10(amplitude / np.sqrt(2))
    assert level.shape == (1 + SR // 512,)
    np.testing.assert_allclose(level[4:-4], expected, atol=0.05)


def test_loudness_floor_and_batch() -> None:
    y = np.stack([np.zeros(SR, dtype=np.float32), _sine(440.0)])
    level = features.loudness_db(y[None], floor_db=-90.0)
    assert level.shape == (1, 2, 1 + SR // 512)
    assert np.all(level[0, 0] == -90.0)
    np.testing.assert_allclose(level[0, 1], features.loudness_db(y[1], floor_db=-90.0))


def test_onsets_of_a_click_track_and_its_tempo() -> None:
    y, clicks = _click_track(120.0)
    onsets, tempo = features.onsets_tempo(y, SR)
    assert len(onsets) == len(clicks)
    assert np.max(np.abs(onsets - clicks)) < 0.06
    assert tempo == pytest.approx(120.0, rel=0.05)


def test_onsets_of_a_note_train() -> None:
    rng = np.random.default_rng(0)
    starts = 0.3 + 0.5 * np.arange(8)
    y = np.zeros(int(4.5 * SR), dtype=np.float32)
    for k, (start, timbre) in enumerate(zip(starts, ["pluck", "bell"] * 4, strict=True)):
        note = synth_note(timbre, 261.63 * 2 ** (k / 12), 0.4, SR, rng)
        i = int(start * SR)
        y[i : i + len(note)] += 0.5 * note
    onsets, _ = features.onsets_tempo(y, SR)
    assert len(onsets) == len(starts)
    assert np.max(np.abs(onsets - starts)) < 0.06


def test_onsets_tempo_rejects_batches() -> None:
    with pytest.raises(ValueError, match="one mono clip"):
        features.onsets_tempo(np.zeros((2, SR)), SR)


# --- log-mel and its inverse --------------------------------------------------------


def test_log_mel_matches_librosa(waveforms: np.ndarray) -> None:
    clips = waveforms[::12]  # every timbre and loudness, several pitches
    ours = features.log_mel(clips, SR).numpy()
    ref = np.stack([_librosa_log_mel(c, SR, n_fft=1024, hop_length=256, n_mels=64)
                    for c in clips])
    assert ours.shape == ref.shape
    loud = ref > -60.0
    assert np.max(np.abs(ours - ref)[loud]) < 0.1


def test_log_mel_matches_librosa_with_other_parameters() -> None:
    y = synth_note("bowed", 196.0, 0.8, 22050, np.random.default_rng(1))
    kw = {"n_fft": 2048, "hop_length": 512, "n_mels": 128, "fmin": 30.0, "fmax": 8000.0}
    ours = features.log_mel(y, 22050, **kw).numpy()
    ref = _librosa_log_mel(y, 22050, **kw)
    assert ours.shape == ref.shape == (128, 1 + len(y) // 512)
    assert np.max(np.abs(ours - ref)[ref > -60.0]) < 0.1


def test_log_mel_batched_equals_per_clip_and_shapes(waveforms: np.ndarray) -> None:
    batch = waveforms[:6].reshape(2, 3, -1)
    out = features.log_mel(batch, SR)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert out.shape == (2, 3, 64, 1 + SR // 256)
    for i in range(2):
        for j in range(3):
            single = features.log_mel(batch[i, j], SR)
            torch.testing.assert_close(out[i, j], single, atol=1e-4, rtol=0)
    assert torch.all(out <= 0) and torch.all(out >= -80.0)
    assert torch.all(out.amax(dim=(-2, -1)) == 0)
    torch.testing.assert_close(features.log_mel(torch.from_numpy(batch), SR), out)


def test_log_mel_caches_its_transform() -> None:
    y = _sine(440.0)
    features.log_mel(y, SR, n_mels=40)
    before = features._mel_transform.cache_info()
    features.log_mel(y[None], SR, n_mels=40)
    after = features._mel_transform.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses


@pytest.mark.parametrize(
    ("bad", "message"),
    [(np.array([]), r"non-empty dimensions, got shape \(0,\)"),
     (np.zeros((3, 0)), r"non-empty dimensions, got shape \(3, 0\)"),
     (np.array([0.0, np.nan, 0.0]), "waveforms contains NaN or infinite values"),
     (np.array(1.0), r"non-empty dimensions, got shape \(\)"),
     (np.array(["a", "b"]), "waveforms must be real-valued, got dtype <U1")],
)
def test_log_mel_rejects_invalid_input(bad: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        features.log_mel(bad, SR)


def test_log_mel_rejects_a_band_above_nyquist() -> None:
    with pytest.raises(ValueError, match="fmax"):
        features.log_mel(_sine(440.0), SR, fmax=9000.0)


# --- timbre, harmony, summaries -----------------------------------------------------


def test_mfcc_matches_librosa(waveforms: np.ndarray) -> None:
    clips = waveforms[::24]
    ours = features.mfcc(clips, SR, n_mfcc=13)
    ref = np.stack([librosa.feature.mfcc(y=c, sr=SR, n_mfcc=13, n_fft=1024, hop_length=256,
                                         n_mels=64) for c in clips])
    assert ours.shape == ref.shape == (len(clips), 13, 1 + SR // 256)
    np.testing.assert_allclose(ours, ref, atol=0.05)


def test_chroma_finds_the_pitch_class(notes: AudioSet, waveforms: np.ndarray) -> None:
    labels = notes.labels
    organ = (labels.timbre == "organ").to_numpy()
    pitch_classes = features.chroma(waveforms[organ], SR)
    assert pitch_classes.shape == (organ.sum(), 12, 1 + SR // 512)
    np.testing.assert_array_equal(pitch_classes.mean(-1).argmax(-1), labels.midi[organ] % 12)


def test_spectral_centroid_of_a_sine() -> None:
    centroid = features.spectral_centroid(np.stack([_sine(1000.0), _sine(3000.0)]), SR)
    assert centroid.shape == (2, 1 + SR // 256)
    np.testing.assert_allclose(np.median(centroid, axis=-1), [1000.0, 3000.0], rtol=0.01)


def test_summary_features(notes: AudioSet, waveforms: np.ndarray) -> None:
    table = features.summary_features(waveforms, SR)
    assert isinstance(table, pd.DataFrame)
    assert table.shape == (len(notes), 42)
    assert list(table.columns) == features.summary_feature_names()
    assert np.isfinite(table.to_numpy()).all()
    labels = notes.labels
    by_level = table.loudness_db_mean.groupby(labels.loudness).mean()
    assert by_level["soft"] < by_level["medium"] < by_level["loud"]
    # Timbre from the pitch-independent columns, tested on held-out pitches: the clips
    # are ordered by pitch, so each unshuffled fold leaves out three neighbouring notes.
    timbre_columns = [c for c in table.columns if not c.startswith("chroma")]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    accuracy = cross_val_score(model, table[timbre_columns], labels.timbre, cv=4).mean()
    assert accuracy > 0.9, f"timbre accuracy on unseen pitches only {accuracy:.2f}"


def test_summary_features_of_clips_with_different_lengths(waveforms: np.ndarray) -> None:
    clips = [waveforms[0], waveforms[1][:8000], waveforms[2][:12000]]
    table = features.summary_features(clips, SR)
    assert table.shape == (3, 42)
    single = features.summary_features(waveforms[1][:8000], SR)
    np.testing.assert_allclose(table.iloc[1].to_numpy(), single.iloc[0].to_numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="summary_features: no clips given"):
        features.summary_features([], SR)
