"""The diffusion trainer: the one loop, reproducible, bad input refused."""

import pytest
import torch

from aigc_kit.models import DiffusionModel, MLPDenoiser, NoiseSchedule
from aigc_kit.training import DiffusionConfig, RunConfig, train_diffusion

SHAPE = (1, 8, 4)


def test_a_trained_model_samples_reproducibly_with_guidance_and_both_samplers():
    torch.manual_seed(0)
    model = DiffusionModel(MLPDenoiser(SHAPE, n_classes=3, hidden=(32, 32)), NoiseSchedule(20),
                           sampling_steps=5)
    images = torch.rand(12, *SHAPE) * 2 - 1
    result = train_diffusion(model, images, torch.arange(12) % 3, DiffusionConfig(batch_size=6),
                             run=RunConfig(steps=5, seed=0, progress=False))
    assert result.ok and result.steps == 5 and list(result.history.columns)[-1] == "loss"
    model.eval()
    a = model.sample(4, generator=torch.Generator().manual_seed(1))
    b = model.sample(4, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and a.shape == (4, *SHAPE) and a.abs().max() <= 1
    ddpm = model.sample(2, labels=torch.tensor([0, 2]), sampler="ddpm", guidance=1.0,
                        generator=torch.Generator().manual_seed(1))
    assert ddpm.shape == (2, *SHAPE)
    unguided = model.sample(4, guidance=0.0, generator=torch.Generator().manual_seed(1))
    assert not torch.equal(unguided, a)


def test_bad_labels_and_settings_are_refused():
    model = DiffusionModel(MLPDenoiser(SHAPE, n_classes=3, hidden=(8, 8)), NoiseSchedule(20),
                           sampling_steps=5)
    with pytest.raises(ValueError, match=r"labels must be integers of shape \(4,\)"):
        train_diffusion(model, torch.zeros(4, *SHAPE), torch.zeros(4), run=RunConfig(steps=1))
    with pytest.raises(ValueError, match="drop_label"):
        DiffusionConfig(drop_label=1.0)
