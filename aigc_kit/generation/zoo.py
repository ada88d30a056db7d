"""Chapter 6's models, trained once and cached: the listener, the GAN and the VAE.

``07_evaluation``, ``08_interaction_feedback_loop`` and the report notebook all need a
trained evaluation classifier, the source's MLP GAN and the MLP VAE on the same data.
``06_project_audio_gan`` trains them and stores them here (:func:`remember_models`);
:func:`trained_models` loads them back when the settings match (same data set, seed,
budgets and GAN recipe), or trains them the same way: the classifier for
``classifier_epochs``, the GAN chapter 6 ends with (:func:`zoo_recipe`: the harmonic,
class-conditional GAN of :data:`aigc_kit.generation.HARMONIC_RECIPE` for the notes, the
kit's MLP GAN for spoken digits), the MLP VAE. The cache is a checkpoint (loaded back with
``weights_only=True`` and checked, see :mod:`aigc_kit.runtime.checkpoint`) under
``data/cache/models/``, keyed by every setting, so the second notebook loads in a second
what the first one trained.

The zoo only trains, stores and samples; scoring the models as heard is the evaluation
stage's job (:func:`aigc_kit.evaluation.judge_for` and
:func:`aigc_kit.evaluation.heard_and_seen`), so imports run along the pipeline.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from aigc_kit.features.mel_datasets import MelImageDataset, load_mel_dataset
from aigc_kit.generation.recipes import (
    DIFFUSION_RECIPE,
    HARMONIC_RECIPE,
    KIT_RECIPE,
    DiffusionRecipe,
    GANRecipe,
    TrainedGAN,
    train_recipe,
)
from aigc_kit.generation.sampling import sample
from aigc_kit.models.classifier import MelClassifier
from aigc_kit.models.diffusion import DiffusionModel
from aigc_kit.models.mlp import VAE, MLPDecoder, MLPEncoder
from aigc_kit.runtime.checkpoint import (
    CheckpointError,
    cached_model_path,
    load_checkpoint,
    save_checkpoint,
)
from aigc_kit.runtime.device import get_device
from aigc_kit.training.classifier import evaluate_classifier, train_classifier
from aigc_kit.training.loop import RunConfig
from aigc_kit.training.vae import train_vae

VAE_LATENT = 16
ZOO_RECIPES = {"notes": HARMONIC_RECIPE, "fsdd": KIT_RECIPE}
"""The GAN recipe chapter 6 ends with, per dataset (the harmonic generator renders notes)."""
GAN_SECONDS = 20.0
"""The default training budget (s) of the zoo's GAN: about 800 steps of the harmonic GAN on
2 cores, where its notes are as clear to the listener as the real notes' round trip."""
MODELS = ("gan", "vae")
"""The zoo's generators by name (:func:`sample_model`)."""
DIFFUSION_STEPS = 600
"""The default training steps of the zoo's diffusion model (about 13 s on 2 cores)."""


@dataclass
class TrainedModels:
    """The data, the evaluation classifier and the two generators of one configuration.

    Attributes
    ----------
    data : MelImageDataset
        Training and held-out images.
    classifier : MelClassifier
        The image classifier (eval mode): scores *on the images*, labelled ``image_``
        (:func:`aigc_kit.evaluation.heard_and_seen`); the scores people hear come from an
        :class:`aigc_kit.evaluation.AudioJudge` (vocoder and listener).
    gan : TrainedGAN
        The GAN of :func:`zoo_recipe` (its recipe is ``gan.recipe``); sample it with
        ``sample(models.gan, n, seed=...)`` (the averaged generator; a conditional GAN
        makes every class equally often unless given ``labels=``).
    vae : VAE
        MLP VAE with a 16-D latent space (eval mode).
    meta : dict
        Settings, steps trained, classifier accuracy, whether it came from the cache.

    Notes
    -----
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """

    data: MelImageDataset
    classifier: MelClassifier
    gan: TrainedGAN
    vae: VAE
    meta: dict[str, Any] = field(default_factory=dict)


def zoo_recipe(dataset: str) -> GANRecipe:
    """The GAN recipe the zoo trains for ``dataset`` (see :data:`ZOO_RECIPES`).

    Notes
    -----
    Taught in ``06_project_audio_gan`` and ``07_evaluation``.
    """
    if dataset not in ZOO_RECIPES:
        raise ValueError(f"unknown dataset {dataset!r}; the zoo has {sorted(ZOO_RECIPES)}")
    return ZOO_RECIPES[dataset]


def trained_models(
    dataset: str = "notes",
    gan_seconds: float = GAN_SECONDS,
    vae_seconds: float = 5.0,
    classifier_epochs: int = 40,
    seed: int = 0,
    device: str | torch.device | None = None,
    cache: bool = True,
) -> TrainedModels:
    """Load (or train and cache) the classifier, the MLP GAN and the MLP VAE of chapter 6.

    Parameters
    ----------
    dataset : {"notes", "fsdd"}
        Which mel-image dataset (:func:`aigc_kit.features.mel_datasets.load_mel_dataset`).
    gan_seconds, vae_seconds : float
        Training budgets in seconds (wall clock) of the GAN and the VAE.
    classifier_epochs : int
        Epochs of the evaluation classifier.
    seed : int
        Seed of data, initialisation and training.
    device : str or torch.device, optional
        Where to train; default :func:`aigc_kit.get_device`.
    cache : bool
        Load a checkpoint of the same settings if there is one, save one after training.

    Returns
    -------
    TrainedModels
        ``meta["cached"]`` says whether the weights came from the cache.

    Notes
    -----
    Time budgets make training depend on the machine's speed, so a cached model is reused
    by later notebooks rather than retrained. A damaged cache file (or one from another
    version) is reported with a warning, retrained and overwritten.
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """
    device = get_device(device)
    recipe = zoo_recipe(dataset)
    settings = zoo_settings(dataset, gan_seconds, vae_seconds, classifier_epochs, seed, recipe)
    data = load_mel_dataset(dataset, seed=seed)
    models = build_models(data, recipe, seed)
    path = _cache_path(settings)
    if cache and path.is_file():
        stored = _load_cached(path, _modules(models), settings, "a GAN", "models")
        if stored is not None:
            return _finish(models, device, {**stored, "cached": True, "path": str(path)})
    trained = _train(models, settings, device)
    if cache:
        save_checkpoint(path, _modules(models), meta={"trained": trained})
    return _finish(models, device, {**trained, "cached": False, "path": str(path)})


def _load_cached(path: Path, modules: dict[str, torch.nn.Module], settings: dict[str, Any],
                 what: str, label: str, keys: tuple[str, ...] = ("recipe",)
                 ) -> dict[str, Any] | None:
    """The ``trained`` meta of the checkpoint at ``path``, its weights loaded into ``modules``;
    None, with a warning naming why and ``modules`` untouched, when the file is damaged or
    holds another ``keys`` setting than ``settings`` (``what``: "a GAN"; ``label``:
    "models", as in the message)."""

    def same_settings(meta: dict[str, Any]) -> None:
        stored = meta.get("trained", {})
        for key in keys:
            if stored.get(key) != settings[key]:
                raise CheckpointError(f"{path} holds {what} of {key} {stored.get(key)}, not "
                                      f"the requested {settings[key]}")

    try:
        return load_checkpoint(path, modules, check=same_settings).get("trained", {})
    except CheckpointError as err:
        warnings.warn(f"ignoring the cached {label} ({err}); training again", RuntimeWarning,
                      stacklevel=3)
        return None


def zoo_settings(dataset: str, gan_seconds: float, vae_seconds: float, classifier_epochs: int,
                 seed: int, recipe: GANRecipe | None = None) -> dict[str, Any]:
    """The settings that key the cache (budgets as floats, the GAN recipe in full).

    ``recipe`` defaults to :func:`zoo_recipe` of the dataset; a changed recipe is another
    key, so it never loads stale weights.

    Notes
    -----
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """
    return {"dataset": dataset, "gan_seconds": float(gan_seconds),
            "vae_seconds": float(vae_seconds), "classifier_epochs": int(classifier_epochs),
            "seed": int(seed), "recipe": repr(recipe or zoo_recipe(dataset))}


def build_models(data: MelImageDataset, recipe: GANRecipe | None = None,
                 seed: int = 0) -> TrainedModels:
    """Untrained zoo models for ``data``: classifier, the recipe's GAN, the MLP VAE.

    Notes
    -----
    ``06_project_audio_gan`` trains these and hands them to :func:`remember_models`.
    """
    shape, recipe = data.spec.shape, recipe or zoo_recipe(data.name)
    return TrainedModels(
        data, MelClassifier(n_classes=data.n_classes, in_shape=shape),
        TrainedGAN(recipe, recipe.build(data, seed=seed)),
        VAE(MLPEncoder(shape, VAE_LATENT), MLPDecoder(VAE_LATENT, shape)))


def remember_models(models: TrainedModels, settings: dict[str, Any]) -> Path:
    """Cache models trained elsewhere (chapter 6) under ``settings`` for the later chapters.

    Parameters
    ----------
    models : TrainedModels
        Trained as :func:`trained_models` would: the classifier, the GAN with its parts
        (averaged generator and prior included) and the VAE.
    settings : dict
        From :func:`zoo_settings`, with the budgets and recipe actually used;
        ``models.meta`` should hold ``gan_steps`` and ``vae_steps``.

    Returns
    -------
    Path
        The checkpoint that :func:`trained_models` with the same settings loads.

    Notes
    -----
    Taught in ``07_evaluation`` and ``08_interaction_feedback_loop``.
    """
    path = _cache_path(settings)
    trained = {**settings, "gan_steps": models.meta.get("gan_steps"),
               "vae_steps": models.meta.get("vae_steps"), "trained_by": "06_project_audio_gan"}
    save_checkpoint(path, _modules(models), meta={"trained": trained})
    return path


def _modules(models: TrainedModels) -> dict[str, torch.nn.Module]:
    parts = {f"gan_{k}": v for k, v in models.gan.parts.modules().items()}
    return {"classifier": models.classifier, "vae": models.vae, **parts}


def _train(models: TrainedModels, settings: dict[str, Any],
           device: torch.device) -> dict[str, Any]:
    seed, data = settings["seed"], models.data
    train_classifier(models.classifier, data.x_train, data.y_train,
                     epochs=settings["classifier_epochs"], lr=3e-3,
                     run=RunConfig(seed=seed, device=device, progress=False))
    gan = train_recipe(models.gan.recipe, data,
                       RunConfig(steps=None, max_seconds=settings["gan_seconds"], seed=seed,
                                 device=device, progress=False), parts=models.gan.parts)
    models.gan.result = gan.result
    vae = train_vae(models.vae, data.x_train,
                    run=RunConfig(steps=None, max_seconds=settings["vae_seconds"], seed=seed,
                                  device=device, progress=False))
    if not (gan.result.ok and vae.ok):
        raise RuntimeError(f"training failed: GAN {gan.result.stopped}; VAE {vae.stopped}")
    return {**settings, "gan_steps": gan.result.steps, "vae_steps": vae.steps}


def _finish(models: TrainedModels, device: torch.device, meta: dict[str, Any]) -> TrainedModels:
    for model in _modules(models).values():
        model.to(device).eval()
    data = models.data
    meta["classifier_accuracy"] = evaluate_classifier(models.classifier, data.x_test,
                                                      data.y_test, device=device)
    models.meta = meta
    return models


def _cache_path(settings: dict[str, Any]) -> Path:
    return cached_model_path(settings["dataset"], settings)


def sample_model(models: TrainedModels, model: str, n_samples: int, seed: int,
                 labels: torch.Tensor | None = None) -> torch.Tensor:
    """Draw ``n_samples`` images from the zoo's GAN or from its VAE's prior, reproducibly.

    Both are drawn with :func:`aigc_kit.generation.sample` (a private CPU generator seeded
    by ``seed``, eval mode).

    Parameters
    ----------
    models : TrainedModels
        From :func:`trained_models`.
    model : {"gan", "vae"}
        Which generator.
    n_samples : int
        Number of images.
    seed : int
        Seed of the latent codes (a private generator; the global RNG is untouched).
    labels : torch.Tensor of int, shape (n_samples,), optional
        Classes to ask a conditional GAN for (default: every class equally often);
        refused for the VAE and for an unconditional GAN.

    Returns
    -------
    torch.Tensor, shape (n_samples, 1, n_mels, n_frames)
        Images in [-1, 1], on the CPU.

    Notes
    -----
    Used by ``07_evaluation`` and the report notebook (``report_model``).
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if model == "vae" and labels is not None:
        raise ValueError("sample_model: the zoo's VAE is not conditional; sample it without "
                         "labels")
    return sample(models.gan if model == "gan" else models.vae, n_samples, seed=seed,
                  labels=labels)


@dataclass
class TrainedDiffusion:
    """A trained diffusion model with its recipe and where it came from.

    Attributes
    ----------
    model : DiffusionModel
        In eval mode; sample it with ``sample(trained.model, n, seed=...)`` (every class
        equally often unless given ``labels=``).
    recipe : DiffusionRecipe
        How it was built and trained.
    meta : dict
        Settings (:func:`diffusion_settings`), steps, seconds, whether it came from the cache.

    Notes
    -----
    Taught in ``06b_project_audio_diffusion``.
    """

    model: DiffusionModel
    recipe: DiffusionRecipe
    meta: dict[str, Any] = field(default_factory=dict)


def diffusion_settings(data: MelImageDataset, steps: int, seed: int,
                       recipe: DiffusionRecipe = DIFFUSION_RECIPE) -> dict[str, Any]:
    """The settings that key the diffusion model's cache: data set, spec, steps, seed, recipe.

    The budget is a number of steps, not seconds, so a cached model is the same on every
    machine. Another schedule, target or spec is another key, and a file at the key that
    holds another one is refused (:func:`trained_diffusion`).

    Notes
    -----
    Taught in ``06b_project_audio_diffusion``.
    """
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return {"dataset": data.name, "model": "diffusion", "spec": repr(data.spec),
            "steps": steps, "seed": int(seed), "recipe": repr(recipe)}


def trained_diffusion(dataset: str = "notes", steps: int = DIFFUSION_STEPS, seed: int = 0,
                      recipe: DiffusionRecipe = DIFFUSION_RECIPE,
                      device: str | torch.device | None = None,
                      cache: bool = True) -> TrainedDiffusion:
    """Load (or train for ``steps`` and cache) the zoo's diffusion model of ``dataset``.

    Parameters
    ----------
    dataset : {"notes", "fsdd"}
        Which mel-image data set.
    steps : int
        Training steps (batches).
    seed : int
        Seed of data, initialisation and training.
    recipe : DiffusionRecipe
        How to build and train it.
    device : str or torch.device, optional
        Where to train; default :func:`aigc_kit.get_device`.
    cache : bool
        Load a checkpoint of the same settings if there is one, save one after training.

    Returns
    -------
    TrainedDiffusion
        ``meta["cached"]`` says whether the weights came from the cache.

    Warns
    -----
    RuntimeWarning
        A damaged cache file, or one holding another recipe or spec (both named), is
        ignored, and the model retrained and saved over it.

    Notes
    -----
    Taught in ``06b_project_audio_diffusion`` (which trains it live and hands it on with
    :func:`remember_diffusion`).
    """
    device = get_device(device)
    data = load_mel_dataset(dataset, seed=seed)
    settings = diffusion_settings(data, steps, seed, recipe)
    model, path = recipe.build(data, seed=seed), cached_model_path(dataset, settings)
    if cache and path.is_file():
        stored = _load_cached(path, {"diffusion": model}, settings, "a diffusion model",
                              "diffusion model", ("recipe", "spec"))
        if stored is not None:
            return TrainedDiffusion(model.to(device).eval(), recipe,
                                    {**stored, "cached": True, "path": str(path)})
    model, result = recipe.train(data, RunConfig(steps=steps, seed=seed, device=device,
                                                 progress=False), model)
    trained = TrainedDiffusion(model, recipe, {**settings, "seconds": result.seconds})
    if cache:
        remember_diffusion(trained, settings)
    return TrainedDiffusion(model, recipe, {**trained.meta, "cached": False, "path": str(path)})


def remember_diffusion(trained: TrainedDiffusion, settings: dict[str, Any]) -> Path:
    """Cache a diffusion model trained elsewhere (the chapter) under ``settings``.

    Parameters
    ----------
    trained : TrainedDiffusion
        Trained as :func:`trained_diffusion` would (same recipe, steps and seed).
    settings : dict
        From :func:`diffusion_settings`.

    Returns
    -------
    Path
        The checkpoint :func:`trained_diffusion` with the same settings loads.

    Notes
    -----
    Taught in ``06b_project_audio_diffusion``.
    """
    path = cached_model_path(settings["dataset"], settings)
    save_checkpoint(path, {"diffusion": trained.model},
                    meta={"trained": {**settings, "seconds": trained.meta.get("seconds")}})
    return path
