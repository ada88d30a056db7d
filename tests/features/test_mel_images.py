import numpy as np
import pytest
import torch

from aigc_kit.data import rms_db, synth_notes
from aigc_kit.evaluation import lsd
from aigc_kit.features import (
    FSDD_SPEC,
    FSDD_SPEC_24MS,
    FSDD_SPEC_32,
    FSDD_SPEC_64,
    NOTES_SPEC,
    NOTES_SPEC_32,
    SPECS,
    MelSpec,
    fsdd_images,
    log_mel,
    note_class_names,
    notes_images,
    prepare_clips,
    sharpen,
    to_audio,
    to_db,
    to_images,
    vocode,
)


@pytest.fixture(scope="module")
def notes() -> np.ndarray:
    """One note per timbre and pitch C4, E4, G4 at the notes spec's rate and length."""
    ds = synth_notes(pitches=[60, 64, 67], loudness_db=(-20.0,), sr=NOTES_SPEC.sr,
                     duration_s=NOTES_SPEC.duration_s)
    return np.stack(ds.clips)


def test_presets_have_the_documented_sizes():
    assert NOTES_SPEC.shape == FSDD_SPEC_24MS.shape == (1, 64, 32)
    assert FSDD_SPEC.shape == (1, 64, 64) and FSDD_SPEC_64 is FSDD_SPEC
    assert NOTES_SPEC_32.shape == FSDD_SPEC_32.shape == (1, 32, 32)
    assert NOTES_SPEC_32.dim == 1024  # the source MLP's output size
    for spec in SPECS.values():
        assert spec.sr == 8000
        assert 1 + spec.n_samples // spec.hop_length == spec.n_frames
    assert FSDD_SPEC_64.hop_length / FSDD_SPEC_64.sr == pytest.approx(0.012)  # 12 ms hop
    assert NOTES_SPEC.duration_s == pytest.approx(0.992)
    assert FSDD_SPEC.duration_s == pytest.approx(0.756)
    assert FSDD_SPEC_24MS.duration_s == pytest.approx(0.744)
    assert set(SPECS) == {"notes", "fsdd", "fsdd24ms", "notes32", "fsdd32"}
    with pytest.raises(ValueError, match="positive integers"):
        MelSpec(sr=8000, n_fft=0, hop_length=128, n_mels=32, n_frames=32)


def test_prepare_clips_resamples_centres_and_levels():
    rng = np.random.default_rng(0)
    tone = np.sin(2 * np.pi * 440 * np.arange(4000) / 16000).astype(np.float32)
    clip = np.concatenate([np.zeros(2000, np.float32), tone, np.zeros(8000, np.float32)])
    long = rng.standard_normal(40000).astype(np.float32)
    out = prepare_clips([clip, long], 16000, FSDD_SPEC, level_db=-23.0)
    assert out.shape == (2, FSDD_SPEC.n_samples) and out.dtype == np.float32
    assert rms_db(out[1]) == pytest.approx(-23.0, abs=0.1)
    # The trimmed tone (about 2000 samples at 8 kHz) sits in the middle of the window.
    loud = np.flatnonzero(np.abs(out[0]) > 1e-3)
    middle = (loud[0] + loud[-1]) / 2
    assert abs(middle - FSDD_SPEC.n_samples / 2) < 40


def test_prepare_clips_names_a_silent_clip():
    clips = [np.ones(100, np.float32), np.zeros(500, np.float32)]
    with pytest.raises(ValueError, match="clip 1 is silent"):
        prepare_clips(clips, 8000, FSDD_SPEC)
    with pytest.raises(ValueError, match="clip 0 must be a non-empty 1-D"):
        prepare_clips([np.ones((2, 100), np.float32)], 8000, FSDD_SPEC)


def test_to_images_scales_log_mel_to_unit_range(notes):
    images = to_images(notes, NOTES_SPEC)
    assert images.shape == (len(notes), *NOTES_SPEC.shape) and images.dtype == torch.float32
    assert images.min() >= -1.0 and images.max() == 1.0
    db = log_mel(notes, NOTES_SPEC.sr, n_fft=NOTES_SPEC.n_fft,
                 hop_length=NOTES_SPEC.hop_length, n_mels=NOTES_SPEC.n_mels)
    torch.testing.assert_close(to_db(images), db, atol=1e-4, rtol=0)
    # Shorter clips are padded with silence (-1), longer ones cropped.
    short = to_images(notes[:2, : NOTES_SPEC.n_samples // 2], NOTES_SPEC)
    assert short.shape == (2, *NOTES_SPEC.shape) and (short[..., -5:] == -1).all()
    assert to_images(np.pad(notes[:2], [(0, 0), (0, 999)]), NOTES_SPEC).shape == short.shape


def test_to_db_clamps_and_checks_shapes():
    wild = torch.tensor([-3.0, -1.0, 0.0, 1.0, 2.5]).view(1, 1, 1, 5)
    assert to_db(wild).flatten().tolist() == [-80.0, -80.0, -40.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"expected images of shape \(n, 1, n_mels, n_frames\)"):
        to_db(torch.zeros(2, 32, 32))
    with pytest.raises(ValueError, match=r"expected images of shape \(n, 1, 64, 32\), got "
                       r"\(2, 1, 32, 32\); they were made with another MelSpec.*NOTES_SPEC_32"):
        to_audio(torch.zeros(2, 1, 32, 32), NOTES_SPEC)


def test_to_audio_round_trip_keeps_the_spectrum(notes):
    torch.manual_seed(0)
    audio = to_audio(to_images(notes, NOTES_SPEC), NOTES_SPEC)
    assert audio.shape == notes.shape and audio.dtype == np.float32
    assert np.isfinite(audio).all()
    assert np.abs(audio).max(axis=-1) == pytest.approx(0.9)
    # LSD is level-sensitive and the images are level-free: compare at equal RMS.
    audio *= np.sqrt((notes**2).mean(-1, keepdims=True) / (audio**2).mean(-1, keepdims=True))
    # Measured 14.0 dB (mean over the 12 notes, seeds 0-4); 32 mel bands cannot hold the
    # gaps between harmonics, which dominate LSD. White noise at the same RMS scores 31 dB.
    assert lsd(audio, notes, NOTES_SPEC.sr, floor_db=-60.0).mean() < 17.0
    # Re-analysed, the loud part of the log-mel image comes back within a few dB.
    again = to_db(to_images(audio, NOTES_SPEC))
    original = to_db(to_images(notes, NOTES_SPEC))
    loud = original > -40.0
    assert (again - original)[loud].abs().mean() < 3.0  # measured 1.55 dB


def test_to_audio_of_generator_output_is_finite():
    images = torch.tanh(3 * torch.randn(3, *NOTES_SPEC.shape)) * 1.2  # some outside [-1, 1]
    audio = to_audio(images, NOTES_SPEC, n_iter=4)
    assert audio.shape == (3, NOTES_SPEC.n_samples) and np.isfinite(audio).all()


def test_notes_images_labels():
    images, labels = notes_images(n_variants=1, pitches=[60, 62], timbres=["organ", "bell"])
    assert images.shape == (4, *NOTES_SPEC.shape)
    names = note_class_names([60, 62], ["organ", "bell"])
    assert names == ["organ C4", "organ D4", "bell C4", "bell D4"]
    assert sorted(labels["label"]) == [0, 1, 2, 3]
    for _, row in labels.iterrows():
        assert names[row["label"]] == row["class_name"] == f"{row['timbre']} {row['note']}"


def test_fsdd_images_labels_are_digits():
    images, labels = fsdd_images("test", digits=[3, 7])
    assert images.shape == (60, *FSDD_SPEC.shape)  # takes 0-4 of 6 speakers x 2 digits
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert set(labels["label"]) == {3, 7} and (labels["label"] == labels["digit"]).all()


def test_to_audio_refuses_nan_and_silent_images_naming_them_and_the_fix():
    images = torch.zeros(3, *NOTES_SPEC.shape)
    images[1, 0, 5, 5] = float("nan")
    with pytest.raises(ValueError, match=r"images \[1\] contain NaN.*retrain it with a lower"):
        to_audio(images, NOTES_SPEC)
    images = torch.zeros(3, *NOTES_SPEC.shape)
    images[2] = -1.0
    with pytest.raises(ValueError, match=r"images \[2\] are silence everywhere.*drop them"):
        to_audio(images, NOTES_SPEC)
    images[2, 0, 0, 0] = -0.9  # one audible pixel is enough to vocode
    assert to_audio(images, NOTES_SPEC, n_iter=2).shape == (3, NOTES_SPEC.n_samples)


def test_the_default_vocoder_keeps_more_of_the_spectrum_than_plain_griffin_lim(notes):
    images = to_images(notes, NOTES_SPEC_32)
    clips = notes[:, : NOTES_SPEC_32.n_samples]

    def error(nnls_iter: int) -> float:
        torch.manual_seed(0)
        audio = to_audio(images, NOTES_SPEC_32, nnls_iter=nnls_iter)
        rms = np.sqrt(np.mean(audio**2, axis=1, keepdims=True))
        target = np.sqrt(np.mean(clips**2, axis=1, keepdims=True))
        return float(np.mean(lsd(audio * target / rms, clips, NOTES_SPEC_32.sr)))

    assert error(50) < error(0) - 3.0  # dB: the NNLS inverse leaves the valleys empty


def test_to_images_refuses_clips_at_another_rate_naming_the_fix(notes):
    assert to_images(notes, NOTES_SPEC, sr=NOTES_SPEC.sr).shape[1:] == NOTES_SPEC.shape
    with pytest.raises(ValueError, match=r"16000 Hz but the MelSpec is at 8000 Hz.*prepare_clips"):
        to_images(notes, NOTES_SPEC, sr=16000)


def test_vocode_with_a_seed_repeats_and_leaves_the_callers_random_state(notes):
    images = to_images(notes[:2], NOTES_SPEC)
    state = torch.random.get_rng_state()
    first = vocode(images, NOTES_SPEC, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert np.array_equal(vocode(images, NOTES_SPEC, seed=3), first)
    plain = vocode(images, NOTES_SPEC, lambda x, spec: to_audio(x, spec, nnls_iter=0), seed=3)
    assert plain.shape == first.shape and not np.array_equal(plain, first)


def test_sharpen_deepens_every_bin_below_the_peak_and_keeps_the_range():
    images = torch.tensor([1.0, 0.5, 0.0, -0.9]).reshape(1, 1, 2, 2)
    out = sharpen(images, 2.0)
    assert torch.allclose(out.flatten(), torch.tensor([1.0, 0.0, -1.0, -1.0]))
    assert torch.equal(sharpen(images, 1), images)
    with pytest.raises(ValueError, match="positive number"):
        sharpen(images, 0)
