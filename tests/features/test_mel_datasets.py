import pytest
import torch

from aigc_kit.features import load_mel_dataset


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
