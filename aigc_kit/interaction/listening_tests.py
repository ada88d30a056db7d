"""Listening tests to a standard: MUSHRA (ITU-R BS.1534-3) and ABX, as notebook widgets.

Taught in ``07_evaluation``. Like the other widgets (:mod:`aigc_kit.interaction.widgets`),
each one works without a front end: its callbacks are plain methods (``set_score``,
``submit``, ``answer``) that the tests and the simulated listeners call directly, and every
answer is appended to a :class:`~aigc_kit.interaction.feedback.FeedbackLog` with its
``test``, ``trial`` and ``condition``, so a class's logs can be pooled
(``aigc-kit ratings merge``) and analysed (:func:`aigc_kit.evaluation.mushra_summary`,
:func:`aigc_kit.evaluation.abx_summary`).

**MUSHRA** (multiple stimuli with hidden reference and anchor): one trial per item. The
listener hears the known reference, then rates each condition 0-100 on a slider; the
conditions are the systems under test plus a *hidden reference* (the reference itself,
condition ``"reference"``) and two low-pass *anchors* (``"anchor_low"``, ``"anchor_mid"``),
shown under letters in an order randomised per trial. BS.1534 fixes the anchors' cut-offs
at 3.5 and 7 kHz for full-band audio (20 kHz); for narrowband audio they are scaled by the
clip's bandwidth (at 8 kHz sampling, Nyquist 4 kHz: 700 Hz and 1.4 kHz), so they stay
clearly degraded versions of the reference (:func:`anchor_cutoffs`).

**ABX**: A and B are two systems' clips; X is one of them at random; the listener says
which. Many correct answers (a one-sided binomial test) mean the difference is audible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
from scipy import signal

from aigc_kit.interaction.feedback import FeedbackError, FeedbackLog
from aigc_kit.interaction.widgets import player

REFERENCE = "reference"
ANCHORS = ("anchor_low", "anchor_mid")
FULL_BAND_HZ = 20_000.0
ANCHOR_HZ = (3_500.0, 7_000.0)

__all__ = ["ABXTest", "ANCHORS", "REFERENCE", "MushraTest", "MushraTrial", "abx_assignment",
           "abx_test", "anchor_cutoffs", "lowpass", "mushra_test", "mushra_trial",
           "record_abx", "record_mushra"]


def anchor_cutoffs(sr: int) -> tuple[float, float]:
    """The low and mid anchors' cut-offs in Hz: 3.5 and 7 kHz, scaled for narrowband audio.

    Parameters
    ----------
    sr : int
        Sample rate in Hz.

    Returns
    -------
    (float, float)
        ``ANCHOR_HZ * min(1, (sr / 2) / 20 kHz)``: (3500, 7000) at 44.1 kHz, (700, 1400) at
        8 kHz.

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    scale = min(1.0, (sr / 2) / FULL_BAND_HZ)
    return ANCHOR_HZ[0] * scale, ANCHOR_HZ[1] * scale


def lowpass(audio: np.ndarray, sr: int, cutoff_hz: float) -> np.ndarray:
    """``audio`` low-pass filtered at ``cutoff_hz`` (8th-order Butterworth, zero phase).

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    if not 0 < cutoff_hz < sr / 2:
        raise ValueError(f"lowpass: cut-off {cutoff_hz} Hz must lie between 0 and the Nyquist "
                         f"frequency {sr / 2} Hz")
    sos = signal.butter(8, cutoff_hz, fs=sr, output="sos")
    return signal.sosfiltfilt(sos, np.asarray(audio, dtype=np.float64)).astype(np.float32)


def _clip(audio: np.ndarray, what: str) -> np.ndarray:
    clip = np.asarray(audio, dtype=np.float32)
    if clip.ndim != 1 or clip.size == 0:
        raise ValueError(f"{what}: expected a mono clip of shape (n_samples,), got shape "
                         f"{clip.shape}")
    if not np.all(np.isfinite(clip)):
        raise ValueError(f"{what}: the clip contains NaN or Inf samples")
    return clip


@dataclass(frozen=True)
class MushraTrial:
    """One MUSHRA item: its id, the known reference and every condition to rate.

    Attributes
    ----------
    trial_id : str
        Written to the log as ``trial``.
    reference : np.ndarray, shape (n_samples,)
        The known reference, played first.
    conditions : dict of str to np.ndarray
        Condition name to clip, including the hidden reference and the anchors.

    Notes
    -----
    Taught in ``07_evaluation``.
    """

    trial_id: str
    reference: np.ndarray
    conditions: dict[str, np.ndarray]


def mushra_trial(trial_id: str, reference: np.ndarray, systems: Mapping[str, np.ndarray],
                 sr: int) -> MushraTrial:
    """A MUSHRA trial: the systems plus the hidden reference and the two low-pass anchors.

    Parameters
    ----------
    trial_id : str
        Names the trial (item) in the log.
    reference : np.ndarray, shape (n_samples,)
        The original clip.
    systems : mapping of str to np.ndarray
        The systems' versions of the same item, e.g. ``{"VAE": y, "GL-32": z}``.
    sr : int
        Sample rate in Hz, shared by all clips.

    Raises
    ------
    ValueError
        If a system is named ``"reference"`` or like an anchor, there are no systems, or a
        clip is not a finite mono array.

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    reserved = sorted({REFERENCE, *ANCHORS} & set(systems))
    if reserved:
        raise ValueError(f"mushra_trial({trial_id!r}): system names {reserved} are reserved "
                         f"for the hidden reference and the anchors; rename them")
    if not systems:
        raise ValueError(f"mushra_trial({trial_id!r}): give at least one system to rate")
    ref = _clip(reference, f"trial {trial_id!r}, reference")
    low, mid = anchor_cutoffs(sr)
    conditions = {name: _clip(y, f"trial {trial_id!r}, condition {name!r}")
                  for name, y in systems.items()}
    conditions |= {REFERENCE: ref, ANCHORS[0]: lowpass(ref, sr, low),
                   ANCHORS[1]: lowpass(ref, sr, mid)}
    return MushraTrial(str(trial_id), ref, conditions)


def record_mushra(log: FeedbackLog, trial: MushraTrial, scores: Mapping[str, int],
                  rater_id: str) -> list[dict[str, Any]]:
    """Append one listener's MUSHRA answers for ``trial`` to ``log``: what "submit" does.

    Parameters
    ----------
    log : FeedbackLog
    trial : MushraTrial
    scores : mapping of str to int
        A score 0-100 for every condition of the trial, in the order to write them.
    rater_id : str

    Returns
    -------
    list of dict
        The records written (``test="mushra"``, ``trial``, ``condition``, ``score``).

    Raises
    ------
    ValueError
        If a condition has no score or an unknown condition is scored (nothing written).
    FeedbackError
        If the log rejects a record (e.g. a score out of 0..100); the records before it
        are kept, each being a complete answer.

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    missing = sorted(set(trial.conditions) - set(scores))
    unknown = sorted(set(scores) - set(trial.conditions))
    if missing or unknown:
        raise ValueError(f"trial {trial.trial_id!r}: no score for condition(s) {missing}"
                         if missing else f"trial {trial.trial_id!r}: unknown condition(s) "
                         f"{unknown}; the trial has {sorted(trial.conditions)}")
    return [log.append(sample_id=f"{trial.trial_id}/{name}", rater_id=rater_id,
                       score=int(score), tag=name, test="mushra", trial=trial.trial_id,
                       condition=name) for name, score in scores.items()]


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


class MushraTest(widgets.VBox):
    """The widget returned by :func:`mushra_test`; see there.

    Attributes
    ----------
    trials : list of MushraTrial
    orders : list of list of str
        ``orders[t][k]``: the condition shown at position ``k`` (letter A, B, ...) of trial
        ``t``; randomised per trial, hidden from the listener.
    sliders : list of list of ipywidgets.IntSlider
        ``sliders[t][k]`` rates position ``k`` of trial ``t``, 0-100, starting at 0.
    submit_buttons : list of ipywidgets.Button
    statuses : list of ipywidgets.Label

    Notes
    -----
    Taught in ``07_evaluation``.
    """

    def __init__(self, trials: Sequence[MushraTrial], sr: int, log: FeedbackLog,
                 rater_id: str, seed: int) -> None:
        super().__init__()
        if not trials:
            raise ValueError("mushra_test(): give at least one trial")
        self.trials, self._sr, self._log, self._rater_id = list(trials), sr, log, rater_id
        rng = np.random.default_rng(seed)
        self.orders = [list(rng.permutation(list(t.conditions))) for t in self.trials]
        self.sliders = [[widgets.IntSlider(value=0, min=0, max=100, orientation="vertical",
                                           description=letter, continuous_update=False)
                         for letter in _letters(len(order))] for order in self.orders]
        self.submit_buttons = [widgets.Button(description="submit trial") for _ in self.trials]
        for index, button in enumerate(self.submit_buttons):
            button.on_click(lambda _button, index=index: self.submit(index))
        self.statuses = [widgets.Label() for _ in self.trials]
        self.children = [self._trial_box(index) for index in range(len(self.trials))]

    def _trial_box(self, index: int) -> widgets.VBox:
        trial, order = self.trials[index], self.orders[index]
        columns = [widgets.VBox([player(trial.conditions[name], self._sr, letter), slider],
                                layout=widgets.Layout(align_items="center", min_width="0"))
                   for letter, name, slider in zip(_letters(len(order)), order,
                                                   self.sliders[index], strict=True)]
        grid = widgets.GridBox(columns, layout=widgets.Layout(
            grid_template_columns=f"repeat({min(len(columns), 4)}, minmax(0, 1fr))",
            width="100%"))
        return widgets.VBox([
            widgets.HTML(f"<b>trial {index + 1} of {len(self.trials)}</b>: rate each clip "
                         f"0-100 against the reference (one of them is the reference itself)"),
            player(trial.reference, self._sr, "reference (known)"), grid,
            widgets.HBox([self.submit_buttons[index], self.statuses[index]]),
        ])

    def set_score(self, trial_index: int, position: int, score: int) -> None:
        """Set the slider at ``position`` of trial ``trial_index``: what dragging it does."""
        if not 0 <= int(score) <= 100:
            raise ValueError(f"trial {trial_index}, position {position}: a MUSHRA score lies "
                             f"in 0..100, got {score}")
        self.sliders[trial_index][position].value = int(score)

    def submit(self, trial_index: int) -> list[dict[str, Any]]:
        """Append one record per condition of the trial to the log: what "submit" does.

        Each trial is submitted once (its button is disabled afterwards); a log error is
        shown in the trial's status instead of being raised into the widget event loop.

        Returns
        -------
        list of dict
            The records written (``test="mushra"``, ``trial``, ``condition``, ``score``),
            empty if nothing was written.
        """
        button, status = self.submit_buttons[trial_index], self.statuses[trial_index]
        if button.disabled:
            status.value = "already submitted"
            return []
        trial = self.trials[trial_index]
        scores = {name: int(slider.value) for name, slider in
                  zip(self.orders[trial_index], self.sliders[trial_index], strict=True)}
        try:
            records = record_mushra(self._log, trial, scores, self._rater_id)
        except (FeedbackError, OSError) as error:
            status.value = f"⚠ not saved: {error}"
            return []
        button.disabled = True
        status.value = f"saved {len(records)} ratings ✓"
        return records

    def rate_trial(self, trial_index: int, scores: Mapping[str, int]) -> list[dict[str, Any]]:
        """Set every slider of a trial from ``{condition: score}`` and submit it.

        For a simulated listener driving the widget (it knows the condition names; a
        person sees only letters). To record many simulated listeners without building a
        widget for each, call :func:`record_mushra`.
        """
        order = self.orders[trial_index]
        missing = sorted(set(order) - set(scores))
        if missing:
            raise ValueError(f"trial {trial_index}: no score for condition(s) {missing}")
        for position, name in enumerate(order):
            self.set_score(trial_index, position, scores[name])
        return self.submit(trial_index)


def mushra_test(trials: Sequence[MushraTrial], sr: int, log: FeedbackLog,
                rater_id: str = "listener", seed: int = 0) -> MushraTest:
    """A MUSHRA listening test: per trial, the known reference and one slider per condition.

    Parameters
    ----------
    trials : sequence of MushraTrial
        From :func:`mushra_trial` (systems + hidden reference + anchors).
    sr : int
        Sample rate in Hz.
    log : FeedbackLog
        Where the answers go, one record per condition (``test="mushra"``).
    rater_id : str
        The listener, written with every answer.
    seed : int
        Seeds the order of the conditions (a different order per trial).

    Returns
    -------
    MushraTest
        An ``ipywidgets.VBox``; ``test.set_score(t, k, score)`` and ``test.submit(t)`` do
        what dragging a slider and clicking "submit trial" do.

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    return MushraTest(trials, sr, log, rater_id, seed)


def abx_assignment(n_pairs: int, seed: int) -> np.ndarray:
    """Whether X is A in each of ``n_pairs`` pairs (bool array), drawn from ``seed``.

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    return np.random.default_rng(seed).random(n_pairs) < 0.5


def record_abx(log: FeedbackLog, name: str, index: int, right: bool,
               rater_id: str) -> dict[str, Any]:
    """Append one ABX answer to ``log`` (``test="abx"``, score 1 if right, 0 if not).

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    return log.append(sample_id=f"{name}/{index}", rater_id=rater_id, score=int(right),
                      tag=name, test="abx", trial=f"{name}/{index}", condition=name)


class ABXTest(widgets.VBox):
    """The widget returned by :func:`abx_test`; see there.

    Attributes
    ----------
    x_is_a : np.ndarray of bool, shape (n_pairs,)
        Whether X is A in each pair (hidden from the listener).
    correct : list of bool
        One entry per answered pair, in answer order.
    buttons : list of dict of str to ipywidgets.Button
        ``buttons[i]["A"]`` answers "X is A" for pair ``i``.
    statuses : list of ipywidgets.Label

    Notes
    -----
    Taught in ``07_evaluation``.
    """

    def __init__(self, a: Sequence[np.ndarray], b: Sequence[np.ndarray], sr: int,
                 log: FeedbackLog | None, rater_id: str, name: str, seed: int) -> None:
        if len(a) != len(b) or not len(a):
            raise ValueError(f"abx_test(): a has {len(a)} clips and b {len(b)}; give the same "
                             f"number (at least one) of each")
        super().__init__()
        self._log, self._rater_id, self.name = log, rater_id, name
        self.x_is_a = abx_assignment(len(a), seed)
        self.correct: list[bool] = []
        self.buttons = [{c: widgets.Button(description=f"X is {c}") for c in "AB"}
                        for _ in range(len(a))]
        for index, pair in enumerate(self.buttons):
            for choice, button in pair.items():
                button.on_click(lambda _b, index=index, choice=choice: self.answer(index, choice))
        self.statuses = [widgets.Label() for _ in range(len(a))]
        self.children = [self._row(i, _clip(a[i], f"A {i}"), _clip(b[i], f"B {i}"), sr)
                         for i in range(len(a))]

    def _row(self, index: int, a: np.ndarray, b: np.ndarray, sr: int) -> widgets.VBox:
        x = a if self.x_is_a[index] else b
        return widgets.VBox([
            widgets.HTML(f"<b>pair {index + 1} of {len(self.x_is_a)}</b>: is X the same as A "
                         f"or as B?"),
            widgets.HBox([player(a, sr, "A"), player(b, sr, "B"), player(x, sr, "X")]),
            widgets.HBox([*self.buttons[index].values(), self.statuses[index]]),
        ])

    def answer(self, index: int, choice: str) -> bool:
        """Answer pair ``index`` with ``"A"`` or ``"B"``: what clicking "X is A/B" does.

        Returns whether the answer was right; appends it to :attr:`correct` and, with a
        log, one record (``test="abx"``, score 1 if right, 0 if not). Each pair is answered
        once.
        """
        if choice not in ("A", "B"):
            raise ValueError(f"pair {index}: answer 'A' or 'B', got {choice!r}")
        if any(button.disabled for button in self.buttons[index].values()):
            raise ValueError(f"pair {index} was already answered")
        right = (choice == "A") == bool(self.x_is_a[index])
        if self._log is not None:
            record_abx(self._log, self.name, index, right, self._rater_id)
        self.correct.append(right)
        for button in self.buttons[index].values():
            button.disabled = True
        self.statuses[index].value = "answered ✓"
        return right


def abx_test(a: Sequence[np.ndarray], b: Sequence[np.ndarray], sr: int,
             log: FeedbackLog | None = None, rater_id: str = "listener", name: str = "A|B",
             seed: int = 0) -> ABXTest:
    """An ABX test: for each pair, players A, B and X (X is A or B at random).

    Parameters
    ----------
    a, b : sequence of np.ndarray, each (n_samples,)
        The two systems' clips, paired.
    sr : int
        Sample rate in Hz.
    log : FeedbackLog, optional
        Where answers go (``test="abx"``, ``condition=name``, score 1 when right).
    rater_id : str
        The listener.
    name : str
        Names the comparison, e.g. ``"NNLS+GL-32|original"``.
    seed : int
        Seeds which of A and B each X is.

    Returns
    -------
    ABXTest
        ``test.answer(i, "A" | "B")`` does what a click does; ``test.correct`` feeds
        :func:`aigc_kit.evaluation.abx_summary`.

    Notes
    -----
    Taught in ``07_evaluation``.
    """
    return ABXTest(a, b, sr, log, rater_id, name, seed)
