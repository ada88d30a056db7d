"""Video frames in memory and on disk: validation, torch layout, GIF and MP4 files.

In memory a clip is a float array of shape ``(T, H, W, 3)`` (frames, rows, columns, RGB)
with values in [0, 1]; models take torch tensors of shape ``(T, 3, H, W)``. ``as_frames``
checks any input against that contract and raises a ``ValueError`` that says what is wrong.
On disk, GIF is always available (Pillow); MP4 needs an FFmpeg binary, which the
``imageio-ffmpeg`` wheel bundles. Unreadable files raise ``VideoLoadError`` naming the file.

User footage (phone MP4/MOV, AVI, GIF...) comes in through ``load_video``, which resamples to
a chosen frame rate by timestamp and to a chosen size (and, with ``audio=True``, brings the
soundtrack: a ``Soundtrack`` aligned to the frames by timestamps), and ``load_video_folder``,
which loads a folder and reports the files it skipped, and why. ``write_mp4`` writes a
soundtrack beside the picture.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from aigc_kit.data import FileLoadError, SkippedFile

VIDEO_EXTENSIONS = (".gif", ".mp4")


class VideoLoadError(FileLoadError):
    """A video file could not be read; the message names the file, the reason and the fix.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    action = "read video file"


@dataclass
class Soundtrack:
    """A clip's sound: one mono waveform whose sample 0 plays with frame 0.

    Attributes
    ----------
    waveform : np.ndarray, shape (n_samples,)
        float32, full scale = 1 (a file's channels are averaged).
    rate : int
        Sample rate in Hz.

    Taught in ``11_video_auto_editing``.
    """

    waveform: np.ndarray
    rate: int

    def __post_init__(self) -> None:
        self.waveform = np.asarray(self.waveform, dtype=np.float32).reshape(-1)
        self.rate = int(self.rate)
        if self.rate <= 0:
            raise ValueError(f"Soundtrack: rate must be a positive number of Hz, got {self.rate}")
        if not np.isfinite(self.waveform).all():
            raise ValueError("Soundtrack: the waveform contains NaN or Inf")

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.waveform) / self.rate

    def fit(self, n_frames: int, fps: float) -> Soundtrack:
        """The same sound cut or padded with silence to last exactly ``n_frames / fps`` s."""
        n = int(round(n_frames * self.rate / fps))
        out = np.zeros(n, np.float32)
        out[:min(n, len(self.waveform))] = self.waveform[:n]
        return Soundtrack(out, self.rate)


def _ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _run_ffmpeg(args: list[str], path: Path, what: str) -> bytes:
    """Run the FFmpeg binary with ``args``; its stdout, or a ``VideoLoadError`` naming
    ``path`` and FFmpeg's last message."""
    done = subprocess.run([_ffmpeg_exe(), "-nostdin", "-v", "error", *args],
                          capture_output=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        raise VideoLoadError(path, f"FFmpeg could not {what} ({lines[-1]}); {_REENCODE}")
    return done.stdout


def audio_rate(path: str | os.PathLike) -> int | None:
    """Sample rate in Hz of a file's first audio stream, or None when it has no sound.

    Taught in ``11_video_auto_editing``.
    """
    path = Path(path)
    if not ffmpeg_available():
        raise VideoLoadError(path, _NO_FFMPEG)
    done = subprocess.run([_ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path)],
                          capture_output=True, check=False)
    found = re.search(r"Stream #\S+.*?: Audio: .*?(\d+) Hz", done.stderr.decode(errors="replace"))
    return int(found.group(1)) if found else None


def read_soundtrack(path: str | os.PathLike, n_frames: int, fps: float,
                    rate: int | None = None) -> Soundtrack | None:
    """The soundtrack of a video file, aligned with its frames as ``load_video`` reads them.

    FFmpeg decodes the first audio stream to mono; ``aresample=async=1:first_pts=0`` pads
    with silence when the sound starts after the picture (or drops what plays before it)
    and fills gaps by timestamp, so sample ``k`` plays at ``k / rate`` seconds on the same
    clock as frame ``i`` at ``i / fps`` (variable-frame-rate files included). The result
    lasts exactly ``n_frames / fps`` seconds.

    Parameters
    ----------
    path : str or path-like
    n_frames : int
        Frames ``load_video`` returned.
    fps : float
        Their frame rate in frames per second.
    rate : int, optional
        Sample rate in Hz; None keeps the file's.

    Returns
    -------
    Soundtrack or None
        None when the file has no audio stream.

    Taught in ``11_video_auto_editing``.
    """
    path = Path(path)
    native = audio_rate(path)
    if native is None:
        return None
    sr = int(rate or native)
    raw = _run_ffmpeg(["-i", str(path), "-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1",
                       "-af", f"aresample={sr}:async=1:first_pts=0",
                       "-t", f"{n_frames / fps:.6f}", "-f", "f32le", "-"], path,
                      "decode its soundtrack")
    return Soundtrack(np.frombuffer(raw, np.float32), sr).fit(n_frames, fps)


def _mux_audio(picture: Path, audio: Soundtrack, out: Path) -> None:
    """Write ``out``: the MP4 ``picture``'s video stream with ``audio`` as AAC."""
    import soundfile

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "sound.wav"
        soundfile.write(wav, np.clip(audio.waveform, -1.0, 1.0), audio.rate, subtype="FLOAT")
        _run_ffmpeg(["-y", "-i", str(picture), "-i", str(wav), "-map", "0:v:0", "-map", "1:a:0",
                     "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart",
                     str(out)], out, "write the soundtrack into the MP4")


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
    """Frames in [0, 1] -> ``uint8`` array ``(T, H, W, 3)`` in [0, 255] (rounded).

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """
    return np.round(as_frames(frames) * 255.0).astype(np.uint8)


def ffmpeg_available() -> bool:
    """Whether an FFmpeg binary is reachable (through ``imageio-ffmpeg``) for MP4 files.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """
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


def write_mp4(path: str | os.PathLike, frames: object, fps: float, quality: int = 8,
              audio: Soundtrack | None = None) -> Path:
    """Write a clip as H.264 MP4 (needs FFmpeg, see ``ffmpeg_available``), with a soundtrack.

    Frame sizes are padded to even numbers (H.264 needs them) by repeating the last row or
    column. ``quality`` is imageio's 0-10 scale (10 = best). ``audio`` (a ``Soundtrack``,
    starting with the first frame) is muxed in as AAC at 128 kbit/s; the MP4's edit list
    keeps it in sync (the encoder's priming samples are skipped on playback).

    Taught in ``11_video_auto_editing``.
    """
    if audio is None:
        return _write_mp4_picture(path, frames, fps, quality)
    with tempfile.TemporaryDirectory() as tmp:
        picture = _write_mp4_picture(Path(tmp) / "picture.mp4", frames, fps, quality)
        _mux_audio(picture, audio, Path(path))
    return Path(path)


def _write_mp4_picture(path: str | os.PathLike, frames: object, fps: float,
                       quality: int) -> Path:
    """``write_mp4`` without sound."""
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


def write_video(path: str | os.PathLike, frames: object, fps: float,
                audio: Soundtrack | None = None) -> Path:
    """Write ``.gif`` or ``.mp4`` by the file's extension; ``audio`` only into MP4 (a GIF
    has no sound: a ``ValueError`` says so).

    Taught in ``11_video_auto_editing``.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".gif":
        if audio is not None:
            raise ValueError(f"cannot write sound into '{path}': GIF has no audio track; "
                             "write .mp4 to keep the soundtrack, or pass audio=None")
        return write_gif(path, frames, fps)
    if suffix == ".mp4":
        return write_mp4(path, frames, fps, audio=audio)
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


# ---------------------------------------------------------------------------------------------
# User footage: any frame rate, size and container, resampled on load.
# ---------------------------------------------------------------------------------------------

FOOTAGE_EXTENSIONS = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".gif")
_REENCODE = ("re-export it as MP4 (H.264), e.g. `ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p "
             "OUT.mp4`, or copy it again")
_TRUNCATED_FRACTION = 0.8  # decoded span below this share of the header's duration: truncated


def _target_size(size: int | tuple[int, int] | None, h: int, w: int) -> tuple[int, int]:
    """Output ``(H, W)`` for a frame of ``h`` x ``w`` pixels (``size``: see ``load_video``)."""
    if size is None:
        return h, w
    if isinstance(size, (int, np.integer)):
        if size <= 0:
            raise ValueError(f"size must be a positive max side in pixels, got {size}")
        scale = min(1.0, float(size) / max(h, w))
        return max(1, round(h * scale)), max(1, round(w * scale))
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"size must be (H, W) in pixels or one int (max side), got {size}")
    return int(size[0]), int(size[1])


def frame_times_to_rate(times: np.ndarray, end: float, fps: float,
                        max_seconds: float | None = None) -> np.ndarray:
    """Indices of the frames shown at ``0, 1/fps, 2/fps, ...`` seconds (resampling by time).

    Parameters
    ----------
    times : np.ndarray, shape (T,)
        Start time of every source frame in seconds, increasing (variable rates allowed).
    end : float
        When the last frame stops showing, in seconds.
    fps : float
        Wanted frame rate in frames per second.
    max_seconds : float, optional
        Stop after this many seconds.

    Returns
    -------
    np.ndarray of int, shape (n,)
        For each output instant, the source frame on screen then.

    Taught in ``11_video_auto_editing``.
    """
    fps = _check_fps(fps)
    if max_seconds is not None:
        end = min(end, float(max_seconds))
    n = max(1, int(np.ceil(end * fps - 1e-6)))
    instants = np.arange(n) / fps
    return np.clip(np.searchsorted(times, instants + 1e-9, side="right") - 1, 0, len(times) - 1)


def _resize(frames: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Resize ``uint8`` frames ``(T, h, w, 3)`` to ``hw`` (box filter down, bilinear up)."""
    from PIL import Image

    if frames.shape[1:3] == hw:
        return frames
    down = hw[0] * hw[1] < frames.shape[1] * frames.shape[2]
    method = Image.Resampling.BOX if down else Image.Resampling.BILINEAR
    return np.stack([np.asarray(Image.fromarray(f).resize((hw[1], hw[0]), method))
                     for f in frames])


def _load_gif(path: Path, fps: float | None, size: int | tuple[int, int] | None,
              max_seconds: float | None) -> tuple[np.ndarray, float]:
    """GIF through Pillow: per-frame durations give timestamps (no FFmpeg needed)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            frames, durations = [], []
            for f in ImageSequence.Iterator(im):
                frames.append(np.asarray(f.convert("RGB")))
                durations.append(float(f.info.get("duration") or 100) / 1000.0)
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise VideoLoadError(path, f"not a readable GIF ({err}); {_REENCODE}") from err
    if not frames:
        raise VideoLoadError(path, f"the GIF holds no frames (0 frames); {_REENCODE}")
    times = np.concatenate([[0.0], np.cumsum(durations)])
    native = len(frames) / times[-1]
    rate = native if fps is None else _check_fps(fps)
    pick = frame_times_to_rate(times[:-1], times[-1], rate, max_seconds)
    data = np.stack([frames[i] for i in pick])
    return _resize(data, _target_size(size, *data.shape[1:3])), rate


_SIGNATURES = ((4, (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")),  # MP4/MOV
               (0, (b"RIFF", b"\x1aE\xdf\xa3", b"GIF8", b"OggS", b"FLV")))  # AVI, MKV, ...


def _looks_like_video(path: Path) -> bool:
    """Whether the first bytes match a common video container (MP4/MOV, AVI, MKV/WebM...)."""
    with path.open("rb") as f:
        head = f.read(12)
    return any(head[at:].startswith(sig) for at, sigs in _SIGNATURES for sig in sigs)


def _ffmpeg_reason(path: Path, err: Exception) -> str:
    """Why FFmpeg failed on ``path``, in words, e.g. a missing MP4 index (truncated file)."""
    text = str(err)
    if not _looks_like_video(path):
        return ("not a video file: its first bytes match no video format (another kind of "
                "file renamed, or a download error page?)")
    if "moov atom not found" in text:
        return ("truncated or unfinished MP4: its index (the 'moov atom') is missing, so the "
                "copy or the recording stopped early")
    tagged = [ln.split("] ", 1)[1] for ln in text.splitlines() if ln.startswith("[")
              and "] " in ln]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return tagged[0] if tagged else (lines[-1] if lines else type(err).__name__)


def _ffmpeg_frames(path: Path, output_params: list[str]) -> tuple[dict, list[bytes]]:
    """Run FFmpeg on ``path``: (its header metadata, raw RGB24 frames); the meta only if
    ``output_params`` is None."""
    import logging

    import imageio_ffmpeg

    log = logging.getLogger("imageio_ffmpeg")
    level, log.level = log.level, logging.ERROR  # "frame size differs" warnings when resizing
    gen = imageio_ffmpeg.read_frames(str(path), output_params=output_params or [])
    try:
        meta = next(gen)
        frames = list(gen) if output_params else []
    except Exception as err:  # OSError/RuntimeError/IndexError from the header parser
        raise VideoLoadError(path, f"FFmpeg cannot decode it ({_ffmpeg_reason(path, err)}); it is "
                             f"corrupt, truncated or not a video; {_REENCODE}") from err
    finally:
        gen.close()
        log.level = level
    return meta, frames


def _load_ffmpeg(path: Path, fps: float | None, size: int | tuple[int, int] | None,
                 max_seconds: float | None) -> tuple[np.ndarray, float]:
    """Any FFmpeg-readable file; FFmpeg's ``fps`` filter picks frames by timestamp and its
    ``scale`` filter resizes; rotation metadata is applied by FFmpeg (autorotate)."""
    if not ffmpeg_available():
        raise VideoLoadError(path, _NO_FFMPEG)
    meta, _ = _ffmpeg_frames(path, None)
    w0, h0 = meta["size"]
    native = float(meta.get("fps") or 0.0) or 25.0
    rate = native if fps is None else _check_fps(fps)
    h, w = _target_size(size, h0, w0)
    # start_time=0: frame k is what shows k / rate s after the file's start, the clock the
    # soundtrack is read on (a picture that starts late repeats its first frame).
    params = ["-vf", f"fps={rate:.6f}:round=up:start_time=0,scale={w}:{h}:flags=area", "-an",
              "-sn"]
    if max_seconds is not None:
        params += ["-t", f"{float(max_seconds):.6f}"]
    meta, raw = _ffmpeg_frames(path, params)
    if not raw:
        raise VideoLoadError(path, f"the video holds no frames (0 frames decoded); {_REENCODE}")
    data = np.frombuffer(b"".join(raw), np.uint8).reshape(len(raw), h, w, 3)
    expected = float(meta.get("duration") or 0.0)
    if max_seconds is not None:
        expected = min(expected, float(max_seconds))
    if expected > 0 and len(data) / rate < _TRUNCATED_FRACTION * expected - 1.0 / rate:
        raise VideoLoadError(path, f"truncated: the header announces {expected:.2f} s but only "
                             f"{len(data) / rate:.2f} s decode; {_REENCODE}")
    return data, rate


@dataclass(frozen=True)
class Footage:
    """What :func:`load_video` reads from a file: the frames, their rate, the sound.

    Attributes
    ----------
    frames : np.ndarray
        ``uint8``, shape ``(T, H, W, 3)``, values in [0, 255] (``as_frames`` makes floats).
    fps : float
        Frame rate of ``frames`` in frames per second.
    soundtrack : Soundtrack or None
        The sound, aligned with the frames and exactly as long, when it was asked for
        (``audio=True``) and the file has one; None otherwise.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    frames: np.ndarray
    fps: float
    soundtrack: Soundtrack | None = None

    @property
    def duration_s(self) -> float:
        """Length in seconds, ``len(frames) / fps``."""
        return len(self.frames) / self.fps


def load_video(path: str | os.PathLike, fps: float | None = None,
               size: int | tuple[int, int] | None = None,
               max_seconds: float | None = None, audio: bool = False,
               audio_rate: int | None = None) -> Footage:
    """Read user footage (MP4/MOV/AVI/MKV/WebM/GIF) at a chosen frame rate and size, and
    with ``audio=True`` its soundtrack.

    Parameters
    ----------
    path : str or path-like
        The file. GIFs are read with Pillow; everything else needs FFmpeg (``imageio-ffmpeg``).
        Phone footage is fine: odd sizes, rotation metadata (applied, so portrait clips come
        out portrait) and variable frame rates.
    fps : float, optional
        Frames per second of the result; frames are picked by their timestamps (the frame on
        screen at ``0, 1/fps, 2/fps, ...`` s), so a 30 -> 10 fps clip keeps its duration.
        None keeps the file's (average) rate.
    size : (H, W) or int, optional
        Output frame size in pixels, or one int: the longest side (never enlarged, aspect
        ratio kept). None keeps the file's size.
    max_seconds : float, optional
        Read at most this many seconds from the start.
    audio : bool
        Also read the soundtrack (``read_soundtrack``): mono, aligned with the frames by
        timestamps, exactly as long as they are. A file without sound (and every GIF) gives
        None and a ``UserWarning`` that says an edit of it will be silent.
    audio_rate : int, optional
        Sample rate of the soundtrack in Hz; None keeps the file's.

    Returns
    -------
    Footage
        ``.frames`` (``uint8``, ``(T, H, W, 3)``), ``.fps`` and, with ``audio=True``,
        ``.soundtrack`` (None without it): one return type whatever is asked.

    Raises
    ------
    VideoLoadError
        (a ``ValueError``) naming the file, the reason and the fix: missing, empty, corrupt,
        truncated or non-video files, 0 frames, or no FFmpeg for a non-GIF file.

    Taught in ``11_video_auto_editing``.
    """
    path = Path(path)
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number of seconds, got {max_seconds}")
    _check_file(path)
    if path.suffix.lower() == ".gif":
        frames, rate = _load_gif(path, fps, size, max_seconds)
    else:
        frames, rate = _load_ffmpeg(path, fps, size, max_seconds)
    if not audio:
        return Footage(frames, rate)
    sound = None if path.suffix.lower() == ".gif" else read_soundtrack(
        path, len(frames), rate, audio_rate)
    if sound is None:
        warnings.warn(f"'{path}' has no audio track: the soundtrack is None and an edit of "
                      "this footage will be silent", UserWarning, stacklevel=2)
    return Footage(frames, rate, sound)


@dataclass
class VideoSet:
    """Clips loaded from a folder, with one row of labels per clip and the files skipped.

    Attributes
    ----------
    clips : list of np.ndarray
        ``uint8`` frames ``(T, H, W, 3)`` each; lengths (and sizes, unless ``size`` was an
        ``(H, W)`` pair) may differ.
    fps : list of float
        Frame rate of every clip in frames per second.
    labels : pandas.DataFrame
        Columns ``path`` (relative to the folder), ``frames``, ``height``, ``width`` and
        ``duration_s`` (seconds).
    skipped : list of SkippedFile
        Files that could not be loaded, each with its reason.

    Taught in ``11_video_auto_editing``.
    """

    clips: list[np.ndarray]
    fps: list[float]
    labels: pd.DataFrame
    skipped: list[SkippedFile] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.clips)

    def __repr__(self) -> str:
        total = float(self.labels["duration_s"].sum()) if len(self.labels) else 0.0
        text = f"VideoSet({len(self)} clips, {total:.1f} s in all"
        if self.skipped:
            text += f", {len(self.skipped)} skipped:\n" + "\n".join(
                f"  {s.path}: {s.reason}" for s in self.skipped)
        return text + ")"

    def skip_report(self) -> pd.DataFrame:
        """The skipped files as a table with columns ``file`` and ``reason``."""
        return pd.DataFrame({"file": [str(s.path) for s in self.skipped],
                             "reason": [s.reason for s in self.skipped]})


def load_video_folder(folder: str | os.PathLike, fps: float | None = None,
                      size: int | tuple[int, int] | None = None,
                      max_seconds: float | None = None) -> VideoSet:
    """Load every video under a folder (recursively) with ``load_video``, reporting bad files.

    Files with an extension in ``FOOTAGE_EXTENSIONS`` are loaded in sorted order of their
    relative paths; ``fps``, ``size`` and ``max_seconds`` are as in ``load_video``. Loading
    never stops at a bad file: it is listed, with its reason, in ``VideoSet.skipped``.

    Raises
    ------
    FileNotFoundError
        If ``folder`` does not exist (``NotADirectoryError`` if it is a file).

    Taught in ``11_video_auto_editing``.
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"load_video_folder: folder not found: '{folder}'; check the "
                                f"path (relative paths start at {Path.cwd()})")
    if not folder.is_dir():
        raise NotADirectoryError(f"load_video_folder: '{folder}' is a file, not a folder; "
                                 "use load_video() for one file")
    files = sorted((p for p in folder.rglob("*")
                    if p.suffix.lower() in FOOTAGE_EXTENSIONS and not p.is_dir()),
                   key=lambda p: p.relative_to(folder).as_posix())
    clips, rates, rows, skipped = [], [], [], []
    for path in files:
        try:
            footage = load_video(path, fps=fps, size=size, max_seconds=max_seconds)
            frames, rate = footage.frames, footage.fps
        except VideoLoadError as err:
            skipped.append(SkippedFile(path, err.reason))
            continue
        clips.append(frames)
        rates.append(rate)
        rows.append({"path": path.relative_to(folder).as_posix(), "frames": len(frames),
                     "height": frames.shape[1], "width": frames.shape[2],
                     "duration_s": len(frames) / rate})
    labels = pd.DataFrame(rows, columns=["path", "frames", "height", "width", "duration_s"])
    return VideoSet(clips, rates, labels, skipped)
