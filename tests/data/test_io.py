"""Reading audio files: every format and layout, and a clear error for every kind of bad file."""

import math
import pickle
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aigc_kit.data import AudioLoadError, load_audio, load_folder


def _tone(sr: int, channels: int = 1, seconds: float = 0.2, amp: float = 0.5) -> np.ndarray:
    """Sine tones, one frequency per channel, shape (n_samples, channels) as soundfile wants."""
    t = np.arange(int(sr * seconds)) / sr
    freqs = 220.0 * (1 + np.arange(channels))
    return (amp * np.sin(2 * np.pi * freqs[None, :] * t[:, None])).astype(np.float64)


def _write(path: Path, sr: int = 8000, channels: int = 1, **kwargs) -> np.ndarray:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _tone(sr, channels)
    sf.write(path, data, sr, **kwargs)
    return data


@pytest.mark.parametrize(
    ("name", "subtype", "tol"),
    [
        ("u8.wav", "PCM_U8", 1 / 100),
        ("i16.wav", "PCM_16", 1e-4),
        ("i24.wav", "PCM_24", 1e-6),
        ("i32.wav", "PCM_32", 1e-7),
        ("f32.wav", "FLOAT", 1e-7),
        ("f64.wav", "DOUBLE", 1e-7),
        ("x.flac", "PCM_16", 1e-4),
        ("x.flac", "PCM_24", 1e-6),
    ],
)
def test_lossless_formats_read_back_as_float32(tmp_path, name, subtype, tol):
    written = _write(tmp_path / name, subtype=subtype)[:, 0]
    audio, sr = load_audio(tmp_path / name)
    assert sr == 8000
    assert audio.dtype == np.float32 and audio.shape == written.shape
    np.testing.assert_allclose(audio, written, atol=tol)


def test_ogg_vorbis_reads_back_close_to_the_signal(tmp_path):
    written = _write(tmp_path / "x.ogg", sr=22050, format="OGG", subtype="VORBIS")[:, 0]
    audio, sr = load_audio(tmp_path / "x.ogg")
    assert sr == 22050 and audio.dtype == np.float32
    assert abs(len(audio) - len(written)) <= 64
    n = min(len(audio), len(written))
    assert np.corrcoef(audio[:n], written[:n])[0, 1] > 0.99


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 48000])
@pytest.mark.parametrize("channels", [1, 2, 5])
def test_shapes_for_every_rate_and_channel_count(tmp_path, sr, channels):
    written = _write(tmp_path / "x.wav", sr=sr, channels=channels, subtype="FLOAT")
    mono, got_sr = load_audio(tmp_path / "x.wav")
    multi, _ = load_audio(tmp_path / "x.wav", mono=False)
    assert got_sr == sr
    assert mono.shape == (written.shape[0],) and mono.dtype == np.float32
    assert multi.shape == (channels, written.shape[0]) and multi.dtype == np.float32
    np.testing.assert_allclose(multi, written.T, atol=1e-7)
    np.testing.assert_allclose(mono, written.mean(axis=1), atol=1e-6)


def test_resampling_changes_length_and_keeps_pitch(tmp_path):
    _write(tmp_path / "x.wav", sr=44100, channels=2, subtype="FLOAT")
    n_in = int(44100 * 0.2)
    audio, sr = load_audio(tmp_path / "x.wav", sr=16000)
    stereo, _ = load_audio(tmp_path / "x.wav", sr=16000, mono=False)
    assert sr == 16000
    assert audio.shape == (math.ceil(n_in * 16000 / 44100),) and audio.dtype == np.float32
    assert stereo.shape == (2, audio.shape[0])
    spectrum = np.abs(np.fft.rfft(stereo[0]))
    assert np.fft.rfftfreq(stereo.shape[1], 1 / sr)[spectrum.argmax()] == pytest.approx(220, abs=5)


def _bad_files(folder: Path) -> dict[str, str]:
    """Write one file per failure mode; returns {file name: expected fragment of the reason}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.wav").write_bytes(b"")
    (folder / "text.wav").write_text("this is a text file, not audio\n" * 20)
    _write(folder / "good.wav")
    whole = (folder / "good.wav").read_bytes()
    (folder / "good.wav").unlink()
    (folder / "header_cut.wav").write_bytes(whole[:30])
    (folder / "data_cut.wav").write_bytes(whole[: len(whole) // 2])
    sf.write(folder / "zero.wav", np.zeros((0, 1)), 8000)
    sf.write(folder / "nan.wav", np.array([0.0, np.nan, 0.1, np.inf]), 8000, subtype="FLOAT")
    _write(folder / "whole.flac")
    flac = (folder / "whole.flac").read_bytes()
    (folder / "whole.flac").unlink()
    (folder / "cut.flac").write_bytes(flac[: len(flac) // 2])
    return {
        "empty.wav": "empty file (0 bytes)",
        "text.wav": "not a readable audio file",
        "header_cut.wav": "not a readable audio file",
        "data_cut.wav": "truncated",
        "zero.wav": "no audio (0 samples)",
        "nan.wav": "NaN or infinite",
        "cut.flac": "could not decode",
    }


def test_each_bad_file_raises_a_clear_audio_load_error(tmp_path):
    expected = _bad_files(tmp_path)
    for name, fragment in expected.items():
        with pytest.raises(AudioLoadError) as info:
            load_audio(tmp_path / name)
        err = info.value
        assert isinstance(err, ValueError)
        assert name in str(err) and fragment in str(err), str(err)
        assert err.path == tmp_path / name and fragment in err.reason
    assert len(expected) == 7


def test_missing_file_and_folder_say_what_to_do(tmp_path):
    with pytest.raises(AudioLoadError, match=r"nowhere\.wav.*file not found; check the path"):
        load_audio(tmp_path / "nowhere.wav")
    with pytest.raises(AudioLoadError, match="is a folder"):
        load_audio(tmp_path)


def test_libsndfile_errors_are_chained_and_errors_pickle(tmp_path):
    (tmp_path / "text.wav").write_text("not audio at all, just words\n" * 10)
    with pytest.raises(AudioLoadError) as info:
        load_audio(tmp_path / "text.wav")
    assert isinstance(info.value.__cause__, sf.LibsndfileError)
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value) and copy.reason == info.value.reason


def test_load_folder_loads_good_files_and_reports_every_bad_one(tmp_path):
    root = tmp_path / "corpus"
    _write(root / "a.wav", sr=8000)
    _write(root / "sub" / "b.flac", sr=22050, channels=2)
    _write(root / "sub" / "deeper" / "c.ogg", sr=44100, format="OGG", subtype="VORBIS")
    _write(root / "D.WAV", sr=16000, subtype="PCM_24")
    expected_bad = {f"bad/{k}": v for k, v in _bad_files(root / "bad").items()}
    (root / "sub" / "notes.txt").write_text("ignored")
    (root / "sub" / "cover.png").write_bytes(b"\x89PNG not really")

    ds = load_folder(root, sr=16000, progress=True)

    assert len(ds) == 4 and ds.sr == 16000
    assert list(ds.labels.columns) == ["path", "orig_sr", "channels", "duration_s"]
    assert ds.labels["path"].tolist() == ["D.WAV", "a.wav", "sub/b.flac", "sub/deeper/c.ogg"]
    assert ds.labels["orig_sr"].tolist() == [16000, 8000, 22050, 44100]
    assert ds.labels["channels"].tolist() == [1, 1, 2, 1]
    np.testing.assert_allclose(ds.labels["duration_s"], 0.2, atol=2e-3)
    assert all(c.dtype == np.float32 and c.ndim == 1 for c in ds.clips)
    assert all(abs(len(c) - 3200) <= 2 for c in ds.clips)

    reasons = {s.path.relative_to(root).as_posix(): s.reason for s in ds.skipped}
    assert set(reasons) == set(expected_bad)
    for name, fragment in expected_bad.items():
        assert fragment in reasons[name]
    text = repr(ds)
    assert f"{len(expected_bad)} skipped" in text
    assert all(Path(name).name in text for name in expected_bad)
    assert len(ds.skip_report()) == len(expected_bad)


def test_load_folder_keeps_channels_when_asked(tmp_path):
    _write(tmp_path / "s.wav", sr=8000, channels=2)
    ds = load_folder(tmp_path, sr=8000, mono=False)
    assert ds.clips[0].shape == (2, 1600) and ds.skipped == []


def test_load_folder_missing_or_not_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder"):
        load_folder(tmp_path / "no_such_folder", sr=8000)
    _write(tmp_path / "x.wav")
    with pytest.raises(NotADirectoryError, match="x.wav"):
        load_folder(tmp_path / "x.wav", sr=8000)
