"""The conditional GAN's networks and the harmonic generator's rendering."""

import pytest
import torch

from aigc_kit.features import NOTES_SPEC, to_images
from aigc_kit.models import (
    HarmonicGenerator,
    LabelConditioned,
    MLPGenerator,
    ProjectionDiscriminator,
)


def test_rendered_harmonics_sit_where_the_analysis_of_a_real_tone_puts_them():
    g = HarmonicGenerator(NOTES_SPEC, [69])
    frames = NOTES_SPEC.n_frames
    level = torch.full((1, 16, frames), -200.0)
    level[0, 0] = 0.0  # one sine at f0, steady
    params = {"f0_hz": torch.tensor([440.0]), "harmonic_db": level,
              "noise_db": torch.full((1, NOTES_SPEC.n_mels, frames), -200.0)}
    rendered = g.render(params)[0, 0]
    t = torch.arange(NOTES_SPEC.n_samples + 4 * NOTES_SPEC.hop_length) / NOTES_SPEC.sr
    analysed = to_images(torch.sin(2 * torch.pi * 440 * t)[None], NOTES_SPEC)[0, 0]
    middle = slice(4, frames - 4)  # away from the analysis's zero-padded edges
    assert rendered[:, middle].mean(1).argmax() == analysed[:, middle].mean(1).argmax()
    assert (rendered[:, middle].mean(1) - analysed[:, middle].mean(1)).abs().max() < 0.25


def test_the_generator_is_told_its_note_and_detunes_by_at_most_50_cents():
    torch.manual_seed(0)
    g = HarmonicGenerator(NOTES_SPEC, [60, 67], latent_dim=8)
    z = torch.randn(6, 8) * 10
    params = g.parameters_of(z, torch.tensor([0, 0, 0, 1, 1, 1]))
    cents = 1200 * torch.log2(params["f0_hz"] / 440.0) + 6900
    nominal = torch.tensor([60.0] * 3 + [67.0] * 3) * 100
    assert ((cents - nominal).abs() <= 50 + 1e-3).all()
    images = g(z, torch.tensor([0, 1, 0, 1, 0, 1]))
    assert images.shape == (6, *NOTES_SPEC.shape) and images.max().item() == pytest.approx(1.0)
    images.sum().backward()
    assert g.head.weight.grad is not None and g.head.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.1"):
        g(z[:1], torch.tensor([2]))


@pytest.mark.parametrize("body", ["mlp", "conv"])
def test_the_projection_discriminator_judges_the_image_as_the_claimed_class(body):
    torch.manual_seed(0)
    d = ProjectionDiscriminator((1, 16, 8), n_classes=3, body=body)
    with torch.no_grad():
        d.embed.weight.normal_(std=1.0)
    x = torch.rand(4, 1, 16, 8)
    a, b = d(x, torch.tensor([0, 0, 0, 0])), d(x, torch.tensor([1, 1, 1, 1]))
    assert a.shape == (4,) and not torch.allclose(a, b)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        d(x, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="body must be"):
        ProjectionDiscriminator((1, 16, 8), 3, body="rnn")


def test_label_conditioning_changes_what_a_generator_makes():
    torch.manual_seed(0)
    g = LabelConditioned(MLPGenerator(4, (1, 8, 8), batch_norm=False), 4, n_classes=2).eval()
    z = torch.randn(3, 4)
    assert not torch.allclose(g(z, torch.zeros(3)), g(z, torch.ones(3)))
