"""Where the kit keeps its data, and whether it may download any.

Every location can be overridden by an environment variable, so a classroom can point all
machines at one shared copy and the tests can run without network access:

``AIGC_KIT_DATA_DIR``
    Root folder for data and caches.
``AIGC_KIT_DATA_MIRROR``
    A local folder holding dataset mirrors (e.g. ``fsdd/recordings/``); used instead of
    downloading.
``AIGC_KIT_OFFLINE``
    ``1``/``true``/``yes`` forbids downloads.

Taught in ``02_data_collection_preprocessing``.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The folder that holds the kit's data.

    ``AIGC_KIT_DATA_DIR`` when set; otherwise the repository's ``data/`` folder when the
    package runs from a source checkout (the folder above ``aigc_kit/`` has a
    ``pyproject.toml``); otherwise ``~/.cache/aigc_kit``. The folder may not exist yet.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    env = os.environ.get("AIGC_KIT_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    checkout = _PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "data"
    return Path.home() / ".cache" / "aigc_kit"


def cache_dir() -> Path:
    """``data_dir() / "cache"``: downloads and derived files (git-ignored in a checkout).

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    return data_dir() / "cache"


def mirror_dir() -> Path | None:
    """The offline mirror folder from ``AIGC_KIT_DATA_MIRROR`` (absolute), or None if unset.

    The mirror holds one sub-folder per dataset, e.g. ``fsdd/recordings/*.wav``.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    env = os.environ.get("AIGC_KIT_DATA_MIRROR")
    return Path(env).expanduser().resolve() if env else None


def offline() -> bool:
    """True when ``AIGC_KIT_OFFLINE`` is ``1``, ``true`` or ``yes`` (any case): no downloads.

    Notes
    -----
    Taught in ``02_data_collection_preprocessing``.
    """
    return os.environ.get("AIGC_KIT_OFFLINE", "").strip().lower() in {"1", "true", "yes"}
