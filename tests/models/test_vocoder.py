"""Tests of aigc_kit.models.vocoder: SpectralInverter, log-mel image -> linear spectrogram.

How it trains and sounds (train_vocoder, TrainedVocoder) is tested in
tests/training/test_vocoder.py.
"""

import pytest
import torch

from aigc_kit.features import NOTES_SPEC, NOTES_SPEC_32
from aigc_kit.models import SpectralInverter

N_FREQS = NOTES_SPEC.n_fft // 2 + 1


def test_maps_images_to_linear_spectrograms_of_the_spec():
    inverter = SpectralInverter(NOTES_SPEC, hidden=16)
    out = inverter(torch.rand(3, *NOTES_SPEC.shape) * 2 - 1)
    assert out.shape == (3, N_FREQS, NOTES_SPEC.n_frames) and out.dtype == torch.float32


def test_the_untrained_inverter_is_the_fixed_spread_of_the_bands():
    inverter = SpectralInverter(NOTES_SPEC, hidden=16)
    spread = inverter.spread
    assert spread.shape == (N_FREQS, NOTES_SPEC.n_mels)
    assert "spread" not in dict(inverter.named_parameters())  # a buffer: never trained
    torch.testing.assert_close(spread.sum(dim=1), torch.ones(N_FREQS))  # each bin: an average
    assert spread.min() >= 0
    images = torch.rand(2, *NOTES_SPEC.shape) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(inverter(images), spread @ images[:, 0])
        # so a flat image (the same level in every band) gives that level in every bin
        flat = inverter(torch.full((1, *NOTES_SPEC.shape), -0.25))
    torch.testing.assert_close(flat, torch.full_like(flat, -0.25))


def test_a_single_band_spreads_over_its_own_bins_only():
    inverter = SpectralInverter(NOTES_SPEC, hidden=16)
    image = -torch.ones(1, *NOTES_SPEC.shape)
    image[0, 0, 10] = 1.0  # mel band 10 at full level, every other band silent
    with torch.no_grad():
        column = inverter(image)[0, :, 0]
    lit = torch.nonzero(column > -1.0 + 1e-4).flatten()
    assert 0 < len(lit) < N_FREQS // 4  # a few neighbouring bins, not the whole spectrum
    assert torch.equal(lit, torch.arange(lit[0], lit[-1] + 1))  # contiguous
    assert torch.equal(lit, torch.nonzero(inverter.spread[:, 10] > 0).flatten())


def test_a_correction_is_learnable_and_sees_neighbouring_frames():
    torch.manual_seed(0)
    inverter = SpectralInverter(NOTES_SPEC, hidden=8, kernel=3)
    torch.nn.init.normal_(inverter.net[-1].weight, std=0.1)  # as if trained a little
    image = -torch.ones(1, *NOTES_SPEC.shape)
    image[0, 0, :, 16] = 1.0  # one loud frame
    with torch.no_grad():
        change = (inverter(image) - inverter.spread @ image[:, 0])[0]  # (n_freqs, n_frames)
    # three 3-frame convolutions: frames 13..19 hear frame 16; away from the edges (zero
    # padding), the other frames get the background's correction
    background = change[:, 5:6]
    for frame in range(NOTES_SPEC.n_frames):
        near = 13 <= frame <= 19
        if near or 3 <= frame <= 28:
            same = torch.allclose(change[:, frame:frame + 1], background, atol=1e-6)
            assert same is not near, frame
    trainable = sum(p.numel() for p in inverter.parameters() if p.requires_grad)
    assert trainable == sum(p.numel() for p in inverter.net.parameters())


def test_refuses_images_of_another_spec_and_bad_settings():
    inverter = SpectralInverter(NOTES_SPEC, hidden=16)
    with pytest.raises(ValueError, match=r"expected images of shape \(n, 1, 64, 32\) for its "
                                         r"MelSpec, got \(2, 1, 32, 32\)"):
        inverter(torch.zeros(2, *NOTES_SPEC_32.shape))
    with pytest.raises(ValueError, match=r"got \(64, 32\)"):
        inverter(torch.zeros(64, 32))
    with pytest.raises(ValueError, match="kernel must be odd and hidden positive, got kernel=4"):
        SpectralInverter(NOTES_SPEC, kernel=4)
    with pytest.raises(ValueError, match="hidden=0"):
        SpectralInverter(NOTES_SPEC, hidden=0)
