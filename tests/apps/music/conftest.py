"""Shared pieces of the melody tests (``09_music_generation``): the corpus, one BLAS thread,
a small melody factory. Test modules cannot import each other (``--import-mode=importlib``),
so helpers are fixtures."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.apps.music import Melody, load_bach_soprano


@pytest.fixture(scope="session")
def corpus():
    """The cached corpus file (data/bach_soprano.npz), parsed if missing (about 90 s)."""
    return load_bach_soprano(progress=False)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These small models run fastest on one thread, especially on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def make_melody():
    """``make_melody(pitches, durations=None, ends=None, mode="major")``: a Melody whose
    durations default to quarters and whose only phrase end is the last note."""
    def make(pitches, durations=None, ends=None, mode="major"):
        n = len(pitches)
        return Melody(np.asarray(pitches), np.asarray(durations or [1.0] * n, dtype=float),
                      np.asarray(ends if ends is not None else [False] * (n - 1) + [True]),
                      mode)
    return make
