"""Test-wide settings: never download; read FSDD from the offline mirror.

``.ci/run`` points ``AIGC_KIT_DATA_MIRROR`` at ``../shared/datasets`` (the FSDD mirror beside
the clone). When the variable is unset and that folder exists, the tests use it too; with no
mirror, FSDD comes from the cache that ``make data`` filled.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

os.environ["AIGC_KIT_OFFLINE"] = "1"
_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if "AIGC_KIT_DATA_MIRROR" not in os.environ and (_MIRROR / "fsdd" / "recordings").is_dir():
    os.environ["AIGC_KIT_DATA_MIRROR"] = str(_MIRROR)
