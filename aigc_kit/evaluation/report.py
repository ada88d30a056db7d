"""The model report's metrics as JSON, any notebook's headline figures, and sweeps of them.

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
``pitch_clear_rate``, ``pitch_clear_ratio`` (notes only)
    The pitch judge's share of clear notes (:class:`~aigc_kit.evaluation.PitchJudge`:
    voiced, steady, in tune) and its ratio to the real held-out notes'.
``gan_recipe`` (GAN only)
    The name of the GAN's recipe (chapter 6's: ``"harmonic"`` for notes).
``recon_mse``, ``recon_logmel_snr_db`` (VAE only)
    Held-out reconstruction (posterior mean): image MSE and SNR of the log-mel in dB.

Sweeps
------
Any chapter records its headline figures with :func:`record_metrics` (the report also
writes them to ``metrics.json``); ``aigc-kit sweep`` runs a notebook over a parameter grid
(:func:`expand_grid`) and collects them into one table, one row per point.
:func:`summarize_sweep` gives each metric's mean, standard deviation and 95 % interval
over the seeds and :func:`plot_sweep` draws one against a parameter; :func:`run_grid` is
the small in-process form a chapter shows.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from aigc_kit.evaluation.generative import class_coverage, nearest_neighbour_distance
from aigc_kit.evaluation.judges import AudioJudge, heard_and_seen, judge_for
from aigc_kit.evaluation.pitch import PitchJudge
from aigc_kit.evaluation.rating_stats import t_half_width
from aigc_kit.evaluation.signal import mse, snr
from aigc_kit.features.mel_datasets import DATASETS
from aigc_kit.features.mel_images import to_db
from aigc_kit.generation.sampling import reconstruct
from aigc_kit.generation.zoo import MODELS, TrainedModels, sample_model
from aigc_kit.runtime.atomic import write_atomically

if TYPE_CHECKING:
    from matplotlib.axes import Axes

METRICS_FILE = "metrics.json"
#: MIME type of the output that :func:`record_metrics` leaves in a notebook for sweeps.
METRICS_MIME = "application/vnd.aigc-kit.metrics+json"
#: The statistics columns of :func:`summarize_sweep` (the others are its grouping parameters).
SUMMARY_COLUMNS = ("metric", "n", "mean", "sd", "ci_low", "ci_high")


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
    if data.class_midi is not None:  # notes: the pitch judge, against the real held-out notes
        clear = PitchJudge().rate(judge.audio(samples), data.spec.sr)["clear_rate"]
        real = _real_clear_rate(data.audio_test, data.spec.sr)
        metrics["pitch_clear_rate"], metrics["pitch_clear_ratio"] = clear, clear / real
    if model == "gan":
        metrics["gan_recipe"] = models.gan.recipe.name
    if model == "vae":
        recon = reconstruct(models.vae, data.x_test)
        n = len(recon)
        metrics["recon_mse"] = float(mse(recon.reshape(n, -1).numpy(),
                                         data.x_test.reshape(n, -1).numpy()).mean())
        metrics["recon_logmel_snr_db"] = float(
            snr(to_db(recon, top_db).reshape(n, -1).numpy(),
                to_db(data.x_test, top_db).reshape(n, -1).numpy()).mean())
    return metrics


_REAL_CLEAR: dict[str, float] = {}


def _real_clear_rate(audio: np.ndarray, sr: int) -> float:
    """The pitch judge's clear rate of real notes, computed once per set of clips."""
    key = hashlib.sha1(np.ascontiguousarray(audio).tobytes()).hexdigest() + str(sr)
    if key not in _REAL_CLEAR:
        _REAL_CLEAR[key] = PitchJudge().rate(audio, sr)["clear_rate"]
    return _REAL_CLEAR[key]


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


def metrics_document(
    metrics: dict[str, Any], parameters: dict[str, Any] | None = None,
    model_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``metrics.json`` document: strict JSON, NaN and infinities stored as null.

    Parameters
    ----------
    metrics : dict
        Numbers (NumPy/torch scalars and arrays are converted), strings, lists, dicts.
    parameters : dict, optional
        The run's parameters, recorded as given.
    model_meta : dict, optional
        ``TrainedModels.meta`` or any description of what was measured.

    Returns
    -------
    dict
        ``metrics``, ``parameters``, ``model``, ``kit_version``, ``created`` (UTC, ISO 8601)
        and ``non_finite``: the keys whose NaN or infinite values were stored as null.

    Notes
    -----
    Shared by :func:`write_metrics` (``report_model``) and :func:`record_metrics` (any
    chapter), so ``aigc-kit sweep`` reads one format.
    """
    from aigc_kit import __version__

    bad: list[str] = []
    document = {
        "metrics": _finite(_plain(metrics), "metrics", bad),
        "parameters": _finite(_plain(parameters or {}), "parameters", bad),
        "model": _finite(_plain(model_meta or {}), "model", bad),
        "kit_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    document["non_finite"] = bad
    return document


def _write_document(path: str | Path, document: dict[str, Any]) -> Path:
    """Write a metrics document as indented strict JSON, atomically."""
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    return write_atomically(Path(path), lambda handle: handle.write(text.encode("utf-8")))


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
        ``path``. The document is :func:`metrics_document`'s: ``metrics``, ``parameters``,
        ``model``, ``kit_version``, ``created`` (UTC, ISO 8601) and ``non_finite``: the keys
        whose NaN or infinite values were stored as null (strict JSON has no NaN).

    Notes
    -----
    Used by ``report_model`` (through :func:`record_metrics`) and ``aigc-kit report``.
    """
    return _write_document(path, metrics_document(metrics, parameters, model_meta))


def record_metrics(
    metrics: dict[str, Any], parameters: dict[str, Any] | None = None,
    path: str | Path | None = None, model_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a notebook's headline figures, so that ``aigc-kit sweep`` can collect them.

    The figures are shown as one line (``metrics recorded: name = value, ...``) and carried
    in the cell's output as a :data:`METRICS_MIME` bundle holding the
    :func:`metrics_document`; ``aigc-kit sweep`` reads the bundle from each executed
    notebook and writes it as the run's ``metrics.json``. Call it once per notebook (if it
    is called several times, the sweep merges the metrics, later values winning). Outside
    IPython the line is printed.

    Parameters
    ----------
    metrics : dict
        Headline figures by name. Scalars (numbers, strings, booleans) become columns of
        the sweep's results table; nested values stay in ``metrics.json``.
    parameters : dict, optional
        The notebook's parameters, recorded beside the figures.
    path : str or Path, optional
        Also write the document there as a ``metrics.json`` (atomically, as
        :func:`write_metrics` does).
    model_meta : dict, optional
        What was measured (e.g. ``TrainedModels.meta``).

    Returns
    -------
    dict
        The recorded document.

    Notes
    -----
    Used in ``13_trends_challenges`` and ``report_model``; any chapter with a
    ``parameters`` cell that calls it can be swept with ``aigc-kit sweep``.
    """
    document = metrics_document(metrics, parameters, model_meta)
    if path is not None:
        _write_document(path, document)
    shown = [f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}"
             for k, v in document["metrics"].items() if not isinstance(v, (dict, list))]
    nested = len(document["metrics"]) - len(shown)
    line = "metrics recorded: " + ", ".join(shown) + (f" (+{nested} nested)" if nested else "")
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():
        from IPython.display import display

        display({METRICS_MIME: document, "text/plain": line}, raw=True)
    else:
        print(line)
    return document


def expand_grid(
    grid: Mapping[str, Sequence[Any]], fixed: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The Cartesian product of a parameter grid, each point with the fixed parameters.

    Parameters
    ----------
    grid : mapping of str to sequence
        Values of each swept parameter; the last name varies fastest.
    fixed : mapping, optional
        Parameters with one value, the same in every point.

    Returns
    -------
    list of dict
        One dict per point: the fixed parameters, then the grid's, in ``grid`` order.

    Raises
    ------
    ValueError
        A parameter with no values or the same value twice (two identical points), or
        one that is both swept and fixed.

    Notes
    -----
    Used by ``aigc-kit sweep`` and :func:`run_grid` (``13_trends_challenges``).
    """
    fixed = dict(fixed or {})
    for name, values in grid.items():
        if name in fixed:
            raise ValueError(f"parameter {name!r} is both swept (-g) and fixed (-p); "
                             "give it once")
        if len(values) == 0:
            raise ValueError(f"parameter {name!r} has no values to sweep")
        seen = [json.dumps(_plain(v), sort_keys=True) for v in values]
        if len(set(seen)) < len(seen):
            raise ValueError(f"parameter {name!r} lists a value twice: {list(values)!r}")
    names = list(grid)
    return [{**fixed, **dict(zip(names, combo, strict=True))}
            for combo in itertools.product(*(grid[n] for n in names))]


def run_grid(
    measure: Callable[..., Mapping[str, Any]], grid: Mapping[str, Sequence[Any]],
    fixed: Mapping[str, Any] | None = None, progress: bool = True,
) -> pd.DataFrame:
    """Run a small sweep in this process: ``measure(**point)`` at every grid point.

    The in-notebook form of ``aigc-kit sweep``: the same grid (:func:`expand_grid`) and the
    same table, one row per point, so :func:`summarize_sweep` and :func:`plot_sweep` read
    it as they read a sweep's ``results.parquet``. A chapter uses it for a grid of a few
    seconds; a grid of whole notebook runs belongs to ``aigc-kit sweep``.

    Parameters
    ----------
    measure : callable
        Called with each point's parameters as keyword arguments; returns its headline
        figures by name (scalars).
    grid, fixed
        As in :func:`expand_grid`.
    progress : bool
        Show a progress bar over the points.

    Returns
    -------
    pandas.DataFrame
        Columns: the parameters, the figures, ``seconds`` (wall clock of each point) and
        ``status`` (``"ok"``; an exception in ``measure`` is raised, not recorded).

    Notes
    -----
    Taught in ``13_trends_challenges``; used in ``report_model``.
    """
    from tqdm.auto import tqdm

    rows = []
    for point in tqdm(expand_grid(grid, fixed), desc="grid", unit="point", disable=not progress):
        start = time.perf_counter()
        figures = _plain(dict(measure(**point)))
        rows.append({**point, **figures, "seconds": time.perf_counter() - start,
                     "status": "ok"})
    return pd.DataFrame(rows)


def summarize_sweep(
    table: pd.DataFrame, parameters: Sequence[str], metrics: Sequence[str] | None = None,
    seed: str = "seed", confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, standard deviation and confidence interval of each metric over the seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per point (a sweep's ``results.parquet``, or :func:`run_grid`'s table);
        rows whose ``status`` is not ``"ok"`` are left out.
    parameters : sequence of str
        The swept parameters; the rows are grouped by every one of them but ``seed``.
    metrics : sequence of str, optional
        Default: every numeric column that is neither a parameter nor one of the sweep's
        own columns (``seconds``, ``attempts``).
    seed : str
        The parameter that only repeats a measurement (not grouped by).
    confidence : float
        Level of the interval: ``mean -/+ t * sd / sqrt(n)``, ``t`` the
        ``(1 + confidence) / 2`` quantile of Student's t with ``n - 1`` degrees of
        freedom (NaN when ``n == 1``).

    Returns
    -------
    pandas.DataFrame
        Tidy: the grouping parameters, ``metric``, ``n``, ``mean``, ``sd``, ``ci_low``,
        ``ci_high``; groups in the table's order; ``attrs["confidence"]`` the level.

    Raises
    ------
    ValueError
        A parameter or metric missing from the table, or no successful row.

    Notes
    -----
    Used by ``aigc-kit sweep summarize``, ``13_trends_challenges`` and ``report_model``.
    """
    missing = [p for p in parameters if p not in table.columns]
    if missing:
        raise ValueError(f"parameter(s) {missing} not in the table's columns {list(table)}")
    ok = table[table["status"] == "ok"] if "status" in table.columns else table
    if ok.empty:
        raise ValueError("no successful point to summarise")
    if metrics is None:
        own = {*parameters, "seconds", "attempts", "status"}
        metrics = [c for c in ok.columns if c not in own and pd.api.types.is_numeric_dtype(
            ok[c]) and not pd.api.types.is_bool_dtype(ok[c])]
    unknown = [m for m in metrics if m not in ok.columns]
    if unknown:
        raise ValueError(f"metric(s) {unknown} not in the table; it has {list(ok.columns)}")
    groups = [p for p in parameters if p != seed]
    keyed = ok.assign(_group=ok[groups].astype(str).agg("|".join, axis=1) if groups else "")
    rows = []
    for _, part in keyed.groupby("_group", sort=False):
        for metric in metrics:
            values = pd.to_numeric(part[metric], errors="coerce").dropna()
            n = len(values)
            mean = float(values.mean()) if n else math.nan
            sd = float(values.std(ddof=1)) if n > 1 else math.nan
            half = float(t_half_width(sd, n, confidence)) if n > 1 else math.nan
            rows.append({**{g: part[g].iloc[0] for g in groups}, "metric": metric, "n": n,
                         "mean": mean, "sd": sd, "ci_low": mean - half,
                         "ci_high": mean + half})
    summary = pd.DataFrame(rows)
    summary.attrs["confidence"] = confidence
    return summary


def plot_sweep(
    summary: pd.DataFrame, metric: str, x: str, ax: Axes | None = None,
) -> Axes:
    """Plot one metric of :func:`summarize_sweep` against one parameter, with interval bands.

    One line per combination of the other grouping parameters: the mean, and a shaded band
    from ``ci_low`` to ``ci_high`` (where there are two or more seeds). A numeric ``x`` is
    drawn to scale, any other at evenly spaced ticks.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize_sweep`.
    metric : str
        A value of its ``metric`` column.
    x : str
        A grouping parameter (a column of ``summary``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        ``metric`` or ``x`` not in the summary (naming the ones there are).

    Notes
    -----
    Used by ``aigc-kit sweep summarize``, ``13_trends_challenges`` and ``report_model``.
    """
    import matplotlib.pyplot as plt

    params = [c for c in summary.columns if c not in SUMMARY_COLUMNS]
    if x not in params:
        raise ValueError(f"x must be a grouping parameter of the summary, one of {params}; "
                         f"got {x!r}")
    if metric not in set(summary["metric"]):
        raise ValueError(f"metric {metric!r} not summarised; there are "
                         f"{sorted(set(summary['metric']))}")
    part = summary[summary["metric"] == metric]
    numeric = pd.api.types.is_numeric_dtype(part[x]) and not pd.api.types.is_bool_dtype(part[x])
    levels = sorted(part[x].unique(), key=lambda v: v if numeric else str(v))
    new_figure = ax is None
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.4))
    others = [p for p in params if p != x]
    lines = part.groupby(others, sort=False) if others else [((), part)]
    for label, line in lines:
        line = line.sort_values(x, key=lambda s: s if numeric else s.astype(str))
        where = line[x] if numeric else [levels.index(v) for v in line[x]]
        name = ", ".join(f"{p}={v}" for p, v in zip(others, np.atleast_1d(label), strict=True))
        drawn = ax.plot(where, line["mean"], "o-", label=name or metric)[0]
        ax.fill_between(where, line["ci_low"], line["ci_high"], color=drawn.get_color(),
                        alpha=0.2, linewidth=0)
    if not numeric:
        ax.set_xticks(range(len(levels)), [str(v) for v in levels])
    n = ", ".join(str(v) for v in sorted(set(part["n"])))
    level = summary.attrs.get("confidence", 0.95)
    ax.set(xlabel=x, ylabel=metric, title=f"{metric} against {x}: mean and {level * 100:g} % "
                                          f"interval (n = {n} per point)")
    if others:
        ax.legend(fontsize="small")
    if new_figure:
        ax.figure.tight_layout()
    return ax
