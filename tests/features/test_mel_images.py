"""Tests of aigc_kit.features.mel_images: MelSpec presets, clips to images and back to dB,
and the checks every vocoder runs on its images."""

import numpy as np
import pytest
import torch

from aigc_kit.data import rms_db, synth_notes
from aigc_kit.features import (
    FSDD_SPEC,
    FSDD_SPEC_24MS,
    FSDD_SPEC_32,
    FSDD_SPEC_32MS,
    FSDD_SPEC_64,
    NOTES_SPEC,
    NOTES_SPEC_32,
    SPECS,
    MelSpec,
    log_mel,
    prepare_clips,
    sharpen,
    to_audio,
    to_db,
    to_images,
)
from aigc_kit.features.mel_images import check_audible, check_images, fit_frames


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
    assert set(SPECS) == {"notes", "fsdd", "fsdd32ms", "fsdd24ms", "notes32", "fsdd32"}
    assert FSDD_SPEC.n_fft / FSDD_SPEC.sr == pytest.approx(0.040)  # 40 ms window
    assert FSDD_SPEC_32MS.n_fft == 256 and FSDD_SPEC_32MS.shape == FSDD_SPEC.shape
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


def test_to_images_refuses_clips_at_another_rate_naming_the_fix(notes):
    assert to_images(notes, NOTES_SPEC, sr=NOTES_SPEC.sr).shape[1:] == NOTES_SPEC.shape
    with pytest.raises(ValueError, match=r"16000 Hz but the MelSpec is at 8000 Hz.*prepare_clips"):
        to_images(notes, NOTES_SPEC, sr=16000)


def test_sharpen_deepens_every_bin_below_the_peak_and_keeps_the_range():
    images = torch.tensor([1.0, 0.5, 0.0, -0.9]).reshape(1, 1, 2, 2)
    out = sharpen(images, 2.0)
    assert torch.allclose(out.flatten(), torch.tensor([1.0, 0.0, -1.0, -1.0]))
    assert torch.equal(sharpen(images, 1), images)
    with pytest.raises(ValueError, match="positive number"):
        sharpen(images, 0)


def test_fit_frames_crops_or_pads_with_silence():
    db = torch.zeros(2, 4, NOTES_SPEC.n_frames + 5)
    assert fit_frames(db, NOTES_SPEC).shape == (2, 4, NOTES_SPEC.n_frames)
    short = fit_frames(torch.zeros(4, 10), NOTES_SPEC)
    assert short.shape == (4, NOTES_SPEC.n_frames)
    assert (short[:, :10] == 0).all() and (short[:, 10:] == -NOTES_SPEC.top_db).all()


def test_check_images_names_the_caller_the_images_and_the_fix():
    good = torch.zeros(3, *NOTES_SPEC.shape)
    assert check_images(good, NOTES_SPEC, "my_vocoder") is good
    as_array = check_images(good.numpy(), NOTES_SPEC, "my_vocoder")  # arrays are taken too
    assert isinstance(as_array, torch.Tensor) and torch.equal(as_array, good)
    with pytest.raises(ValueError, match=r"^my_vocoder: expected images of shape \(n, 1, 64, 32\)"
                                         r", got \(3, 64, 32\)"):
        check_images(good[:, 0], NOTES_SPEC, "my_vocoder")
    bad = good.clone()
    bad[2, 0, 1, 1] = float("inf")
    with pytest.raises(ValueError, match=r"^my_vocoder: images \[2\] contain NaN or infinite"):
        check_images(bad, NOTES_SPEC, "my_vocoder")
    quiet = good.clone()
    quiet[[0, 2]] = -1.0
    with pytest.raises(ValueError, match=r"^g: images \[0, 2\] are silence everywhere"):
        check_audible(quiet, "g")
    quiet[2, 0, 0, 0] = -0.999  # one pixel above the floor is something to vocode
    with pytest.raises(ValueError, match=r"images \[0\] are silence"):
        check_images(quiet, NOTES_SPEC, "g")

