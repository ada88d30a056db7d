"""Tests for aigc_kit.runtime.atomic: readers see the old file or the new one, never half."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import aigc_kit.runtime.atomic as atomic
from aigc_kit.runtime.atomic import write_atomically


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_the_bytes_into_missing_folders_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a" / "b" / "out.bin"
    returned = write_atomically(target, lambda f: f.write(b"hello"))
    assert returned == target and isinstance(returned, Path)
    assert target.read_bytes() == b"hello"
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"]
    write_atomically(str(target), lambda f: f.write(b"bye"))  # a str path works too
    assert target.read_bytes() == b"bye"
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path, error):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old and good")

    def half_then_fail(handle):
        handle.write(b"half of the new")
        raise error

    with pytest.raises(type(error)):
        write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"old and good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_failed_first_write_creates_no_file(tmp_path):
    def refuse(handle):
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        write_atomically(tmp_path / "new.bin", refuse)
    assert list(tmp_path.iterdir()) == []


def test_the_data_are_synced_before_the_rename(tmp_path, monkeypatch):
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(atomic.os, "replace",
                        lambda src, dst: calls.append(f"replace {Path(dst).name}")
                        or real_replace(src, dst))
    write_atomically(tmp_path / "out.bin", lambda f: f.write(b"x"))
    # the file's data, then the rename, then (on POSIX) the folder entry
    assert calls == ["fsync", "replace out.bin", "fsync"]


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    kept = tmp_path / "kept.bin"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    write_atomically(kept, lambda f: f.write(b"new"))
    assert _mode(kept) == 0o640  # not mkstemp's 0600
    old_umask = os.umask(0o027)
    try:
        fresh = write_atomically(tmp_path / "fresh.bin", lambda f: f.write(b"new"))
        umask_after = os.umask(0o027)
    finally:
        os.umask(old_umask)
    assert _mode(fresh) == 0o640  # 0666 less the umask 0027
    assert umask_after == 0o027  # reading the umask left the caller's in place
