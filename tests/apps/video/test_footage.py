"""The real clips that ship with the kit, their hand-annotated cuts, and the detector on them."""

import numpy as np
import pytest

from aigc_kit.apps.video import (
    REAL_CLIPS_DIR,
    detect_cuts,
    ffmpeg_available,
    load_real_clip,
    real_clip_table,
    score_cuts,
)

pytestmark = pytest.mark.skipif(not ffmpeg_available(), reason="needs FFmpeg (imageio-ffmpeg)")


def test_table_lists_small_licensed_files():
    table = real_clip_table()
    assert set(table.index) == {"bikes", "bigbuckbunny", "tree", "vtest"}
    total = 0
    for name, row in table.iterrows():
        path = REAL_CLIPS_DIR / row["file"]
        assert path.exists(), name
        total += path.stat().st_size
        assert row["licence"] and row["source"], name
    assert total < 1_000_000  # a few hundred kB in the repository
    assert (REAL_CLIPS_DIR / "README.md").read_text().count("annotated") >= 1


def test_bikes_cuts_are_found_on_their_exact_frames():
    bikes = load_real_clip("bikes")
    assert bikes.fps == 25.0 and bikes.frames.shape == (250, 82, 192, 3)
    np.testing.assert_array_equal(bikes.boundaries, [30, 76, 137, 187, 242])
    found = detect_cuts(bikes.frames).boundaries
    np.testing.assert_array_equal(found, bikes.boundaries)


@pytest.mark.parametrize("name", ["tree", "vtest", "bigbuckbunny"])
def test_single_shots_with_things_passing_have_no_cut(name):
    clip = load_real_clip(name)
    assert len(clip.boundaries) == 0
    found = detect_cuts(clip.frames).boundaries
    assert score_cuts(found, clip.spans)["fp"] == 0, found


def test_sound_where_there_is_some():
    bunny = load_real_clip("bigbuckbunny", audio=True)
    assert bunny.audio is not None and bunny.audio.rate == 32000
    assert abs(bunny.audio.seconds - len(bunny.frames) / bunny.fps) < 1e-3
    assert np.abs(bunny.audio.waveform).max() > 0.05
    assert load_real_clip("bikes", audio=True).audio is None
    with pytest.raises(ValueError, match="unknown real clip"):
        load_real_clip("lena")
