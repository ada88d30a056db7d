"""The pitch judge: voiced, steady, in tune; unanalysable clips counted, never a crash."""

import numpy as np
import pytest

from aigc_kit.evaluation import PitchJudge

SR = 8000


def tone(midi: float, seconds: float = 0.8, vibrato_cents: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    cents = vibrato_cents * np.sin(2 * np.pi * 5 * t)
    f0 = 440.0 * 2 ** ((midi - 69 + cents / 100) / 12)
    return 0.5 * np.sin(2 * np.pi * np.cumsum(f0) / SR)


def test_a_steady_in_tune_note_is_clear_and_its_pitch_is_read():
    table = PitchJudge().verdicts(np.stack([tone(60), tone(69)]), SR)
    assert table["clear"].all() and table["midi"].tolist() == [60, 69]
    assert abs(table["pitch_hz"][1] - 440.0) < 5 and table["voiced"].min() > 0.8


def test_each_test_fails_for_its_own_reason():
    rng = np.random.default_rng(0)
    clips = np.stack([tone(60.5), tone(64, vibrato_cents=150), rng.normal(0, 0.3, 6400),
                      tone(76)])
    reasons = PitchJudge(fmax=800).verdicts(clips, SR)["reason"].tolist()
    assert reasons == ["out of tune", "unsteady", "unvoiced", "out of range"]


def test_the_thresholds_are_parameters():
    sharp = tone(60.3)  # 30 cents sharp
    assert not PitchJudge().verdicts(sharp, SR)["clear"][0]
    assert PitchJudge(max_offset_cents=35).verdicts(sharp, SR)["clear"][0]
    with pytest.raises(ValueError, match="fmin < fmax"):
        PitchJudge(fmin=600, fmax=200)
    with pytest.raises(ValueError, match="min_voiced"):
        PitchJudge(min_voiced=1.5)


def test_silent_nan_and_short_clips_count_as_not_clear_with_their_reason():
    clips = np.stack([np.zeros(6400), tone(60)[:6400]])
    clips[1, 100] = np.nan
    judge = PitchJudge()
    summary = judge.rate(np.concatenate([clips, tone(62)[None, :6400]]), SR)
    assert summary["n"] == 3 and summary["n_clear"] == 1 and summary["n_unanalysable"] == 2
    assert summary["reasons"] == {"silent": 1, "not finite": 1, "clear": 1}
    assert summary["clear_rate"] == pytest.approx(1 / 3)
    assert judge.verdicts(tone(60)[:100], SR)["reason"][0] == "too short"
    with pytest.raises(ValueError, match="n_clips, n_samples"):
        judge.verdicts(np.zeros((2, 2, 10)), SR)
