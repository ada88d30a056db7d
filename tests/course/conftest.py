"""Tiny notebooks for the sweep tests: a kernel starts in about a second, nothing heavy."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigc_kit.course.pairs import write_pair

HEADER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""

TINY = HEADER + """
# %% tags=["parameters"]
x = 1.0
seed = 0
label = "a"
fail = "never"  # "never", "always", "first" (the first attempt fails), "kill" (the first
# attempt kills the process that started the kernel: the Dask worker)
sleep = 0.0
ledger = ""  # a file each finished run appends "x,seed" to
output_dir = "."

# %%
import json
import os
import time
from pathlib import Path

time.sleep(sleep)
tried = Path(f"{ledger}.{x}-{seed}-{fail}.tried")
if fail == "kill" and not tried.exists():
    import signal

    tried.touch()
    os.kill(os.getppid(), signal.SIGKILL)
if fail == "always" or (fail == "first" and not tried.exists()):
    tried.touch()
    raise RuntimeError(f"boom at x={x}")

# %%
metrics = {"y": x * 2 + seed / 10, "threads": int(os.environ.get("OMP_NUM_THREADS", "0")),
           "cwd": os.getcwd(), "nested": {"a": 1}}
Path(output_dir, "metrics.json").write_text(json.dumps({"metrics": metrics}))
Path(output_dir, "extra.txt").write_text("a file the run wrote")
if ledger:
    with open(ledger, "a") as handle:
        handle.write(f"{x},{seed}\\n")
"""

RECORDING = HEADER + """
# %% tags=["parameters"]
x = 1.0
seed = 0

# %%
import os

from aigc_kit.evaluation import record_metrics

record_metrics({"half": x / 2, "threads": int(os.environ.get("OMP_NUM_THREADS", "0"))},
               {"x": x, "seed": seed})

# %%
record_metrics({"cwd": os.getcwd(), "half": x / 4})  # a later call adds and overrides
"""


def make_notebook(folder: Path, source: str = TINY, name: str = "tiny") -> Path:
    """Write ``source`` as ``folder/name.py`` and its paired ``.ipynb``; return the latter."""
    folder.mkdir(parents=True, exist_ok=True)
    py_path = folder / f"{name}.py"
    py_path.write_text(source, encoding="utf-8")
    return write_pair(py_path)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny notebook, in ``tmp_path/nb/``."""
    return make_notebook(tmp_path / "nb")


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    """A notebook that records its figures with ``record_metrics`` (imports the kit)."""
    return make_notebook(tmp_path / "nb", RECORDING, "recording")


@pytest.fixture
def notebook_maker():
    """``make_notebook(folder, source, name)``, with the tiny notebook's source as default."""
    return make_notebook
