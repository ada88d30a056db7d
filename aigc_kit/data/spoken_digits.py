"""The Free Spoken Digit Dataset (FSDD): 3,000 short recordings of spoken digits.

6 speakers x 10 digits (0-9) x 50 takes, mono 8 kHz WAV files named
``{digit}_{speaker}_{take}.wav``, from release v1.0.10 of
https://github.com/Jakobovski/free-spoken-digit-dataset, licensed CC BY-SA 4.0 (credit the
dataset and keep the license when you redistribute recordings). By custom takes 0-4 of every
speaker and digit form the test set, takes 5-49 the training set.

The recordings are found, in order, in the offline mirror ``AIGC_KIT_DATA_MIRROR`` (a
folder containing ``fsdd/recordings/``), in the cache ``cache_dir()/fsdd/recordings``, or
downloaded there from the release tarball. Every file is checked against the SHA-256
manifest shipped with the package (``fsdd_sha256.txt``) before use.

Taught in ``02_data_collection_preprocessing``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
import zlib
from collections.abc import Iterable
from numbers import Integral
from pathlib import Path, PurePosixPath

import pandas as pd
from tqdm.auto import tqdm

from aigc_kit.data.dataset import AudioSet
from aigc_kit.data.io import load_audio
from aigc_kit.runtime.paths import cache_dir, mirror_dir, offline

FSDD_URL = (
    "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz"
)
FSDD_MANIFEST = Path(__file__).with_name("fsdd_sha256.txt")
_SPEAKERS_JSON = Path(__file__).with_name("fsdd_speakers.json")
_N_TEST_TAKES = 5  # takes 0-4 are the customary test set
_NAME = re.compile(r"(?P<digit>\d)_(?P<speaker>[a-z]+)_(?P<take>\d+)\.wav")
_MANIFEST_LINE = re.compile(r"(?P<sha>[0-9a-f]{64})  (?P<name>[A-Za-z0-9_-][A-Za-z0-9_.-]*)")
_HOW_TO_FIX = (
    "To fix: set AIGC_KIT_DATA_MIRROR to a folder containing fsdd/recordings/ (e.g. a copy "
    "of the release's recordings folder) or connect to the internet and run "
    "`python -m aigc_kit fetch`."
)
_VERIFIED: set[tuple[Path, Path]] = set()  # (recordings folder, manifest) checked this process


class DatasetUnavailableError(RuntimeError):
    """The dataset is neither in the mirror nor in the cache and cannot be downloaded.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """


class DatasetIntegrityError(RuntimeError):
    """A dataset file is missing or its SHA-256 checksum does not match the manifest.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """


def _read_manifest(manifest: Path) -> dict[str, str]:
    """``{file name: sha256 hex digest}`` from lines ``"<sha256>  <name>"`` (``#`` comments)."""
    entries = {}
    for number, line in enumerate(Path(manifest).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.fullmatch(line.strip())
        if match is None:
            raise ValueError(
                f"{manifest}, line {number}: expected '<64 hex digits>  <file name>', got {line!r}"
            )
        entries[match["name"]] = match["sha"]
    return entries


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verify(root: Path, expected: dict[str, str], where: str, fix: str) -> None:
    """Raise DatasetIntegrityError unless every manifest file is in ``root`` and matches."""
    problems = []
    for name, sha in sorted(expected.items()):
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing (expected sha256 {sha})")
        elif (actual := _sha256(path)) != sha:
            problems.append(f"{name}: expected sha256 {sha}, got {actual}")
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise DatasetIntegrityError(
            f"FSDD check failed for {len(problems)} of {len(expected)} files in {where}:\n"
            f"  {shown}{more}\nTo fix: {fix}"
        )


def _verified(root: Path, manifest: Path, fix: str) -> Path:
    """``root`` after checking it against ``manifest`` (once per process and folder)."""
    key = (root.resolve(), Path(manifest).resolve())
    if key not in _VERIFIED:
        _verify(root, _read_manifest(manifest), str(root), fix)
        _VERIFIED.add(key)
    return root


def _fetch_url(url: str, target: Path, progress: bool) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total, unit="B", unit_scale=True, desc="FSDD", disable=not progress
            ) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    bar.update(len(chunk))
    except OSError as err:  # urllib.error.URLError, timeouts and refused connections
        raise DatasetUnavailableError(
            f"could not download FSDD from {url}: {err}. {_HOW_TO_FIX}"
        ) from err


def _extract_recordings(tarball: Path, staging: Path, wanted: set[str], url: str) -> None:
    """Copy ``*/recordings/<name>`` for the ``wanted`` names out of the tarball.

    Only regular files are taken and only their validated base name is used for the output
    path, so a malicious archive cannot write outside ``staging`` (no path traversal).
    """
    staging.mkdir()
    try:
        with tarfile.open(tarball, "r:*") as tar:
            for member in tar:
                parts = PurePosixPath(member.name).parts
                if not (member.isfile() and len(parts) == 3 and parts[1] == "recordings"):
                    continue
                if parts[2] in wanted and (source := tar.extractfile(member)) is not None:
                    with source, (staging / parts[2]).open("wb") as out:
                        shutil.copyfileobj(source, out)
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise DatasetIntegrityError(
            f"the FSDD archive downloaded from {url} is damaged ({err}); "
            "run `python -m aigc_kit fetch` again"
        ) from err


def _download_recordings(
    dest: Path, url: str = FSDD_URL, manifest: Path = FSDD_MANIFEST, progress: bool = False
) -> Path:
    """Download the release tarball, extract and verify its recordings, move them to ``dest``.

    Everything happens in a temporary folder next to ``dest`` that is removed afterwards,
    and ``dest`` appears in one atomic rename only after every checksum matched, so a failed
    or interrupted download never leaves a partial copy behind.
    """
    expected = _read_manifest(manifest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fsdd-download-", dir=dest.parent) as tmp:
        tarball, staging = Path(tmp) / "fsdd.tar.gz", Path(tmp) / "recordings"
        _fetch_url(url, tarball, progress)
        _extract_recordings(tarball, staging, set(expected), url)
        _verify(
            staging,
            expected,
            f"the archive downloaded from {url}",
            "the download is corrupt or the release changed; run `python -m aigc_kit fetch` "
            "again, or use a mirror (AIGC_KIT_DATA_MIRROR)",
        )
        try:
            os.rename(staging, dest)
        except OSError:
            if not dest.is_dir():  # else another process finished the same download first
                raise
    return dest


def fsdd_root(
    download: bool = True, *, progress: bool = False, manifest: Path = FSDD_MANIFEST
) -> Path:
    """The folder holding the verified FSDD recordings, downloading them if needed.

    Parameters
    ----------
    download : bool
        Allow downloading the release tarball when neither the mirror nor the cache has the
        data; ``AIGC_KIT_OFFLINE=1`` forbids it too.
    progress : bool
        Show a progress bar while downloading.
    manifest : Path
        SHA-256 manifest to verify against (default: the one shipped with the package).

    Returns
    -------
    Path
        ``AIGC_KIT_DATA_MIRROR/fsdd/recordings`` when the mirror variable is set, else
        ``cache_dir()/fsdd/recordings``.

    Raises
    ------
    DatasetUnavailableError
        If the mirror folder is missing, or the data is not cached and may not or cannot be
        downloaded; the message says how to fix it.
    DatasetIntegrityError
        If a file is missing or its checksum differs; the message names the file.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    mirror = mirror_dir()
    if mirror is not None:
        root = mirror / "fsdd" / "recordings"
        if not root.is_dir():
            raise DatasetUnavailableError(
                f"AIGC_KIT_DATA_MIRROR is set to {mirror}, but {root} does not exist. The "
                "mirror folder must contain fsdd/recordings/ with the 3,000 FSDD WAV files "
                "({digit}_{speaker}_{take}.wav); fix the path or unset AIGC_KIT_DATA_MIRROR."
            )
        fix = f"copy the release's recordings into {root} again"
        return _verified(root, manifest, fix)
    root = cache_dir() / "fsdd" / "recordings"
    if not root.is_dir():
        if offline() or not download:
            why = "AIGC_KIT_OFFLINE is set" if offline() else "download=False was passed"
            raise DatasetUnavailableError(
                f"FSDD is not in the cache ({root}) and downloading is off ({why}). {_HOW_TO_FIX}"
            )
        _download_recordings(root, FSDD_URL, manifest, progress)
    fix = f"delete {root} and run `python -m aigc_kit fetch` to download it again"
    return _verified(root, manifest, fix)


def fetch_fsdd(progress: bool = True) -> Path:
    """Make sure FSDD is available (download and verify it if needed); return its folder.

    Used by ``python -m aigc_kit fetch``; see ``fsdd_root``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    return fsdd_root(download=True, progress=progress)


def fsdd_speakers() -> dict[str, dict[str, str]]:
    """The dataset's speaker table: ``{speaker: {"gender", "accent", "language"}}``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    return json.loads(_SPEAKERS_JSON.read_text(encoding="utf-8"))


def _catalogue(root: Path) -> pd.DataFrame:
    """Every recording in the manifest with its labels, sorted by digit, speaker and take."""
    rows = []
    for name in _read_manifest(FSDD_MANIFEST):
        match = _NAME.fullmatch(name)
        if match is None:
            raise ValueError(f"{FSDD_MANIFEST}: {name!r} is not named digit_speaker_take.wav")
        take = int(match["take"])
        rows.append(
            {
                "digit": int(match["digit"]),
                "speaker": match["speaker"],
                "take": take,
                "split": "test" if take < _N_TEST_TAKES else "train",
                "path": str(root / name),
            }
        )
    return pd.DataFrame(rows).sort_values(["digit", "speaker", "take"], ignore_index=True)


def _selection(column: pd.Series, wanted: object, what: str) -> pd.Series:
    """Boolean mask of ``column`` values in ``wanted`` (one value or several; None = all)."""
    if wanted is None:
        return pd.Series(True, index=column.index)
    values = {wanted} if isinstance(wanted, (str, Integral)) else set(wanted)
    choices = sorted(set(column))
    if not values:
        raise ValueError(f"fsdd: no {what} given; pass None for all, or some of {choices}")
    unknown = values - set(choices)
    if unknown:
        raise ValueError(f"fsdd: unknown {what} {sorted(unknown, key=str)}; choose from {choices}")
    return column.isin(values)


def fsdd(
    split: str | None = None,
    digits: int | Iterable[int] | None = None,
    speakers: str | Iterable[str] | None = None,
    sr: int = 8000,
    progress: bool = False,
) -> AudioSet:
    """Load the Free Spoken Digit Dataset (or part of it) as an AudioSet.

    Parameters
    ----------
    split : {None, "train", "test"}
        ``"test"`` = takes 0-4, ``"train"`` = takes 5-49, None = all 3,000 clips.
    digits : int or iterable of int, optional
        Keep only these digits (0-9).
    speakers : str or iterable of str, optional
        Keep only these speakers (see ``fsdd_speakers()``).
    sr : int
        Sample rate in Hz; the recordings are 8000 Hz and are resampled otherwise.
    progress : bool
        Show progress bars (download, loading).

    Returns
    -------
    AudioSet
        Mono float32 clips (about 0.2-2.3 s each) sorted by digit, speaker and take, with
        labels ``digit`` (int), ``speaker`` (str), ``take`` (int), ``split``
        (``"train"``/``"test"``) and ``path`` (the file).

    Notes
    -----
    Downloads and verifies the data on first use (see ``fsdd_root``). Taught in
    ``02_data_collection_preprocessing``.
    """
    if split not in (None, "train", "test"):
        raise ValueError(f"fsdd: split must be None, 'train' or 'test', got {split!r}")
    table = _catalogue(fsdd_root(download=True, progress=progress))
    mask = _selection(table["digit"], digits, "digits") & _selection(
        table["speaker"], speakers, "speakers"
    )
    if split is not None:
        mask &= table["split"] == split
    labels = table[mask]
    clips = [
        load_audio(path, sr=sr)[0]
        for path in tqdm(labels["path"], desc="loading FSDD", disable=not progress)
    ]
    return AudioSet(clips, sr, labels)
