"""Tests for aigc_kit.evaluation.machine_listeners: classifiers that hear waveforms."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from aigc_kit import seed_everything
from aigc_kit.data import synth_notes
from aigc_kit.evaluation import AudioListener, machine_listeners, notes_listener
from aigc_kit.features import (
    NOTES_SPEC,
    NOTES_SPEC_32,
    mel_to_audio,
    note_class_names,
    notes_images,
    to_audio,
    to_db,
    to_images,
)

SR = 8000
PITCHES_HZ = (220.0, 330.0, 495.0, 740.0)


def _tone(f0: float, seconds: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A harmonic tone with random brightness, level, onset and a little noise."""
    t = np.arange(round(seconds * sr)) / sr
    tilt = rng.uniform(0.8, 1.6)
    tone = sum(np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi)) / k**tilt
               for k in range(1, 6) if k * f0 < 0.45 * sr)
    tone *= np.minimum(t / 0.02, 1.0) * rng.uniform(0.05, 0.5)
    tone += rng.normal(0.0, 1e-3, t.size)
    return np.pad(tone, (round(rng.uniform(0, 0.1) * sr), 0)).astype(np.float32)


def _tones(n_per_class: int, seed: int, sr: int = SR) -> tuple[list[np.ndarray], np.ndarray]:
    """Tones of the four pitches, lengths 0.3-0.6 s, labels 0-3."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(PITCHES_HZ)), n_per_class)
    clips = [_tone(PITCHES_HZ[k] * 2 ** (rng.uniform(-20, 20) / 1200), rng.uniform(0.3, 0.6),
                   sr, rng) for k in labels]
    return clips, labels


def _two_step(first: float, second: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(round(0.5 * SR)) / SR
    f = np.where(t < 0.25, first, second) * 2 ** (rng.uniform(-30, 30) / 1200)
    return (0.3 * np.sin(2 * np.pi * np.cumsum(f) / SR)).astype(np.float32)


@pytest.fixture(scope="module")
def tone_listener() -> AudioListener:
    clips, labels = _tones(12, seed=0)
    return AudioListener(sr=SR, noise_copies=0).fit(clips, labels, SR,
                                                    class_names=["A3", "E4", "B4", "F#5"])


def test_learns_tones_of_different_pitch_from_waveforms(tone_listener):
    clips, labels = _tones(6, seed=1)
    proba = tone_listener.predict_proba(clips, SR)
    assert proba.shape == (len(clips), 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert tone_listener.accuracy(clips, labels, SR) >= 0.95
    assert tone_listener.class_names == ["A3", "E4", "B4", "F#5"]
    assert tone_listener.n_classes == 4
    np.testing.assert_array_equal(tone_listener.predict(clips, SR), proba.argmax(axis=1))


def test_segment_means_keep_the_order_of_sounds():
    # Same two pitches, same mean and spread: only their order differs.
    rng = np.random.default_rng(0)
    clips = [_two_step(300.0, 600.0, rng) for _ in range(10)]
    clips += [_two_step(600.0, 300.0, rng) for _ in range(10)]
    labels = np.repeat([0, 1], 10)
    listener = AudioListener(sr=SR, noise_copies=0).fit(clips, labels, SR)
    test = [_two_step(300.0, 600.0, rng) for _ in range(5)]
    test += [_two_step(600.0, 300.0, rng) for _ in range(5)]
    assert listener.accuracy(test, np.repeat([0, 1], 5), SR) == 1.0


def test_a_higher_rate_is_resampled_to_the_listeners(tone_listener):
    clips, labels = _tones(4, seed=2, sr=16000)
    at_8k = [c[::2] for c in clips]  # the same content at 8 kHz (below 0.45 sr: no aliasing)
    proba_16k = tone_listener.predict_proba(clips, 16000)
    proba_8k = tone_listener.predict_proba(at_8k, SR)
    np.testing.assert_array_equal(proba_16k.argmax(1), labels)
    np.testing.assert_allclose(proba_16k, proba_8k, atol=0.1)


def test_a_lower_rate_is_refused_naming_both_rates_and_the_fix(tone_listener):
    clips, _ = _tones(1, seed=3, sr=4000)
    with pytest.raises(ValueError, match=r"4000 Hz.*8000 Hz.*upsampling") as info:
        tone_listener.predict_proba(clips, 4000)
    assert "AudioListener(sr=4000)" in str(info.value)
    with pytest.raises(ValueError, match="4000 Hz"):
        AudioListener(sr=SR).fit(clips * 2, [0, 1], 4000)


def test_non_finite_and_silent_clips_are_refused_by_index(tone_listener):
    clips, _ = _tones(1, seed=4)
    clips[2] = clips[2].copy()
    clips[2][10] = np.nan
    with pytest.raises(ValueError, match="clip 2 contains NaN"):
        tone_listener.predict(clips, SR)
    clips[2] = np.zeros(4000, dtype=np.float32)
    with pytest.raises(ValueError, match="clip 2 is silent"):
        tone_listener.accuracy(clips, [0, 1, 2, 3], SR)
    with pytest.raises(ValueError, match="clip 1 must be a non-empty 1-D"):
        tone_listener.features([clips[0], np.zeros((2, 100))], SR)


def test_features_are_standardised_summaries(tone_listener):
    clips, _ = _tones(12, seed=0)  # the training clips
    features = tone_listener.features(clips, SR)
    assert features.shape == (48, 20 * (4 + 4))
    np.testing.assert_allclose(features.mean(axis=0), 0.0, atol=1e-6)
    # A batch array works like a list of clips; one 1-D clip is a batch of one.
    batch = np.stack([c[:2400] for c in clips[:3]])
    np.testing.assert_allclose(tone_listener.features(batch, SR),
                               tone_listener.features(list(batch), SR))
    assert tone_listener.features(batch[0], SR).shape == (1, 160)
    profiled = AudioListener(sr=SR, pitch_profile=True, noise_copies=0)
    assert profiled.fit(clips, np.repeat(np.arange(4), 12), SR).features(
        clips[:2], SR).shape == (2, 160 + 36)


def test_hear_gives_probabilities_and_features_in_one_pass(tone_listener):
    clips, labels = _tones(3, seed=7)
    probabilities, features = tone_listener.hear(clips, SR)
    np.testing.assert_allclose(probabilities, tone_listener.predict_proba(clips, SR))
    np.testing.assert_allclose(features, tone_listener.features(clips, SR))
    assert (probabilities.argmax(1) == labels).mean() > 0.9
    with pytest.raises(ValueError, match="4000 Hz"):
        tone_listener.hear([c[::2] for c in clips], SR // 2)


def test_seeded_augmentation_is_reproducible():
    clips, labels = _tones(4, seed=5)
    test, _ = _tones(2, seed=6)

    def proba(seed: int) -> np.ndarray:
        listener = AudioListener(sr=SR, noise_copies=1, seed=seed).fit(clips, labels, SR)
        return listener.predict_proba(test, SR)

    np.testing.assert_array_equal(proba(0), proba(0))
    assert not np.allclose(proba(0), proba(1))


def test_misuse_gets_clear_errors(tone_listener):
    clips, labels = _tones(2, seed=7)
    with pytest.raises(RuntimeError, match="not fitted"):
        AudioListener().predict(clips, SR)
    with pytest.raises(ValueError, match="one integer label per clip"):
        AudioListener(noise_copies=0).fit(clips, labels[:-1], SR)
    with pytest.raises(ValueError, match="at least two classes"):
        AudioListener(noise_copies=0).fit(clips, np.zeros(len(clips), dtype=int), SR)
    with pytest.raises(ValueError, match="labels of shape"):
        tone_listener.accuracy(clips, labels[:3], SR)
    with pytest.raises(ValueError, match="n_mfcc <= n_mels"):
        AudioListener(n_mfcc=50, n_mels=40)


def test_notes_listener_hears_the_held_out_notes_of_the_gan_chapters():
    listener = notes_listener()  # the kit's own: built once, then from the disk cache
    assert listener is notes_listener()  # cached in-process
    assert listener.class_names == note_class_names()
    # The held-out notes of load_mel_dataset("notes") (seed 1000), as audio.
    _, table = notes_images(seed=1000, n_variants=1)
    notes = synth_notes(loudness_db=(-20.0,), n_variants=1, duration_s=NOTES_SPEC.duration_s,
                        sr=NOTES_SPEC.sr, seed=1000)
    assert listener.accuracy(notes.clips, table["label"].to_numpy(), NOTES_SPEC.sr) >= 0.95


def test_by_ear_the_nnls_mel_inverse_keeps_notes_that_the_clamped_pinv_loses():
    # What the listener is for: judging a vocoder by the audio it makes. Through the first
    # kit's 32-band notes images the clamped pseudo-inverse loses a third of the notes.
    listener = notes_listener()
    _, table = notes_images(seed=1000, n_variants=1, spec=NOTES_SPEC_32)
    notes = synth_notes(loudness_db=(-20.0,), n_variants=1, duration_s=NOTES_SPEC_32.duration_s,
                        sr=NOTES_SPEC_32.sr, seed=1000)
    images = to_images(np.stack(notes.clips), NOTES_SPEC_32)
    labels = table["label"].to_numpy()
    seed_everything(0)
    clamped = to_audio(images, NOTES_SPEC_32, nnls_iter=0)  # the clamped pseudo-inverse
    seed_everything(0)
    nnls = mel_to_audio(to_db(images), NOTES_SPEC_32.sr, n_fft=NOTES_SPEC_32.n_fft,
                        hop_length=NOTES_SPEC_32.hop_length, length=NOTES_SPEC_32.n_samples,
                        nnls_iter=50)
    heard_clamped = listener.accuracy(clamped, labels, NOTES_SPEC_32.sr)
    heard_nnls = listener.accuracy(nnls, labels, NOTES_SPEC_32.sr)
    assert heard_nnls >= 0.85
    assert heard_nnls >= heard_clamped + 0.15
    with pytest.raises(ValueError, match="nnls_iter"):
        mel_to_audio(to_db(images[:1]), NOTES_SPEC_32.sr, nnls_iter=-1)


# -------------------------------------------------------------------------------------
# Saving, loading and the on-disk cache of the kit's listeners
# -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_tone_listener() -> AudioListener:
    """A quick listener of three classes, with settings unlike the defaults."""
    clips, labels = _tones(5, seed=10)
    keep = labels < 3
    listener = AudioListener(sr=SR, n_mfcc=13, n_mels=32, window_s=0.032, hop_s=0.012,
                             n_segments=3, top_db=50.0, pitch_profile=True, noise_copies=1,
                             noise_snr_db=(5.0, 25.0), c=0.05, seed=3)
    return listener.fit([c for c, k in zip(clips, keep, strict=True) if k], labels[keep], SR,
                        class_names=["low", "mid", "high"])


def test_save_and_load_round_trip_gives_identical_judgements(three_tone_listener, tmp_path):
    path = three_tone_listener.save(tmp_path / "sub" / "listener.npz")
    assert path == tmp_path / "sub" / "listener.npz"
    assert [p.name for p in path.parent.iterdir()] == ["listener.npz"]  # no temporary left
    with np.load(path, allow_pickle=False) as stored:  # plain arrays only, no pickle
        assert all(stored[k].dtype != object for k in stored.files)
    loaded = AudioListener.load(path)
    clips, _ = _tones(3, seed=11)
    np.testing.assert_array_equal(loaded.predict_proba(clips, SR),
                                  three_tone_listener.predict_proba(clips, SR))
    np.testing.assert_array_equal(loaded.features(clips, SR),
                                  three_tone_listener.features(clips, SR))
    assert loaded.class_names == ["low", "mid", "high"]
    for name in ("sr", "n_mfcc", "n_mels", "n_fft", "hop_length", "n_segments", "top_db",
                 "pitch_profile", "noise_copies", "noise_snr_db", "c", "seed"):
        assert getattr(loaded, name) == getattr(three_tone_listener, name), name
    with pytest.raises(RuntimeError, match="not fitted"):
        AudioListener().save(tmp_path / "unfitted.npz")


def test_a_truncated_file_is_refused_naming_it_and_the_fix(three_tone_listener, tmp_path):
    path = three_tone_listener.save(tmp_path / "listener.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match="damaged, truncated") as info:
        AudioListener.load(path)
    assert str(path) in str(info.value) and "Delete it" in str(info.value)
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="Delete it"):
        AudioListener.load(path)
    with pytest.raises(FileNotFoundError):
        AudioListener.load(tmp_path / "missing.npz")


def test_a_foreign_or_tampered_npz_is_refused(three_tone_listener, tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.ones(3))
    with pytest.raises(ValueError, match="not a saved AudioListener") as info:
        AudioListener.load(foreign)
    assert str(foreign) in str(info.value)
    # A saved listener with one array replaced by one of the wrong shape.
    path = three_tone_listener.save(tmp_path / "listener.npz")
    with np.load(path) as stored:
        arrays = dict(stored)
    arrays["coef"] = arrays["coef"][:, :-1]
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="inconsistent shapes"):
        AudioListener.load(path)
    # An object array is never unpickled.
    with np.load(three_tone_listener.save(path)) as stored:
        arrays = {**dict(stored), "class_names": np.array([{"a": 1}, None], dtype=object)}
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="allow_pickle=False"):
        AudioListener.load(path)
    assert zipfile.is_zipfile(path)


@pytest.fixture()
def cheap_notes(monkeypatch, tmp_path, three_tone_listener):
    """notes_listener with a data folder in tmp_path and a cheap, counted build."""
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    builds = []

    def build(seed: int, n_variants: int, c: float) -> AudioListener:
        default = c == machine_listeners.NOTES_LISTENER_C
        builds.append((seed, n_variants) if default else (seed, n_variants, c))
        return three_tone_listener

    monkeypatch.setattr(machine_listeners, "_build_notes_listener", build)
    notes_listener.cache_clear()
    yield builds
    notes_listener.cache_clear()


def test_notes_listener_is_cached_on_disk_and_loaded_by_a_later_process(cheap_notes, tmp_path):
    first = notes_listener(seed=2, n_variants=3)
    assert cheap_notes == [(2, 3)]
    files = list((tmp_path / "cache" / "listeners").glob("*.npz"))
    assert [f.name.startswith("notes-seed2-v3-") for f in files] == [True]
    notes_listener.cache_clear()  # as in a new process
    again = notes_listener(seed=2, n_variants=3)
    assert cheap_notes == [(2, 3)]  # loaded, not built
    assert again is not first and again.class_names == first.class_names
    clips, _ = _tones(2, seed=12)
    np.testing.assert_array_equal(again.predict_proba(clips, SR), first.predict_proba(clips, SR))
    # Other arguments are other files; cache=False neither reads nor writes one.
    notes_listener(seed=2, n_variants=4)
    notes_listener(seed=5, n_variants=3, cache=False)
    assert cheap_notes == [(2, 3), (2, 4), (5, 3)]
    assert len(list(files[0].parent.glob("*.npz"))) == 2
    # A sharper listener (another c) is another file; the default's name is unchanged.
    notes_listener(seed=2, n_variants=3, c=1.0)
    assert cheap_notes[-1] == (2, 3, 1.0)
    assert len(list(files[0].parent.glob("*.npz"))) == 3 and files[0].is_file()


def test_a_damaged_cache_file_warns_and_is_rebuilt(cheap_notes, tmp_path):
    notes_listener(seed=0, n_variants=2)
    (path,) = (tmp_path / "cache" / "listeners").glob("*.npz")
    path.write_bytes(path.read_bytes()[:100])
    notes_listener.cache_clear()
    with pytest.warns(RuntimeWarning, match="ignoring the cached notes listener") as caught:
        notes_listener(seed=0, n_variants=2)
    assert str(path) in str(caught[0].message)
    assert cheap_notes == [(0, 2), (0, 2)]
    AudioListener.load(path)  # overwritten with a good file
    notes_listener.cache_clear()
    notes_listener(seed=0, n_variants=2)
    assert len(cheap_notes) == 2


def test_speech_listener_cache_key_covers_the_training_set(monkeypatch, tmp_path,
                                                            three_tone_listener):
    class Data:
        clips = [np.zeros(8)] * 5

    builds = []
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(machine_listeners, "fsdd", lambda split: Data)
    monkeypatch.setattr(machine_listeners, "_build_speech_listener",
                        lambda data, seed: builds.append(seed) or three_tone_listener)
    machine_listeners.speech_listener.cache_clear()
    try:
        machine_listeners.speech_listener(seed=1)
        machine_listeners.speech_listener.cache_clear()
        machine_listeners.speech_listener(seed=1)
        assert builds == [1]  # the second came from disk
        Data.clips = Data.clips[:4]  # a different training set: a different file
        machine_listeners.speech_listener.cache_clear()
        machine_listeners.speech_listener(seed=1)
        assert builds == [1, 1]
        names = sorted(p.name for p in (tmp_path / "cache" / "listeners").iterdir())
        assert len(names) == 2 and all(n.startswith("speech-seed1-") for n in names)
    finally:
        machine_listeners.speech_listener.cache_clear()
