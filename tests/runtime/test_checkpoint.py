import pickle

import pytest
import torch
from torch import nn

import aigc_kit.runtime.checkpoint as ckpt
from aigc_kit.runtime import CheckpointError, load_checkpoint, save_checkpoint


def _net(hidden: int = 8) -> nn.Module:
    return nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.BatchNorm1d(hidden),
                         nn.Linear(hidden, 2))


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


class _Evil:
    """A pickle payload that creates a file when unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_roundtrip_restores_weights_optimiser_and_meta(tmp_path):
    torch.manual_seed(0)
    net = _net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(16, 4)).sum().backward()
    opt.step()
    path = save_checkpoint(tmp_path / "sub" / "net.pt", {"net": net},
                           meta={"step": 3, "config": {"lr": 1e-3}}, optimizers={"net": opt})
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["net.pt"]  # no temporary files left

    torch.manual_seed(1)
    other = _net()
    other_opt = torch.optim.Adam(other.parameters(), lr=1e-3)
    assert not _same_weights(net, other)
    meta = load_checkpoint(path, {"net": other}, optimizers={"net": other_opt})
    assert _same_weights(net, other)
    assert torch.equal(other_opt.state_dict()["state"][0]["exp_avg"],
                       opt.state_dict()["state"][0]["exp_avg"])
    assert meta["step"] == 3 and meta["config"] == {"lr": 1e-3}
    arch = meta["architectures"]["net"]
    assert arch["class"] == "torch.nn.modules.container.Sequential"
    assert arch == ckpt.describe_architecture(other)
    assert "kit_version" in meta
    # The file is plain enough for torch's safe loader.
    assert torch.load(path, weights_only=True)["format"] == ckpt.FORMAT


def test_a_refusing_check_of_the_meta_leaves_the_models_untouched(tmp_path):
    torch.manual_seed(0)
    path = save_checkpoint(tmp_path / "net.pt", {"net": _net()}, meta={"recipe": "A"})
    torch.manual_seed(1)
    other = _net()
    before = {k: v.clone() for k, v in other.state_dict().items()}
    seen = []

    def refuse(meta):
        seen.append(meta["recipe"])
        raise CheckpointError(f"{path} holds recipe {meta['recipe']}, not B")

    with pytest.raises(CheckpointError, match="holds recipe A, not B"):
        load_checkpoint(path, {"net": other}, check=refuse)
    assert seen == ["A"]
    assert all(torch.equal(before[k], v) for k, v in other.state_dict().items())
    assert load_checkpoint(path, {"net": other}, check=seen.append)["recipe"] == "A"
    assert not all(torch.equal(before[k], v) for k, v in other.state_dict().items())


def test_meta_must_be_json(tmp_path):
    with pytest.raises(ValueError, match="JSON"):
        save_checkpoint(tmp_path / "x.pt", {"net": _net()}, meta={"bad": object()})


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt", {"net": _net()})


def test_flipped_bytes_inside_a_tensor_are_detected(tmp_path):
    net = _net()
    with torch.no_grad():
        net[0].weight.copy_(torch.arange(32.0).reshape(8, 4))
    path = save_checkpoint(tmp_path / "net.pt", {"net": net})
    raw = bytearray(path.read_bytes())
    where = raw.find(net[0].weight.detach().numpy().tobytes())
    assert where > 0
    raw[where + 8] ^= 0xFF  # torch.load alone would read this file without complaint
    path.write_bytes(bytes(raw))
    torch.load(path, weights_only=True)
    fresh = _net()
    before = {k: v.clone() for k, v in fresh.state_dict().items()}
    with pytest.raises(CheckpointError, match="truncated or tampered with; re-save it or restore"):
        load_checkpoint(path, {"net": fresh})
    assert all(torch.equal(before[k], v) for k, v in fresh.state_dict().items())


@pytest.mark.parametrize("damage", ["middle", "truncate", "empty"])
def test_damaged_file_raises_checkpoint_error(tmp_path, damage):
    path = save_checkpoint(tmp_path / "net.pt", {"net": _net(256)})
    raw = bytearray(path.read_bytes())
    if damage == "middle":
        mid = len(raw) // 2
        raw[mid:mid + 64] = bytes(b ^ 0xA5 for b in raw[mid:mid + 64])
    elif damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="net.pt.*truncated or tampered with"):
        load_checkpoint(path, {"net": _net(256)})


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"format": ckpt.FORMAT, "models": {"net": _Evil(marker)}}, path)
    with pytest.raises(CheckpointError, match="refuses to run arbitrary code"):
        load_checkpoint(path, {"net": _net()})
    assert not marker.exists()
    # The payload is real: the unsafe loader would have run it.
    torch.load(path, weights_only=False)["models"]["net"].close()
    assert marker.exists()


def test_wrong_architecture_lists_keys_and_shapes(tmp_path):
    path = save_checkpoint(tmp_path / "net.pt", {"net": _net(8)})
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path, {"net": _net(16)})
    msg = str(info.value)
    assert "shape mismatches" in msg and "0.weight: file (8, 4) vs model (16, 4)" in msg
    assert "torch.nn.modules.container.Sequential" in msg

    with pytest.raises(CheckpointError,
                       match=r"missing keys: 1\.weight, 1\.bias; unexpected keys: 2\.weight"):
        load_checkpoint(path, {"net": nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 2))})


def test_missing_model_name_and_foreign_file(tmp_path):
    path = save_checkpoint(tmp_path / "net.pt", {"generator": _net()})
    with pytest.raises(CheckpointError, match=r"no model named 'discriminator'.*\['generator'\]"):
        load_checkpoint(path, {"discriminator": _net()})
    with pytest.raises(CheckpointError, match="no optimiser state named 'generator'"):
        net = _net()
        load_checkpoint(path, {"generator": net},
                        optimizers={"generator": torch.optim.SGD(net.parameters(), lr=0.1)})
    plain = tmp_path / "plain.pt"
    torch.save(_net().state_dict(), plain)
    with pytest.raises(CheckpointError, match="not a checkpoint written by"):
        load_checkpoint(plain, {"net": _net()})


def test_optimiser_state_that_does_not_fit(tmp_path):
    net = _net()
    path = save_checkpoint(tmp_path / "net.pt", {"net": net},
                           optimizers={"net": torch.optim.SGD(net.parameters(), lr=0.1)})
    other = _net()
    wrong = torch.optim.SGD(nn.Linear(3, 3).parameters(), lr=0.1)
    with pytest.raises(CheckpointError, match="optimiser state 'net' does not fit"):
        load_checkpoint(path, {"net": other}, optimizers={"net": wrong})


def test_interrupted_save_never_replaces_a_good_checkpoint(tmp_path, monkeypatch):
    good = _net()
    path = save_checkpoint(tmp_path / "net.pt", {"net": good}, meta={"step": 1})
    original = path.read_bytes()

    def dying_save(obj, f, *args, **kwargs):
        f.write(b"PK\x03\x04 half a checkpoint")
        raise KeyboardInterrupt  # e.g. the user interrupts the kernel mid-save

    monkeypatch.setattr(ckpt.torch, "save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"net": _net()}, meta={"step": 2})
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["net.pt"]
    restored = _net()
    assert load_checkpoint(path, {"net": restored})["step"] == 1
    assert _same_weights(good, restored)


def test_pickle_error_types_are_wrapped(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(pickle.dumps([1, 2, 3], protocol=2)[:-1])
    with pytest.raises(CheckpointError, match="junk.pt"):
        load_checkpoint(path, {"net": _net()})


def test_cached_model_path_is_one_file_per_setting_under_the_cache(tmp_path, monkeypatch):
    from aigc_kit.runtime import cached_model_path

    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    a = cached_model_path("notes", {"recipe": "kit", "seed": 0})
    assert a.parent == tmp_path / "cache" / "models" and a.name.startswith("notes-")
    assert a == cached_model_path("notes", {"seed": 0, "recipe": "kit"})  # key order
    assert a != cached_model_path("notes", {"recipe": "kit", "seed": 1})
    assert a != cached_model_path("voice", {"recipe": "kit", "seed": 0})
    monkeypatch.setattr("aigc_kit.__version__", "9.9.9")
    assert a != cached_model_path("notes", {"recipe": "kit", "seed": 0})  # a new kit
