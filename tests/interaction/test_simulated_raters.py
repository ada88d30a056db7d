"""Tests of aigc_kit.interaction.simulated_raters: the listeners that rate clips headless."""

import numpy as np
import pytest

from aigc_kit.interaction import NaturalnessListener, SimulatedListener, brightness_hz
from aigc_kit.interaction.listening_tests import REFERENCE, lowpass, mushra_trial
from aigc_kit.interaction.simulated_raters import (
    MushraListener,
    no_reference,
    spectral_distance_db,
)

SR = 8000


def _tone(tilt: float, f0: float = 220.0, seconds: float = 0.25) -> np.ndarray:
    """A harmonic tone whose harmonics fall off by ``exp(-k / tilt)``: brighter as tilt grows."""
    t = np.arange(int(seconds * SR)) / SR
    return sum(np.exp(-k / tilt) * np.sin(2 * np.pi * f0 * k * t)
               for k in range(1, int(SR / 2 / f0))).astype(np.float32)


def _note(hz: float, seconds: float = 0.5, seed: int = 0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    rng = np.random.default_rng(seed)
    harmonics = sum(np.sin(2 * np.pi * k * hz * t) / k for k in range(1, 12) if k * hz < SR / 2)
    return (0.3 * harmonics + 0.01 * rng.normal(size=t.size)).astype(np.float32)


def _sine(hz: float, seconds: float = 0.5) -> np.ndarray:
    return np.sin(2 * np.pi * hz * np.arange(int(SR * seconds)) / SR).astype(np.float32)


# --- brightness and the brightness listener ----------------------------------------------


def test_brightness_grows_with_tilt_and_handles_silence():
    values = [brightness_hz(_tone(tilt), SR) for tilt in (0.5, 2.0, 8.0)]
    assert values[0] < values[1] < values[2]
    assert 200 < values[0] < 400  # little but the fundamental
    assert brightness_hz(_sine(1000.0), SR) == pytest.approx(1000.0, rel=0.02)  # a centroid
    assert brightness_hz(np.zeros(SR), SR) == 0.0
    assert brightness_hz(_sine(1000.0)[:500], SR) == 0.0  # shorter than one 512-sample frame
    with pytest.raises(ValueError, match="NaN"):
        brightness_hz(np.full(SR, np.nan), SR)


def test_brightness_ignores_frames_below_the_floor():
    quiet_hiss = 1e-4 * np.random.default_rng(0).standard_normal(SR).astype(np.float32)
    clip = np.concatenate([_sine(500.0), quiet_hiss])  # -80 dB hiss after the tone
    assert brightness_hz(clip, SR) == pytest.approx(500.0, rel=0.05)
    assert brightness_hz(clip, SR, floor_db=-100.0) > 1000.0  # the hiss counts now


def test_listener_prefers_its_target_and_is_reproducible():
    near, far = _tone(8.0), _tone(0.5)
    listener = SimulatedListener(target_hz=brightness_hz(near, SR), noise_std=0.0)
    assert listener.expected_score(near, SR) == pytest.approx(5.0)
    assert listener.rate(far, SR) < listener.rate(near, SR) == 5
    assert listener.rate(np.zeros(SR), SR) == 1
    noisy = [SimulatedListener(noise_std=1.0, seed=3).rate(near, SR) for _ in range(2)]
    assert noisy[0] == noisy[1]
    scores = [SimulatedListener(noise_std=1.0, seed=s).rate(near, SR) for s in range(40)]
    assert set(scores) <= {1, 2, 3, 4, 5} and len(set(scores)) > 1
    with pytest.raises(ValueError, match="target_hz"):
        SimulatedListener(target_hz=0)


def test_one_width_away_the_expected_score_is_3_4():
    clip = _sine(1000.0)
    centre = brightness_hz(clip, SR)
    for direction in (1, -1):  # an octave width above or below the target: 1 + 4 e^(-1/2)
        listener = SimulatedListener(target_hz=centre * 2 ** (direction * 0.5),
                                     width_octaves=0.5, noise_std=0.0)
        assert listener.expected_score(clip, SR) == pytest.approx(1 + 4 * np.exp(-0.5))
    with pytest.raises(ValueError, match="width_octaves must be > 0"):
        SimulatedListener(width_octaves=0.0)
    with pytest.raises(ValueError, match="noise_std >= 0"):
        SimulatedListener(noise_std=-0.1)


# --- the naturalness judge ---------------------------------------------------------------


def test_naturalness_listener_follows_the_confidence():
    sure, unsure = np.ones(10), np.zeros(10)
    judge = NaturalnessListener(confidence=lambda clip, sr: float(clip.mean()), noise_std=0.0)
    assert judge.rate(sure, SR) == 5 and judge.rate(unsure, SR) == 1
    assert judge.guess_real(sure, SR) == "real" and judge.guess_real(unsure, SR) == "ai"
    assert judge.prefer(sure, unsure, SR) == "A" and judge.prefer(unsure, sure, SR) == "B"
    assert judge.prefer(sure, sure, SR) == "tie"
    halfway = NaturalnessListener(confidence=lambda clip, sr: 0.5, noise_std=0.0)
    assert halfway.rate(sure, SR) == 3  # 1 + 4 * 0.5
    noisy = NaturalnessListener(confidence=lambda clip, sr: 0.5, noise_std=1.0, seed=1)
    assert len({noisy.rate(sure, SR) for _ in range(30)}) > 1
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        NaturalnessListener(confidence=lambda clip, sr: 2.0).rate(sure, SR)
    with pytest.raises(ValueError, match="0 < threshold < 1"):
        NaturalnessListener(confidence=lambda clip, sr: 0.5, threshold=1.0)


def test_guess_real_is_noisy_around_the_threshold():
    judge = NaturalnessListener(confidence=lambda clip, sr: 0.6, noise_std=0.4, seed=0)
    answers = [judge.guess_real(np.ones(4), SR) for _ in range(400)]
    assert 0.4 < answers.count("real") / 400 < 0.6  # right at the threshold: a coin flip


def test_absolute_raters_refuse_a_reference():
    with pytest.raises(ValueError, match="pass no reference"):
        NaturalnessListener(confidence=lambda clip, sr: 0.5).rate(np.ones(4), SR,
                                                                  reference=np.ones(4))
    with pytest.raises(ValueError, match="^SimulatedListener rates clips on their own"):
        SimulatedListener().rate(np.ones(4), SR, reference=np.ones(4))
    no_reference(SimulatedListener(), None)  # no reference: nothing to say


# --- the MUSHRA listener and its ear ------------------------------------------------------


def test_spectral_distance_is_symmetric_level_free_and_grows_with_the_damage():
    ref = _note(220)
    assert spectral_distance_db(ref, ref, SR) == 0.0
    assert spectral_distance_db(0.25 * ref, ref, SR) == pytest.approx(0.0, abs=1e-3)  # level
    noise = np.random.default_rng(0).normal(size=ref.size).astype(np.float32)
    distances = [spectral_distance_db(ref + level * noise, ref, SR) for level in (0.01, 0.05)]
    assert 0 < distances[0] < distances[1]
    assert spectral_distance_db(ref, ref + 0.05 * noise, SR) == distances[1]  # symmetric
    assert spectral_distance_db(lowpass(ref, SR, 700.0), ref, SR) > distances[1]
    with pytest.raises(ValueError, match="NaN or Inf"):
        spectral_distance_db(np.full(100, np.nan), ref, SR)


def test_mushra_listener_scores_by_its_distance_and_ranks_reference_above_anchors():
    ref = _note(220)
    noisy = ref + 0.05 * np.random.default_rng(0).normal(size=ref.size).astype(np.float32)
    trial = mushra_trial("t", ref, {"noisy": noisy}, SR)
    listener = MushraListener(rater_id="sim", seed=0)
    scores = listener.scores(trial.reference, trial.conditions, SR)
    assert set(scores) == set(trial.conditions)
    assert scores[REFERENCE] >= 95
    assert scores[REFERENCE] > scores["anchor_mid"] > scores["anchor_low"]
    exact = MushraListener(noise_std=0.0)
    expected = 100 * np.exp(-spectral_distance_db(noisy, ref, SR) / 24.0)
    assert exact.rate(noisy, SR, reference=ref) == round(expected)
    with pytest.raises(ValueError, match="needs the reference"):
        listener.rate(ref, SR)
    with pytest.raises(ValueError, match="scale_db must be > 0"):
        MushraListener(scale_db=0.0)


def test_an_unreliable_mushra_listener_answers_at_random():
    ref = _note(220)
    random = MushraListener(rater_id="x", reliable=False, seed=1)
    scores = [random.rate(ref, SR, reference=ref) for _ in range(200)]
    assert len(set(scores)) > 50 and min(scores) >= 0 and max(scores) <= 100
    assert np.mean(np.array(scores) < 90) > 0.8  # the hidden reference, scored far too low
    answers = [random.abx(ref, lowpass(ref, SR, 700.0), ref, SR) for _ in range(200)]
    assert 0.35 < answers.count("A") / 200 < 0.65


def test_abx_picks_the_clip_x_sounds_like():
    a = [_note(220, seed=i) for i in range(4)]
    b = [lowpass(y, SR, 700.0) for y in a]
    listener = MushraListener(seed=0)
    assert [listener.abx(x, y, x, SR) for x, y in zip(a, b, strict=True)] == ["A"] * 4
    assert [listener.abx(x, y, y, SR) for x, y in zip(a, b, strict=True)] == ["B"] * 4
