"""Tests of aigc_kit.interaction.display: players and the plots every chapter uses."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import soundfile as sf

from aigc_kit.interaction.display import (
    MAX_SECONDS,
    audio,
    audio_table,
    plot_spectrogram,
    plot_waveform,
)

SR = 8000


def _sine(seconds: float, amplitude: float = 0.1) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * 440 * np.arange(int(seconds * SR)) / SR)


def _embedded(player) -> tuple[np.ndarray, int]:
    """The samples and rate of the WAV file a player embeds."""
    samples, rate = sf.read(io.BytesIO(player.data))
    return samples, rate


def test_a_player_embeds_the_clip_cropped_and_peak_normalised():
    samples, rate = _embedded(audio(_sine(6.0), SR))
    assert rate == SR and len(samples) == int(MAX_SECONDS * SR)  # cropped to 4 s
    assert np.abs(samples).max() == pytest.approx(1.0, abs=1e-3)  # 0.1 peak made audible
    short, _ = _embedded(audio(_sine(1.0), SR, max_seconds=0.5))
    assert len(short) == SR // 2
    np.testing.assert_allclose(short, _sine(0.5) / 0.1, atol=1e-3)  # the same waveform


def test_silence_plays_as_silence_and_nan_is_refused():
    samples, _ = _embedded(audio(np.zeros(SR), SR))  # nothing to normalise: no error
    assert len(samples) == SR and not samples.any()
    bad = _sine(1.0)
    bad[10] = np.inf
    with pytest.raises(ValueError, match="NaN or Inf samples; nothing to play"):
        audio(bad, SR)


def test_a_player_takes_a_mono_row_or_column_but_refuses_channels():
    row, _ = _embedded(audio(_sine(1.0)[None, :], SR))
    column, _ = _embedded(audio(_sine(1.0)[:, None], SR))
    assert len(row) == len(column) == SR
    stereo = np.stack([_sine(1.0), _sine(1.0)])
    with pytest.raises(ValueError, match=r"mono clip .*got shape \(2, 8000\).*to_mono"):
        audio(stereo, SR)  # not played as one clip twice as long


def test_audio_table_labels_each_player_and_escapes_the_labels():
    table = audio_table({"real <1>": _sine(0.5), "generated": _sine(0.25)}, SR).data
    assert table.startswith("<table><tr>") and table.count("<audio") == 2
    assert "<b>real &lt;1&gt;</b>" in table and "<b>generated</b>" in table
    assert table.index("real &lt;1&gt;") < table.index("generated")  # in the given order


def test_plot_waveform_has_a_time_axis_in_seconds():
    ax = plot_waveform(_sine(0.5), SR, title="a tone")
    try:
        line = ax.get_lines()[0]
        assert line.get_xdata()[-1] == pytest.approx((SR // 2 - 1) / SR)
        assert ax.get_xlim() == pytest.approx((0.0, (SR // 2 - 1) / SR))
        assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("time (s)", "amplitude",
                                                                       "a tone")
    finally:
        plt.close(ax.figure)


def test_plot_spectrogram_spans_the_clip_s_seconds_and_bins():
    figure, ax = plt.subplots()
    try:
        assert plot_spectrogram(np.zeros((64, 100)), SR, hop_length=80, ax=ax) is ax
        image = ax.get_images()[0]
        assert image.get_extent() == [0.0, 1.0, 0, 64]  # 100 frames of 10 ms
        assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "mel band"
        assert figure.axes[-1].get_ylabel() == "dB"  # the colour bar
    finally:
        plt.close(figure)
