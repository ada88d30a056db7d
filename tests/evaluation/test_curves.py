import pytest
import torch

from aigc_kit.evaluation import vae_data_curve
from aigc_kit.features import NOTES_SPEC_32, MelImageDataset


def test_vae_data_curve_gives_one_finite_error_per_share_and_less_data_generalises_worse():
    gen = torch.Generator().manual_seed(0)
    # Images made of a few smooth templates plus noise: more examples, better held-out fit.
    templates = torch.rand(8, 1, 32, 32, generator=gen) * 2 - 1
    pick = torch.randint(0, 8, (400,), generator=gen)
    x = (templates[pick] + 0.1 * torch.randn(400, 1, 32, 32, generator=gen)).clamp(-1, 1)
    data = MelImageDataset("toy", NOTES_SPEC_32, x[:300], pick[:300], x[300:], pick[300:],
                           [str(i) for i in range(8)])
    errors = vae_data_curve(data, [0.01, 1.0], steps=60, device="cpu")  # no wall clock
    assert len(errors) == 2
    assert errors[1] < errors[0]
    # the baseline to beat: the mean training image as every reconstruction (about 0.30;
    # the full share reaches about 0.011, near the noise's 0.01)
    baseline = float(((x[300:] - x[:300].mean(0)) ** 2).mean())
    assert errors[1] < 0.1 * baseline
    assert vae_data_curve(data, [0.01], steps=60, device="cpu") == errors[:1]  # repeatable
    with pytest.raises(ValueError, match="not both"):
        vae_data_curve(data, [1.0], seconds=1.0, steps=10)
    with pytest.raises(ValueError, match="not both"):
        vae_data_curve(data, [1.0])
