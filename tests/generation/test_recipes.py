"""The named GAN recipes: defined once, built and trained the same way everywhere."""

import dataclasses

import pytest
import torch

from aigc_kit.generation import (
    BN_R1_RECIPE,
    KIT_RECIPE,
    RECIPES,
    SOURCE_RECIPE,
    build_parts,
    mixed_precision,
    sample,
    train_recipe,
)
from aigc_kit.models import ConvGenerator, MixturePrior, MLPGenerator
from aigc_kit.training import GANConfig, RunConfig

SHAPE = (1, 8, 8)


def test_the_three_recipes_are_what_the_course_says():
    assert set(RECIPES) == {"source", "bn-r1", "kit"}
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
