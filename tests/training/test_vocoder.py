import numpy as np
import pytest
import torch

from aigc_kit.data import synth_notes
from aigc_kit.evaluation import lsd
from aigc_kit.features import NOTES_SPEC, NOTES_SPEC_32, to_images
from aigc_kit.models import SpectralInverter
from aigc_kit.runtime import CheckpointError
from aigc_kit.training import RunConfig, TrainedVocoder, linear_targets, train_vocoder


def _notes(seed: int, n_variants: int = 1) -> np.ndarray:
    notes = synth_notes(pitches=range(60, 72, 2), loudness_db=(-20.0,), n_variants=n_variants,
                        duration_s=NOTES_SPEC.duration_s, sr=NOTES_SPEC.sr, seed=seed)
    return np.stack(notes.clips)[:, : NOTES_SPEC.n_samples]


@pytest.fixture(scope="module")
def trained() -> tuple[TrainedVocoder, float]:
    made = train_vocoder(_notes(0, 2), NOTES_SPEC, run=RunConfig(steps=150, progress=False))
    result = made.result
    assert isinstance(made, TrainedVocoder) and made.name == "trained+GL-32"
    assert made.spec == NOTES_SPEC and not made.inverter.training
    assert result.ok and len(result.history) == 150
    first, last = result.history["loss"].iloc[:10].mean(), result.history["loss"].iloc[-10:].mean()
    return TrainedVocoder(made.inverter, n_iter=16), last / first


def _lsd(audio: np.ndarray, clips: np.ndarray) -> float:
    rms = np.sqrt(np.mean(audio**2, axis=1, keepdims=True))
    target = np.sqrt(np.mean(clips**2, axis=1, keepdims=True))
    return float(np.mean(lsd(audio * target / rms, clips, NOTES_SPEC.sr)))


def test_linear_targets_are_in_image_scale_with_the_loudest_bin_at_one():
    targets = linear_targets(_notes(3), NOTES_SPEC)
    assert targets.shape == (len(targets), NOTES_SPEC.n_fft // 2 + 1, NOTES_SPEC.n_frames)
    assert torch.allclose(targets.amax(dim=(1, 2)), torch.ones(len(targets)))
    assert targets.min() >= -1.0


def test_a_trained_vocoder_learns_the_spectrum_between_the_mel_bands(trained):
    vocoder, loss_ratio = trained
    assert loss_ratio < 0.7  # the loss fell while training
    held_out = _notes(1000)
    images = to_images(held_out, NOTES_SPEC)
    untrained = TrainedVocoder(SpectralInverter(NOTES_SPEC), n_iter=16)  # the fixed spread only
    torch.manual_seed(0)
    learned = vocoder(images, NOTES_SPEC)
    torch.manual_seed(0)
    blurred = untrained(images, NOTES_SPEC)
    assert learned.shape == held_out.shape and np.abs(learned).max() == pytest.approx(0.9)
    assert _lsd(learned, held_out) < _lsd(blurred, held_out) - 1.0  # dB


def test_trained_vocoder_refuses_another_spec_and_bad_images(trained):
    vocoder, _ = trained
    with pytest.raises(ValueError, match="trained for .*train one for this spec"):
        vocoder(torch.zeros(1, *NOTES_SPEC_32.shape), NOTES_SPEC_32)
    bad = torch.zeros(2, *NOTES_SPEC.shape)
    bad[0, 0, 0, 0] = float("inf")
    with pytest.raises(ValueError, match="NaN or infinite"):
        vocoder(bad, NOTES_SPEC)
    with pytest.raises(ValueError, match="silence everywhere"):
        vocoder(-torch.ones(2, *NOTES_SPEC.shape), NOTES_SPEC)


def test_vocoder_checkpoints_round_trip_and_refuse_the_wrong_spec_or_tampering(trained, tmp_path):
    vocoder, _ = trained
    path = vocoder.save(tmp_path / "vocoder.pt")
    loaded = TrainedVocoder.load(path, NOTES_SPEC)
    images = to_images(_notes(7), NOTES_SPEC)
    torch.manual_seed(0)
    a = vocoder(images, NOTES_SPEC)
    torch.manual_seed(0)
    assert np.array_equal(a, loaded(images, NOTES_SPEC))
    with pytest.raises(CheckpointError, match="trained for MelSpec.*not for"):
        TrainedVocoder.load(path, NOTES_SPEC_32)
    with pytest.raises(CheckpointError, match="no such vocoder checkpoint"):
        TrainedVocoder.load(tmp_path / "missing.pt", NOTES_SPEC)
    broken = tmp_path / "broken.pt"
    broken.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="broken.pt"):
        TrainedVocoder.load(broken, NOTES_SPEC)
