"""The diffusion model: schedule and sampler steps against diffusers, guidance, bad input."""

import pytest
import torch

from aigc_kit.models import DiffusionModel, MLPDenoiser, NoiseSchedule, ddim_step, ddpm_step
from aigc_kit.models.diffusion import noise_from_x0

SHAPE = (1, 8, 4)


def test_the_schedules_are_diffusers_schedules():
    diffusers = pytest.importorskip("diffusers", reason="diffusers is a test-only reference")
    for kind, name in [("cosine", "squaredcos_cap_v2"), ("linear", "linear")]:
        ours = NoiseSchedule(1000, kind)
        theirs = diffusers.DDPMScheduler(num_train_timesteps=1000, beta_schedule=name)
        assert torch.allclose(ours.betas(), theirs.betas, atol=1e-7)
        assert torch.allclose(ours.alpha_bars(), theirs.alphas_cumprod, atol=1e-6)
    x0, noise = torch.rand(3, *SHAPE) * 2 - 1, torch.randn(3, *SHAPE)
    t = torch.tensor([0, 500, 999])
    theirs = diffusers.DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")
    assert torch.allclose(NoiseSchedule(1000).add_noise(x0, noise, t),
                          theirs.add_noise(x0, noise, t), atol=1e-6)


@pytest.mark.parametrize("t", [0, 1, 57, 199])
def test_one_ancestral_step_is_diffusers_ddpm_step(t):
    diffusers = pytest.importorskip("diffusers", reason="diffusers is a test-only reference")
    schedule = NoiseSchedule(200)
    theirs = diffusers.DDPMScheduler(num_train_timesteps=200, beta_schedule="squaredcos_cap_v2")
    torch.manual_seed(t)
    x_t, eps = torch.randn(2, *SHAPE), torch.randn(2, *SHAPE)
    generator = torch.Generator().manual_seed(1)
    expected = theirs.step(eps, t, x_t, generator=generator).prev_sample
    noise = torch.randn(x_t.shape, generator=torch.Generator().manual_seed(1))  # the same draw
    assert torch.allclose(ddpm_step(schedule, eps, t, x_t, noise), expected, atol=1e-5)


def test_ddim_steps_are_diffusers_ddim_steps():
    diffusers = pytest.importorskip("diffusers", reason="diffusers is a test-only reference")
    schedule = NoiseSchedule(200)
    theirs = diffusers.DDIMScheduler(num_train_timesteps=200, beta_schedule="squaredcos_cap_v2")
    theirs.set_timesteps(25)
    assert schedule.timesteps(25, "ddim") == theirs.timesteps.tolist()
    torch.manual_seed(0)
    x_t = torch.randn(2, *SHAPE)
    visits = schedule.timesteps(25, "ddim")
    for i, t in enumerate(visits):
        eps = torch.randn(2, *SHAPE)
        expected = theirs.step(eps, t, x_t).prev_sample
        ours = ddim_step(schedule, eps, t, visits[i + 1] if i + 1 < len(visits) else -1, x_t)
        assert torch.allclose(ours, expected, atol=1e-5), t
        x_t = expected


@pytest.mark.parametrize("kwargs, message", [
    ({"guidance": 25.0}, r"guidance must be a number from 0 to 20"),
    ({"steps": 0}, r"steps must be an integer from 1 to 20"),
    ({"sampler": "ddpm", "steps": 5}, r"visits every one of the 20 steps"),
    ({"sampler": "euler"}, r"sampler must be one of \('ddim', 'ddpm'\)"),
    ({"labels": torch.tensor([0, 3])}, r"labels must lie in 0\.\.2"),
])
def test_out_of_range_settings_name_the_valid_range(kwargs, message):
    model = DiffusionModel(MLPDenoiser(SHAPE, n_classes=3, hidden=(8, 8)), NoiseSchedule(20),
                           sampling_steps=5).eval()
    with pytest.raises(ValueError, match=message):
        model.sample(2, **kwargs)


def test_bad_schedules_and_labels_are_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        NoiseSchedule(10, "sigmoid")
    with pytest.raises(ValueError, match="n_steps must be an integer >= 2"):
        NoiseSchedule(1)


def test_a_predicted_clean_image_steps_as_diffusers_sample_prediction():
    diffusers = pytest.importorskip("diffusers", reason="diffusers is a test-only reference")
    schedule = NoiseSchedule(200)
    theirs = diffusers.DDIMScheduler(num_train_timesteps=200, beta_schedule="squaredcos_cap_v2",
                                     prediction_type="sample")
    theirs.set_timesteps(10)
    visits, abars = schedule.timesteps(10, "ddim"), schedule.alpha_bars()
    torch.manual_seed(0)
    x_t = torch.randn(2, *SHAPE)
    for i, t in enumerate(visits):
        x0 = torch.rand(2, *SHAPE) * 2 - 1  # a denoiser's clean-image prediction
        expected = theirs.step(x0, t, x_t).prev_sample
        eps = noise_from_x0(abars[t], x_t, x0)
        ours = ddim_step(schedule, eps, t, visits[i + 1] if i + 1 < len(visits) else -1, x_t)
        assert torch.allclose(ours, expected, atol=1e-4), t
        x_t = expected


def test_the_target_is_checked_and_both_targets_sample():
    with pytest.raises(ValueError, match=r"target must be one of \('x0', 'eps'\)"):
        DiffusionModel(MLPDenoiser(SHAPE, 3, (8, 8)), NoiseSchedule(20), target="v")
    for target in ("x0", "eps"):
        model = DiffusionModel(MLPDenoiser(SHAPE, 3, (8, 8)), NoiseSchedule(20),
                               sampling_steps=4, target=target).eval()
        images = model.sample(3, generator=torch.Generator().manual_seed(0))
        assert images.shape == (3, *SHAPE) and torch.isfinite(images).all()
