"""Video frames in memory and on disk: validation, torch layout, GIF and MP4 files.

In memory a clip is a float array of shape ``(T, H, W, 3)`` (frames, rows, columns, RGB)
with values in [0, 1]; models take torch tensors of shape ``(T, 3, H, W)``. ``as_frames``
checks any input against that contract and raises a ``ValueError`` that says what is wrong.
On disk, GIF is always available (Pillow); MP4 needs an FFmpeg binary, which the
``imageio-ffmpeg`` wheel bundles. Unreadable files raise ``VideoLoadError`` naming the file.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from aigc_kit.data.io import FileLoadError

VIDEO_EXTENSIONS = (".gif", ".mp4")


class VideoLoadError(FileLoadError):
    """A video file could not be read; the message names the file, the reason and the fix."""

    action = "read video file"


def as_frames(frames: object, name: str = "frames") -> np.ndarray:
    """Check a clip and return it as a float32 array ``(T, H, W, 3)`` in [0, 1].

    Parameters
    ----------
    frames : array-like or torch.Tensor, shape (T, H, W, 3)
        Float values in [0, 1] (tiny overshoots up to 1e-3 are clipped), or ``uint8`` values
        in [0, 255], which are divided by 255. A torch tensor in the model layout
        ``(T, 3, H, W)`` is converted with ``from_tensor`` first.
    name : str
        What to call the clip in error messages.

    Raises
    ------
    ValueError
        Wrong number of dimensions, not 3 colour channels, an empty clip, non-finite
        values, or values outside [0, 1]; the message says how to fix it.

    Taught in ``11_video_auto_editing``.
    """
    if isinstance(frames, torch.Tensor):
        frames = from_tensor(frames, name=name)
    try:
        arr = np.asarray(frames)
    except Exception as err:  # e.g. ragged lists of frames of different sizes
        raise ValueError(f"{name}: cannot be turned into one array ({err}); "
                         "all frames must have the same height and width") from err
    if arr.dtype == object:
        raise ValueError(f"{name}: frames of different sizes; resize them to one (H, W) first")
    if arr.ndim == 3 and arr.shape[-1] == 3:
        raise ValueError(f"{name}: shape {arr.shape} looks like ONE image (H, W, 3); "
                         "a clip needs a frame axis: use frames[None] for a 1-frame clip")
    if arr.ndim != 4:
        raise ValueError(f"{name}: expected shape (T, H, W, 3), got {arr.shape}; grey clips "
                         "(T, H, W) can be repeated: np.repeat(frames[..., None], 3, axis=-1)")
    if arr.shape[-1] != 3:
        hint = (" (this looks like the torch layout (T, 3, H, W); use from_tensor())"
                if arr.shape[1] == 3 else "")
        raise ValueError(f"{name}: expected 3 colour channels last, got shape {arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name}: the clip is empty (0 frames)")
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise ValueError(f"{name}: frames have zero size {arr.shape[1:3]}")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
            or arr.dtype == bool):
        raise ValueError(f"{name}: unsupported dtype {arr.dtype}; use float in [0, 1] or uint8")
    arr = arr.astype(np.float32, copy=False)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.flatnonzero(~finite.reshape(len(arr), -1).all(axis=1))
        raise ValueError(f"{name}: {len(bad)} frame(s) contain NaN or Inf (first: frame "
                         f"{bad[0]}); repair or drop them, e.g. np.nan_to_num")
    lo, hi = float(arr.min()), float(arr.max())
    if lo < -1e-3 or hi > 1.0 + 1e-3:
        hint = " (looks like 0-255 values: divide by 255)" if hi > 1.5 else ""
        raise ValueError(f"{name}: values must lie in [0, 1], found [{lo:.3g}, {hi:.3g}]{hint}")
    return np.clip(arr, 0.0, 1.0)


def to_tensor(frames: object, device: torch.device | str | None = None) -> torch.Tensor:
    """Frames ``(T, H, W, 3)`` in [0, 1] -> float32 tensor ``(T, 3, H, W)`` for models.

    Taught in ``11_video_auto_editing``.
    """
    arr = as_frames(frames)
    return torch.from_numpy(np.ascontiguousarray(arr.transpose(0, 3, 1, 2))).to(device or "cpu")


def from_tensor(tensor: torch.Tensor, name: str = "tensor") -> np.ndarray:
    """A tensor ``(T, 3, H, W)`` (any device, with or without grad) -> frames ``(T, H, W, 3)``.

    Values are clipped to [0, 1]; non-finite values raise ``ValueError``.

    Taught in ``11_video_auto_editing``.
    """
    if tensor.ndim != 4 or tensor.shape[1] != 3:
        raise ValueError(f"{name}: expected a tensor of shape (T, 3, H, W), got "
                         f"{tuple(tensor.shape)}")
    arr = tensor.detach().float().cpu().numpy().transpose(0, 2, 3, 1)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: the tensor contains NaN or Inf")
    return np.clip(arr, 0.0, 1.0)


def to_uint8(frames: object) -> np.ndarray:
    """Frames in [0, 1] -> ``uint8`` array ``(T, H, W, 3)`` in [0, 255] (rounded)."""
    return np.round(as_frames(frames) * 255.0).astype(np.uint8)


def ffmpeg_available() -> bool:
    """Whether an FFmpeg binary is reachable (through ``imageio-ffmpeg``) for MP4 files."""
    try:
        import imageio_ffmpeg

        return bool(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception:  # not installed, or no binary for this platform
        return False


_NO_FFMPEG = ("MP4 needs FFmpeg, which was not found: `pip install imageio-ffmpeg` (it bundles "
              "a binary) or install ffmpeg system-wide; GIF always works: use a .gif path")


def _check_fps(fps: float) -> float:
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number of frames per second, got {fps}")
    return float(fps)


def write_gif(path: str | os.PathLike, frames: object, fps: float, loop: bool = True) -> Path:
    """Write a clip as an animated GIF (Pillow, 256-colour palette per frame).

    GIF stores frame durations in hundredths of a second, so ``fps`` is rounded to the
    nearest representable rate (e.g. 12 fps -> 8 cs per frame = 12.5 fps).

    Taught in ``11_video_auto_editing``.
    """
    from PIL import Image

    fps = _check_fps(fps)
    data = to_uint8(frames)
    path = Path(path)
    images = [Image.fromarray(f) for f in data]
    duration_ms = max(20, int(round(100.0 / fps)) * 10)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration_ms,
                   loop=0 if loop else 1, optimize=False, disposal=1)
    return path


def write_mp4(path: str | os.PathLike, frames: object, fps: float, quality: int = 8) -> Path:
    """Write a clip as H.264 MP4 (needs FFmpeg, see ``ffmpeg_available``).

    Frame sizes are padded to even numbers (H.264 needs them) by repeating the last row or
    column. ``quality`` is imageio's 0-10 scale (10 = best).

    Taught in ``11_video_auto_editing``.
    """
    fps = _check_fps(fps)
    data = to_uint8(frames)
    if not ffmpeg_available():
        raise RuntimeError(_NO_FFMPEG)
    import imageio.v2 as iio

    pad_h, pad_w = data.shape[1] % 2, data.shape[2] % 2
    if pad_h or pad_w:
        data = np.pad(data, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    path = Path(path)
    with iio.get_writer(path, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                        quality=quality, pixelformat="yuv420p", macro_block_size=1) as writer:
        for frame in data:
            writer.append_data(frame)
    return path


def write_video(path: str | os.PathLike, frames: object, fps: float) -> Path:
    """Write ``.gif`` or ``.mp4`` by the file's extension.

    Taught in ``11_video_auto_editing``.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".gif":
        return write_gif(path, frames, fps)
    if suffix == ".mp4":
        return write_mp4(path, frames, fps)
    raise ValueError(f"cannot write '{path}': unknown video extension {suffix!r}; "
                     f"use one of {VIDEO_EXTENSIONS}")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise VideoLoadError(path, "file not found; check the path")
    if path.is_dir():
        raise VideoLoadError(path, "is a folder, not a video file")
    if path.stat().st_size == 0:
        raise VideoLoadError(path, "empty file (0 bytes); the copy or download probably failed")


def read_gif(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """Read an animated (or still) GIF -> (frames ``(T, H, W, 3)`` in [0, 1], fps).

    The frame rate comes from the first frame's duration (10 fps when none is stored).

    Taught in ``11_video_auto_editing``.
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    path = Path(path)
    _check_file(path)
    try:
        with Image.open(path) as im:
            duration = im.info.get("duration") or 100
            frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise VideoLoadError(path, f"not a readable GIF ({err})") from err
    if not frames:
        raise VideoLoadError(path, "the GIF holds no frames")
    return np.stack(frames).astype(np.float32) / 255.0, 1000.0 / float(duration)


def read_mp4(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """Read an MP4 (or any FFmpeg-readable video) -> (frames in [0, 1], fps).

    Taught in ``11_video_auto_editing``.
    """
    path = Path(path)
    _check_file(path)
    if not ffmpeg_available():
        raise RuntimeError(_NO_FFMPEG)
    import imageio.v2 as iio

    try:
        with iio.get_reader(path, format="FFMPEG") as reader:
            fps = float(reader.get_meta_data().get("fps") or 25.0)
            frames = [np.asarray(f)[..., :3] for f in reader]
    except Exception as err:  # imageio raises OSError/RuntimeError/IndexError by backend
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise VideoLoadError(path, f"FFmpeg cannot decode it ({first})") from err
    if not frames:
        raise VideoLoadError(path, "the video holds no frames")
    return np.stack(frames).astype(np.float32) / 255.0, fps


def read_video(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """Read a ``.gif`` or ``.mp4`` file -> (frames ``(T, H, W, 3)`` in [0, 1], fps).

    Raises ``VideoLoadError`` (a ``ValueError``) naming the file when it is missing, empty,
    of an unknown type or undecodable.

    Taught in ``11_video_auto_editing``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        return read_gif(path)
    if suffix in (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"):
        return read_mp4(path)
    _check_file(path)
    raise VideoLoadError(path, f"unknown video extension {suffix!r}; use one of "
                         f"{VIDEO_EXTENSIONS}")
