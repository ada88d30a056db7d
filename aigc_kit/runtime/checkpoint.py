"""Safe checkpoints: atomic saves, and loads that never run code from the file.

A checkpoint is a ``torch.save`` file holding only tensors and plain containers:
``{"format", "meta", "models", "optimizers", "sha256"}``. Saving writes a temporary file
beside the target, flushes it to disk and renames it over the target in one step, so an
interrupted save never replaces a good checkpoint with half a file. Loading always uses
``torch.load(..., weights_only=True)``, which refuses files carrying arbitrary Python objects
(a pickle can run any code while it is read), and checks a SHA-256 digest of the contents,
because ``torch.load`` reads a file with flipped bytes inside a tensor without complaint.
The digest detects corruption and casual edits; it is not a signature against someone who
rewrites the whole file.

Every problem surfaces as :class:`CheckpointError` naming the file and the fix. Taught in
``06_project_audio_gan``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from aigc_kit.runtime.atomic import write_atomically
from aigc_kit.runtime.device import count_parameters
from aigc_kit.runtime.paths import cache_dir

FORMAT = "aigc_kit.runtime.checkpoint/1"
_SHOW = 5  # how many mismatched keys an error message lists


class CheckpointError(ValueError):
    """A checkpoint could not be loaded; the message names the file and the fix.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """


def describe_architecture(model: nn.Module) -> dict[str, Any]:
    """A JSON-able description of a model: class, a hash of its ``repr``, parameter count.

    Two models built with the same class and settings have the same description.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    cls = type(model)
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "repr_sha256": hashlib.sha256(repr(model).encode()).hexdigest()[:16],
        "parameters": count_parameters(model),
    }


def save_checkpoint(
    path: str | os.PathLike,
    models: Mapping[str, nn.Module],
    *,
    meta: Mapping[str, Any] | None = None,
    optimizers: Mapping[str, torch.optim.Optimizer] | None = None,
) -> Path:
    """Write the models' weights (and optionally optimiser states) to ``path`` atomically.

    Parameters
    ----------
    path : str or PathLike
        Target file, e.g. ``"checkpoints/gan.pt"``; missing folders are created.
    models : mapping of str to nn.Module
        The models to save under their names, e.g. ``{"generator": g, "discriminator": d}``.
    meta : mapping, optional
        JSON-serialisable information (step, configuration, ...). The keys ``kit_version``,
        ``torch_version``, ``saved_at`` and ``architectures`` are filled in by the kit.
    optimizers : mapping of str to Optimizer, optional
        Optimiser states to save too (needed to resume training exactly).

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    from aigc_kit import __version__

    path = Path(path)
    try:
        user_meta = json.loads(json.dumps(dict(meta or {})))
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"save_checkpoint: meta must be JSON-serialisable (numbers, strings, lists, dicts): "
            f"{err}"
        ) from err
    payload: dict[str, Any] = {
        "format": FORMAT,
        "meta": {
            **user_meta,
            "kit_version": __version__,
            "torch_version": str(torch.__version__),
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "architectures": {name: describe_architecture(m) for name, m in models.items()},
        },
        "models": {name: m.state_dict() for name, m in models.items()},
        "optimizers": {name: opt.state_dict() for name, opt in (optimizers or {}).items()},
    }
    payload["sha256"] = _digest(payload)
    return write_atomically(path, lambda handle: torch.save(payload, handle))


def load_checkpoint(
    path: str | os.PathLike,
    models: Mapping[str, nn.Module],
    *,
    optimizers: Mapping[str, torch.optim.Optimizer] | None = None,
    map_location: str | torch.device = "cpu",
    check: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Load weights saved by :func:`save_checkpoint` into ``models``; return the meta dict.

    The file is read with ``weights_only=True`` (it cannot run code), its digest is checked,
    and every model (and ``check``, on the meta) is checked against the file before any
    weights are copied, so a failed load leaves the models untouched.

    Parameters
    ----------
    path : str or PathLike
        The checkpoint file.
    models : mapping of str to nn.Module
        Models built with the same settings as when saving, under the same names.
    optimizers : mapping of str to Optimizer, optional
        Optimisers whose states to restore (they must have been saved).
    map_location : str or torch.device
        Where tensors are read to before being copied into the models.
    check : callable, optional
        Called with the saved meta before anything is copied; it raises
        :class:`CheckpointError` to refuse a file made with other settings (the model cache
        refuses another recipe this way).

    Returns
    -------
    dict
        The saved meta (step, configuration, kit version, architectures, ...).

    Raises
    ------
    CheckpointError
        Missing, truncated, corrupt, tampered or unsafe file; wrong architecture; a requested
        model or optimiser not in the file.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    path = Path(path)
    payload = _read_payload(path, map_location)
    meta = payload["meta"]
    saved, saved_opt = payload["models"], payload["optimizers"]
    # Check everything before copying anything, so a failed load leaves the models untouched.
    _check_models(path, models, saved, meta)
    _check_optimizer_names(path, optimizers or {}, saved_opt)
    if check is not None:
        check(meta)
    for name, model in models.items():
        model.load_state_dict(saved[name])
    _load_optimizer_states(path, optimizers or {}, saved_opt)
    return meta


def cached_model_path(name: str, settings: Mapping[str, Any]) -> Path:
    """Where a model trained with ``settings`` is cached: one file per distinct setting.

    The file is ``data/cache/models/<name>-<key>.pt`` (under :func:`aigc_kit.runtime.cache_dir`),
    ``<key>`` the first 12 hex digits of the SHA-256 of ``settings`` (JSON, sorted keys)
    together with the kit's and torch's versions: a changed recipe, spec, budget or seed,
    or a new kit, is another file, so stale weights are never loaded by mistake. Save and
    load it with :func:`save_checkpoint` and :func:`load_checkpoint`.

    Parameters
    ----------
    name : str
        What is cached, e.g. ``"notes"`` (chapter 6's models) or ``"digit-voice"``; the
        start of the file name.
    settings : mapping
        Everything that decides the weights (JSON-serialisable).

    Notes
    -----
    The cache rule of the model zoo (``06_project_audio_gan``) and of every model a
    chapter trains once for the later ones.
    """
    from aigc_kit import __version__

    key = json.dumps({**dict(settings), "kit": __version__, "torch": torch.__version__},
                     sort_keys=True, default=str)
    return cache_dir() / "models" / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.pt"


def _read_payload(path: Path, map_location: str | torch.device) -> dict[str, Any]:
    """The checkpoint's contents, read safely and checked for format and digest."""
    if not path.is_file():
        raise CheckpointError(
            f"checkpoint {str(path)!r} does not exist; check the path, or train and save first "
            "(save_checkpoint / checkpoint_path=...)"
        )
    payload = _load_weights_only(path, map_location)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"{str(path)!r} is not a checkpoint written by "
            "aigc_kit.runtime.checkpoint.save_checkpoint "
            f"(expected format {FORMAT!r}); re-save the weights with save_checkpoint"
        )
    stored_digest = payload.pop("sha256", None)
    if stored_digest != _digest(payload):
        raise _corrupt(path, "its contents do not match the SHA-256 digest stored in it")
    return payload


def _load_weights_only(path: Path, map_location: str | torch.device) -> Any:
    """``torch.load(path, weights_only=True)``, its failures turned into ``CheckpointError``."""
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if "weights only" in str(err).lower():
            raise CheckpointError(
                f"checkpoint {str(path)!r} contains Python objects other than weights, and "
                "loading them could run arbitrary code, so the kit refuses to run arbitrary "
                "code from a file. Only load it with weights_only=False if you made it "
                "yourself; otherwise obtain a clean copy saved by save_checkpoint. "
                f"(torch said: {_unpickler_reason(err)})"
            ) from err
        raise _corrupt(path, err) from err
    except Exception as err:  # zip, EOF and OS errors from a damaged file
        raise _corrupt(path, err) from err


def _check_models(
    path: Path,
    models: Mapping[str, nn.Module],
    saved: Mapping[str, Mapping[str, torch.Tensor]],
    meta: Mapping[str, Any],
) -> None:
    """Raise ``CheckpointError`` unless every model is in the file with matching weights."""
    for name, model in models.items():
        if name not in saved:
            raise CheckpointError(
                f"checkpoint {str(path)!r} has no model named {name!r}; it holds "
                f"{sorted(saved)}. Pass the models under the names used when saving."
            )
        problem = _mismatch(saved[name], model.state_dict())
        if problem:
            raise _architecture_error(path, name, model, problem, meta)


def _architecture_error(
    path: Path, name: str, model: nn.Module, problem: str, meta: Mapping[str, Any]
) -> CheckpointError:
    """The error for a model whose state dict does not match the saved one."""
    expected = meta.get("architectures", {}).get(name, {}).get("class", "?")
    given = describe_architecture(model)["class"]
    classes = (f"both are {given}, built with different settings" if expected == given
               else f"the file holds a {expected}, the given model is a {given}")
    return CheckpointError(
        f"checkpoint {str(path)!r}: model {name!r} does not match the saved weights "
        f"({problem}); {classes}. Build a {expected} with the same settings as when "
        "it was saved (torch.load(path, weights_only=True)['meta']['architectures'] "
        "describes it)."
    )


def _check_optimizer_names(
    path: Path,
    optimizers: Mapping[str, torch.optim.Optimizer],
    saved_opt: Mapping[str, Any],
) -> None:
    """Raise ``CheckpointError`` unless every optimiser has a state in the file."""
    for name in optimizers:
        if name not in saved_opt:
            raise CheckpointError(
                f"checkpoint {str(path)!r} has no optimiser state named {name!r}; it holds "
                f"{sorted(saved_opt)}. Save with optimizers={{...}} to resume training."
            )


def _load_optimizer_states(
    path: Path,
    optimizers: Mapping[str, torch.optim.Optimizer],
    saved_opt: Mapping[str, Any],
) -> None:
    """Copy the saved optimiser states into ``optimizers``."""
    for name, opt in optimizers.items():
        try:
            opt.load_state_dict(saved_opt[name])
        except (ValueError, KeyError, RuntimeError) as err:
            raise CheckpointError(
                f"checkpoint {str(path)!r}: optimiser state {name!r} does not fit the given "
                f"optimiser ({err}); create the optimiser over the same model's parameters"
            ) from err


def _corrupt(path: Path, reason: object) -> CheckpointError:
    if isinstance(reason, BaseException):
        reason = f"{type(reason).__name__}: {_first_line(reason) or 'no details'}"
    return CheckpointError(
        f"checkpoint {str(path)!r} cannot be read ({reason}): it may be truncated or tampered "
        "with; re-save it or restore a copy"
    )


def _unpickler_reason(err: BaseException) -> str:
    """The line of torch's long refusal message that names the offending object."""
    for line in str(err).splitlines():
        if "WeightsUnpickler error:" in line:
            return line.split("WeightsUnpickler error:", 1)[1].split(". Please", 1)[0].strip()
    return _first_line(err)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else ""


def _mismatch(saved: Mapping[str, torch.Tensor], expected: Mapping[str, torch.Tensor]) -> str:
    """Empty when the two state dicts have the same keys and shapes, else a description."""
    missing = [k for k in expected if k not in saved]
    unexpected = [k for k in saved if k not in expected]
    shapes = [
        f"{k}: file {tuple(saved[k].shape)} vs model {tuple(v.shape)}"
        for k, v in expected.items()
        if k in saved and tuple(saved[k].shape) != tuple(v.shape)
    ]
    parts = []
    for label, items in (("missing keys", missing), ("unexpected keys", unexpected),
                         ("shape mismatches", shapes)):
        if items:
            more = f" (+{len(items) - _SHOW} more)" if len(items) > _SHOW else ""
            parts.append(f"{label}: {', '.join(items[:_SHOW])}{more}")
    return "; ".join(parts)


def _digest(obj: Any) -> str:
    """SHA-256 over a nest of dicts, sequences, tensors and scalars, in order."""
    h = hashlib.sha256()

    def walk(o: Any) -> None:
        if isinstance(o, torch.Tensor):
            t = o.detach().cpu().contiguous()
            h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
            h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
        elif isinstance(o, Mapping):
            h.update(f"D{len(o)}".encode())
            for k, v in o.items():
                h.update(repr(k).encode())
                walk(v)
        elif isinstance(o, list | tuple):
            h.update(f"L{len(o)}".encode())
            for v in o:
                walk(v)
        else:
            h.update(f"S{o!r}".encode())

    walk(obj)
    return h.hexdigest()
