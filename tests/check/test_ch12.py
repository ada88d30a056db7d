"""Chapter 12's self-checks: right answers pass, typical mistakes fail without the answer."""

import numpy as np
import pytest
import torch

from aigc_kit import check
from aigc_kit.apps.video import flicker_score, lab_statistics
from aigc_kit.apps.video.io import to_tensor
from aigc_kit.apps.video.style import RandomTextureNet, gram_matrices


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def _clip_and_style():
    rng = np.random.default_rng(0)
    frames = np.clip(np.cumsum(rng.normal(0, 0.03, (4, 16, 16, 3)), axis=0) + 0.4, 0, 1)
    style = rng.random((16, 16, 3)) * np.array([1.0, 0.5, 0.2])
    return frames.astype(np.float32), style.astype(np.float32)


def _no_value(verdict, values):
    return not any(f"{v:.2f}" in verdict.message for v in np.ravel(values))


def test_ex1_half_strength_statistics():
    frames, style = _clip_and_style()
    clip_stats, style_stats = np.stack(lab_statistics(frames)), np.stack(lab_statistics(style))
    right = 0.5 * clip_stats + 0.5 * style_stats
    assert check.ch12_ex1(right, frames, style).ok is True
    transposed = check.ch12_ex1(right.T, frames, style)
    assert transposed.ok is False and "transposed" in transposed.message
    full = check.ch12_ex1(style_stats, frames, style)
    assert full.ok is False and "strength 1" in full.message
    variances = right.copy()
    variances[1] = np.sqrt(0.5 * clip_stats[1] ** 2 + 0.5 * style_stats[1] ** 2)
    pooled = check.ch12_ex1(variances, frames, style)
    assert pooled.ok is False and "variances" in pooled.message
    for verdict in (transposed, full, pooled):
        assert _no_value(verdict, right)
    assert check.ch12_ex1(..., frames, style).ok is None


def _flicker(output, frames, power=1, axis=0):
    def change(clip):
        return (np.abs(np.diff(np.asarray(clip, np.float64), axis=axis)) ** power).mean()

    return float(change(output) / change(frames))


def test_ex2_flicker_function():
    frames, _ = _clip_and_style()
    output = np.clip(frames + np.random.default_rng(1).normal(0, 0.05, frames.shape), 0, 1)
    assert check.ch12_ex2(_flicker, output, frames).ok is True
    assert check.ch12_ex2(flicker_score, output, frames).ok is True
    inverted = check.ch12_ex2(lambda y, x: 1 / _flicker(y, x), output, frames)
    assert inverted.ok is False and "upside down" in inverted.message
    squared = check.ch12_ex2(lambda y, x: _flicker(y, x, power=2), output, frames)
    assert squared.ok is False and "squared" in squared.message
    rows = check.ch12_ex2(lambda y, x: _flicker(y, x, axis=1), output, frames)
    assert rows.ok is False and "axis 0" in rows.message
    for verdict in (inverted, squared, rows):
        assert _no_value(verdict, [flicker_score(output, frames)])
    number = check.ch12_ex2(1.0, output, frames)
    assert number.ok is False and "answer = flicker" in number.message
    one_argument = check.ch12_ex2(lambda y: 1.0, output, frames)
    assert one_argument.ok is False and "TypeError" in one_argument.message
    assert "answer(output, input)" in one_argument.message
    assert check.ch12_ex2(..., output, frames).ok is None


def test_ex3_gram_matrix():
    frame = np.random.default_rng(2).random((16, 16, 3)).astype(np.float32)
    with torch.no_grad():
        grams = gram_matrices(RandomTextureNet(seed=3)(to_tensor(frame[None])))
    first = grams[0][0]
    assert check.ch12_ex3(first, frame, 3).ok is True
    assert check.ch12_ex3(first.numpy()[None], frame, 3).ok is True
    assert check.ch12_ex3(first, frame, 4).ok is False  # another network
    unscaled = check.ch12_ex3(first * 256, frame, 3)
    assert unscaled.ok is False and "H * W" in unscaled.message
    second = check.ch12_ex3(grams[1][0], frame, 3)
    assert second.ok is False and "second layer" in second.message
    assert check.ch12_ex3(..., frame, 3).ok is None


def test_ex4_mean_psnr():
    rng = np.random.default_rng(4)
    real = rng.random((5, 2, 4, 4, 3))
    recon = real + rng.normal(0, 1, (5, 1, 1, 1, 1)) * 0.05 * rng.random(real.shape)
    mse = ((recon - real) ** 2).reshape(5, -1).mean(axis=1)
    right = float(np.mean(10 * np.log10(1 / mse)))
    assert check.ch12_ex4(right, recon, real).ok is True
    pooled = check.ch12_ex4(10 * np.log10(1 / mse.mean()), recon, real)
    assert pooled.ok is False and "mean MSE" in pooled.message
    amplitude = check.ch12_ex4(2 * right, recon, real)
    assert amplitude.ok is False and "20 log10" in amplitude.message
    for verdict in (pooled, amplitude):
        assert f"{right:.2f}" not in verdict.message
    assert check.ch12_ex4(..., recon, real).ok is None
