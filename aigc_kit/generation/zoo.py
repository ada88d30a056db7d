"""Chapter 6's models, trained once and cached: the listener, the GAN and the VAE.

``07_evaluation``, ``08_interaction_feedback_loop`` and the report notebook all need a
trained evaluation classifier, the source's MLP GAN and the MLP VAE on the same data.
:func:`trained_models` trains them with the recipes of ``06_project_audio_gan`` and saves
them as a checkpoint (loaded back with ``weights_only=True`` and checked, see
:mod:`aigc_kit.runtime.checkpoint`) under ``data/cache/models/``, keyed by every setting, so the
second notebook loads in a second what the first one trained.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aigc_kit.evaluation.generative import frechet_distance, generation_report
from aigc_kit.features.mel_datasets import MelImageDataset, load_mel_dataset
from aigc_kit.models.classifier import MelClassifier
from aigc_kit.models.mlp import (
    VAE,
    MLPDecoder,
    MLPDiscriminator,
    MLPEncoder,
    MLPGenerator,
)
from aigc_kit.runtime.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from aigc_kit.runtime.device import get_device
from aigc_kit.runtime.paths import data_dir
from aigc_kit.training.trainers import evaluate_classifier, train_classifier, train_gan, train_vae

GAN_LATENT = 100
VAE_LATENT = 16


@dataclass
class TrainedModels:
    """The data, the evaluation classifier and the two generators of one configuration.

    Attributes
    ----------
    data : MelImageDataset
        Training and held-out images.
    classifier : MelClassifier
        The listener (eval mode).
    generator : MLPGenerator
        The source's GAN generator, batch norm + R1 recipe (eval mode).
    vae : VAE
        MLP VAE with a 16-D latent space (eval mode).
    meta : dict
        Settings, steps trained, classifier accuracy, whether it came from the cache.
    """

    data: MelImageDataset
    classifier: MelClassifier
    generator: MLPGenerator
    vae: VAE
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, images: torch.Tensor) -> np.ndarray:
        """The classifier's class probabilities ``(n, n_classes)`` for images ``(n, 1, M, F)``."""
        return self.classifier.predict_proba(images.cpu()).numpy()

    def features(self, images: torch.Tensor) -> np.ndarray:
        """The classifier's penultimate features ``(n, d)``, the space of Fréchet distances."""
        device = next(self.classifier.parameters()).device
        with torch.no_grad():
            return self.classifier.eval().features(images.to(device)).cpu().numpy()

    def scores(self, images: torch.Tensor) -> dict[str, float]:
        """IS ratio, coverage and Fréchet distance of ``images`` against the held-out set."""
        report = generation_report(self.probabilities(images),
                                   self.probabilities(self.data.x_test))
        report["frechet"] = frechet_distance(self.features(images),
                                             self.features(self.data.x_test))
        return report


def trained_models(
    dataset: str = "notes",
    gan_seconds: float = 15.0,
    vae_seconds: float = 6.0,
    classifier_epochs: int = 40,
    seed: int = 0,
    device: str | torch.device | None = None,
    cache: bool = True,
) -> TrainedModels:
    """Train (or load from the cache) the classifier, the MLP GAN and the MLP VAE.

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
    """
    device = get_device(device)
    settings = {"dataset": dataset, "gan_seconds": gan_seconds, "vae_seconds": vae_seconds,
                "classifier_epochs": classifier_epochs, "seed": seed}
    data = load_mel_dataset(dataset, seed=seed)
    models = _build(data)
    path = _cache_path(settings)
    if cache and path.is_file():
        try:
            meta = load_checkpoint(path, models)
            return _finish(data, models, device, {**meta.get("trained", {}), "cached": True,
                                                  "path": str(path)})
        except CheckpointError as err:
            warnings.warn(f"ignoring the cached models ({err}); training again",
                          RuntimeWarning, stacklevel=2)
    trained = _train(data, models, settings, device)
    if cache:
        save_checkpoint(path, models, meta={"trained": trained})
    return _finish(data, models, device, {**trained, "cached": False, "path": str(path)})


def _build(data: MelImageDataset) -> dict[str, torch.nn.Module]:
    shape = data.spec.shape
    return {
        "classifier": MelClassifier(n_classes=data.n_classes, in_shape=shape),
        "generator": MLPGenerator(GAN_LATENT, shape, batch_norm=True),
        "discriminator": MLPDiscriminator(shape),
        "vae": VAE(MLPEncoder(shape, VAE_LATENT), MLPDecoder(VAE_LATENT, shape)),
    }


def _train(data: MelImageDataset, models: dict[str, torch.nn.Module],
           settings: dict[str, Any], device: torch.device) -> dict[str, Any]:
    seed = settings["seed"]
    train_classifier(models["classifier"], data.x_train, data.y_train,
                     epochs=settings["classifier_epochs"], lr=3e-3, device=device, seed=seed,
                     progress=False)
    gan = train_gan(models["generator"], models["discriminator"], data.x_train,
                    latent_dim=GAN_LATENT, steps=None, max_seconds=settings["gan_seconds"],
                    r1_gamma=1.0, device=device, seed=seed, progress=False)
    vae = train_vae(models["vae"], data.x_train, steps=None,
                    max_seconds=settings["vae_seconds"], device=device, seed=seed,
                    progress=False)
    if not (gan.ok and vae.ok):
        raise RuntimeError(f"training failed: GAN {gan.stopped}; VAE {vae.stopped}")
    return {**settings, "gan_steps": gan.steps, "vae_steps": vae.steps}


def _finish(data: MelImageDataset, models: dict[str, torch.nn.Module], device: torch.device,
            meta: dict[str, Any]) -> TrainedModels:
    for model in models.values():
        model.to(device).eval()
    meta["classifier_accuracy"] = evaluate_classifier(models["classifier"], data.x_test,
                                                      data.y_test, device=device)
    return TrainedModels(data, models["classifier"], models["generator"], models["vae"], meta)


def _cache_path(settings: dict[str, Any]) -> Path:
    from aigc_kit import __version__

    key = json.dumps({**settings, "kit": __version__, "torch": torch.__version__},
                     sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return data_dir() / "cache" / "models" / f"{settings['dataset']}-{digest}.pt"
