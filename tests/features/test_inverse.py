"""Mel back to sound (aigc_kit.features.inverse): one protocol, NumPy out, one peak level."""

import numpy as np
import pytest
import torch

from aigc_kit.data import synth_notes
from aigc_kit.evaluation import lsd
from aigc_kit.features import (
    NOTES_SPEC,
    NOTES_SPEC_32,
    VOCODER_PEAK_DB,
    VOCODERS,
    GriffinLim,
    griffin_lim_resynthesis,
    log_mel,
    mel_to_audio,
    spectrogram_to_audio,
    to_audio,
    to_db,
    to_images,
    vocode,
    vocoder_level,
)

SR = 16000


def _sine(freq_hz: float, amplitude: float = 0.5, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


@pytest.fixture(scope="module")
def notes() -> np.ndarray:
    """One note per timbre and pitch C4, E4, G4 at the notes spec's rate and length."""
    ds = synth_notes(pitches=[60, 64, 67], loudness_db=(-20.0,), sr=NOTES_SPEC.sr,
                     duration_s=NOTES_SPEC.duration_s)
    return np.stack(ds.clips)


def _notes(seed: int) -> np.ndarray:
    notes = synth_notes(pitches=range(60, 72, 4), loudness_db=(-20.0,), n_variants=1,
                        duration_s=NOTES_SPEC.duration_s, sr=NOTES_SPEC.sr, seed=seed)
    return np.stack(notes.clips)[:, : NOTES_SPEC.n_samples]


def test_the_named_griffin_lim_vocoders():
    assert list(VOCODERS) == ["GL-32", "NNLS+GL-32", "NNLS+GL-128"]
    assert GriffinLim().name == "NNLS+GL-32" and GriffinLim(nnls_iter=0).name == "GL-32"
    images = to_images(_notes(5)[:2], NOTES_SPEC)
    assert VOCODERS["GL-32"](images, NOTES_SPEC).shape == (2, NOTES_SPEC.n_samples)


def test_every_way_back_to_sound_returns_float32_numpy():
    images = to_images(_notes(1), NOTES_SPEC)
    db = to_db(images, NOTES_SPEC.top_db)  # a tensor in, NumPy out all the same
    out = [to_audio(images, NOTES_SPEC), GriffinLim(n_iter=4)(images, NOTES_SPEC),
           mel_to_audio(db, NOTES_SPEC.sr, n_fft=NOTES_SPEC.n_fft,
                        hop_length=NOTES_SPEC.hop_length, n_iter=4),
           spectrogram_to_audio(torch.rand(2, NOTES_SPEC.n_fft // 2 + 1, 8), NOTES_SPEC.n_fft,
                                NOTES_SPEC.hop_length, n_iter=4)]
    for audio in out:
        assert isinstance(audio, np.ndarray) and audio.dtype == np.float32
    assert out[0].shape == out[1].shape == (len(images), NOTES_SPEC.n_samples)
    assert out[2].shape == (len(images), NOTES_SPEC.hop_length * (NOTES_SPEC.n_frames - 1))
    assert out[3].shape == (2, NOTES_SPEC.hop_length * 7)  # 8 frames


def test_vocoders_return_one_level_and_keep_silent_rows_silent():
    batch = np.stack([np.linspace(-0.1, 0.2, 50), np.zeros(50), -np.ones(50) * 3.0])
    out = vocoder_level(batch.astype(np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.abs(out).max(axis=1), [0.9, 0.0, 0.9], rtol=1e-6)
    assert VOCODER_PEAK_DB == pytest.approx(20 * np.log10(0.9))
    images = to_images(_notes(2), NOTES_SPEC)
    np.testing.assert_allclose(np.abs(to_audio(images, NOTES_SPEC)).max(axis=1), 0.9,
                               rtol=1e-5)


def test_vocode_with_a_seed_repeats_and_leaves_the_callers_random_state_alone():
    images = to_images(_notes(3), NOTES_SPEC)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = vocode(images, NOTES_SPEC, seed=4)
    assert torch.equal(state, torch.get_rng_state())
    np.testing.assert_array_equal(a, vocode(images, NOTES_SPEC, seed=4))
    assert not np.array_equal(a, vocode(images, NOTES_SPEC, seed=5))
    plain = vocode(images, NOTES_SPEC, lambda x, spec: to_audio(x, spec, nnls_iter=0), seed=4)
    assert plain.shape == a.shape and not np.array_equal(plain, a)  # another vocoder used


@pytest.mark.parametrize("freq", [300.0, 440.0, 1000.0])
def test_mel_to_audio_keeps_the_frequency_of_a_sine(freq: float) -> None:
    """The dominant frequency comes back within one FFT bin (sr / n_fft = 31 Hz).

    One bin is only achievable when mel bands are no wider than FFT bins, hence
    128 mels over a 512-point FFT; with 64 mels the error can reach one mel band.
    """
    torch.manual_seed(0)
    kw = {"n_fft": 512, "hop_length": 128}
    spec = log_mel(_sine(freq), SR, n_mels=128, **kw)
    y = mel_to_audio(spec, SR, **kw)
    assert isinstance(y, np.ndarray) and y.shape == (128 * (spec.shape[-1] - 1),)
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    dominant = np.fft.rfftfreq(len(y), 1 / SR)[np.argmax(spectrum)]
    assert abs(dominant - freq) <= SR / 512


def test_mel_to_audio_batches_and_returns_numpy_for_a_tensor_too() -> None:
    torch.manual_seed(0)
    y = np.stack([_sine(330.0), _sine(660.0)])
    spec = log_mel(y, SR)[None]  # a tensor (1, 2, 64, n_frames)
    audio = mel_to_audio(spec, SR, n_iter=8, length=SR)
    assert isinstance(audio, np.ndarray) and audio.shape == (1, 2, SR)
    assert np.isfinite(audio).all()
    for row, freq in zip(audio[0], (330.0, 660.0), strict=True):  # each row keeps its tone
        dominant = np.fft.rfftfreq(SR, 1 / SR)[np.abs(np.fft.rfft(row)).argmax()]
        assert abs(dominant - freq) <= 2 * SR / 1024  # within two bins of the 1024-point FFT
    with pytest.raises(ValueError):
        mel_to_audio(np.zeros(64), SR)


def test_griffin_lim_resynthesis_keeps_the_spectrum_and_loses_the_waveform():
    from aigc_kit.evaluation import snr

    sr = 8000
    t = np.arange(sr // 2) / sr
    y = (np.sin(2 * np.pi * 330 * t) + 0.4 * np.sin(2 * np.pi * 990 * t + 1.0)).astype(np.float32)
    batch = np.stack([y, 0.5 * y])
    out = griffin_lim_resynthesis(batch)
    assert out.shape == batch.shape and out.dtype == np.float32
    assert np.all(lsd(out, batch, sr) < 3.0)  # the same spectrum, within 3 dB
    assert np.all(snr(out, batch) < 3.0)  # yet a different waveform
    with pytest.raises(ValueError, match="n_fft"):
        griffin_lim_resynthesis(y[:100])


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
    np.testing.assert_allclose(np.abs(audio).max(axis=1), 0.9, rtol=1e-5)  # one level for all


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
