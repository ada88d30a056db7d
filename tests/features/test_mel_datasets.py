"""Tests of aigc_kit.features.mel_datasets: the labelled image sets of the GAN chapters."""

import pytest
import torch

from aigc_kit.features import (
    FSDD_SPEC,
    NOTES_SPEC,
    fsdd_images,
    load_mel_dataset,
    note_class_names,
    notes_images,
)


def test_notes_split_holds_new_variations_of_every_class():
    data = load_mel_dataset("notes", seed=0, n_variants=2)
    assert data.n_classes == 48 and data.x_train.shape == (96, *data.spec.shape)
    assert len(data.x_test) == 48 and set(data.y_test.tolist()) == set(range(48))
    # Same classes, other random variations: no held-out image equals a training image.
    distance = torch.cdist(data.x_test.flatten(1), data.x_train.flatten(1)).min()
    assert distance > 1.0
    half = data.fraction(0.5, seed=1)
    assert len(half.x_train) == 48 and len(half.x_test) == len(data.x_test)


def test_fsdd_split_and_unknown_name():
    data = load_mel_dataset("fsdd")
    assert (len(data.x_train), len(data.x_test), data.n_classes) == (2700, 300, 10)
    with pytest.raises(ValueError, match="unknown dataset 'sc09'"):
        load_mel_dataset("sc09")
    with pytest.raises(ValueError, match="share"):
        data.fraction(0.0)


def test_notes_images_labels():
    images, labels = notes_images(n_variants=1, pitches=[60, 62], timbres=["organ", "bell"])
    assert images.shape == (4, *NOTES_SPEC.shape)
    names = note_class_names([60, 62], ["organ", "bell"])
    assert names == ["organ C4", "organ D4", "bell C4", "bell D4"]
    assert sorted(labels["label"]) == [0, 1, 2, 3]
    for _, row in labels.iterrows():
        assert names[row["label"]] == row["class_name"] == f"{row['timbre']} {row['note']}"


def test_fsdd_images_labels_are_digits():
    images, labels = fsdd_images("test", digits=[3, 7])
    assert images.shape == (60, *FSDD_SPEC.shape)  # takes 0-4 of 6 speakers x 2 digits
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert set(labels["label"]) == {3, 7} and (labels["label"] == labels["digit"]).all()
