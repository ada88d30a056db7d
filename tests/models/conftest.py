"""One BLAS thread for the model tests: tiny networks run several times faster on one
thread than on two that compete with other work for two cores (as in tests/training)."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
