"""MUSHRA and ABX widgets and the simulated MUSHRA listener: callbacks tested directly."""

import numpy as np
import pytest

from aigc_kit.interaction import FeedbackLog
from aigc_kit.interaction.listening_tests import (
    ANCHORS,
    REFERENCE,
    abx_test,
    anchor_cutoffs,
    lowpass,
    mushra_test,
    mushra_trial,
)
from aigc_kit.interaction.simulated_raters import MushraListener

SR = 8000


def _note(hz: float, seconds: float = 0.5, seed: int = 0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    rng = np.random.default_rng(seed)
    harmonics = sum(np.sin(2 * np.pi * k * hz * t) / k for k in range(1, 12) if k * hz < SR / 2)
    return (0.3 * harmonics + 0.01 * rng.normal(size=t.size)).astype(np.float32)


@pytest.fixture
def log(tmp_path):
    return FeedbackLog(tmp_path / "ratings.jsonl")


def test_anchor_cutoffs_follow_bs1534_and_scale_for_narrowband():
    assert anchor_cutoffs(44100) == (3500.0, 7000.0)
    assert anchor_cutoffs(8000) == pytest.approx((700.0, 1400.0))
    y = _note(220)
    low = lowpass(y, SR, 700.0)
    spectrum = np.abs(np.fft.rfft(low))
    freqs = np.fft.rfftfreq(len(low), 1 / SR)
    assert spectrum[freqs > 1500].max() < 1e-2 * spectrum.max()
    with pytest.raises(ValueError, match="Nyquist"):
        lowpass(y, SR, 5000.0)


def test_trial_adds_hidden_reference_and_anchors_and_refuses_reserved_names():
    ref = _note(220)
    trial = mushra_trial("t1", ref, {"VAE": _note(220, seed=1)}, SR)
    assert set(trial.conditions) == {"VAE", REFERENCE, *ANCHORS}
    np.testing.assert_array_equal(trial.conditions[REFERENCE], ref)
    with pytest.raises(ValueError, match="reserved"):
        mushra_trial("t1", ref, {"reference": ref}, SR)
    with pytest.raises(ValueError, match="NaN"):
        mushra_trial("t1", ref, {"bad": np.full(100, np.nan)}, SR)


def test_mushra_sliders_submit_one_record_per_condition(log):
    trials = [mushra_trial(f"t{i}", _note(220 * (i + 1)), {"sys": _note(220 * (i + 1), seed=5)},
                           SR) for i in range(2)]
    test = mushra_test(trials, SR, log, rater_id="ana", seed=3)
    assert sorted(test.orders[0]) == sorted(trials[0].conditions)
    assert mushra_test(trials, SR, log, seed=3).orders == test.orders  # the seed repeats it
    # the hidden reference does not always sit at the same letter
    places = {mushra_test(trials[:1], SR, log, seed=s).orders[0].index(REFERENCE)
              for s in range(8)}
    assert len(places) >= 3
    test.set_score(0, 2, 73)
    records = test.submit(0)
    assert [r["condition"] for r in records] == test.orders[0]
    assert {r["score"] for r in records} == {0, 73}
    assert all(r["test"] == "mushra" and r["trial"] == "t0" and r["rater_id"] == "ana"
               for r in records)
    assert test.submit_buttons[0].disabled and "saved 4" in test.statuses[0].value
    assert test.submit(0) == [] and len(log) == 4  # submitted once
    with pytest.raises(ValueError, match="0..100"):
        test.set_score(1, 0, 101)


def test_button_click_submits(log):
    test = mushra_test([mushra_trial("t", _note(300), {"s": _note(310)}, SR)], SR, log)
    test.sliders[0][1].value = 55
    test.submit_buttons[0].click()
    assert sorted(r["score"] for r in log.read()) == [0, 0, 0, 55]


def test_rate_trial_logs_a_simulated_listener_s_scores(log):
    ref = _note(220)
    trial = mushra_trial("t", ref, {"noisy": ref + 0.05 * np.random.default_rng(0).normal(
        size=ref.size).astype(np.float32)}, SR)
    scores = MushraListener(rater_id="sim", seed=0).scores(trial.reference, trial.conditions, SR)
    test = mushra_test([trial], SR, log, rater_id="sim")
    records = test.rate_trial(0, scores)
    assert {r["condition"]: r["score"] for r in records} == scores
    assert log.read() == records and {r["rater_id"] for r in records} == {"sim"}
    with pytest.raises(ValueError, match="no score"):
        test.rate_trial(0, {"noisy": 1})


def test_abx_answers_are_scored_and_logged(log):
    a = [_note(220, seed=i) for i in range(6)]
    b = [lowpass(y, SR, 700.0) for y in a]
    test = abx_test(a, b, SR, log, rater_id="bo", name="orig|lowpass", seed=0)
    listener = MushraListener(seed=0)
    for i in range(6):
        x = a[i] if test.x_is_a[i] else b[i]
        test.answer(i, listener.abx(a[i], b[i], x, SR))
    assert test.correct == [True] * 6 and 0 < test.x_is_a.sum() < 6
    records = log.read()
    assert [r["score"] for r in records] == [1] * 6
    assert {r["test"] for r in records} == {"abx"} and records[0]["condition"] == "orig|lowpass"
    with pytest.raises(ValueError, match="already answered"):
        test.answer(0, "A")
    wrong = abx_test(a[:1], b[:1], SR, seed=0)
    assert wrong.answer(0, "B" if wrong.x_is_a[0] else "A") is False
    with pytest.raises(ValueError, match="same number"):
        abx_test(a, b[:2], SR)


def test_record_mushra_needs_every_condition_and_only_those(log):
    from aigc_kit.interaction.listening_tests import record_mushra

    trial = mushra_trial("t", _note(300), {"s": _note(310)}, SR)
    with pytest.raises(ValueError, match="no score for condition"):
        record_mushra(log, trial, {"s": 50}, "ana")
    with pytest.raises(ValueError, match="unknown condition"):
        record_mushra(log, trial, {**dict.fromkeys(trial.conditions, 50), "x": 1}, "ana")
    assert len(log) == 0
