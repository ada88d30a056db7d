"""Widgets for listening, rating and exploring; taught in ``08_interaction_feedback_loop``.

Every widget here is built from plain ipywidgets and works without a front end: it can be
constructed, inspected and driven in a plain Python process (pytest, papermill, nbmake), and
nothing waits for a human. Each button or slider handler is a thin wrapper around a public
method that tests call directly:

* :func:`rating_panel` -- 1-5 ratings appended to a
  :class:`~aigc_kit.interaction.feedback.FeedbackLog` (``panel.rate(index, score)``);
* :func:`ab_test` -- a blind A/B comparison, choices kept in ``test.results`` and written to
  a feedback log as ``test="ab"`` records (``test.choose(pair_index, "left")``);
* :func:`latent_explorer` -- sliders over latent directions of a generator
  (``explorer.latent(values)``, ``explorer.render(values)``).

Players hold a :func:`aigc_kit.interaction.display.audio` player (cropped to a few seconds).
They are written straight into the ``outputs`` of an ``ipywidgets.Output``, which needs no running
kernel, so executed notebooks keep them and tests can read them.

Every answer lands in the feedback log with its kind in the ``test`` field (``"mos"``
ratings, ``"ab"`` preferences, and the MUSHRA and ABX answers of
:mod:`aigc_kit.interaction.listening_tests`), so scores of different scales never mix in
one table (``log.to_frame(test="ab")``) and a class's logs pool into one with
``aigc-kit ratings merge``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import Audio

import aigc_kit.interaction.display as display
from aigc_kit.interaction.feedback import MAX_SCORE, MIN_SCORE, FeedbackError, FeedbackLog

__all__ = [
    "ABTest",
    "AB_CHOICES",
    "LatentExplorer",
    "RatingPanel",
    "Sample",
    "ab_order",
    "ab_test",
    "gallery",
    "latent_explorer",
    "player",
    "rating_panel",
    "record_ab_choice",
    "record_rating",
]

AB_CHOICES: tuple[str, ...] = ("left", "right", "tie")
"""What a listener can answer in :func:`ab_test`."""


# --- players -------------------------------------------------------------------------------


def _show(out: widgets.Output, clip: Audio) -> None:
    """Replace what ``out`` shows with the player ``clip`` (works with no kernel running).

    The player fills its container's width (at most 300 px), so a grid of them never needs
    a sideways scroll.
    """
    html = clip._repr_html_().replace("<audio ", '<audio style="width:100%;max-width:300px" ', 1)
    data = {"text/html": html, "text/plain": repr(clip)}
    out.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)


def _audio(y: np.ndarray, sr: int, label: str) -> Audio:
    """:func:`aigc_kit.interaction.display.audio`, with ``label`` named in its error message."""
    try:
        return display.audio(y, sr)
    except ValueError as error:
        raise ValueError(f"player {label!r}: {error}") from error


def player(audio: np.ndarray, sr: int, label: str = "") -> widgets.VBox:
    """A labelled audio player widget.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,)
        Mono waveform, any scale (peak-normalised and cropped by
        :func:`aigc_kit.interaction.display.audio`).
    sr : int
        Sample rate in Hz.
    label : str
        Shown above the player; omitted when empty.

    Returns
    -------
    ipywidgets.VBox
        A ``Label`` (if ``label`` is given) above an ``Output`` holding the player.

    Raises
    ------
    ValueError
        If the clip contains NaN or Inf samples; the message names ``label``.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    out = widgets.Output()
    _show(out, _audio(audio, sr, label))
    return widgets.VBox([widgets.Label(label), out] if label else [out])


def gallery(clips: Mapping[str, np.ndarray], sr: int, columns: int = 4) -> widgets.GridBox:
    """Labelled players in a grid, e.g. ``gallery({"real": x, "generated": y}, sr)``.

    Parameters
    ----------
    clips : mapping of str to np.ndarray, each of shape (n_samples,)
        Label to mono waveform, in display order.
    sr : int
        Sample rate in Hz, shared by all clips.
    columns : int
        Players per row, at least 1.

    Returns
    -------
    ipywidgets.GridBox
        One :func:`player` per clip.

    Raises
    ------
    ValueError
        If ``columns`` is below 1, or a clip contains NaN or Inf (the message names its label).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    if columns < 1:
        raise ValueError(f"gallery(): columns must be at least 1, got {columns!r}")
    # Equal shares of the width (never wider than the page; max-content made each column
    # the page's full width in exported HTML), players shrunk to fit their column.
    layout = widgets.Layout(grid_template_columns=f"repeat({columns}, minmax(0, 1fr))",
                            width="100%")
    players = [player(y, sr, label) for label, y in clips.items()]
    for box in players:
        box.layout = widgets.Layout(min_width="0", overflow="hidden")
    return widgets.GridBox(players, layout=layout)


# --- rating --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Sample:
    """A generated clip to be rated.

    Compared and hashed by identity (``eq=False``), since arrays have no single truth value.

    Attributes
    ----------
    sample_id : str
        Names the clip in the feedback log, e.g. ``"gan_0007"``.
    audio : np.ndarray, shape (n_samples,)
        Mono waveform; stored as a float array.
    sr : int
        Sample rate in Hz.
    tag : str, optional
        The model/version that generated the clip; written to the log with each rating.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    sample_id: str
    audio: np.ndarray
    sr: int
    tag: str | None = None

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio, dtype=np.float64)
        if audio.ndim != 1:
            raise ValueError(
                f"Sample {self.sample_id!r}: audio must be mono, shape (n_samples,), "
                f"got shape {audio.shape}"
            )
        object.__setattr__(self, "audio", audio)


def record_rating(
    log: FeedbackLog,
    sample: Sample,
    rater_id: str,
    score: int,
    comment: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Append one listener's rating of ``sample`` to ``log``: what a rating button does.

    Parameters
    ----------
    log : FeedbackLog
        Where the rating is appended.
    sample : Sample
        The rated clip; its ``sample_id`` and ``tag`` go into the record.
    rater_id : str
        The listener, non-empty.
    score : int
        From 1 to 5.
    comment : str, optional
        Free text.
    source : str, optional
        How the rating was given: the rating panel writes ``"click"``, the voice commands
        ``"voice"`` (:data:`~aigc_kit.interaction.feedback.SOURCES`); ``None``: not recorded.

    Returns
    -------
    dict
        The record as written (see :meth:`FeedbackLog.append`).

    Raises
    ------
    FeedbackError
        If a field is invalid; nothing is written then.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    return log.append(
        sample_id=sample.sample_id,
        rater_id=rater_id,
        score=score,
        comment=comment,
        tag=sample.tag,
        source=source,
    )


class RatingPanel(widgets.VBox):
    """The widget returned by :func:`rating_panel`; see there.

    Attributes
    ----------
    buttons : list of list of ipywidgets.Button
        ``buttons[i][k]`` rates sample ``i`` with score ``k + 1``.
    comments : list of ipywidgets.Text
        The comment box of each sample.
    statuses : list of ipywidgets.Label
        The confirmation or error message of each sample.
    table : ipywidgets.Output
        Under the rows: the log's ratings of these samples, refreshed after every rating
        (so a person clicking sees their ratings land without running another cell).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    def __init__(self, samples: Sequence[Sample], log: FeedbackLog, rater_id: str) -> None:
        super().__init__()
        self._samples = list(samples)
        self._feedback_log = log
        self._rater_id = rater_id
        self.buttons = [self._score_buttons(index) for index in range(len(self._samples))]
        self.comments = [widgets.Text(placeholder="comment (optional)") for _ in self._samples]
        self.statuses = [widgets.Label() for _ in self._samples]
        self.table = widgets.Output()
        self.children = [*(self._row(index) for index in range(len(self._samples))),
                         self.table]
        self.refresh_table()

    def ratings(self) -> pd.DataFrame:
        """The log's ratings of this panel's samples: ``sample_id``, ``rater_id``, ``score``,
        ``comment``, in the order they were written."""
        ids = {sample.sample_id for sample in self._samples}
        frame = self._feedback_log.to_frame(test="mos")
        return frame.loc[frame.sample_id.isin(ids),
                         ["sample_id", "rater_id", "score", "comment"]].reset_index(drop=True)

    def refresh_table(self) -> None:
        """Show :meth:`ratings` in :attr:`table` (called after every successful rating)."""
        frame = self.ratings()
        html = (frame.to_html(index=False, na_rep="") if len(frame) else
                "<i>no ratings of these clips in the log yet</i>")
        self.table.outputs = ({"output_type": "display_data", "metadata": {},
                               "data": {"text/html": html, "text/plain": frame.to_string()}},)

    def _score_buttons(self, index: int) -> list[widgets.Button]:
        buttons = []
        for score in range(MIN_SCORE, MAX_SCORE + 1):
            button = widgets.Button(
                description=str(score),
                tooltip=f"rate {score}",
                layout=widgets.Layout(width="3em"),
            )
            button.on_click(lambda _button, score=score: self.rate(index, score))
            buttons.append(button)
        return buttons

    def _row(self, index: int) -> widgets.VBox:
        sample = self._samples[index]
        return widgets.VBox([
            player(sample.audio, sample.sr, sample.sample_id),
            widgets.HBox([*self.buttons[index], self.comments[index], self.statuses[index]]),
        ])

    def rate(self, index: int, score: int, comment: str | None = None) -> dict[str, Any] | None:
        """Rate sample ``index``: exactly what clicking its button ``score`` does.

        Parameters
        ----------
        index : int
            Position of the sample in the panel.
        score : int
            From 1 to 5.
        comment : str, optional
            The comment; by default the text of the sample's comment box (``None`` if blank).

        Returns
        -------
        dict or None
            The record written, or ``None`` if the log rejected it. The status label then
            shows the reason instead of the error being raised into the widget event loop;
            on success it shows e.g. ``"rated 4 ✓"`` and the comment box is cleared.
        """
        if comment is None:
            comment = self.comments[index].value.strip() or None
        try:
            record = record_rating(
                self._feedback_log, self._samples[index], self._rater_id, score, comment,
                source="click",
            )
        except (FeedbackError, OSError) as error:
            self.statuses[index].value = f"⚠ not saved: {error}"
            return None
        self.statuses[index].value = f"rated {record['score']} ✓"
        self.comments[index].value = ""
        self.refresh_table()
        return record


def rating_panel(
    samples: Sequence[Sample], log: FeedbackLog, rater_id: str = "listener"
) -> RatingPanel:
    """One row per sample: a player, buttons 1-5, a comment box and a status label.

    A click appends a rating to ``log`` through :func:`record_rating`. The log is append-only,
    so clicking again adds a second rating rather than replacing the first.

    Parameters
    ----------
    samples : sequence of Sample
        The clips to rate, in display order.
    log : FeedbackLog
        Where ratings are appended.
    rater_id : str
        The listener written with every rating.

    Returns
    -------
    RatingPanel
        An ``ipywidgets.VBox``; ``panel.rate(index, score, comment=None)`` does what a click
        does (see :meth:`RatingPanel.rate`).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    return RatingPanel(samples, log, rater_id)


# --- blind A/B test ------------------------------------------------------------------------


def ab_order(n_pairs: int, rng: np.random.Generator) -> np.ndarray:
    """A randomised, balanced order for a blind A/B test.

    Half of the pairs (rounded up) play A on the left, the others B, in random order, so a
    listener who always answers "left" shows no preference.

    Parameters
    ----------
    n_pairs : int
        Number of pairs, at least 0.
    rng : np.random.Generator
        The source of randomness, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    np.ndarray of bool, shape (n_pairs,)
        ``True`` where A is played first (on the left).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    if n_pairs < 0:
        raise ValueError(f"ab_order(): n_pairs must be at least 0, got {n_pairs!r}")
    return rng.permutation(np.arange(n_pairs) < (n_pairs + 1) // 2)


AB_SCORES = {"A": 1, "tie": 0, "B": -1}
"""How an A/B answer is stored in a feedback log (``test="ab"``): A preferred 1, B -1."""


def record_ab_choice(results: list[str], pair_index: int, swapped: bool, choice: str,
                     log: FeedbackLog | None = None, rater_id: str = "listener",
                     name: str = "A|B") -> str:
    """Turn a listener's answer about a pair into ``"A"``, ``"B"`` or ``"tie"``; keep it.

    The letter is appended to ``results`` and, with a ``log``, written there like every
    other answer of the kit (``test="ab"``, ``trial="<name>/<pair_index>"``,
    ``condition=name``, score :data:`AB_SCORES`: 1 for A, -1 for B, 0 for a tie), so a
    class's A/B answers pool with ``aigc-kit ratings merge`` and
    :func:`aigc_kit.evaluation.ab_preference` reads them back from the log.

    Parameters
    ----------
    results : list of str
        The caller's list of answers; the letter is appended to it.
    pair_index : int
        Which pair was answered; named in the error message.
    swapped : bool
        ``True`` if B was on the left (``not ab_order(...)[pair_index]``).
    choice : str
        ``"left"``, ``"right"`` or ``"tie"``.
    log : FeedbackLog, optional
        Where the answer is written too.
    rater_id : str
        The listener, in the log.
    name : str
        Names the comparison, e.g. ``"first round|last round"``.

    Returns
    -------
    str
        ``"A"``, ``"B"`` or ``"tie"``.

    Raises
    ------
    ValueError
        If ``choice`` is not one of :data:`AB_CHOICES`; nothing is appended or written then.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    if choice not in AB_CHOICES:
        raise ValueError(
            f"pair {pair_index}: choice must be one of {', '.join(AB_CHOICES)}, got {choice!r}"
        )
    letter = "tie" if choice == "tie" else "AB"[(choice == "right") != swapped]
    if log is not None:
        trial = f"{name}/{pair_index}"
        log.append(sample_id=trial, rater_id=rater_id, score=AB_SCORES[letter], tag=name,
                   test="ab", trial=trial, condition=name)
    results.append(letter)
    return letter


class ABTest(widgets.VBox):
    """The widget returned by :func:`ab_test`; see there.

    Attributes
    ----------
    a_first : np.ndarray of bool, shape (n_pairs,)
        ``True`` where A is the left clip (from :func:`ab_order`).
    buttons : list of dict of str to ipywidgets.Button
        ``buttons[i]["left"]`` etc. answer pair ``i``.
    statuses : list of ipywidgets.Label
        ``"answered ✓"`` once a pair is answered (never which clip was A).
    results : list of str
        ``"A"``, ``"B"`` or ``"tie"`` per answered pair, in answer order.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    def __init__(
        self,
        a: Sequence[np.ndarray],
        b: Sequence[np.ndarray],
        sr: int,
        results: list[str] | None,
        seed: int,
        log: FeedbackLog | None = None,
        rater_id: str = "listener",
        name: str = "A|B",
    ) -> None:
        if len(a) != len(b):
            raise ValueError(f"ab_test(): a has {len(a)} clips but b has {len(b)}; pair them up")
        super().__init__()
        self.results = results if results is not None else []
        self._log, self._rater_id, self.name = log, rater_id, name
        self.a_first = ab_order(len(a), np.random.default_rng(seed))
        self.buttons = [self._choice_buttons(index) for index in range(len(a))]
        self.statuses = [widgets.Label() for _ in range(len(a))]
        self.children = [self._row(index, a[index], b[index], sr) for index in range(len(a))]

    def _choice_buttons(self, index: int) -> dict[str, widgets.Button]:
        buttons = {choice: widgets.Button(description=choice) for choice in AB_CHOICES}
        for choice, button in buttons.items():
            button.on_click(lambda _button, choice=choice: self.choose(index, choice))
        return buttons

    def _row(self, index: int, a: np.ndarray, b: np.ndarray, sr: int) -> widgets.VBox:
        left, right = (a, b) if self.a_first[index] else (b, a)
        return widgets.VBox([
            widgets.HTML(f"<b>pair {index + 1} of {len(self.a_first)}</b>"),
            widgets.HBox([player(left, sr, "left"), player(right, sr, "right")]),
            widgets.HBox([*self.buttons[index].values(), self.statuses[index]]),
        ])

    def choose(self, pair_index: int, choice: str) -> str:
        """Answer pair ``pair_index``: exactly what clicking its ``choice`` button does.

        Each pair is answered once: its buttons are disabled afterwards.

        Parameters
        ----------
        pair_index : int
            Position of the pair.
        choice : str
            ``"left"``, ``"right"`` or ``"tie"``.

        Returns
        -------
        str
            The letter appended to ``results``: ``"A"``, ``"B"`` or ``"tie"``.

        Raises
        ------
        ValueError
            If ``choice`` is invalid or the pair was already answered; nothing is appended.
        """
        buttons = self.buttons[pair_index]
        if any(button.disabled for button in buttons.values()):
            raise ValueError(f"pair {pair_index} was already answered")
        swapped = not self.a_first[pair_index]
        letter = record_ab_choice(self.results, pair_index, swapped, choice, self._log,
                                  self._rater_id, self.name)
        for button in buttons.values():
            button.disabled = True
        self.statuses[pair_index].value = "answered ✓"
        return letter


def ab_test(
    a: Sequence[np.ndarray],
    b: Sequence[np.ndarray],
    sr: int,
    results: list[str] | None = None,
    seed: int = 0,
    *,
    log: FeedbackLog | None = None,
    rater_id: str = "listener",
    name: str = "A|B",
) -> ABTest:
    """A blind A/B listening test: pairs shown as "left"/"right" in a randomised order.

    Pair ``i`` compares ``a[i]`` with ``b[i]``; which one is on the left comes from
    :func:`ab_order` with ``np.random.default_rng(seed)``. Each answer is turned into
    ``"A"``, ``"B"`` or ``"tie"`` by :func:`record_ab_choice`, appended to ``test.results``
    in the order the pairs are answered and, with a ``log``, written to it (``test="ab"``),
    like the MUSHRA and ABX answers, so a class's A/B answers can be pooled.

    Parameters
    ----------
    a, b : sequence of np.ndarray, each of shape (n_samples,)
        The clips of the two systems, the same number of each.
    sr : int
        Sample rate in Hz.
    results : list of str, optional
        A list of the caller's to append the answers to (``test.results`` is that list).
    seed : int
        Seeds the left/right order.
    log : FeedbackLog, optional
        Where every answer is written too.
    rater_id : str
        The listener, in the log.
    name : str
        Names the comparison in the log, e.g. ``"first round|last round"``.

    Returns
    -------
    ABTest
        An ``ipywidgets.VBox``; ``test.choose(pair_index, "left" | "right" | "tie")`` does
        what a click does (see :meth:`ABTest.choose`).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in length (the message gives both), or a clip has NaN/Inf.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    return ABTest(a, b, sr, results, seed, log, rater_id, name)


# --- latent space --------------------------------------------------------------------------


def _directions(directions: np.ndarray | None, n_sliders: int, latent_dim: int) -> np.ndarray:
    """The slider directions, shape (n_sliders, latent_dim): given, or the first unit axes."""
    if directions is None:
        if n_sliders > latent_dim:
            raise ValueError(
                f"latent_explorer(): n_sliders={n_sliders} unit axes need latent_dim >= "
                f"n_sliders, got latent_dim={latent_dim}; pass directions instead"
            )
        return np.eye(n_sliders, latent_dim)
    directions = np.asarray(directions, dtype=np.float64)
    if directions.shape != (n_sliders, latent_dim):
        raise ValueError(
            f"latent_explorer(): directions must have shape (n_sliders, latent_dim) = "
            f"{(n_sliders, latent_dim)}, got {directions.shape}"
        )
    return directions


class LatentExplorer(widgets.VBox):
    """The widget returned by :func:`latent_explorer`; see there.

    Attributes
    ----------
    directions : np.ndarray, shape (n_sliders, latent_dim)
        Slider ``k`` moves the latent vector along ``directions[k]``.
    sliders : list of ipywidgets.FloatSlider
        One per direction, from ``-limit`` to ``limit``, starting at 0.
    output : ipywidgets.Output
        Holds the player of the latest render.
    status : ipywidgets.Label
        The error of the latest slider-triggered render, if it failed; empty otherwise.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    def __init__(
        self,
        decode: Callable[[np.ndarray], np.ndarray],
        directions: np.ndarray,
        sr: int,
        limit: float,
    ) -> None:
        super().__init__()
        self._decode = decode
        self._sr = sr
        self._limit = limit
        self._moving = False  # True while render() sets the sliders itself
        self.directions = directions
        self.sliders = [
            widgets.FloatSlider(
                value=0.0, min=-limit, max=limit, step=limit / 50,
                description=f"direction {k}", continuous_update=False,
            )
            for k in range(len(directions))
        ]
        for slider in self.sliders:
            slider.observe(self._on_change, names="value")
        self.output = widgets.Output()
        self.status = widgets.Label()
        self.children = [*self.sliders, self.output, self.status]
        self.render(np.zeros(len(directions)))

    def latent(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """The latent vector for the given slider values (pure; touches no widget).

        Parameters
        ----------
        values : sequence of float, length n_sliders
            One value per slider.

        Returns
        -------
        np.ndarray of float64, shape (latent_dim,)
            ``sum(values[k] * directions[k])``.
        """
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (len(self.directions),):
            raise ValueError(
                f"latent(): expected {len(self.directions)} slider values, got shape {values.shape}"
            )
        return values @ self.directions

    def render(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """Decode the latent vector for ``values``, show it in the player, move the sliders.

        The sliders are set to ``values`` (without a second render), so the widget always
        shows the clip its sliders read. A failing ``decode`` (or NaN audio) raises here
        and leaves the player and sliders as they were.

        Parameters
        ----------
        values : sequence of float, length n_sliders
            One value per slider, each within ``[-limit, limit]``.

        Returns
        -------
        np.ndarray
            The decoded audio, as returned by ``decode``.
        """
        z = self.latent(values)
        values = np.asarray(values, dtype=np.float64)
        if np.any(np.abs(values) > self._limit):
            raise ValueError(f"render(): slider values must lie within +-{self._limit:g} (the "
                             f"sliders' range), got {values.tolist()}; build the explorer "
                             f"with a larger limit")
        audio = np.asarray(self._decode(z))
        _show(self.output, _audio(audio, self._sr, "latent_explorer"))
        self._moving = True
        try:
            for slider, value in zip(self.sliders, values, strict=True):
                slider.value = float(value)
        finally:
            self._moving = False
        return audio

    def _on_change(self, _change: dict[str, Any]) -> None:
        """Slider handler: re-render; show an error in ``status`` rather than raising it."""
        if self._moving:
            return
        try:
            self.render([slider.value for slider in self.sliders])
        except Exception as error:  # decode is user code: any error belongs in the status
            self.status.value = f"⚠ {type(error).__name__}: {error}"
        else:
            self.status.value = ""


def latent_explorer(
    decode: Callable[[np.ndarray], np.ndarray],
    latent_dim: int,
    sr: int,
    n_sliders: int = 4,
    directions: np.ndarray | None = None,
    limit: float = 3.0,
) -> LatentExplorer:
    """Sliders that move through a generator's latent space, with a player of the result.

    The latent vector is ``z = sum_k value_k * directions[k]``; each slider change (on
    release: ``continuous_update=False``) decodes ``z`` and replaces the player. The origin
    (all sliders at 0) is decoded once when the widget is built.

    Parameters
    ----------
    decode : callable
        ``decode(z)`` with ``z`` an np.ndarray of float64, shape (latent_dim,), returns mono
        audio of shape (n_samples,) at ``sr``.
    latent_dim : int
        Length of the latent vector.
    sr : int
        Sample rate of the decoded audio, in Hz.
    n_sliders : int
        Number of sliders (directions).
    directions : np.ndarray, shape (n_sliders, latent_dim), optional
        The directions, e.g. principal components of encoded data; by default the first
        ``n_sliders`` unit axes.
    limit : float
        Sliders go from ``-limit`` to ``limit`` (in units of the directions' length).

    Returns
    -------
    LatentExplorer
        An ``ipywidgets.VBox`` with ``.latent(values)`` and ``.render(values)`` for use
        without a front end (see :class:`LatentExplorer`).

    Raises
    ------
    ValueError
        If ``directions`` has the wrong shape, ``n_sliders > latent_dim`` without it, or
        ``limit`` is not positive.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """
    if not limit > 0:
        raise ValueError(f"latent_explorer(): limit must be positive, got {limit!r}")
    return LatentExplorer(decode, _directions(directions, n_sliders, latent_dim), sr, limit)
