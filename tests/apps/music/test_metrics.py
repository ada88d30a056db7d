"""Tests of aigc_kit.apps.music.metrics (``09_music_generation``): pitch-class and interval
histograms and their total-variation distance."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_kit.apps.music import interval_histogram, pitch_class_histogram, total_variation


def test_histograms_and_distance(make_melody):
    m = make_melody([60, 62, 64, 62, 72])
    pch = pitch_class_histogram(m)
    np.testing.assert_allclose(pch[[0, 2, 4]], [0.4, 0.4, 0.2])
    iv = interval_histogram(m, max_interval=3)  # steps +2 +2 -2 +10 (clipped to +3)
    np.testing.assert_allclose(iv, [0, 0.25, 0, 0, 0, 0.5, 0.25])
    assert total_variation(pch, pch) == 0.0
    assert total_variation([1, 0], [0, 1]) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        total_variation(np.ones(12), np.ones(25))
    with pytest.raises(ValueError, match="two notes"):
        interval_histogram(make_melody([60]))
