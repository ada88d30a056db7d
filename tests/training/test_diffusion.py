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


def test_predicting_the_clean_image_learns_each_class_and_noise_prediction_lags():
    # three classes, one image each: after 300 steps a model that predicts x0 makes, for
    # each class asked for, an image closer to that class's image than to the others'
    images = torch.stack([torch.full(SHAPE, -0.8), torch.linspace(-1, 1, 32).view(SHAPE),
                          torch.full(SHAPE, 0.8)])
    errors = {}
    for target in ("x0", "eps"):
        torch.manual_seed(0)
        model = DiffusionModel(MLPDenoiser(SHAPE, n_classes=3, hidden=(64, 64)),
                               NoiseSchedule(50), sampling_steps=10, target=target)
        train_diffusion(model, images.repeat(8, 1, 1, 1), torch.arange(24) % 3,
                        DiffusionConfig(batch_size=24, lr=3e-3),
                        run=RunConfig(steps=300, seed=0, progress=False))
        made = model.eval().sample(6, labels=torch.tensor([0, 1, 2] * 2),
                                   generator=torch.Generator().manual_seed(2))
        distance = (made.flatten(1)[:, None] - images.flatten(1)[None]).pow(2).mean(-1)
        errors[target] = float(distance[torch.arange(6), torch.tensor([0, 1, 2] * 2)].mean())
        if target == "x0":
            assert distance.argmin(1).tolist() == [0, 1, 2] * 2, distance
    assert errors["x0"] < 0.05 and errors["x0"] < errors["eps"], errors
