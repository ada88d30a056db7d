"""Self-checks of chapter 9's exercises (``notebooks/09_music_generation``).

The expected results are recomputed from the melodies the notebook passes in (held-out
chorales, the generators' sets) and from the kit's own rules (``steer``), so they stay right
whatever the models learnt in their time budget; hints never give the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from aigc_kit.apps.music.corpus import Melody
from aigc_kit.apps.music.metrics import (
    interval_histogram,
    pitch_class_histogram,
    total_variation,
)
from aigc_kit.apps.music.prompt import TEMPO_BPM, steer
from aigc_kit.check.core import Outcome, close, exercise, not_a_function, right, wrong


@exercise
def ex1(answer: Any, melodies: Sequence[Melody]) -> Outcome:
    """Exercise 1: the pooled pitch-class histogram of ``melodies``, by hand.

    ``answer``: array of shape ``(12,)``, shares of notes on C, C#, ..., B, summing to 1.
    """
    values = np.asarray(answer, dtype=np.float64)
    if values.shape != (12,):
        return wrong(f"give 12 numbers, one per pitch class C, C#, ..., B; got shape "
                     f"{values.shape}")
    expected = pitch_class_histogram(melodies)
    if close(values, expected, rtol=1e-6, atol=1e-9):
        return right("in C major / A minor the white keys carry almost every note; of the "
                     "black keys, G# (the leading note of A minor) stands out")
    pitches = np.concatenate([np.asarray(m.pitch, dtype=int) for m in melodies])
    if close(values, np.bincount(pitches % 12, minlength=12), rtol=1e-6):
        return wrong("those are counts; divide by the number of notes so the shares sum to 1")
    per_melody = np.mean([pitch_class_histogram(m) for m in melodies], axis=0)
    if close(values, per_melody, rtol=1e-6, atol=1e-9):
        return wrong("pool the notes of all melodies first (every note counts once), rather "
                     "than averaging one histogram per melody")
    if close(values, expected[::-1], rtol=1e-6, atol=1e-9):
        return wrong("the bins run upwards from C: index pitch % 12, 0 = C, 11 = B")
    if not close(values.sum(), 1.0, rtol=1e-6):
        return wrong("the shares should sum to 1")
    return wrong("take every note's MIDI pitch modulo 12 (0 = C, ..., 11 = B), count with "
                 "np.bincount(..., minlength=12) and divide by the number of notes")


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    if temperature == 0:
        out = np.zeros_like(logits)
        out[np.argmax(logits)] = 1.0
        return out
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


_CASES = (
    (np.array([2.0, 1.0, 0.5, -1.0, 0.0]), 1.0),
    (np.array([2.0, 1.0, 0.5, -1.0, 0.0]), 0.3),
    (np.array([0.2, 1.5, 1.4, -0.3]), 2.0),
    (np.array([0.2, 1.5, 1.4, -0.3]), 0.0),
    (np.array([1000.0, 999.0, 0.0]), 1.0),
)


@exercise
def ex2(answer: Any) -> Outcome:
    """Exercise 2: sampling probabilities at a temperature.

    ``answer``: a function ``(logits, temperature) -> probabilities`` (1-D array in, 1-D
    array out): ``softmax(logits / temperature)``, one-hot on the largest logit at 0.
    """
    if (hint := not_a_function(answer, "with_temperature")) is not None:
        return hint
    func: Callable[[np.ndarray, float], Any] = answer
    for logits, temperature in _CASES:
        try:
            got = np.asarray(func(logits.copy(), temperature), dtype=np.float64)
        except ZeroDivisionError:
            return wrong("temperature 0 divides by zero: handle it apart, as a one-hot vector "
                         "on the largest logit (greedy)")
        except Exception as error:  # noqa: BLE001 - the student's code may raise anything
            return wrong(f"your function raised {type(error).__name__} at temperature "
                         f"{temperature}: {error}")
        expected = _softmax(logits, temperature)
        if close(got, expected, rtol=1e-6, atol=1e-9):
            continue
        if got.shape != expected.shape:
            return wrong("return one probability per logit, a 1-D array of the same length")
        if not np.all(np.isfinite(got)):
            if temperature == 0:
                return wrong("at temperature 0 return a one-hot vector on the largest logit "
                             "instead of dividing by zero")
            return wrong("large logits overflow np.exp: subtract the largest scaled logit "
                         "before exponentiating (the probabilities do not change)")
        if temperature and close(got, _softmax(logits * temperature, 1.0), rtol=1e-6):
            return wrong("divide the logits by the temperature: a low temperature must make "
                         "the distribution sharper, not flatter")
        if not close(got.sum(), 1.0, rtol=1e-6):
            return wrong("the probabilities should sum to 1")
        return wrong("probabilities = exp(l / T - max(l / T)), normalised to sum 1; at T = 0, "
                     "all the mass on the largest logit")
    return right("T < 1 sharpens towards the likeliest note, T > 1 flattens towards uniform; "
                 "the kit's _sample does the same with torch.softmax")


def _interval_distances(sets: Mapping[str, Sequence[Melody]], reference: Sequence[Melody]
                        ) -> dict[str, float]:
    target = interval_histogram(reference)
    return {name: total_variation(interval_histogram(m), target) for name, m in sets.items()}


@exercise
def ex3(answer: Any, sets: Mapping[str, Sequence[Melody]], reference: Sequence[Melody],
        exclude: str = "real (train)") -> Outcome:
    """Exercise 3: which generated set's intervals are closest to held-out Bach's.

    ``answer``: a key of ``sets`` (not ``exclude``), the one whose interval histogram has the
    smallest total-variation distance to that of ``reference``.
    """
    if not isinstance(answer, str):
        return wrong("give the name of the set as a string, one of the keys of `sets`")
    if answer == exclude:
        return wrong(f"{exclude!r} is real Bach, the floor; leave it out and pick among the "
                     f"generators and baselines")
    if answer not in sets:
        return wrong(f"{answer!r} is not a key of `sets`; choose one of {sorted(sets)}")
    distances = _interval_distances({k: v for k, v in sets.items() if k != exclude}, reference)
    best = min(distances.values())
    if distances[answer] <= best + 1e-12:
        return right("intervals are where the shuffled corpus is a fair competitor: it keeps "
                     "every note of Bach but loses the melodic motion")
    pc_target = pitch_class_histogram(reference)
    by_pitch = {k: total_variation(pitch_class_histogram(v), pc_target)
                for k, v in sets.items() if k != exclude}
    if by_pitch[answer] <= min(by_pitch.values()) + 1e-12:
        return wrong("that set is closest on pitch classes; the question asks about the "
                     "interval histogram (interval_histogram)")
    if distances[answer] >= max(distances.values()) - 1e-12:
        return wrong("that is the furthest: the smallest distance is the closest")
    return wrong("compute total_variation(interval_histogram(sets[name]), "
                 "interval_histogram(test)) for each name and take the smallest")


@exercise
def ex4(answer: Any, phrases: int = 3, mode: str = "minor", bpm_tempo: str = "fast",
        timbre: str = "pluck") -> Outcome:
    """Exercise 4: a prompt that ``steer`` reads as the asked-for conditioning.

    ``answer``: a prompt string (no lyrics) giving ``phrases`` phrases, ``mode``, the tempo
    ``bpm_tempo`` and the ``timbre``.
    """
    if not isinstance(answer, str):
        return wrong("give the prompt itself, a string")
    try:
        conditioning = steer(answer)
    except ValueError as error:
        return wrong(f"steer() refused the prompt: {error}")
    problems = []
    if len(conditioning.phrase_lengths) != phrases:
        problems.append(f"{len(conditioning.phrase_lengths)} phrases instead of {phrases} "
                        f"(write the count before the word 'lines')")
    if conditioning.mode != mode:
        problems.append(f"mode {conditioning.mode} instead of {mode}")
    if conditioning.bpm != TEMPO_BPM[bpm_tempo]:
        problems.append(f"{conditioning.bpm:g} BPM instead of the {bpm_tempo} tempo")
    if conditioning.timbre != timbre:
        problems.append(f"timbre {conditioning.timbre} instead of {timbre}")
    if problems:
        return wrong("steer reads it as " + "; ".join(problems) + ". conditioning.table() says "
                     "which word voted for what; ties fall back to the default")
    return right("only the mode and the phrase plan reach the LSTM; tempo and timbre act on "
                 "playback alone")
