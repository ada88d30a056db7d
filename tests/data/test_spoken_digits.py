"""FSDD: the full dataset from the mirror, checksum failures, the offline error, the download.

The conftest points ``AIGC_KIT_DATA_MIRROR`` at the shared FSDD mirror and sets
``AIGC_KIT_OFFLINE=1``; the download is exercised with a small local ``file://`` tarball.
"""

import io
import re
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from aigc_kit.data import spoken_digits as fsdd_module
from aigc_kit.data.spoken_digits import (
    FSDD_MANIFEST,
    DatasetIntegrityError,
    DatasetUnavailableError,
    _download_recordings,
    _read_manifest,
    fsdd,
    fsdd_root,
    fsdd_speakers,
)

SAMPLE = ["0_george_0.wav", "3_theo_7.wav", "9_lucas_49.wav"]


@pytest.fixture(scope="module")
def full():
    return fsdd()


@pytest.fixture()
def recordings() -> Path:
    return fsdd_root(download=False)


def _manifest(path: Path, entries: dict[str, str]) -> Path:
    lines = ["# test manifest"] + [f"{sha}  {name}" for name, sha in sorted(entries.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def _small_manifest(tmp_path: Path) -> Path:
    shipped = _read_manifest(FSDD_MANIFEST)
    return _manifest(tmp_path / "small_sha256.txt", {n: shipped[n] for n in SAMPLE})


def test_shipped_manifest_covers_the_release():
    entries = _read_manifest(FSDD_MANIFEST)
    header = FSDD_MANIFEST.read_text().splitlines()[0]
    assert len(entries) == 3000
    assert header.startswith("#") and "v1.0.10" in header and "CC BY-SA 4.0" in header


def test_full_dataset_loads_with_consistent_labels(full):
    labels = full.labels
    assert len(full) == 3000 and full.sr == 8000
    assert list(labels.columns) == ["digit", "speaker", "take", "split", "path"]
    assert (labels["split"] == "train").sum() == 2700 and (labels["split"] == "test").sum() == 300
    assert sorted(labels["digit"].unique()) == list(range(10))
    assert set(labels["speaker"]) == set(fsdd_speakers()) and labels["speaker"].nunique() == 6
    assert (labels.groupby(["digit", "speaker"]).size() == 50).all()
    assert ((labels["take"] < 5) == (labels["split"] == "test")).all()
    for row in labels.itertuples():
        assert Path(row.path).name == f"{row.digit}_{row.speaker}_{row.take}.wav"
    keys = list(zip(labels["digit"], labels["speaker"], labels["take"], strict=True))
    assert keys == sorted(keys)
    assert all(c.dtype == np.float32 and c.ndim == 1 and len(c) > 0 for c in full.clips)


def test_selection_and_resampling():
    ds = fsdd(split="test", digits=3, speakers=["theo"], sr=16000)
    assert ds.labels["take"].tolist() == [0, 1, 2, 3, 4] and ds.sr == 16000
    native = fsdd(split="test", digits=[3], speakers="theo")
    assert all(abs(len(a) - 2 * len(b)) <= 1 for a, b in zip(ds.clips, native.clips, strict=True))
    with pytest.raises(ValueError, match="unknown speakers \\['bob'\\]; choose from"):
        fsdd(speakers="bob")
    with pytest.raises(ValueError, match="unknown digits \\[10\\]"):
        fsdd(digits=[10])
    with pytest.raises(ValueError, match="split"):
        fsdd(split="validation")


def test_speakers_table():
    speakers = fsdd_speakers()
    assert len(speakers) == 6 and speakers["nicolas"]["accent"] == "BEL/French"


def _mirror_copy(tmp_path: Path, recordings: Path) -> Path:
    folder = tmp_path / "mirror" / "fsdd" / "recordings"
    folder.mkdir(parents=True)
    for name in SAMPLE:
        shutil.copy(recordings / name, folder / name)
    return folder


def test_tampered_mirror_names_the_file_and_hashes(tmp_path, monkeypatch, recordings):
    folder = _mirror_copy(tmp_path, recordings)
    manifest = _small_manifest(tmp_path)
    monkeypatch.setenv("AIGC_KIT_DATA_MIRROR", str(tmp_path / "mirror"))
    data = bytearray((folder / "3_theo_7.wav").read_bytes())
    data[200] ^= 0x01
    (folder / "3_theo_7.wav").write_bytes(bytes(data))
    expected = _read_manifest(manifest)["3_theo_7.wav"]
    with pytest.raises(DatasetIntegrityError) as info:
        fsdd_root(manifest=manifest)
    message = str(info.value)
    assert f"3_theo_7.wav: expected sha256 {expected}, got " in message
    assert "0_george_0.wav" not in message and "1 of 3 files" in message


def test_mirror_missing_file_fails_then_repaired_mirror_passes(tmp_path, monkeypatch, recordings):
    folder = _mirror_copy(tmp_path, recordings)
    manifest = _small_manifest(tmp_path)
    monkeypatch.setenv("AIGC_KIT_DATA_MIRROR", str(tmp_path / "mirror"))
    (folder / "9_lucas_49.wav").unlink()
    with pytest.raises(DatasetIntegrityError, match="9_lucas_49.wav: missing"):
        fsdd_root(manifest=manifest)
    shutil.copy(recordings / "9_lucas_49.wav", folder)
    assert fsdd_root(manifest=manifest) == folder


def test_mirror_variable_pointing_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_KIT_DATA_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(DatasetUnavailableError, match=r"nowhere.*must contain fsdd/recordings/"):
        fsdd_root()


def test_offline_without_mirror_or_cache_explains_the_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("AIGC_KIT_DATA_MIRROR", raising=False)
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AIGC_KIT_OFFLINE", "1")
    with pytest.raises(DatasetUnavailableError) as info:
        fsdd()
    message = str(info.value)
    assert "set AIGC_KIT_DATA_MIRROR to a folder containing fsdd/recordings/" in message
    assert "`python -m aigc_kit fetch`" in message and "AIGC_KIT_OFFLINE" in message
    monkeypatch.setenv("AIGC_KIT_OFFLINE", "0")
    with pytest.raises(DatasetUnavailableError, match="download=False"):
        fsdd_root(download=False)
    assert not (tmp_path / "cache").exists()


def _tarball(folder: Path, recordings: Path) -> str:
    """A release-shaped tarball with SAMPLE, extra files and path-traversal members."""
    folder.mkdir()
    path = folder / "release.tar.gz"
    top = "free-spoken-digit-dataset-1.0.10"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(recordings / SAMPLE[0], f"{top}/recordings/{SAMPLE[0]}")
        tar.addfile(tarfile.TarInfo(f"{top}/README.md"), io.BytesIO(b""))
        for name in SAMPLE[1:]:
            tar.add(recordings / name, f"{top}/recordings/{name}")
        evil = (recordings / SAMPLE[0]).read_bytes()
        for name in ("../evil.wav", f"{top}/recordings/../../evil.wav"):
            info = tarfile.TarInfo(name)
            info.size = len(evil)
            tar.addfile(info, io.BytesIO(evil))
    return path.as_uri()


def test_download_extracts_only_the_verified_recordings(tmp_path, recordings):
    url = _tarball(tmp_path / "server", recordings)
    dest = tmp_path / "data" / "cache" / "fsdd" / "recordings"
    assert _download_recordings(dest, url=url, manifest=_small_manifest(tmp_path)) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(SAMPLE)
    for name in SAMPLE:
        assert (dest / name).read_bytes() == (recordings / name).read_bytes()
    assert [p.name for p in dest.parent.iterdir()] == ["recordings"]  # no temp folder left
    assert not list(tmp_path.rglob("evil.wav"))


def test_download_with_a_checksum_mismatch_leaves_nothing_behind(tmp_path, recordings):
    url = _tarball(tmp_path / "server", recordings)
    entries = _read_manifest(_small_manifest(tmp_path))
    entries["3_theo_7.wav"] = "0" * 64
    manifest = _manifest(tmp_path / "wrong_sha256.txt", entries)
    dest = tmp_path / "data" / "cache" / "fsdd" / "recordings"
    with pytest.raises(DatasetIntegrityError, match=f"3_theo_7.wav: expected sha256 {'0' * 64}"):
        _download_recordings(dest, url=url, manifest=manifest)
    assert list(dest.parent.iterdir()) == []


def test_download_from_a_bad_url_explains_the_fix(tmp_path):
    url = (tmp_path / "missing.tar.gz").as_uri()
    with pytest.raises(DatasetUnavailableError, match=re.escape(url) + ".*AIGC_KIT_DATA_MIRROR"):
        _download_recordings(tmp_path / "recordings", url=url, manifest=_small_manifest(tmp_path))
    assert not (tmp_path / "recordings").exists()


def test_fsdd_root_downloads_into_the_cache_then_reuses_it(tmp_path, monkeypatch, recordings):
    monkeypatch.setattr(fsdd_module, "FSDD_URL", _tarball(tmp_path / "server", recordings))
    monkeypatch.delenv("AIGC_KIT_DATA_MIRROR", raising=False)
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AIGC_KIT_OFFLINE", "no")
    manifest = _small_manifest(tmp_path)
    root = fsdd_root(manifest=manifest)
    assert root == tmp_path / "data" / "cache" / "fsdd" / "recordings"
    assert sorted(p.name for p in root.iterdir()) == sorted(SAMPLE)
    monkeypatch.setenv("AIGC_KIT_OFFLINE", "1")
    (tmp_path / "server" / "release.tar.gz").unlink()
    assert fsdd_root(manifest=manifest) == root

