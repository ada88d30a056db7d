"""The melody benchmark: models against baselines on held-out real chorales, in one run.

Every generator produces as many melodies as there are held-out ones; the LSTM and the
random walk follow the held-out melodies' phrase plans (lengths and phrase ends) and the
LSTM their modes too (so the LSTM is told the held-out major/minor mix, which the
``real (train)`` row is not); the VAE makes independent windows of ``WINDOW`` notes (no
seams), as many as give the held-out note count; so all sets have about the same number
of notes. Each generator is
sampled ``repeats`` times with different seeds; the table gives the mean and standard
deviation of the two total-variation distances of :mod:`aigc_kit.apps.music.metrics`.

Rows: ``LSTM``, ``VAE`` (if given), ``random walk``, ``shuffled corpus`` (see
:mod:`aigc_kit.apps.music.baselines`) and ``real (train)``, unshuffled training melodies: the
floor of both metrics (what real Bach scores against other real Bach).

Taught in ``09_music_generation``; printed by ``benchmarks/bench_melody.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aigc_kit.apps.music.baselines import random_walk_melodies, shuffled_melodies
from aigc_kit.apps.music.corpus import Melody
from aigc_kit.apps.music.lstm import MelodyLSTM, generate_lstm
from aigc_kit.apps.music.metrics import histogram_distances
from aigc_kit.apps.music.vae import MelodyVAE, generate_vae


def generator_sets(
    train: Sequence[Melody],
    test: Sequence[Melody],
    lstm: MelodyLSTM | None,
    vae: MelodyVAE | None = None,
    temperature: float = 1.0,
    seed: int = 0,
    vae_temperature: float | None = None,
) -> dict[str, list[Melody]]:
    """One draw of every generator's melodies, sized like ``test`` (see the module docstring).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not test or not train:
        raise ValueError("need both training and held-out melodies")
    plans = [m.phrase_end for m in test]
    modes = [m.mode for m in test]
    sets: dict[str, list[Melody]] = {}
    if lstm is not None:
        sets["LSTM"] = generate_lstm(lstm, len(plans), plans, modes, temperature, seed=seed)
    if vae is not None:
        n_windows = max(1, round(sum(len(m) for m in test) / vae.window))
        t = temperature if vae_temperature is None else vae_temperature
        sets["VAE"] = generate_vae(vae, n_windows, 1, t, seed=seed)
    sets["random walk"] = random_walk_melodies(train, plans, modes, seed=seed)
    n = min(len(test), len(train))
    sets["shuffled corpus"] = shuffled_melodies(train, n, seed=seed)
    rng = np.random.default_rng(seed)
    sets["real (train)"] = [train[i] for i in rng.choice(len(train), n, replace=False)]
    return sets


def compare_to_baselines(
    train: Sequence[Melody],
    test: Sequence[Melody],
    lstm: MelodyLSTM | None,
    vae: MelodyVAE | None = None,
    temperature: float = 1.0,
    repeats: int = 5,
    seed: int = 0,
    vae_temperature: float | None = None,
) -> pd.DataFrame:
    """Histogram distances of every generator to the held-out melodies, mean and sd.

    ``vae_temperature`` (default: ``temperature``) samples the VAE's notes.

    Returns
    -------
    pandas.DataFrame
        Index: generator. Columns ``pitch_class_tv``, ``pitch_class_sd``, ``interval_tv``,
        ``interval_sd`` (total variation, 0..1, lower is closer to real) and ``notes`` (mean
        notes per draw).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    rows = []
    for r in range(repeats):
        for name, melodies in generator_sets(train, test, lstm, vae, temperature,
                                             seed + r, vae_temperature).items():
            rows.append({"generator": name, **histogram_distances(melodies, test)})
    df = pd.DataFrame(rows).groupby("generator", sort=False)
    out = pd.DataFrame({
        "pitch_class_tv": df["pitch_class_tv"].mean(),
        "pitch_class_sd": df["pitch_class_tv"].std(ddof=0),
        "interval_tv": df["interval_tv"].mean(),
        "interval_sd": df["interval_tv"].std(ddof=0),
        "notes": df["notes"].mean().round().astype(int),
    })
    return out


def verdict(table: pd.DataFrame, models: str | Sequence[str] = "LSTM") -> list[str]:
    """Plain-language checks of each of ``models`` against the baselines in a
    :func:`compare_to_baselines` table, one line each, starting with ``PASS``/``FAIL``/``NOTE``,
    and a last ``NOTE`` on the floor of the metrics.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    models = [models] if isinstance(models, str) else list(models)
    missing = [m for m in models if m not in table.index]
    if missing or not models:
        raise ValueError(f"{missing or models!r} not in the table ({list(table.index)})")
    lines = []
    for model in models:
        m = table.loc[model]
        for base in ("random walk", "shuffled corpus"):
            b = table.loc[base]
            for metric in ("pitch_class_tv", "interval_tv"):
                tag = "PASS" if m[metric] < b[metric] else "FAIL"
                if base == "shuffled corpus" and metric == "pitch_class_tv":
                    tag = "NOTE " + tag
                lines.append(f"{tag}: {model} {metric} {m[metric]:.3f} vs {base} "
                             f"{b[metric]:.3f} (ratio {m[metric] / b[metric]:.2f})")
    floor = table.loc["real (train)"]
    lines.append(f"NOTE: real (train) melodies score pitch_class_tv {floor['pitch_class_tv']:.3f}"
                 f", interval_tv {floor['interval_tv']:.3f}: the floor. The shuffled corpus "
                 "keeps every note, so its pitch-class histogram is real Bach's by "
                 "construction; beating it there is within sampling noise, not a merit.")
    return lines
