"""Reading audio files robustly: one file (``load_audio``) or a whole folder (``load_folder``).

Real data folders contain broken files: empty downloads, truncated copies, text files with
an audio extension, silence, NaNs. ``load_audio`` turns each of these into an
``AudioLoadError`` that names the file, the problem and the fix; ``load_folder`` never stops
at a bad file but lists it, with its reason, in ``AudioSet.skipped``.

Taught in ``02_data_collection_preprocessing``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from tqdm.auto import tqdm

from aigc_kit.data.dataset import AudioSet, SkippedFile
from aigc_kit.data.preprocess import resample, to_mono

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".aiff", ".aif")
_REEXPORT = "re-export it as WAV/FLAC (e.g. with Audacity or ffmpeg)"


class FileLoadError(ValueError):
    """A file could not be used; the message names the file, the reason and the fix.

    The base of :class:`AudioLoadError` and :class:`aigc_kit.apps.video.VideoLoadError`, which
    differ only in ``action``, the verb phrase of their message.

    Attributes
    ----------
    path : Path
        The file.
    reason : str
        What is wrong with it and how to fix it.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """

    action = "load file"

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        super().__init__(Path(path), reason)
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot {self.action} '{self.path}': {self.reason}"


class AudioLoadError(FileLoadError):
    """An audio file could not be used; the message names the file, the reason and the fix.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """

    action = "load audio file"


def _check_file(path: Path) -> None:
    """Raise AudioLoadError when ``path`` is not a non-empty regular file."""
    if not path.exists():
        hint = " (a broken symbolic link)" if path.is_symlink() else ""
        raise AudioLoadError(path, f"file not found{hint}; check the path")
    if path.is_dir():
        raise AudioLoadError(path, "is a folder, not a file; use load_folder() for folders")
    if path.stat().st_size == 0:
        raise AudioLoadError(
            path, "empty file (0 bytes); the copy or download probably failed, fetch it again"
        )


def _wav_shortfall(path: Path) -> tuple[int, int] | None:
    """For a RIFF/WAVE file shorter than its header says: (declared, present) data bytes.

    libsndfile silently reads whatever part of a truncated WAV is present, so the size the
    ``data`` chunk header announces is checked against the bytes actually in the file.
    Returns None for complete files and for other formats.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        while chunk := f.read(8):
            if len(chunk) < 8:
                return None
            declared = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                present = size - f.tell()
                # 0xFFFFFFFF marks a streamed file whose length was never written.
                truncated = present < declared and declared != 0xFFFFFFFF
                return (declared, present) if truncated else None
            f.seek(declared + (declared & 1), os.SEEK_CUR)
    return None


def _decode_reason(err: RuntimeError, opened: bool) -> str:
    detail = getattr(err, "error_string", "") or str(err) or type(err).__name__
    if not opened:
        return (
            f"not a readable audio file (libsndfile: {detail}); the header is missing or "
            f"corrupt, or it is another format under an audio extension; {_REEXPORT}"
        )
    return (
        f"could not decode the audio data (libsndfile: {detail}); the file is probably "
        f"truncated or corrupt; {_REEXPORT}"
    )


def _read(path: Path) -> tuple[np.ndarray, int]:
    """Read and check one file: float32 ``(n_channels, n_samples)`` and its rate in Hz."""
    _check_file(path)
    opened = False
    try:
        with sf.SoundFile(path) as f:
            opened = True
            data = f.read(dtype="float32", always_2d=True)
            file_sr = f.samplerate
        shortfall = _wav_shortfall(path)
    except RuntimeError as err:  # soundfile.LibsndfileError is a RuntimeError
        raise AudioLoadError(path, _decode_reason(err, opened)) from err
    except OSError as err:
        raise AudioLoadError(path, f"cannot read it ({err}); check its permissions") from err
    if shortfall is not None:
        declared, present = shortfall
        raise AudioLoadError(
            path,
            f"truncated file: the header announces {declared} bytes of audio but only "
            f"{present} are present; copy it again or {_REEXPORT}",
        )
    if data.shape[0] == 0:
        raise AudioLoadError(
            path,
            "contains no audio (0 samples): the recording is empty or its audio data is "
            f"missing; drop it or {_REEXPORT}",
        )
    bad = int(np.count_nonzero(~np.isfinite(data)))
    if bad:
        raise AudioLoadError(
            path,
            f"{bad} of {data.size} samples are NaN or infinite; the file is corrupt or was "
            f"written from a failed computation; {_REEXPORT} from a good source",
        )
    return np.ascontiguousarray(data.T), int(file_sr)


def _convert(data: np.ndarray, file_sr: int, sr: int | None, mono: bool) -> np.ndarray:
    if mono:
        data = to_mono(data)
    if sr is not None:
        data = resample(data, file_sr, sr)
    return np.ascontiguousarray(data, dtype=np.float32)


def load_audio(
    path: str | os.PathLike, sr: int | None = None, mono: bool = True
) -> tuple[np.ndarray, int]:
    """Read one audio file as float32 samples in [-1, 1].

    Parameters
    ----------
    path : str or path-like
        A WAV (8-bit unsigned, 16/24/32-bit integer, 32/64-bit float), FLAC, OGG/Vorbis or
        AIFF file, any sample rate and channel count.
    sr : int, optional
        Resample to this rate in Hz (see ``preprocess.resample``); None keeps the file's.
    mono : bool
        Average the channels into one (see ``preprocess.to_mono``).

    Returns
    -------
    audio : np.ndarray
        float32, shape ``(n_samples,)`` when ``mono`` else ``(n_channels, n_samples)``.
    sr : int
        Sample rate of ``audio`` in Hz.

    Raises
    ------
    AudioLoadError
        (a ``ValueError``) for a missing, empty, truncated, corrupt or non-audio file, a
        file with no samples, or one containing NaN/Inf samples.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    path = Path(path)
    data, file_sr = _read(path)
    return _convert(data, file_sr, sr, mono), (sr if sr is not None else file_sr)


def _find_audio_files(folder: Path, extensions: Iterable[str]) -> list[Path]:
    exts = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions}
    found = [p for p in folder.rglob("*") if p.suffix.lower() in exts and not p.is_dir()]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def load_folder(
    folder: str | os.PathLike,
    sr: int,
    mono: bool = True,
    extensions: Iterable[str] = AUDIO_EXTENSIONS,
    progress: bool = False,
) -> AudioSet:
    """Load every audio file under a folder (recursively), skipping and reporting bad ones.

    Parameters
    ----------
    folder : str or path-like
        The folder to search; files are loaded in sorted order of their relative paths.
    sr : int
        Sample rate in Hz that every clip is resampled to.
    mono : bool
        Mix every clip down to mono; with False clips keep shape
        ``(n_channels, n_samples)``.
    extensions : iterable of str
        File extensions (case-insensitive) to load; other files are ignored silently.
    progress : bool
        Show a progress bar.

    Returns
    -------
    AudioSet
        The clips with labels ``path`` (relative to ``folder``), ``orig_sr`` (Hz),
        ``channels`` and ``duration_s`` (seconds); files that failed to load are listed in
        ``skipped`` with their reason. Loading never stops at a bad file.

    Raises
    ------
    FileNotFoundError
        If ``folder`` does not exist (``NotADirectoryError`` if it is a file).

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(
            f"load_folder: folder not found: '{folder}'; check the path (relative paths are "
            f"resolved from the current directory {Path.cwd()})"
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"load_folder: '{folder}' is a file, not a folder; use load_audio() for one file"
        )
    clips, rows, skipped = [], [], []
    files = _find_audio_files(folder, extensions)
    for path in tqdm(files, desc=f"loading {folder.name}", disable=not progress):
        try:
            data, file_sr = _read(path)
        except AudioLoadError as err:
            skipped.append(SkippedFile(path, err.reason))
            continue
        clips.append(_convert(data, file_sr, sr, mono))
        rows.append(
            {
                "path": path.relative_to(folder).as_posix(),
                "orig_sr": file_sr,
                "channels": data.shape[0],
                "duration_s": data.shape[1] / file_sr,
            }
        )
    labels = pd.DataFrame(rows, columns=["path", "orig_sr", "channels", "duration_s"])
    return AudioSet(clips, sr, labels, skipped)
