"""Preprocessing steps on small signals whose right answer is known."""

import numpy as np
import pandas as pd
import pytest

from aigc_kit.data import (
    AudioSet,
    detect_outliers,
    fix_length,
    normalize_loudness,
    normalize_peak,
    remove_dc,
    resample,
    rms_db,
    robust_z,
    to_mono,
    trim_silence,
)

SR = 8000


def _sine(seconds: float = 1.0, freq: float = 440.0, amp: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _dominant_hz(x: np.ndarray, sr: int) -> float:
    return float(np.fft.rfftfreq(x.shape[-1], 1 / sr)[np.abs(np.fft.rfft(x)).argmax()])


def test_to_mono_averages_channels():
    stereo = np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 1.0]])
    mono = to_mono(stereo)
    assert mono.dtype == np.float32
    np.testing.assert_allclose(mono, [0.5, 0.0, 0.0])
    np.testing.assert_array_equal(to_mono(mono), mono)
    with pytest.raises(ValueError, match="n_channels, n_samples"):
        to_mono(np.zeros((2, 2, 2)))


def test_resample_length_pitch_and_identity():
    x = _sine(1.0, sr=16000)
    y = resample(x, 16000, SR)
    assert y.shape == (SR,) and y.dtype == np.float32
    assert _dominant_hz(y, SR) == pytest.approx(440, abs=1)
    stereo = resample(np.stack([x, x]), 16000, 22050)
    assert stereo.shape == (2, 22050)
    np.testing.assert_array_equal(resample(x, SR, SR), x)
    with pytest.raises(ValueError, match="positive"):
        resample(x, 0, SR)


def test_trim_silence_finds_the_tone_within_a_frame():
    rng = np.random.default_rng(0)
    tone = _sine(1.0)
    x = np.concatenate([np.zeros(4000), tone, np.zeros(2000)]).astype(np.float32)
    x += (1e-5 * rng.standard_normal(len(x))).astype(np.float32)  # a -100 dB noise floor
    trimmed, (start, end) = trim_silence(x, SR, top_db=40.0, frame_length=200, hop_length=50)
    assert abs(start - 4000) <= 200 and abs(end - 12000) <= 200
    np.testing.assert_array_equal(trimmed, x[start:end])
    _, (start_default, end_default) = trim_silence(x, SR)  # 25 ms frames at 8 kHz
    assert abs(start_default - 4000) <= 200 and abs(end_default - 12000) <= 200


def test_trim_silence_of_silence_is_empty():
    trimmed, bounds = trim_silence(np.zeros(1000, dtype=np.float32), SR)
    assert bounds == (0, 0) and trimmed.shape == (0,)
    assert trim_silence(np.zeros(0), SR)[1] == (0, 0)


def test_trim_silence_keeps_a_frame_loud_in_any_channel():
    x = np.zeros((2, SR), dtype=np.float32)
    x[1, 2000:3000] = _sine(1000 / SR)
    trimmed, (start, end) = trim_silence(x, SR)
    assert trimmed.shape == (2, end - start)
    assert abs(start - 2000) <= 200 and abs(end - 3000) <= 200


def test_fix_length_pads_and_crops():
    x = np.arange(1, 6, dtype=np.float32)  # [1 2 3 4 5]
    np.testing.assert_array_equal(fix_length(x, 7), [1, 2, 3, 4, 5, 0, 0])
    np.testing.assert_array_equal(fix_length(x, 3), [1, 2, 3])
    np.testing.assert_array_equal(fix_length(x, 8, align="center"), [0, 1, 2, 3, 4, 5, 0, 0])
    np.testing.assert_array_equal(fix_length(x, 2, align="center"), [2, 3])
    assert fix_length(np.ones((2, 5)), 9).shape == (2, 9)
    with pytest.raises(ValueError, match="align"):
        fix_length(x, 3, align="end")


def test_normalize_peak_sets_the_peak_in_dbfs():
    x = _sine(amp=0.1)
    for peak_db in (-1.0, -6.0):
        y = normalize_peak(x, peak_db)
        assert y.dtype == np.float32
        assert np.abs(y).max() == pytest.approx(10 ** (peak_db / 20), rel=1e-5)
    with pytest.raises(ValueError, match="silent"):
        normalize_peak(np.zeros(10))


def test_normalize_peak_per_clip_scales_each_row_and_can_keep_silence():
    batch = np.stack([_sine(amp=0.1), _sine(amp=0.5), np.zeros(SR)])
    whole = normalize_peak(batch, -6.0, silent="keep")  # one gain for the whole array
    assert np.abs(whole[1]).max() == pytest.approx(10 ** (-6 / 20), rel=1e-5)
    assert np.abs(whole[0]).max() == pytest.approx(10 ** (-6 / 20) / 5, rel=1e-4)
    rows = normalize_peak(batch, -6.0, per_clip=True, silent="keep")
    np.testing.assert_allclose(np.abs(rows).max(axis=1), [10 ** (-6 / 20)] * 2 + [0.0],
                               rtol=1e-5)
    with pytest.raises(ValueError, match="a clip of the batch is silent"):
        normalize_peak(batch, per_clip=True)
    with pytest.raises(ValueError, match="silent must be"):
        normalize_peak(batch, silent="ignore")
    x64 = np.linspace(-2.0, 1.0, 7)  # float64 in: divided exactly, then rounded once
    np.testing.assert_array_equal(normalize_peak(x64, 0.0), (x64 / 2.0).astype(np.float32))


def test_rms_db_known_levels():
    assert rms_db(_sine(amp=1.0)) == pytest.approx(-3.01, abs=0.01)
    assert rms_db(np.full(100, 0.1)) == pytest.approx(-20.0, abs=1e-6)
    assert rms_db(np.zeros(100)) == pytest.approx(-200.0)


def test_normalize_loudness_hits_target_and_respects_peak_limit():
    y = normalize_loudness(_sine(amp=0.01), target_db=-20.0)
    assert y.dtype == np.float32
    assert rms_db(y) == pytest.approx(-20.0, abs=0.1)
    spiky = np.full(1000, 0.001, dtype=np.float32)
    spiky[500] = 0.5  # reaching -20 dB RMS would need a peak far above full scale
    z = normalize_loudness(spiky, target_db=-20.0, peak_limit_db=-1.0)
    assert np.abs(z).max() == pytest.approx(10 ** (-1 / 20), rel=1e-5)
    assert rms_db(z) < -20.5
    with pytest.raises(ValueError, match="silent"):
        normalize_loudness(np.zeros(10))


def test_remove_dc_leaves_zero_mean_per_channel():
    x = np.stack([_sine() + 0.3, _sine() - 0.2])
    y = remove_dc(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-6)
    np.testing.assert_allclose(y[0], _sine(), atol=1e-5)


def test_robust_z_handles_zero_mad():
    assert np.all(robust_z(np.ones(5)) == 0)
    z = robust_z(np.array([1.0] * 9 + [2.0]))  # MAD is 0: falls back to the mean deviation
    assert z[-1] > 3.5 and np.all(z[:-1] == 0)
    z = robust_z(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    assert z[-1] > 3.5 and np.all(np.abs(z[:-1]) < 3.5)


def _homogeneous(n: int = 20) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    clips = []
    for _ in range(n):
        seconds, freq, amp = rng.uniform(0.95, 1.05), rng.uniform(200, 400), rng.uniform(0.3, 0.35)
        clip = _sine(seconds, freq=freq, amp=amp)
        clips.append(clip + (0.001 * rng.standard_normal(len(clip))).astype(np.float32))
    return clips


def test_detect_outliers_flags_nothing_on_a_homogeneous_set():
    report = detect_outliers(_homogeneous(), sr=SR)
    assert isinstance(report, pd.DataFrame) and len(report) == 20
    assert list(report.columns) == [
        "clipping_ratio", "rms_db", "duration_s", "duration_z", "loudness_z", "reasons", "outlier",
    ]
    assert not report["outlier"].any() and (report["reasons"] == "").all()


def test_detect_outliers_names_each_problem():
    clips = _homogeneous()
    clips.append(np.clip(_sine(amp=3.0), -1.0, 1.0))  # clipped
    clips.append(_sine(amp=1e-4))  # near-silent
    clips.append(_sine(3.0, amp=0.32))  # far longer than the rest
    report = detect_outliers(AudioSet(clips, SR, pd.DataFrame(index=range(len(clips)))))
    assert len(report) == len(clips)
    assert report["outlier"].tolist() == [False] * 20 + [True] * 3
    clipped, silent, long = report["reasons"].iloc[-3:]
    assert "clipping:" in clipped and report["clipping_ratio"].iloc[-3] > 0.5
    assert "near-silent: RMS -83.0 dBFS" in silent
    assert "duration outlier: 3.00 s" in long and "clipping" not in long
    assert report["duration_z"].iloc[-1] > 3.5
    assert report["duration_s"].iloc[-1] == pytest.approx(3.0)


def test_detect_outliers_needs_a_sample_rate_for_plain_arrays():
    with pytest.raises(ValueError, match="sr="):
        detect_outliers([np.zeros(10)])
