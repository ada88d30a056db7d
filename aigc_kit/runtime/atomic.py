"""Write a file so that readers see the old version or the new one, never half of one.

Used by :mod:`aigc_kit.runtime.checkpoint` (``06_project_audio_gan``),
:mod:`aigc_kit.evaluation.report` and :mod:`aigc_kit.interaction.merge`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it over ``path``.

    The data are flushed and fsynced before the rename, and the folder after it (where the
    OS allows), so a crash leaves either the old file or the complete new one. If anything
    fails the temporary file is removed and the old file is untouched. Missing folders
    are created. A replaced file keeps its permissions; a new one gets 0666 less the
    umask, like any file the user creates.

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)  # mkstemp's 0600 would hide the file from its readers
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the OS allows syncing a directory (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
