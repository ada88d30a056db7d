"""Test-wide settings: never download; read FSDD from the offline mirror.

``.ci/run`` points ``AIGC_KIT_DATA_MIRROR`` at ``../shared/datasets`` (the FSDD mirror beside
the clone). When the variable is unset and that folder exists, the tests use it too; with no
mirror, FSDD comes from the cache that ``make data`` filled.

Also the tiny VAEs of the contract and sampling tests (``vae_case``, ``vae_cases``).
"""

import os
from pathlib import Path

import matplotlib
import pytest
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")

os.environ["AIGC_KIT_OFFLINE"] = "1"
_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if "AIGC_KIT_DATA_MIRROR" not in os.environ and (_MIRROR / "fsdd" / "recordings").is_dir():
    os.environ["AIGC_KIT_DATA_MIRROR"] = str(_MIRROR)


# --- the kit's VAEs, tiny, for the contract and sampling tests ---------------------------
# tests/models/test_contract.py and tests/generation/test_sampling.py both check every VAE
# of the kit; test modules cannot import each other (--import-mode=importlib), so the
# cases live here: the ``vae_case`` fixture runs a test once per VAE, ``vae_cases`` is
# the dict of factories for a test that needs one of them.

N_EXAMPLES = 5


class VAECase:
    """A tiny VAE, a batch of its data, its labels (conditional only), its example shape."""

    def __init__(self, model: nn.Module, x: torch.Tensor, labels: torch.Tensor | None,
                 example_shape: tuple[int, ...], is_one_hot: bool = False) -> None:
        self.model, self.x, self.labels = model, x, labels
        self.example_shape, self.is_one_hot = example_shape, is_one_hot

    def kw(self, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """``{"labels": ...}`` for a conditional VAE (its own labels by default), else ``{}``."""
        labels = self.labels if labels is None else labels
        return {} if labels is None else {"labels": labels}

    def first(self, n: int) -> dict[str, torch.Tensor]:
        """:meth:`kw` for the first ``n`` examples."""
        return self.kw(self.labels[:n] if self.labels is not None else None)

    def check_one_hot(self, out: torch.Tensor) -> None:
        """Melody windows hold exactly one token per group: pitch, duration, phrase end."""
        if self.is_one_hot:
            assert set(out.unique().tolist()) <= {0.0, 1.0}
            torch.testing.assert_close(out.sum(-1), torch.full(out.shape[:2], 3.0))


def _mlp_vae() -> VAECase:
    from aigc_kit.models import VAE, MLPDecoder, MLPEncoder

    shape = (1, 8, 8)
    model = VAE(MLPEncoder(shape, 4, hidden=(16,)), MLPDecoder(4, shape, hidden=(16,)))
    return VAECase(model, torch.rand(N_EXAMPLES, *shape) * 2 - 1, None, shape)


def _conv_vae() -> VAECase:  # batch norm: train and eval mode differ
    from aigc_kit.models import VAE, ConvDecoder, ConvEncoder

    shape = (1, 16, 16)
    model = VAE(ConvEncoder(shape, 4, width=4), ConvDecoder(4, shape, width=4))
    return VAECase(model, torch.rand(N_EXAMPLES, *shape) * 2 - 1, None, shape)


def _conditional_vae() -> VAECase:
    from aigc_kit.models import ConditionalVAE

    shape = (1, 16, 16)
    model = ConditionalVAE(shape, (3, 2), latent_dim=4, width=4)
    labels = torch.tensor([[0, 0], [1, 1], [2, 0], [0, 1], [2, 1]])
    return VAECase(model, torch.rand(N_EXAMPLES, *shape) * 2 - 1, labels, shape)


def _melody_vae() -> VAECase:
    from aigc_kit.apps.music import MelodyVAE

    model = MelodyVAE(60, 67, latent=4, hidden=16, window=6)
    groups = (model.n_pitches, model.features - model.n_pitches - 2, 2)  # pitch, duration, end
    g = torch.Generator().manual_seed(0)
    tokens = [torch.randint(0, k, (N_EXAMPLES, 6), generator=g) for k in groups]
    x = torch.cat([F.one_hot(t, k) for t, k in zip(tokens, groups, strict=True)], -1).float()
    return VAECase(model, x, None, (6, model.features), is_one_hot=True)


def _video_vae() -> VAECase:
    from aigc_kit.apps.video import VideoVAE

    model = VideoVAE(frames=2, size=8, latent_dim=4, width=4)
    return VAECase(model, torch.rand(N_EXAMPLES, 2, 3, 8, 8), None, (2, 3, 8, 8))


VAE_CASES = {"mlp-vae": _mlp_vae, "conv-vae": _conv_vae, "conditional-vae": _conditional_vae,
             "melody-vae": _melody_vae, "video-vae": _video_vae}


@pytest.fixture(params=list(VAE_CASES))
def vae_case(request) -> VAECase:
    """Each VAE of the kit in turn, built after ``torch.manual_seed(0)``."""
    torch.manual_seed(0)
    return VAE_CASES[request.param]()


@pytest.fixture
def vae_cases() -> dict:
    """``vae_cases["conv-vae"]()`` builds one case (unseeded)."""
    return VAE_CASES
