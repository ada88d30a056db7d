"""Loss curves that redraw in place while a model trains.

:class:`LivePlot` draws one figure and replaces it in the same notebook output on each
update (``IPython.display.display(..., display_id=True)`` then ``handle.update``), so a
notebook executed headless (papermill, nbmake) keeps one final figure rather than hundreds.
Outside a Jupyter kernel (plain Python, pytest) it draws nothing. The figure is created
through pyplot (which loads the notebook backend and its PNG formatter) and at once closed
there, so the inline backend does not show it a second time at the end of the cell.
Taught in ``04_deep_learning_models``.
"""

from __future__ import annotations

import math
import time

import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython
from IPython.display import display
from matplotlib.figure import Figure

_NOT_PLOTTED = ("step", "seconds")


def plot_history(
    history: pd.DataFrame,
    ax: plt.Axes | None = None,
    columns: list[str] | None = None,
    title: str = "",
) -> plt.Axes:
    """Training curves against the step: the raw values faint, a moving average on top.

    Parameters
    ----------
    history : pandas.DataFrame
        One row per step with a ``step`` column, as in ``TrainResult.history``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    columns : list of str, optional
        Columns to draw; default every column except ``step`` and ``seconds``. Columns that
        are mostly empty (e.g. a validation accuracy measured once per epoch) are drawn as
        points.
    title : str
        Axes title.

    Notes
    -----
    Taught in ``04_deep_learning_models``.
    """
    ax = ax or plt.subplots(figsize=(7, 3))[1]
    columns = columns or [c for c in history.columns if c not in _NOT_PLOTTED]
    n = len(history)
    span = min(50, max(2, n // 20))
    for i, col in enumerate(columns):
        color = f"C{i}"
        values = history[col]
        kept = values.notna()
        if kept.sum() < n / 2:  # sparse, e.g. one value per epoch
            ax.plot(history["step"][kept], values[kept], "o-", color=color, label=col)
            continue
        ax.plot(history["step"], values, color=color, alpha=0.25, lw=0.8)
        ax.plot(history["step"], values.ewm(span=span).mean(), color=color, lw=1.6, label=col)
    ax.set(xlabel="step", title=title)
    if columns:
        ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def in_notebook() -> bool:
    """True inside a Jupyter kernel (live notebook, papermill, nbmake), else False.

    Notes
    -----
    Taught in ``04_deep_learning_models``.
    """
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class LivePlot:
    """A figure of training curves that updates in place in a notebook.

    Parameters
    ----------
    title : str
        Figure title.
    columns : list of str, optional
        Columns of the history to draw (see :func:`plot_history`).
    figsize : tuple of float
        Figure size in inches.
    min_interval : float
        Fewest seconds between two redraws: a redraw costs about 0.15 s, so for a fast model
        updates that come sooner are skipped (the final, forced one always draws).

    Attributes
    ----------
    active : bool
        Whether drawing happens (only inside a Jupyter kernel).
    figure : matplotlib.figure.Figure or None
        The figure, created by the first :meth:`update`.
    handle : IPython DisplayHandle or None
        The notebook output the figure is shown in.
    updates : int
        How many times the figure was redrawn.

    Notes
    -----
    Training loops of :mod:`aigc_kit.training.loop` create one when called with
    ``live_plot=True`` and update it every ``plot_every`` steps. Taught in
    ``04_deep_learning_models``.
    """

    def __init__(
        self,
        title: str = "training",
        columns: list[str] | None = None,
        figsize: tuple[float, float] = (7.0, 3.0),
        min_interval: float = 1.0,
    ) -> None:
        self.title = title
        self.columns = columns
        self.figsize = figsize
        self.min_interval = min_interval
        self.active = in_notebook()
        self._last_draw = -math.inf
        self.figure: Figure | None = None
        self.handle = None
        self.updates = 0

    def update(self, history: pd.DataFrame, force: bool = False) -> None:
        """Redraw the curves from ``history`` (one row per step) in the same output.

        Skipped when the last redraw was less than ``min_interval`` seconds ago, unless
        ``force``.
        """
        if not self.active or len(history) == 0:
            return
        if not force and time.perf_counter() - self._last_draw < self.min_interval:
            return
        if self.figure is None:
            # Made through pyplot so the notebook's backend (and with it the PNG display
            # formatter) is loaded even when no plot was drawn before; then detached, so
            # the cell does not show it a second time when it ends.
            self.figure = plt.figure(figsize=self.figsize, layout="constrained")
            plt.close(self.figure)
            self.figure.add_subplot()
        ax = self.figure.axes[0]
        ax.clear()
        last = history.iloc[-1]
        shown = [f"{c}={last[c]:.3g}" for c in history.columns
                 if c not in _NOT_PLOTTED and isinstance(last[c], float) and math.isfinite(last[c])]
        plot_history(history, ax=ax, columns=self.columns,
                     title=f"{self.title} - step {int(last['step'])}: {', '.join(shown)}")
        if self.handle is None:
            self.handle = display(self.figure, display_id=True)
        else:
            self.handle.update(self.figure)
        self.updates += 1
        self._last_draw = time.perf_counter()

    def close(self) -> None:
        """Finish: the last drawn figure stays in the output; no more updates."""
        self.active = False
        self.figure = None
