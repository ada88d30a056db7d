"""Metrics for free generation: no sample has a matching reference, so distributions are compared.

:func:`inception_score` and :func:`generation_report` on a listener's class probabilities,
:func:`class_coverage` for diversity, :func:`frechet_distance` on the listener's features and
:func:`nearest_neighbour_distance` for memorisation. They take feature or probability
matrices, not waveforms (see :mod:`aigc_kit.evaluation.signal` for those);
:func:`score_samples` runs a listener (callables giving probabilities and features) over
generated and real sets and reports both. Taught in
``01_aigc_overview``, ``06_project_audio_gan`` and ``07_evaluation``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg

__all__ = [
    "class_coverage",
    "frechet_distance",
    "generation_report",
    "inception_score",
    "nearest_neighbour_distance",
    "score_samples",
]


def nearest_neighbour_distance(samples: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """RMS distance from each sample to its nearest neighbour in ``pool``, in feature units.

    A first check for free generation, where no sample has a matching reference: generated
    log-mel spectrograms (dB) should lie about as near the real ones as real ones lie to each
    other, and far nearer than noise. Taught in ``01_aigc_overview``.

    Parameters
    ----------
    samples : np.ndarray, shape (n, ...)
        Feature arrays, e.g. log-mel spectrograms ``(n, n_mels, n_frames)`` in dB.
    pool : np.ndarray, shape (m, ...)
        Reference features of the same trailing shape.

    Returns
    -------
    np.ndarray, shape (n,)
        ``min_j sqrt(mean((samples[i] - pool[j])**2))``.
    """
    samples = np.asarray(samples, dtype=np.float64)
    pool = np.asarray(pool, dtype=np.float64)
    if samples.shape[1:] != pool.shape[1:] or len(pool) == 0:
        raise ValueError(
            f"nearest_neighbour_distance: samples {samples.shape} and pool {pool.shape} must "
            "share their trailing shape and the pool must not be empty"
        )
    a = samples.reshape(len(samples), -1)
    b = pool.reshape(len(pool), -1)
    squared = (a**2).sum(1)[:, None] - 2 * a @ b.T + (b**2).sum(1)[None, :]
    return np.sqrt(np.maximum(squared, 0.0).min(axis=1) / a.shape[1])


def inception_score(
    probabilities: np.ndarray, splits: int = 10, rng: np.random.Generator | None = None,
    return_std: bool = False,
) -> float | tuple[float, float]:
    """Inception score of generated samples from a classifier's class probabilities.

    ``IS = exp(E_x KL(p(y|x) || p(y)))`` (Salimans et al. 2016): high when each sample is
    classified confidently (low-entropy ``p(y|x)``) *and* the samples cover the classes
    evenly (high-entropy ``p(y)``). With ``C`` classes it lies in ``[1, C]``. The samples
    are split into ``splits`` groups and the score is the mean over the groups, as in the
    original recipe (with ``return_std``, their standard deviation too, as scikit-learn's
    ``return_std``): a number, like every metric of the kit. Scored here by the kit's own
    classifier, not an ImageNet Inception network, so it is comparable only between sets
    scored by the same classifier (e.g. generated against held-out real). Taught in
    ``06_project_audio_gan``.

    Parameters
    ----------
    probabilities : np.ndarray, shape (n_samples, n_classes)
        Rows of ``p(y|x)`` (non-negative, summing to 1).
    splits : int
        Number of groups, each of at least 2 samples.
    rng : np.random.Generator, optional
        Shuffles the samples before splitting; by default the order is kept.
    return_std : bool
        Also return the standard deviation over the splits.

    Returns
    -------
    float, or (float, float) with ``return_std``
        The mean score over the splits (and their standard deviation).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            f"inception_score expects finite non-negative probabilities of shape "
            f"(n_samples, n_classes), got shape {p.shape}"
        )
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("inception_score: rows must sum to 1; apply softmax to the logits")
    if splits < 1 or len(p) < 2 * splits:
        raise ValueError(f"inception_score: {len(p)} samples are too few for {splits} splits")
    if rng is not None:
        p = p[rng.permutation(len(p))]
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    if return_std:
        return float(np.mean(scores)), float(np.std(scores))
    return float(np.mean(scores))


def generation_report(
    generated_probabilities: np.ndarray, real_probabilities: np.ndarray, splits: int = 1
) -> dict[str, float]:
    """Classifier-based scores of a generated set next to a held-out real set.

    Parameters
    ----------
    generated_probabilities, real_probabilities : np.ndarray, shape (n, n_classes)
        Class probabilities given by the same classifier to generated and to real examples.
    splits : int
        Splits of :func:`inception_score`. The default, 1, suits the small sets of the
        course: a split must hold several examples of every class to estimate ``p(y)``, and
        the held-out sets are ordered by class, so 4 splits of the 192 held-out notes (48
        classes) each see only 12 classes and score the real set 7 instead of 20.

    Returns
    -------
    dict
        ``is_generated``, ``is_real``, ``is_ratio`` (generated / real), ``coverage`` (classes
        that are the top prediction for at least one generated example) and ``n_classes``.
        Taught in ``06_project_audio_gan``.
    """
    gen = np.asarray(generated_probabilities)
    real = np.asarray(real_probabilities)
    if gen.ndim != 2 or real.ndim != 2 or gen.shape[1] != real.shape[1]:
        raise ValueError(
            f"generation_report: probabilities of shape {gen.shape} and {real.shape} must both "
            "be (n, n_classes) with the same classes"
        )
    is_generated = inception_score(gen, splits)
    is_real = inception_score(real, splits)
    return {
        "is_generated": is_generated,
        "is_real": is_real,
        "is_ratio": is_generated / is_real,
        "coverage": int(np.unique(gen.argmax(axis=1)).size),
        "n_classes": int(gen.shape[1]),
    }


def score_samples(
    samples: Any,
    reference: Any,
    *,
    probabilities: Callable[[Any], Any],
    features: Callable[[Any], Any] | None = None,
    splits: int = 1,
) -> dict[str, float]:
    """Score generated samples against a real reference set, in a listener's eyes (or ears).

    The one "score these samples" of the kit: :func:`generation_report` on the listener's
    class probabilities of ``samples`` and of ``reference``, plus, when the listener gives
    ``features``, :func:`frechet_distance` between the two feature sets. The listener is a
    pair of callables, so it can look at log-mel images (the kit's ``MelClassifier``, as in
    :meth:`aigc_kit.generation.TrainedModels.scores`) or listen to audio: ``samples`` and
    ``reference`` are passed to them as they are.

    Parameters
    ----------
    samples : tensor, array or anything the callables take
        The generated set (at least 2 examples; Fréchet needs 2 per set).
    reference : same kind as ``samples``
        A real set the listener did not train on (e.g. the held-out images).
    probabilities : callable
        ``probabilities(x) -> (n, n_classes)`` class probabilities (rows summing to 1);
        arrays or tensors.
    features : callable, optional
        ``features(x) -> (n, d)`` feature vectors (e.g. the classifier's penultimate
        layer); omit to skip the Fréchet distance.
    splits : int
        Splits of :func:`inception_score` (see :func:`generation_report`).

    Returns
    -------
    dict
        ``is_generated``, ``is_real``, ``is_ratio``, ``coverage``, ``n_classes`` and, with
        ``features``, ``frechet``.

    Notes
    -----
    Taught in ``06_project_audio_gan`` and ``07_evaluation``.
    """
    report = generation_report(_numpy(probabilities(samples)),
                               _numpy(probabilities(reference)), splits=splits)
    if features is not None:
        report["frechet"] = frechet_distance(_numpy(features(samples)),
                                             _numpy(features(reference)))
    return report


def _numpy(values: Any) -> np.ndarray:
    """``values`` as a NumPy array (tensors detached and moved to the CPU)."""
    if hasattr(values, "detach"):
        values = values.detach().cpu()
        try:
            values = values.numpy()
        except TypeError:  # bfloat16 has no NumPy dtype
            values = values.float().numpy()
    return np.asarray(values)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the FID formula).

    ``d^2 = ||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))`` (Heusel et al. 2017),
    with means ``mu`` and covariances ``C`` of the rows. Computed with
    ``scipy.linalg.sqrtm``; when the product is near-singular (fewer examples than
    dimensions, collapsed generators) and its square root is not finite, ``eps`` is added
    to both diagonals, as in the reference implementation; a tiny imaginary part left by
    round-off is dropped. Scored on the kit's classifier features
    (``MelClassifier.features``), it is comparable only between sets scored by the same
    classifier. Taught in ``07_evaluation``.

    Parameters
    ----------
    features_a, features_b : np.ndarray, shape (n_a, d) and (n_b, d)
        Feature vectors, one row per example, at least 2 rows each.
    eps : float
        Diagonal offset used only when the plain square root fails.

    Returns
    -------
    float
        The squared distance ``d^2`` (0 for identical sets; same units as the features
        squared).
    """
    a = _feature_matrix(features_a, "features_a")
    b = _feature_matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"frechet_distance: features of {a.shape[1]} and {b.shape[1]} dimensions; both "
            "sets must come from the same feature extractor"
        )
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", scipy.linalg.LinAlgWarning)
        root = scipy.linalg.sqrtm(cov_a @ cov_b)
    if caught or not np.all(np.isfinite(root)):
        offset = eps * np.eye(len(cov_a))
        root = scipy.linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = np.real(root)
    value = float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * root))
    return max(value, 0.0)


def _feature_matrix(features: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(features.detach().cpu() if hasattr(features, "detach") else features,
                   dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must have shape (n_examples >= 2, n_features), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or Inf; check the generator's output")
    return x


def class_coverage(probabilities: np.ndarray) -> np.ndarray:
    """How many examples the classifier assigns to each class (its top prediction).

    Parameters
    ----------
    probabilities : np.ndarray, shape (n_examples, n_classes)
        Class probabilities (or logits: only the arg-max is used).

    Returns
    -------
    np.ndarray of int, shape (n_classes,)
        Counts per class; ``(counts > 0).sum()`` is the number of classes covered, the
        ``coverage`` of :func:`generation_report`. Taught in ``07_evaluation``.
    """
    p = np.asarray(probabilities)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"class_coverage expects shape (n_examples, n_classes), got {p.shape}")
    return np.bincount(p.argmax(axis=1), minlength=p.shape[1])
