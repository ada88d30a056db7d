"""Self-checks of chapter 6's exercises (``notebooks/06_project_audio_gan``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from aigc_kit.check.core import Outcome, as_array, close, exercise, not_a_function, right, wrong
from aigc_kit.evaluation import inception_score, snr

#: The row of ``vocoder_table`` that is the untouched clips, not a vocoder.
_ORIGINAL = "original"


def _representation(table: pd.DataFrame, n_bands: int) -> pd.DataFrame:
    """The rows of ``vocoder_table`` for the representation with ``n_bands`` mel bands."""
    names = [name for name in table.index.get_level_values(0).unique()
             if str(name).startswith(f"{n_bands} bands")]
    if len(names) != 1:
        raise ValueError(f"vocoder_table has no single {n_bands}-band representation "
                         f"(found {names}); pass the notebook's vocoder_table")
    return table.loc[names[0]]


@exercise
def ex1(answer: Any, vocoder_table: pd.DataFrame) -> Outcome:
    """Exercise 1: the 64-band vocoder with the lowest log-spectral distance.

    ``answer``: a str, the vocoder's name as in ``vocoder_table``'s index.
    """
    if not isinstance(answer, str):
        return wrong("give the vocoder's name, a string such as the index entries of "
                     "vocoder_table (not a number or a row)")
    rows = _representation(vocoder_table, 64)
    vocoders = rows.drop(index=_ORIGINAL)
    best = vocoders["lsd_db"].astype(float)
    winners = set(best.index[best == best.min()])
    if answer in winners:
        heard = float(vocoders.loc[answer, "heard"]), float(vocoders["heard"].max())
        note = "it is also the one heard best" if heard[0] >= heard[1] else \
            "but another vocoder is heard as intended more often: a lower spectral error " \
            "is not the same as what a listener hears"
        return right(f"{note}; check its rtf too before making it the default")
    if answer == _ORIGINAL:
        return wrong("'original' is the untouched clips, the reference (its error is 0 by "
                     "definition); compare the vocoders only")
    if answer not in rows.index:
        return wrong(f"{answer!r} is not a vocoder of the 64-band rows; names are "
                     f"{list(vocoders.index)}")
    if answer in set(best.index[best == best.max()]):
        return wrong("that one has the *highest* distance; a lower lsd_db is better")
    return wrong("look at the lsd_db column of the 64-band rows only, and take the smallest")


@exercise
def ex2(answer: Any, db_rec: torch.Tensor, db_ref: torch.Tensor) -> Outcome:
    """Exercise 2: the log-mel SNR of each held-out reconstruction, by hand.

    ``answer``: array or tensor of shape ``(n_test,)``, in dB.
    """
    rec = torch.as_tensor(db_rec).double()
    ref = torch.as_tensor(db_ref).double()
    expected = snr(rec, ref).numpy()
    got = as_array(answer)
    if got.shape != expected.shape:
        hint = " (one SNR per example: sum over each row, not over everything)" \
            if got.size == 1 else ""
        return wrong(f"expected one SNR per held-out example, shape {expected.shape}; yours "
                     f"has shape {got.shape}{hint}")
    if close(got, expected, rtol=1e-4, atol=1e-4):
        return right("each dB of SNR is a factor 1.26 in the energy ratio; the worst "
                     "examples are worth listening to")
    if close(got, 2 * expected, rtol=1e-4, atol=1e-4):
        return wrong("twice too large: a ratio of *energies* (sums of squares) takes "
                     "10 log10, not 20 log10")
    if close(got, expected * np.log(10) / 10, rtol=1e-4, atol=1e-4):
        return wrong("that is the natural log of the ratio; in dB it is 10 log10")
    swapped = 10 * torch.log10((rec**2).sum(1) / ((rec - ref) ** 2).sum(1)).numpy()
    if close(got, swapped, rtol=1e-4, atol=1e-4):
        return wrong("the signal energy is the reference's (db_ref), not the "
                     "reconstruction's")
    return wrong("per example: 10 log10( sum(ref^2) / sum((rec - ref)^2) ), summing over "
                 "each row")


def _kl_reversed(p: np.ndarray) -> float:
    marginal = p.mean(axis=0, keepdims=True)
    return float(np.exp(np.mean(np.sum(marginal * (np.log(marginal + 1e-12)
                                                   - np.log(p + 1e-12)), axis=1))))


@exercise
def ex3(answer: Callable[[np.ndarray], Any]) -> Outcome:
    """Exercise 3: the Inception score, written from its definition.

    ``answer``: a function ``answer(probs) -> float`` taking class probabilities of shape
    ``(n_samples, n_classes)`` (rows summing to 1) and returning ``exp(E_x KL(p(y|x) ||
    p(y)))`` over all the samples (one split).
    """
    if (hint := not_a_function(answer, "is_score")) is not None:
        return hint
    rng = np.random.default_rng(6)
    cases: list[tuple[str, np.ndarray]] = [
        ("uniform rows", np.full((8, 4), 0.25)),
        ("confident, all classes", np.eye(5)[np.arange(20) % 5]),
        ("random rows", rng.dirichlet(np.full(6, 0.3), size=40)),
        ("collapsed onto two classes", np.eye(6)[rng.integers(0, 2, 30)] * 0.9 + 0.1 / 6),
    ]
    for name, probs in cases:
        expected = inception_score(probs, splits=1)
        got = as_array(answer(probs.copy()))
        if got.size != 1:
            return wrong(f"on {name} your function returned shape {got.shape}; return one "
                         f"number for the whole set")
        got = got.reshape(())
        if close(got, expected, rtol=1e-4):
            continue
        with np.errstate(over="ignore"):
            exponential = np.exp(got)
        if close(exponential, expected, rtol=1e-4):
            return wrong("that is the mean KL itself; the score is its exponential")
        if close(got, _kl_reversed(probs), rtol=1e-4):
            return wrong("the KL is reversed: KL(p(y|x) || p(y)) weights by p(y|x), each "
                         "sample's own probabilities")
        return wrong(f"on {name} your score is not right: p(y) is the mean of the rows; "
                     f"average KL(p(y|x) || p(y)) over the samples, then take exp")
    return right("uniform rows score 1 (no confidence), confident predictions spread over "
                 "C classes score C: the score needs both, which is why a collapsed GAN "
                 "scores low however sharp its samples")


@exercise
def ex4(answer: Any, classifier: nn.Module, fake: torch.Tensor,
        class_names: Sequence[str]) -> Outcome:
    """Exercise 4: the class the image classifier sees most often among the GAN's samples.

    ``answer``: a str, the class's name from ``data.class_names``.
    """
    with torch.inference_mode():
        probs = classifier.predict_proba(fake).cpu().numpy()
    counts = np.bincount(probs.argmax(axis=1), minlength=len(class_names))
    names = list(class_names)
    winners = {names[i] for i in np.flatnonzero(counts == counts.max())}
    if isinstance(answer, int | np.integer):
        if 0 <= int(answer) < len(names) and names[int(answer)] in winners:
            return wrong("that is the class's index; give its name, data.class_names[index]")
        return wrong("give the class's name (a string from data.class_names), and count "
                     "the classifier's top predictions per class")
    if not isinstance(answer, str) or answer not in names:
        return wrong("give a class name exactly as it appears in data.class_names")
    if answer in winners:
        share = counts.max() / counts.sum()
        fair = 1 / len(names)
        verdict = "well above" if share > 2 * fair else "close to"
        return right(f"its share of the samples is {verdict} the 1/{len(names)} of an even "
                     "spread; class_coverage of aigc_kit.evaluation gives the whole count")
    if counts[names.index(answer)] == counts.min():
        return wrong("that class is among the *least* generated; look for the largest count")
    return wrong("take each sample's top class (argmax of classifier.predict_proba(fake)), "
                 "count how often each class occurs, and name the most frequent one")
