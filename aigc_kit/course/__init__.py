"""Course tooling: the ``aigc-kit`` command, the course runner, notebook pairing, reports.

Not imported by the notebooks, nor by ``import aigc_kit``: this is what builds and checks the
course around them (``aigc-kit course``, ``aigc-kit report``, ``aigc-kit check-notebooks``,
``aigc-kit pair-notebooks``, ``aigc-kit fetch``). Papermill, nbconvert and jupytext (the
``notebooks`` extra) are imported only when a command needs them.
"""
