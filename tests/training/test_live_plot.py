"""Tests for aigc_kit.training.live_plot: LivePlot redrawing one notebook output in place.

How the training loop drives it (``RunConfig(live_plot=True)``) is tested in test_loop.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import aigc_kit.training.live_plot as live_plot


def _history(steps: int = 30) -> pd.DataFrame:
    """A training history like train_vae's: step, seconds, then three losses."""
    step = np.arange(1, steps + 1)
    loss = 10.0 / step
    return pd.DataFrame({"step": step, "seconds": 0.01 * step, "loss": loss,
                         "reconstruction": 0.8 * loss, "kl": 0.2 * loss})


def test_live_plot_redraws_in_place_until_closed(fake_notebook):
    shown, Handle = fake_notebook()
    plot = live_plot.LivePlot(title="demo", min_interval=0.0)
    history = _history(30)
    for end in (10, 20, 30):
        plot.update(history.head(end))
    plot.close()
    plot.update(history)  # ignored once closed
    assert len(shown) == 1 and Handle.updates == 2 and plot.updates == 3
    title = shown[0].axes[0].get_title()
    assert title.startswith("demo - step 30: loss=")
