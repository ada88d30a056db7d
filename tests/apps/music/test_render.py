"""Tests of aigc_kit.apps.music.render (``09_music_generation``): audio, MIDI, piano rolls."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_kit.apps.music import plot_piano_roll, render_melody, write_midi


def test_render_and_midi(tmp_path, make_melody):
    import pretty_midi

    m = make_melody([69, 71, 72], [1.0, 1.0, 2.0])
    y = render_melody(m, "pluck", bpm=120.0, sr=8000, fermata_stretch=1.0)
    assert y.dtype == np.float32 and np.abs(y).max() == pytest.approx(0.9, abs=1e-4)
    assert len(y) == pytest.approx(8000 * (2.0 + 0.1), abs=2)  # 4 quarters at 120 BPM + tail
    longer = render_melody(m, "pluck", bpm=120.0, sr=8000, fermata_stretch=2.0)
    assert len(longer) == pytest.approx(8000 * 3.1, abs=2)
    with pytest.raises(ValueError, match="timbre"):
        render_melody(m, "kazoo")
    path = write_midi([m, m], tmp_path / "out" / "m.mid", bpm=60.0, timbre="bowed",
                      transpose=-12)
    pm = pretty_midi.PrettyMIDI(str(path))
    notes = pm.instruments[0].notes
    assert [n.pitch for n in notes] == [57, 59, 60] * 2
    assert pm.instruments[0].program == 40
    assert notes[2].end - notes[2].start == pytest.approx(2.0, abs=1e-3)
    assert notes[3].start == pytest.approx(6.0, abs=1e-3)  # 4 quarters + 2 gap at 60 BPM
    with pytest.raises(ValueError, match=".mid"):
        write_midi(m, tmp_path / "m.wav")
    ax = plot_piano_roll({"a": m, "b": m})
    assert len(ax.patches) == 6
