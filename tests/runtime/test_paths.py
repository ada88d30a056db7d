"""Tests for aigc_kit.runtime.paths: every location follows its environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

import aigc_kit.runtime.paths as paths


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("AIGC_KIT_DATA_DIR", "AIGC_KIT_DATA_MIRROR", "AIGC_KIT_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_paths_follow_the_environment(tmp_path, clean_env):
    clean_env.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    assert paths.data_dir() == tmp_path.resolve()
    assert paths.cache_dir() == tmp_path.resolve() / "cache"
    clean_env.setenv("AIGC_KIT_DATA_DIR", "~/somewhere")  # expanded, made absolute
    assert paths.data_dir() == Path.home().resolve() / "somewhere"
    assert paths.mirror_dir() is None
    clean_env.setenv("AIGC_KIT_DATA_MIRROR", str(tmp_path / "m" / ".." / "m"))
    assert paths.mirror_dir() == (tmp_path / "m").resolve()
    clean_env.setenv("AIGC_KIT_DATA_MIRROR", "")  # set but empty: no mirror
    assert paths.mirror_dir() is None


def test_the_default_data_dir_is_the_checkout_s_data_folder_or_the_user_cache(tmp_path,
                                                                              clean_env):
    checkout = tmp_path / "checkout"
    (checkout / "aigc_kit").mkdir(parents=True)
    clean_env.setattr(paths, "_PACKAGE_DIR", checkout / "aigc_kit")
    clean_env.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    # installed from a wheel: no pyproject.toml above the package
    assert paths.data_dir() == tmp_path / "home" / ".cache" / "aigc_kit"
    (checkout / "pyproject.toml").write_text("[project]\n")
    assert paths.data_dir() == checkout / "data"  # a source checkout
    assert paths.cache_dir() == checkout / "data" / "cache"
    assert not (checkout / "data").exists()  # named, not created


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), ("TRUE", True), ("yes", True), (" Yes ", True),
    ("0", False), ("", False), ("no", False), ("false", False), ("on", False),
])
def test_offline_reads_yes_words_only(clean_env, value, expected):
    clean_env.setenv("AIGC_KIT_OFFLINE", value)
    assert paths.offline() is expected


def test_offline_is_off_when_unset(clean_env):
    assert paths.offline() is False
