"""The model report's metrics: every objective metric that applies to one generator, as JSON.

``notebooks/report_model.ipynb`` is a papermill-parameterised report on the GAN or the VAE
of chapter 6 (:func:`aigc_kit.generation.trained_models`): it samples the model, scores the
samples (:func:`model_metrics`), shows them and writes ``metrics.json``
(:func:`write_metrics`). ``aigc-kit report`` runs it headless
(:func:`aigc_kit.course.report.run_report`).

Metrics (keys of :func:`model_metrics`)
---------------------------------------
``is_generated``, ``is_real``, ``is_ratio``, ``coverage``, ``n_classes``, ``frechet``
    :func:`~aigc_kit.evaluation.generative.generation_report` and
    :func:`~aigc_kit.evaluation.generative.frechet_distance` against the held-out
    recordings, **as heard**: the samples are vocoded and the dataset's audio listener
    (trained on real recordings only) hears them (:class:`~aigc_kit.evaluation.AudioJudge`).
``image_is_ratio``, ``image_coverage``, ... (the same keys prefixed ``image_``)
    The image classifier's view of the samples themselves, for comparison only
    (:func:`~aigc_kit.evaluation.heard_and_seen`).
``class_counts``
    Samples heard as each class
    (:func:`~aigc_kit.evaluation.generative.class_coverage`), by class name.
``nn_generated_db``, ``nn_heldout_db``, ``nn_ratio``, ``nn_closer_than_heldout``
    The memorisation check: mean RMS distance (dB of log-mel) from each generated sample to
    its nearest training example, the same for held-out real examples (the baseline), their
    ratio, and the share of samples nearer to the training set than any held-out example.
``recon_mse``, ``recon_logmel_snr_db`` (VAE only)
    Held-out reconstruction (posterior mean): image MSE and SNR of the log-mel in dB.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aigc_kit.evaluation.generative import class_coverage, nearest_neighbour_distance
from aigc_kit.evaluation.judges import AudioJudge, heard_and_seen, judge_for
from aigc_kit.evaluation.signal import mse, snr
from aigc_kit.features.mel_datasets import DATASETS
from aigc_kit.features.mel_images import to_db
from aigc_kit.generation.sampling import reconstruct
from aigc_kit.generation.zoo import MODELS, TrainedModels, sample_model
from aigc_kit.runtime.atomic import write_atomically

METRICS_FILE = "metrics.json"


def check_settings(
    dataset: str, model: str, gan_seconds: float, vae_seconds: float, classifier_epochs: int,
    n_samples: int, seed: int,
) -> dict[str, Any]:
    """Validate the report's settings and return them with canonical types.

    Parameters
    ----------
    dataset : {"notes", "fsdd"}
        Mel-image dataset.
    model : {"gan", "vae"}
        The generator to report on.
    gan_seconds, vae_seconds : float
        Training budgets of the GAN and the VAE in seconds (> 0); returned as floats, so
        ``1`` and ``1.0`` share the model cache. Chapter 6's defaults (15 and 5) load the
        models chapter 6 trained.
    classifier_epochs : int
        Epochs of the evaluation classifier (>= 1).
    n_samples : int
        Samples to draw (>= 2, needed by the Fréchet distance).
    seed : int
        Seed of data, training and sampling.

    Returns
    -------
    dict
        ``dataset``, ``model``, ``gan_seconds``, ``vae_seconds``, ``classifier_epochs``,
        ``n_samples``, ``seed``.

    Raises
    ------
    ValueError
        Naming the bad setting, its value and what is accepted.

    Notes
    -----
    Taught in ``01_aigc_overview`` and ``07_evaluation``.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    numbers = {"gan_seconds": (gan_seconds, 0.0, float),
               "vae_seconds": (vae_seconds, 0.0, float),
               "classifier_epochs": (classifier_epochs, 1, int),
               "n_samples": (n_samples, 2, int), "seed": (seed, 0, int)}
    out: dict[str, Any] = {"dataset": dataset, "model": model}
    for name, (value, low, kind) in numbers.items():
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and (kind is float or float(value).is_integer())
        if not ok or (value <= low if kind is float else value < low):
            bound = f"> {low}" if kind is float else f">= {low}"
            raise ValueError(f"{name} must be {'a number' if kind is float else 'an integer'} "
                             f"{bound}, got {value!r}")
        out[name] = kind(value)
    return out


def model_metrics(
    models: TrainedModels, model: str, n_samples: int = 192, seed: int = 0,
    samples: torch.Tensor | None = None, judge: AudioJudge | None = None,
) -> dict[str, Any]:
    """Every objective metric that applies to ``model``'s samples (see the module docstring).

    Parameters
    ----------
    models : TrainedModels
        The data, classifier and generators (:func:`aigc_kit.generation.zoo.trained_models`).
    model : {"gan", "vae"}
        Which generator to score.
    n_samples : int
        Samples drawn with :func:`sample_model` when ``samples`` is not given.
    seed : int
        Their seed.
    samples : torch.Tensor, shape (n, 1, n_mels, n_frames), optional
        Already drawn samples to score instead.
    judge : AudioJudge, optional
        The vocoder and listener that hear the samples; default
        :func:`~aigc_kit.evaluation.judge_for` of the models' dataset (pass the report's
        own judge so the audio is vocoded once).

    Returns
    -------
    dict
        Floats and ints (``class_counts`` a dict of ints by class name): the
        scores as heard (and as seen, ``image_``), the memorisation check and, for the
        VAE, held-out
        reconstruction ``recon_mse`` (image units, [-1, 1] scale) and
        ``recon_logmel_snr_db`` (dB). Non-finite values can occur only when a model has
        diverged; :func:`write_metrics` stores them as null.

    Notes
    -----
    Taught in ``01_aigc_overview`` and ``07_evaluation``.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if samples is None:
        samples = sample_model(models, model, n_samples, seed)
    data = models.data
    judge = judge if judge is not None else judge_for(data.name, data.spec)
    scores = heard_and_seen(samples, judge, models.classifier, data)
    metrics: dict[str, Any] = {k: _plain(v) for k, v in scores.items()}
    counts = class_coverage(judge.probabilities(samples))
    metrics["class_counts"] = {name: int(c) for name, c in zip(data.class_names, counts,
                                                                 strict=True)}
    top_db = data.spec.top_db
    train_db = to_db(data.x_train, top_db).numpy()
    generated = nearest_neighbour_distance(to_db(samples, top_db).numpy(), train_db)
    heldout = nearest_neighbour_distance(to_db(data.x_test, top_db).numpy(), train_db)
    metrics["nn_generated_db"] = float(generated.mean())
    metrics["nn_heldout_db"] = float(heldout.mean())
    metrics["nn_ratio"] = metrics["nn_generated_db"] / metrics["nn_heldout_db"]
    metrics["nn_closer_than_heldout"] = float((generated < heldout.min()).mean())
    if model == "vae":
        recon = reconstruct(models.vae, data.x_test)
        n = len(recon)
        metrics["recon_mse"] = float(mse(recon.reshape(n, -1).numpy(),
                                         data.x_test.reshape(n, -1).numpy()).mean())
        metrics["recon_logmel_snr_db"] = float(
            snr(to_db(recon, top_db).reshape(n, -1).numpy(),
                to_db(data.x_test, top_db).reshape(n, -1).numpy()).mean())
    return metrics


def _plain(value: Any) -> Any:
    """``value`` with NumPy/torch scalars and arrays as Python numbers and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return value


def _finite(value: Any, where: str, bad: list[str]) -> Any:
    """``value`` with NaN and infinities replaced by None; their paths go into ``bad``."""
    if isinstance(value, dict):
        return {k: _finite(v, f"{where}.{k}" if where else k, bad) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v, f"{where}[{i}]", bad) for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        bad.append(where)
        return None
    return value


def write_metrics(
    path: str | Path, metrics: dict[str, Any], parameters: dict[str, Any],
    model_meta: dict[str, Any] | None = None,
) -> Path:
    """Write the report's ``metrics.json`` atomically (temporary file, then ``os.replace``).

    Parameters
    ----------
    path : str or Path
        The JSON file; its folder is created if missing.
    metrics : dict
        From :func:`model_metrics` (NumPy/torch numbers are converted).
    parameters : dict
        The report's parameters, recorded as given.
    model_meta : dict, optional
        ``TrainedModels.meta``: settings, steps trained, classifier accuracy, cached.

    Returns
    -------
    Path
        ``path``. The document holds ``metrics``, ``parameters``, ``model``, ``kit_version``,
        ``created`` (UTC, ISO 8601) and ``non_finite``: the keys whose NaN or infinite
        values were stored as null (strict JSON has no NaN).

    Notes
    -----
    Taught in ``01_aigc_overview`` and ``07_evaluation``.
    """
    from aigc_kit import __version__

    path = Path(path)
    bad: list[str] = []
    document = {
        "metrics": _finite(_plain(metrics), "metrics", bad),
        "parameters": _finite(_plain(parameters), "parameters", bad),
        "model": _finite(_plain(model_meta or {}), "model", bad),
        "kit_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    document["non_finite"] = bad
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))
