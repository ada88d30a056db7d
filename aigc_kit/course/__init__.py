"""Course tooling: the ``aigc-kit`` command, the course runner and its offline site, notebook
pairing, exercises, rating logs, reports.

Not imported by the notebooks, nor by ``import aigc_kit``: this is what builds and checks the
course around them (``aigc-kit course``, ``aigc-kit site`` with its search index and
further-reading page, ``aigc-kit exercises``, ``aigc-kit report``, ``aigc-kit ratings
merge``, ``aigc-kit check-notebooks``, ``aigc-kit pair-notebooks``, ``aigc-kit fetch``).
Papermill, nbconvert and jupytext (the ``notebooks`` extra) are imported only when a command
needs them.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The checkout the tooling runs from (the folder above ``aigc_kit/``)."""

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
"""The course's notebooks in a checkout."""
