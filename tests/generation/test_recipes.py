"""The named GAN recipes: defined once, built and trained the same way everywhere."""

import dataclasses

import pytest
import torch

from aigc_kit.features.mel_datasets import MelImageDataset
from aigc_kit.features.mel_images import MelSpec
from aigc_kit.generation import (
    BN_R1_RECIPE,
    CONDITIONAL_RECIPE,
    HARMONIC_RECIPE,
    KIT_RECIPE,
    RECIPES,
    SOURCE_RECIPE,
    build_parts,
    get_recipe,
    mixed_precision,
    sample,
    train_recipe,
)
from aigc_kit.models import (
    ConvGenerator,
    HarmonicGenerator,
    LabelConditioned,
    MixturePrior,
    MLPGenerator,
    ProjectionDiscriminator,
)
from aigc_kit.training import GANConfig, RunConfig

SHAPE = (1, 8, 8)


def test_the_recipes_are_what_the_course_says():
    assert set(RECIPES) == {"source", "bn-r1", "kit", "conditional", "harmonic"}
    assert HARMONIC_RECIPE.conditional and HARMONIC_RECIPE.generator == "harmonic"
    assert CONDITIONAL_RECIPE.conditional and CONDITIONAL_RECIPE.generator == "mlp"
    assert not SOURCE_RECIPE.batch_norm and SOURCE_RECIPE.training == GANConfig()
    assert BN_R1_RECIPE.batch_norm and BN_R1_RECIPE.training.r1_gamma == 1.0
    kit = KIT_RECIPE.training
    assert KIT_RECIPE.mixture_components == 200 and KIT_RECIPE.ema
    assert (kit.batch_size, kit.r1_gamma, kit.r1_every, kit.reuse_fakes) == (32, 1.0, 4, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        KIT_RECIPE.ema = False


def test_replace_routes_hyperparameters_to_the_training_config():
    variant = KIT_RECIPE.replace(r1_gamma=0.1, mixture_components=48, batch_size=16)
    assert variant.mixture_components == 48 and variant.training.r1_gamma == 0.1
    assert variant.training.batch_size == 16 and variant.training.r1_every == 4
    assert KIT_RECIPE.training.r1_gamma == 1.0  # the original is untouched
    with pytest.raises(TypeError, match="unknown setting"):
        KIT_RECIPE.replace(r1_gama=0.1)
    with pytest.raises(ValueError, match="mixture_components"):
        KIT_RECIPE.replace(mixture_components=-1)


def test_build_makes_the_recipe_s_parts():
    kit = KIT_RECIPE.build(SHAPE, seed=3)
    assert isinstance(kit.generator, MLPGenerator) and isinstance(kit.prior, MixturePrior)
    assert kit.prior.n_components == 200 and kit.ema is not None and kit.sampled is kit.ema
    assert set(kit.modules()) == {"generator", "discriminator", "prior", "ema"}
    source = SOURCE_RECIPE.build(SHAPE)
    assert source.prior is None and source.ema is None and source.sampled is source.generator
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in source.generator.modules())
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in kit.generator.modules())
    assert isinstance(BN_R1_RECIPE.build((1, 32, 32), arch="conv").generator, ConvGenerator)
    with pytest.raises(ValueError, match="arch must be one of"):
        KIT_RECIPE.build(SHAPE, arch="transformer")


def test_train_recipe_is_reproducible_and_samples_through_the_prior():
    data = torch.rand(64, *SHAPE) * 2 - 1
    run = RunConfig(steps=6, seed=1, progress=False)
    recipe = KIT_RECIPE.replace(batch_size=16, mixture_components=5)
    a = train_recipe(recipe, data, run, precision="float32")
    b = train_recipe(recipe, data, run, precision="float32")
    assert a.result.ok and a.result.steps == 6
    assert torch.equal(sample(a, 5, seed=2), sample(b, 5, seed=2))
    assert sample(a, 5, seed=2).shape == (5, *SHAPE)
    assert not torch.equal(sample(a, 5, seed=2), sample(a, 5, seed=3))
    parts = build_parts(recipe, data, run)
    trained = train_recipe(recipe, data, run, parts=parts, precision="float32")
    assert trained.parts is parts  # the modules a callback may hold are the ones trained


def test_precision_names_are_checked():
    assert mixed_precision("float32") is False and mixed_precision("bfloat16") is True
    with pytest.raises(ValueError, match="precision must be one of"):
        mixed_precision("fp8")


SPEC = MelSpec(sr=8000, n_fft=128, hop_length=64, n_mels=16, n_frames=8)


def tiny_notes(n_per_class: int = 4) -> MelImageDataset:
    """A made-up notes dataset: 3 classes named like notes, random images."""
    names = ["organ C4", "organ D4", "bell E4"]
    labels = torch.arange(3).repeat(n_per_class)
    images = torch.rand(len(labels), *SPEC.shape) * 2 - 1
    return MelImageDataset("notes", SPEC, images, labels, images[:3], labels[:3], names)


def test_get_recipe_names_the_recipes_when_asked_for_another():
    assert get_recipe("harmonic") is HARMONIC_RECIPE
    with pytest.raises(KeyError, match=r"no GAN recipe named 'hamonic'.*'harmonic'.*'kit'"):
        get_recipe("hamonic")


def test_conditional_recipes_build_their_networks_from_the_dataset():
    data = tiny_notes()
    harmonic = HARMONIC_RECIPE.build(data)
    assert isinstance(harmonic.generator, HarmonicGenerator)
    assert isinstance(harmonic.discriminator, ProjectionDiscriminator)
    assert harmonic.generator.class_midi.tolist() == [60, 62, 64]
    conditional = CONDITIONAL_RECIPE.build(data)
    assert isinstance(conditional.generator, LabelConditioned)
    with pytest.raises(ValueError, match="class-conditional.*MelImageDataset"):
        CONDITIONAL_RECIPE.build(SPEC.shape)
    with pytest.raises(ValueError, match="harmonic generator"):
        HARMONIC_RECIPE.build(data, arch="conv")
    digits = MelImageDataset("fsdd", SPEC, data.x_train, data.y_train, data.x_test,
                             data.y_test, ["0", "1", "2"])
    with pytest.raises(ValueError, match="not notes"):
        HARMONIC_RECIPE.build(digits)
    with pytest.raises(ValueError, match="needs conditional=True"):
        HARMONIC_RECIPE.replace(conditional=False)


@pytest.mark.parametrize("recipe", [HARMONIC_RECIPE, CONDITIONAL_RECIPE])
def test_conditional_recipes_train_and_sample_the_classes_asked_for(recipe):
    data = tiny_notes()
    run = RunConfig(steps=4, seed=0, progress=False)
    small = recipe.replace(batch_size=6, latent_dim=8)
    a = train_recipe(small, data, run, precision="float32")
    b = train_recipe(small, data, run, precision="float32")
    assert a.result.ok and a.result.steps == 4
    assert torch.equal(sample(a, 5, seed=1), sample(b, 5, seed=1))
    out = sample(a, 3, seed=1, labels=torch.tensor([0, 1, 2]))
    assert out.shape == (3, *SPEC.shape) and out.min() >= -1 and out.max() <= 1
    with pytest.raises(ValueError, match="MelImageDataset"):
        train_recipe(small, data.x_train, run)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        sample(a, 2, seed=1, labels=torch.tensor([0, 3]))


def test_an_unconditional_gan_refuses_labels():
    trained = train_recipe(SOURCE_RECIPE.replace(batch_size=8, latent_dim=4),
                           torch.rand(16, *SHAPE), RunConfig(steps=1, seed=0, progress=False))
    with pytest.raises(ValueError, match="not class-conditional"):
        sample(trained, 2, seed=0, labels=torch.tensor([0, 1]))
