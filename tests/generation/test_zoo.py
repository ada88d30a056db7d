import dataclasses
from pathlib import Path

import pytest
import torch

import aigc_kit.generation.zoo as zoo
from aigc_kit.evaluation import heard_and_seen, judge_for
from aigc_kit.features import load_mel_dataset
from aigc_kit.generation import (
    DIFFUSION_RECIPE,
    HARMONIC_RECIPE,
    KIT_RECIPE,
    TrainedModels,
    build_models,
    diffusion_settings,
    remember_models,
    sample,
    sample_model,
    trained_diffusion,
    trained_models,
    zoo_recipe,
    zoo_settings,
)
from aigc_kit.runtime.checkpoint import cached_model_path
from aigc_kit.training import RunConfig, predict, train_classifier


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    return tmp_path / "cache" / "models"


def test_trained_models_are_cached_and_reloaded_identically(cache_dir):
    settings = {"gan_seconds": 0.5, "vae_seconds": 0.5, "classifier_epochs": 2, "device": "cpu"}
    first = trained_models(**settings)
    assert not first.meta["cached"] and first.meta["gan_steps"] > 0
    [path] = cache_dir.glob("notes-*.pt")
    second = trained_models(**settings)
    assert second.meta["cached"] and second.meta["gan_steps"] == first.meta["gan_steps"]
    assert first.gan.recipe == HARMONIC_RECIPE == zoo_recipe("notes")
    assert first.gan.parts.ema is not None and zoo_recipe("fsdd") == KIT_RECIPE
    assert torch.equal(sample(first.gan, 8, seed=3), sample(second.gan, 8, seed=3))
    assert torch.equal(sample_model(first, "vae", 8, 3), sample_model(second, "vae", 8, 3))
    with pytest.raises(ValueError, match=r"the zoo has \['fsdd', 'notes'\]"):
        zoo_recipe("speech")
    # scored by the evaluation stage: real held-out images are heard closer to the real
    # recordings than noise images are (the same judge, the same reference)
    data, judge = second.data, judge_for("notes", second.data.spec)
    real = heard_and_seen(data.x_test[:64], judge, second.classifier, data)
    noise = heard_and_seen(torch.rand(64, *data.spec.shape) * 2 - 1, judge, second.classifier,
                           data)
    assert {"is_ratio", "image_is_ratio", "image_coverage", "image_frechet"} <= set(real)
    assert real["frechet"] < noise["frechet"] and real["coverage"] > noise["coverage"]
    assert real["image_frechet"] < noise["image_frechet"]
    silent = dataclasses.replace(data, audio_test=None)
    with pytest.raises(ValueError, match="'notes' holds no held-out audio"):
        heard_and_seen(data.x_test[:4], judge, second.classifier, silent)
    with pytest.raises(ValueError, match="model must be one of"):
        sample_model(second, "diffusion", 2, 0)
    asked = sample_model(second, "gan", 2, 0, labels=torch.tensor([0, 47]))
    assert asked.shape == (2, *data.spec.shape)
    with pytest.raises(ValueError, match="VAE is not conditional"):
        sample_model(second, "vae", 2, 0, labels=torch.tensor([0, 47]))

    path.write_bytes(path.read_bytes()[:-100])  # a damaged cache is trained again
    with pytest.warns(RuntimeWarning, match="ignoring the cached models"):
        third = trained_models(**settings)
    assert not third.meta["cached"]
    assert trained_models(**settings).meta["cached"]


def test_models_remembered_by_chapter_6_are_the_ones_later_chapters_load(cache_dir, monkeypatch):
    settings = zoo_settings("notes", gan_seconds=3.0, vae_seconds=2.0, classifier_epochs=1,
                            seed=0)
    models = trained_models(cache=False, gan_seconds=0.3, vae_seconds=0.3, classifier_epochs=1,
                            device="cpu")
    # "chapter 6": train its own classifier a little more, then hand everything on
    train_classifier(models.classifier, models.data.x_train, models.data.y_train, epochs=1,
                     run=RunConfig(seed=5, progress=False))
    models.meta = {"gan_steps": 7, "vae_steps": 9}
    path = remember_models(models, settings)
    assert path.is_file() and path.parent == cache_dir
    loaded = trained_models(gan_seconds=3.0, vae_seconds=2.0, classifier_epochs=1,
                            device="cpu")
    assert loaded.meta["cached"] and loaded.meta["trained_by"] == "06_project_audio_gan"
    assert loaded.meta["gan_steps"] == 7 and loaded.meta["vae_steps"] == 9
    x = models.data.x_test[:16]
    mine, theirs = models.classifier.state_dict(), loaded.classifier.state_dict()
    assert mine.keys() == theirs.keys() and all(torch.equal(mine[k], theirs[k]) for k in mine)
    # the same weights; the trained copy's convolutions run channels-last (training.place),
    # the loaded one's in the default order: the same predictions up to float rounding
    assert torch.allclose(predict(loaded.classifier, x), predict(models.classifier, x),
                          atol=1e-5)
    assert torch.allclose(sample(loaded.gan, 4, seed=1), sample(models.gan, 4, seed=1),
                          atol=1e-5)
    # another recipe is another cache entry: its checkpoint never overwrites this one
    other = zoo_settings("notes", 3.0, 2.0, 1, 0, HARMONIC_RECIPE.replace(r1_gamma=2.0))
    assert remember_models(models, other) != path
    assert sorted(cache_dir.glob("notes-*.pt")) == sorted([path, remember_models(models, other)])
    # a checkpoint of another recipe found where this recipe's belongs is refused, naming both
    path.write_bytes(cached_model_path("notes", other).read_bytes())
    started_from = []
    real_train = zoo._train

    def spy(models, settings, device):
        started_from.append(models.classifier.state_dict())
        return real_train(models, settings, device)

    monkeypatch.setattr(zoo, "_train", spy)
    with pytest.warns(RuntimeWarning, match=r"holds a GAN of recipe .*r1_gamma=2\.0.*not the "
                                            r"requested .*r1_gamma=1\.0"):
        trained_models(gan_seconds=3.0, vae_seconds=2.0, classifier_epochs=1, device="cpu",
                       cache=True)
    # the refused file's weights were loaded to be checked; training starts from fresh ones
    refused = models.classifier.state_dict()
    assert len(started_from) == 1
    assert not any(torch.equal(started_from[0][k], refused[k]) for k in refused
                   if refused[k].is_floating_point() and refused[k].numel() > 1)


def test_build_models_gives_untrained_models_of_the_recipe():
    from aigc_kit.features import load_mel_dataset

    data = load_mel_dataset("notes", seed=0, n_variants=2)
    recipe = KIT_RECIPE.replace(mixture_components=0)
    models = build_models(data, recipe, seed=0)
    assert isinstance(models, TrainedModels) and models.gan.parts.prior is None
    assert sample(models.gan, 3, seed=0).shape == (3, *data.spec.shape)
    assert models.classifier.n_classes == data.n_classes == 48
    assert models.classifier.in_shape == models.vae.decoder.out_shape == data.spec.shape
    # the seed places the prior's centres; the weights follow the global RNG
    assert build_models(data).gan.recipe == HARMONIC_RECIPE  # the zoo's recipe for notes
    mixture = KIT_RECIPE.replace(mixture_components=5)
    torch.manual_seed(3)
    first = build_models(data, mixture, seed=0)
    torch.manual_seed(3)
    again, other = build_models(data, mixture, seed=0), build_models(data, mixture, seed=1)
    assert torch.equal(first.gan.parts.prior.centres, again.gan.parts.prior.centres)
    assert not torch.equal(first.gan.parts.prior.centres, other.gan.parts.prior.centres)
    assert all(torch.equal(a, b) for a, b in zip(first.gan.parts.generator.parameters(),
                                                 again.gan.parts.generator.parameters(),
                                                 strict=True))


def test_the_diffusion_model_is_cached_reloaded_and_a_stale_file_refused(cache_dir):
    small = DIFFUSION_RECIPE.replace(hidden=(32, 32), sampling_steps=5)
    first = trained_diffusion(steps=3, recipe=small, device="cpu")
    assert not first.meta["cached"] and first.meta["steps"] == 3
    second = trained_diffusion(steps=3, recipe=small, device="cpu")
    assert second.meta["cached"] and second.recipe == small
    assert torch.equal(sample(first.model, 6, seed=1), sample(second.model, 6, seed=1))
    # a file at another recipe's key (stale or copied by hand) is refused, naming both
    linear = small.replace(schedule="linear")
    data = load_mel_dataset("notes")
    stale = cached_model_path("notes", diffusion_settings(data, 3, 0, linear))
    stale.write_bytes(Path(first.meta["path"]).read_bytes())
    with pytest.warns(RuntimeWarning, match=r"recipe DiffusionRecipe\(.*schedule='cosine'.*"
                                            r"not the requested .*schedule='linear'"):
        third = trained_diffusion(steps=3, recipe=linear, device="cpu")
    assert not third.meta["cached"] and third.model.schedule.kind == "linear"
    assert trained_diffusion(steps=3, recipe=linear, device="cpu").meta["cached"]
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        diffusion_settings(data, 0, 0)
