"""Tests for aigc_kit.interaction: widgets built and driven headless, with no front end."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from ipywidgets.embed import dependency_state, embed_data

from aigc_kit.interaction import (
    FeedbackError,
    FeedbackLog,
    Sample,
    ab_order,
    ab_test,
    gallery,
    latent_explorer,
    player,
    rating_panel,
    record_ab_choice,
    record_rating,
)

SR = 8000
LATENT_DIM = 6


def _tone(freq: float, seconds: float = 0.1) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return np.sin(2 * np.pi * freq * t)


def _player_html(box: widgets.Widget) -> str:
    """The HTML of the (single) player inside a :func:`player` box."""
    (out,) = [child for child in box.children if isinstance(child, widgets.Output)]
    (output,) = out.outputs
    return output["data"]["text/html"]


@pytest.fixture
def log(tmp_path: Path) -> FeedbackLog:
    return FeedbackLog(tmp_path / "ratings.jsonl")


@pytest.fixture
def samples() -> list[Sample]:
    return [
        Sample("gan_0", _tone(220), SR, tag="gan-v1"),
        Sample("gan_1", _tone(330), SR, tag="gan-v2"),
    ]


# --- players -------------------------------------------------------------------------------


def _wav(html: str) -> tuple[np.ndarray, int]:
    """The samples and rate of the WAV file a player's HTML embeds."""
    encoded = re.search(r'src="data:audio/wav;base64,([^"]+)"', html).group(1)
    samples, rate = sf.read(io.BytesIO(base64.b64decode(encoded)))
    return samples, rate


def test_player_holds_the_clip_and_its_label() -> None:
    box = player(0.2 * _tone(440), SR, label="sine")
    assert box.children[0].value == "sine"
    samples, rate = _wav(_player_html(box))
    assert rate == SR
    np.testing.assert_allclose(samples, _tone(440), atol=1e-3)  # peak-normalised to play
    assert len(player(_tone(440), SR).children) == 1  # no label: the player alone


def test_player_with_nan_names_the_label() -> None:
    clip = _tone(440)
    clip[3] = np.nan
    with pytest.raises(ValueError, match="'broken'.*NaN"):
        player(clip, SR, label="broken")


def test_gallery_has_one_labelled_player_per_clip() -> None:
    grid = gallery({"a": _tone(200), "b": _tone(300), "c": _tone(400)}, SR, columns=2)
    assert isinstance(grid, widgets.GridBox)
    assert [box.children[0].value for box in grid.children] == ["a", "b", "c"]
    assert "repeat(2," in grid.layout.grid_template_columns


def test_gallery_columns_share_the_width_and_players_fit_them() -> None:
    # issue 13: repeat(n, max-content) made each column the page's full width when exported
    grid = gallery({f"c{i}": _tone(200 + i) for i in range(6)}, SR, columns=4)
    columns = grid.layout.grid_template_columns
    assert "max-content" not in columns and columns == "repeat(4, minmax(0, 1fr))"
    assert grid.layout.width == "100%"
    assert all(box.layout.min_width == "0" for box in grid.children)
    assert 'style="width:100%;max-width:300px"' in _player_html(grid.children[0])


def test_gallery_nan_clip_names_its_label() -> None:
    with pytest.raises(ValueError, match="'bad'"):
        gallery({"good": _tone(200), "bad": np.full(100, np.nan)}, SR)


def test_widgets_serialise_headless_with_the_players(log: FeedbackLog, samples) -> None:
    views = [
        rating_panel(samples, log),
        ab_test([_tone(200)], [_tone(300)], SR, []),
        latent_explorer(lambda z: _tone(200 + 50 * z[0]), LATENT_DIM, SR),
    ]
    state = json.dumps(embed_data(views=views, state=dependency_state(views))["manager_state"])
    assert state.count("<audio") == len(samples) + 2 + 1


# --- rating --------------------------------------------------------------------------------


def test_sample_rejects_stereo() -> None:
    with pytest.raises(ValueError, match="mono"):
        Sample("x", np.zeros((2, 10)), SR)


def test_record_rating_writes_tag_and_score(log: FeedbackLog, samples) -> None:
    record = record_rating(log, samples[1], "ana", 4, comment="warm")
    assert log.read() == [record]
    assert (record["sample_id"], record["tag"], record["score"]) == ("gan_1", "gan-v2", 4)
    assert (record["rater_id"], record["comment"]) == ("ana", "warm")


def test_record_rating_bad_score_raises_and_writes_nothing(log: FeedbackLog, samples) -> None:
    with pytest.raises(FeedbackError, match="score"):
        record_rating(log, samples[0], "ana", 6)
    assert log.read() == []


def test_rating_panel_has_five_buttons_per_sample(log: FeedbackLog, samples) -> None:
    panel = rating_panel(samples, log)
    assert isinstance(panel, widgets.VBox)
    assert len(panel.children) == len(samples) + 1  # the rows, then the ratings table
    assert panel.children[-1] is panel.table
    descriptions = [[button.description for button in row] for row in panel.buttons]
    assert descriptions == [["1", "2", "3", "4", "5"]] * len(samples)


def test_rate_writes_the_log_and_confirms(log: FeedbackLog, samples) -> None:
    panel = rating_panel(samples, log, rater_id="bo")
    record = panel.rate(1, 4, comment="nice")
    assert log.read() == [record]
    assert (record["sample_id"], record["rater_id"], record["comment"]) == ("gan_1", "bo", "nice")
    assert panel.statuses[1].value == "rated 4 ✓"
    assert panel.statuses[0].value == ""


def test_ratings_table_under_the_panel_shows_each_click_at_once(log: FeedbackLog,
                                                                 samples) -> None:
    # issue 13: in human mode the table stayed empty until the next cells ran
    panel = rating_panel(samples, log, rater_id="bo")
    assert "no ratings" in panel.table.outputs[0]["data"]["text/html"]
    panel.comments[1].value = "crisp"
    panel.buttons[1][3].click()
    html = panel.table.outputs[0]["data"]["text/html"]
    assert "gan_1" in html and "crisp" in html and "<td>4</td>" in html
    log.append(sample_id="other", rater_id="x", score=1)  # not one of the panel's clips
    panel.rate(0, 2)
    assert list(panel.ratings().sample_id) == ["gan_1", "gan_0"]


def test_button_click_writes_a_record_with_the_comment_box(log: FeedbackLog, samples) -> None:
    panel = rating_panel(samples, log)
    panel.comments[0].value = "  too noisy "
    panel.buttons[0][1].click()
    (record,) = log.read()
    assert (record["sample_id"], record["score"], record["tag"]) == ("gan_0", 2, "gan-v1")
    assert record["comment"] == "too noisy"
    assert panel.comments[0].value == ""
    assert panel.statuses[0].value == "rated 2 ✓"


def test_blank_comment_box_is_stored_as_none(log: FeedbackLog, samples) -> None:
    panel = rating_panel(samples, log)
    panel.comments[0].value = "   "
    assert panel.rate(0, 3)["comment"] is None


def test_invalid_score_shows_error_instead_of_raising(log: FeedbackLog, samples) -> None:
    panel = rating_panel(samples, log)
    assert panel.rate(0, 9) is None
    assert "not saved" in panel.statuses[0].value
    assert "score" in panel.statuses[0].value
    assert log.read() == []


def test_bad_rater_shows_error_on_click(log: FeedbackLog, samples) -> None:
    panel = rating_panel(samples, log, rater_id="")
    panel.buttons[1][4].click()
    assert "rater_id" in panel.statuses[1].value
    assert log.read() == []


# --- blind A/B test ------------------------------------------------------------------------


def test_ab_order_reproducible_balanced_and_mixed() -> None:
    first = ab_order(20, np.random.default_rng(3))
    assert first.dtype == np.bool_
    assert first.shape == (20,)
    np.testing.assert_array_equal(first, ab_order(20, np.random.default_rng(3)))
    assert first.sum() == 10
    orders = {tuple(ab_order(20, np.random.default_rng(seed))) for seed in range(5)}
    assert len(orders) > 1
    assert ab_order(7, np.random.default_rng(0)).sum() == 4


@pytest.mark.parametrize(
    ("swapped", "choice", "letter"),
    [
        (False, "left", "A"),
        (False, "right", "B"),
        (True, "left", "B"),
        (True, "right", "A"),
        (False, "tie", "tie"),
        (True, "tie", "tie"),
    ],
)
def test_record_ab_choice_maps_sides(swapped: bool, choice: str, letter: str) -> None:
    results = ["A"]
    assert record_ab_choice(results, 2, swapped, choice) == letter
    assert results == ["A", letter]


def test_record_ab_choice_rejects_unknown_choice() -> None:
    results: list[str] = []
    with pytest.raises(ValueError, match="pair 2.*'middle'"):
        record_ab_choice(results, 2, False, "middle")
    assert results == []


def test_ab_test_places_clips_by_order_and_choose_appends_letter() -> None:
    a = [_tone(200 + 10 * i) for i in range(6)]
    b = [_tone(900 + 10 * i) for i in range(6)]
    results: list[str] = []
    test = ab_test(a, b, SR, results, seed=1)
    assert test.a_first.any() and not test.a_first.all()
    for index, a_first in enumerate(test.a_first):
        left = test.children[index].children[1].children[0]
        assert _player_html(left) == _player_html(player(a[index] if a_first else b[index], SR))
    expected = ["A" if a_first else "B" for a_first in test.a_first]
    assert [test.choose(index, "left") for index in range(6)] == expected
    assert results == expected


def test_ab_test_button_click_and_one_answer_per_pair() -> None:
    results: list[str] = []
    test = ab_test([_tone(200), _tone(300)], [_tone(400), _tone(500)], SR, results, seed=0)
    test.buttons[1]["right"].click()
    assert results == ["B" if test.a_first[1] else "A"]
    assert test.statuses[1].value == "answered ✓"
    assert all(button.disabled for button in test.buttons[1].values())
    with pytest.raises(ValueError, match="already answered"):
        test.choose(1, "tie")
    assert test.choose(0, "tie") == "tie"
    assert len(results) == 2


def test_ab_answers_land_in_the_feedback_log_and_pool_like_the_other_tests(tmp_path) -> None:
    from aigc_kit.evaluation import ab_preference
    from aigc_kit.interaction import AB_SCORES, FeedbackLog, merge_logs

    logs = []
    for student in range(2):
        log = FeedbackLog(tmp_path / f"student{student}.jsonl")
        test = ab_test([_tone(200 + i) for i in range(4)], [_tone(600 + i) for i in range(4)],
                       SR, seed=student, log=log, rater_id=f"s{student}", name="gan|vae")
        for index, choice in enumerate(["left", "right", "tie", "left"]):
            test.choose(index, choice)
        frame = log.to_frame(test="ab")
        assert list(frame["score"]) == [AB_SCORES[letter] for letter in test.results]
        assert set(frame["condition"]) == {"gan|vae"} and frame["trial"].is_unique
        pd.testing.assert_frame_equal(ab_preference(frame), ab_preference(test.results))
        logs.append(log.path)
    report = merge_logs(logs, tmp_path / "class.jsonl")
    pooled = FeedbackLog(tmp_path / "class.jsonl").to_frame(test="ab")
    assert len(pooled) == 8 and report.merged == 8
    pooled_ab = ab_preference(pooled, name="gan|vae").loc["gan|vae"]
    assert pooled_ab["n"] + pooled_ab["ties"] == 8
    with pytest.raises(ValueError, match="to_frame"):
        ab_preference(pooled.assign(test="mos"))  # opinion scores are not preferences
    with pytest.raises(ValueError, match="choice must be one of"):
        record_ab_choice([], 3, False, "middle", log)
    assert len(log.to_frame(test="ab")) == 4  # nothing written for the bad answer


def test_ab_test_mismatched_lengths_names_both() -> None:
    with pytest.raises(ValueError, match="3.*2"):
        ab_test([_tone(200)] * 3, [_tone(300)] * 2, SR, [])


# --- latent space --------------------------------------------------------------------------


class FakeDecoder:
    """A sine whose frequency follows z[0]; records every z it is called with."""

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []

    def __call__(self, z: np.ndarray) -> np.ndarray:
        assert z.shape == (LATENT_DIM,)
        self.calls.append(z.copy())
        return _tone(300 + 100 * z[0])


def test_latent_is_sum_of_values_times_directions() -> None:
    directions = np.random.default_rng(0).normal(size=(3, LATENT_DIM))
    explorer = latent_explorer(FakeDecoder(), LATENT_DIM, SR, n_sliders=3, directions=directions)
    values = [0.5, -1.0, 2.0]
    expected = sum(v * d for v, d in zip(values, directions, strict=True))
    np.testing.assert_allclose(explorer.latent(values), expected)


def test_default_directions_are_unit_axes() -> None:
    explorer = latent_explorer(FakeDecoder(), LATENT_DIM, SR, n_sliders=2)
    np.testing.assert_array_equal(explorer.latent([1.5, -2.0]), [1.5, -2.0, 0, 0, 0, 0])
    assert [(s.min, s.max, s.continuous_update) for s in explorer.sliders] == [
        (-3.0, 3.0, False)
    ] * 2


def test_render_decodes_z_and_replaces_player() -> None:
    decode = FakeDecoder()
    explorer = latent_explorer(decode, LATENT_DIM, SR)
    assert len(decode.calls) == 1  # the origin, decoded on construction
    before = explorer.output.outputs[0]["data"]["text/html"]
    audio = explorer.render([1.0, 0.0, 0.0, 2.0])
    np.testing.assert_array_equal(decode.calls[-1], explorer.latent([1.0, 0.0, 0.0, 2.0]))
    np.testing.assert_array_equal(audio, _tone(400))
    assert not np.allclose(audio, _tone(300))
    after = explorer.output.outputs[0]["data"]["text/html"]
    assert after != before
    np.testing.assert_allclose(_wav(after)[0], _tone(400), atol=1e-3)  # what was decoded
    # the sliders read what is played (issue 13: they stayed at 0), with no second decode
    assert [s.value for s in explorer.sliders] == [1.0, 0.0, 0.0, 2.0]
    assert len(decode.calls) == 2


def test_render_outside_the_sliders_range_is_refused_and_changes_nothing() -> None:
    decode = FakeDecoder()
    explorer = latent_explorer(decode, LATENT_DIM, SR, limit=3.0)
    before = explorer.output.outputs[0]["data"]["text/html"]
    with pytest.raises(ValueError, match="within \\+-3"):
        explorer.render([4.0, 0.0, 0.0, 0.0])
    assert len(decode.calls) == 1 and [s.value for s in explorer.sliders] == [0.0] * 4
    assert explorer.output.outputs[0]["data"]["text/html"] == before


def test_sliders_are_labelled_as_the_directions_they_move() -> None:
    explorer = latent_explorer(FakeDecoder(), LATENT_DIM, SR, n_sliders=2)
    assert [s.description for s in explorer.sliders] == ["direction 0", "direction 1"]


def test_slider_change_triggers_render() -> None:
    decode = FakeDecoder()
    explorer = latent_explorer(decode, LATENT_DIM, SR)
    explorer.sliders[0].value = 1.2
    explorer.sliders[2].value = -0.6
    assert len(decode.calls) == 3
    np.testing.assert_allclose(decode.calls[-1], [1.2, 0, -0.6, 0, 0, 0])
    assert explorer.status.value == ""


def test_slider_render_error_goes_to_status() -> None:
    def decode(z: np.ndarray) -> np.ndarray:
        return np.full(100, np.nan) if z[0] > 1 else _tone(300)

    explorer = latent_explorer(decode, LATENT_DIM, SR)
    explorer.sliders[0].value = 2.0
    assert "NaN" in explorer.status.value
    explorer.sliders[0].value = 0.0
    assert explorer.status.value == ""
    with pytest.raises(ValueError, match="NaN"):
        explorer.render([2.0, 0, 0, 0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"directions": np.ones((3, LATENT_DIM))}, r"\(4, 6\).*\(3, 6\)"),
        ({"n_sliders": LATENT_DIM + 1}, "latent_dim"),
        ({"limit": 0.0}, "limit"),
    ],
)
def test_latent_explorer_rejects_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        latent_explorer(FakeDecoder(), LATENT_DIM, SR, **kwargs)


def test_latent_rejects_wrong_number_of_values() -> None:
    explorer = latent_explorer(FakeDecoder(), LATENT_DIM, SR)
    with pytest.raises(ValueError, match="4 slider values"):
        explorer.latent([1.0, 2.0])
