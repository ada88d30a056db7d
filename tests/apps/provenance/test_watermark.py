"""Tests of the keyed audio watermark (aigc_kit.apps.provenance), on generated notes and noise."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_kit.apps.provenance import (
    MIN_SECONDS,
    WatermarkResult,
    default_attacks,
    detect_watermark,
    embed_watermark,
    robustness_table,
    threshold_for,
    watermark_to_signal_db,
)
from aigc_kit.data import resample, synth_notes

KEY = "teacher's secret"


def speechlike(sr: int, seconds: float, seed: int) -> np.ndarray:
    """Voiced-speech-like test signal: a gliding harmonic tone (f0 100-220 Hz, partials
    falling 6 dB per octave) plus breath noise, under a syllable envelope, about -20 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    f0 = rng.uniform(100, 160) * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
    phase = 2 * np.pi * np.cumsum(f0) / sr
    n_partials = int(sr / 2 / 230)
    x = sum(np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k for k in range(1, n_partials))
    x = x + 0.05 * rng.standard_normal(n)
    x = x * (0.1 + np.abs(np.sin(2 * np.pi * rng.uniform(2, 4) * t)))
    return (0.1 * x / np.sqrt(np.mean(x**2))).astype(np.float32)


@pytest.fixture(scope="module")
def notes() -> list[np.ndarray]:
    """Eight one-second generated notes at 16 kHz (all timbres, two loudness levels)."""
    data = synth_notes(pitches=[55, 67], loudness_db=(-30.0, -12.0), duration_s=1.0,
                       sr=16000, seed=3)
    return data.clips[:8]


def test_marked_notes_are_detected_and_unmarked_are_not(notes: list[np.ndarray]) -> None:
    for clip in notes:
        marked = embed_watermark(clip, 16000, KEY)
        found = detect_watermark(marked, 16000, KEY)
        blank = detect_watermark(clip, 16000, KEY)
        assert isinstance(found, WatermarkResult)
        assert found.present and found.score > found.threshold + 2, found
        assert not blank.present and abs(blank.score) < 4, blank
        assert found.p_value < 1e-6 and blank.p_value > 1e-4


def test_mark_is_quiet_and_in_band(notes: list[np.ndarray]) -> None:
    clip = notes[0]
    marked = embed_watermark(clip, 16000, KEY, band_hz=(1000, 3500))
    wsr = watermark_to_signal_db(clip, marked)
    assert wsr < -25  # at least 25 dB below the note (lower when the band is quiet)
    mark = marked.astype(np.float64) - clip
    spectrum = np.abs(np.fft.rfft(mark)) ** 2
    freqs = np.fft.rfftfreq(len(mark), 1 / 16000)
    in_band = spectrum[(freqs > 900) & (freqs < 3600)].sum()
    assert in_band / spectrum.sum() > 0.98
    quieter = embed_watermark(clip, 16000, KEY, strength_db=-25)  # default -18
    assert watermark_to_signal_db(clip, quieter) == pytest.approx(wsr - 7, abs=0.5)


@pytest.mark.parametrize("seed", range(6))
def test_no_false_alarm_on_unmarked_or_wrong_key(seed: int) -> None:
    """Unmarked clips and wrong keys over several seeds: scores stay near N(0, 1)."""
    sr = 8000
    clip = speechlike(sr, 1.0, seed)
    marked = embed_watermark(clip, sr, key=seed)
    assert detect_watermark(marked, sr, key=seed).present
    null_scores = [detect_watermark(clip, sr, key=seed).score]
    for wrong in range(seed + 1, seed + 6):
        result = detect_watermark(marked, sr, key=wrong)
        assert not result.present
        null_scores.append(result.score)
    assert np.max(np.abs(null_scores)) < threshold_for(1e-4)


def test_null_scores_are_standard_normal() -> None:
    """Many wrong keys on one marked clip: mean about 0, std about 1 (the threshold's basis)."""
    sr = 8000
    marked = embed_watermark(speechlike(sr, 0.75, 11), sr, KEY)
    scores = np.array([detect_watermark(marked, sr, key=k).score for k in range(200)])
    assert abs(scores.mean()) < 0.25
    assert 0.8 < scores.std() < 1.2
    assert np.mean(scores > threshold_for(0.05)) < 0.1


def test_robust_to_noise_gain_and_resampling() -> None:
    sr = 8000
    rng = np.random.default_rng(0)
    attacks = default_attacks(sr)
    names = ["white noise 20 dB SNR", "gain -6 dB", "gain +6 dB",
             "resample 8k -> 16k -> 8k", "resample to 22.05k"]
    for seed in range(3):
        clip = speechlike(sr, 1.5, seed + 100)
        marked = embed_watermark(clip, sr, KEY)
        for name in names:
            attacked, attacked_sr = attacks[name](marked, sr, rng)
            result = detect_watermark(attacked, attacked_sr, KEY)
            assert result.present, (name, seed, result)
            blank, blank_sr = attacks[name](clip, sr, rng)
            assert not detect_watermark(blank, blank_sr, KEY).present, (name, seed)


def test_gain_does_not_change_the_score(notes: list[np.ndarray]) -> None:
    marked = embed_watermark(notes[1], 16000, KEY)
    base = detect_watermark(marked, 16000, KEY).score
    assert detect_watermark(marked * 0.5, 16000, KEY).score == pytest.approx(base, rel=1e-4)


def test_marked_at_16k_is_found_at_8k(notes: list[np.ndarray]) -> None:
    marked = embed_watermark(notes[2], 16000, KEY)
    assert detect_watermark(resample(marked, 16000, 8000), 8000, KEY).present


def test_delay_breaks_the_mark(notes: list[np.ndarray]) -> None:
    """The documented synchronisation limit: a 1 ms delay loses the mark."""
    marked = embed_watermark(notes[3], 16000, KEY)
    delayed = np.concatenate([np.zeros(16, np.float32), marked[:-16]])
    assert detect_watermark(marked, 16000, KEY).present
    assert not detect_watermark(delayed, 16000, KEY).present


def test_same_key_same_output_and_keys_differ(notes: list[np.ndarray]) -> None:
    clip = notes[4]
    a = embed_watermark(clip, 16000, KEY)
    b = embed_watermark(clip.copy(), 16000, KEY)
    c = embed_watermark(clip, 16000, "another key")
    assert a.dtype == np.float32 and a.shape == clip.shape
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert embed_watermark(clip, 16000, 7).tobytes() != embed_watermark(clip, 16000, "7").tobytes()


def test_mark_of_a_prefix_matches_the_longer_clip() -> None:
    """Frame t of the pattern does not depend on clip length: a cut-off end keeps the mark."""
    sr = 8000
    clip = speechlike(sr, 2.0, 5)
    marked = embed_watermark(clip, sr, KEY)
    assert detect_watermark(marked[: sr // 2], sr, KEY).present


def test_silence_gets_no_mark_and_scores_zero() -> None:
    silence = np.zeros(8000, np.float32)
    np.testing.assert_array_equal(embed_watermark(silence, 8000, KEY), silence)
    result = detect_watermark(silence, 8000, KEY)
    assert result.score == 0.0 and not result.present and result.n_bins == 0


@pytest.mark.parametrize(
    ("audio", "sr", "kwargs", "message"),
    [
        (np.zeros(int(MIN_SECONDS * 8000) - 1), 8000, {}, "at least 0.25 s"),
        (np.full(8000, np.nan), 8000, {}, "NaN"),
        (np.ones((2, 8000)), 8000, {}, "mono"),
        (np.ones(8000), 4000, {}, "at least 8000 Hz"),
        (np.ones(8000), 8000, {"band_hz": (3000, 5000)}, "4000 Hz"),
        (np.ones(16000), 16000, {"band_hz": (5000, 7000)}, "Nyquist"),
        (np.ones(8000), 8000, {"band_hz": (2000, 1000)}, "lo < hi"),
        (np.ones(8000), 8000, {"band_hz": (2000, 2100)}, "at least 8 bins"),
        (np.ones(8000), 8000, {"band_hz": 2000}, "pair"),
    ],
)
def test_bad_input_raises_clear_errors(audio, sr, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        embed_watermark(audio, sr, KEY, **kwargs)
    with pytest.raises(ValueError, match=message):
        detect_watermark(audio, sr, KEY, **kwargs)


def test_bad_strength_key_and_fpr_raise() -> None:
    clip = speechlike(8000, 0.5, 0)
    with pytest.raises(ValueError, match="negative"):
        embed_watermark(clip, 8000, KEY, strength_db=3)
    with pytest.raises(ValueError, match="key"):
        embed_watermark(clip, 8000, key=1.5)
    with pytest.raises(ValueError, match="false_positive_rate"):
        detect_watermark(clip, 8000, KEY, false_positive_rate=0.0)
    assert threshold_for(1e-3) == pytest.approx(3.0902, abs=1e-3)


def test_robustness_table_reports_rates(notes: list[np.ndarray]) -> None:
    attacks = {k: v for k, v in default_attacks(16000).items()
               if k in ("none", "white noise 20 dB SNR", "delay 1 ms")}
    table = robustness_table(notes[:4], 16000, KEY, attacks=attacks)
    assert list(table.index) == ["none", "white noise 20 dB SNR", "delay 1 ms"]
    assert table.loc["none", "detection_rate"] == 1.0
    assert table.loc["delay 1 ms", "detection_rate"] == 0.0
    assert (table["fpr_unmarked"] == 0).all() and (table["fpr_wrong_key"] == 0).all()
    assert table["n_clips"].eq(4).all()
    assert table.attrs["wsr_db"] < -25 and table.attrs["threshold"] == pytest.approx(3.719, 1e-3)
    with pytest.raises(ValueError, match="wrong_key"):
        robustness_table(notes[:1], 16000, KEY, attacks=attacks, wrong_key=KEY)


def test_ceiling_bounds_the_ratio_when_all_energy_is_in_band() -> None:
    """Band-limited noise: the in-band rule alone would give -15 dB; the ceiling gives -25."""
    sr = 8000
    rng = np.random.default_rng(4)
    spectrum = np.fft.rfft(rng.standard_normal(sr))
    freqs = np.fft.rfftfreq(sr, 1 / sr)
    spectrum[(freqs < 1200) | (freqs > 3300)] = 0
    clip = (0.1 * np.fft.irfft(spectrum, n=sr) / np.std(np.fft.irfft(spectrum, n=sr)))
    clip = clip.astype(np.float32)
    capped = watermark_to_signal_db(clip, embed_watermark(clip, sr, KEY))
    uncapped = watermark_to_signal_db(
        clip, embed_watermark(clip, sr, KEY, strength_db=-15, ceiling_db=-1)
    )
    assert uncapped == pytest.approx(-15, abs=1.5)
    assert capped == pytest.approx(-25, abs=1.5)
    assert detect_watermark(embed_watermark(clip, sr, KEY), sr, KEY).present
