"""Footage without downloads: clips filmed by a virtual camera over scikit-image's photos.

``make_clip(seed)`` strings several *shots* together. Each shot looks at one of the colour
photographs bundled inside the scikit-image wheel (``PHOTOS``) through a moving camera
(static with hand-held jitter, pan, zoom, or the "Ken Burns" pan-and-zoom), optionally with
a moving object (a textured disc cut from another photo), a lighting change (a smooth
exposure and colour-temperature ramp) and sensor noise. Consecutive shots are joined by
hard cuts, dissolves or fades (through black). The result carries its ground truth: where
every transition lies, the boundary frame a detector should report, and which shot
(which photo, which camera move) each frame belongs to. Same seed, same clip.

Camera moves, moving objects and lighting changes are there on purpose: they change the
picture without starting a new shot, which is what makes shot-boundary detection hard.
Two harder kinds are available on request: fast camera moves (``FAST_CAMERA_MOVES``: a whip
pan or a crash zoom over a few frames) and camera flashes (``p_flash``: a brightness jump
over 1-3 frames that returns), the textbook false alarm of shot-boundary detection; the
ground truth lists the flashes (``Clip.flashes``), which are *not* boundaries. Real footage
adds motion *inside* the frame, available through ``Distractors``: big foreground objects
crossing, occluders sweeping past the lens for a few frames, people walking through close to
the camera (``Clip.passes``), and camera moves that start at the first frames or stop at the
last.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle", "hubble_deep_field",
          "immunohistochemistry", "retina")
"""Colour photographs shipped inside the scikit-image wheel (no download needed)."""

CAMERA_MOVES = ("static", "pan", "zoom", "ken_burns")
FAST_CAMERA_MOVES = ("whip_pan", "crash_zoom")
"""Camera moves done in 3-6 frames inside a shot (not in ``make_clip``'s default draw)."""
TRANSITIONS = ("cut", "dissolve", "fade")


@dataclass(frozen=True)
class Transition:
    """One shot change in a clip.

    Attributes
    ----------
    kind : str
        ``"cut"``, ``"dissolve"`` or ``"fade"`` (out to black, then in).
    start, end : int
        The frames ``start <= t < end`` that are part of the change. A cut has
        ``end = start + 1`` (``start`` is the new shot's first frame); a dissolve's frames
        blend both shots; a fade's frames are the darkened tail and head of the two shots.
    boundary : int
        The frame a detector should report: the new shot's first frame for a cut, the
        middle of the span for a gradual transition.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    kind: str
    start: int
    end: int
    boundary: int


@dataclass(frozen=True)
class ShotInfo:
    """What one shot shows: its photo, camera move, extras, and its frames ``[start, end)``
    (including the transition frames it takes part in).

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    index: int
    photo: str
    camera: str
    moving_object: bool
    lighting_change: bool
    start: int
    end: int


@dataclass(frozen=True)
class Distractors:
    """Motion inside the frame that does not start a new shot (``make_clip``'s
    ``distractors``): what real footage has and still photos filmed by a camera do not.

    Attributes
    ----------
    foreground : float
        Probability that a shot gets 1-2 big foreground objects (textured discs, a quarter
        to two fifths of the frame height in radius) moving across it.
    occluder : float
        Probability that a shot gets an occluder: something dark and out of focus (a car
        or a passer-by right in front of the lens) sweeping through the frame in 3-8
        frames and covering 40-95% of its width on the way.
    walker : float
        Probability that a shot gets a person-like silhouette (head, body, swinging arms
        and legs) walking through it, 60-130% of the frame height: close to the camera.
    edge_moves : bool
        The first shot's camera move starts from rest within its first 3 frames and
        accelerates; the last shot's comes to rest within its last 3 frames (a static or
        fast move drawn for them becomes a pan).

    Taught in ``11_video_auto_editing``; scored by ``benchmarks/bench_cuts.py``.
    """

    foreground: float = 0.0
    occluder: float = 0.0
    walker: float = 0.0
    edge_moves: bool = False

    def check(self) -> None:
        """Raise ``ValueError`` for a probability outside [0, 1]."""
        for name in ("foreground", "occluder", "walker"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"Distractors.{name} is a probability in [0, 1], got {value}")


@dataclass
class Clip:
    """A generated clip and its ground truth.

    Attributes
    ----------
    frames : np.ndarray, shape (T, H, W, 3)
        float32 in [0, 1].
    fps : float
        Frames per second.
    transitions : list[Transition]
        In time order.
    shots : list[ShotInfo]
        In time order.
    shot_of_frame : np.ndarray, shape (T,)
        Index of the shot each frame belongs to (the incoming shot from a transition's
        ``boundary`` on).
    seed : int
    params : dict
        The ``make_clip`` arguments.
    flashes : list[tuple[int, int]]
        Camera flashes as frame spans ``[start, end)`` (1-3 frames each), in time order.
        A flash is *not* a shot boundary: the shot goes on after it.
    passes : list[tuple[str, int, int]]
        ``(kind, start, end)`` of everything that passes in front of the camera
        (``"occluder"``, ``"walker"``, see ``Distractors``), frames ``[start, end)``, in
        time order. Not shot boundaries either.

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """

    frames: np.ndarray
    fps: float
    transitions: list[Transition]
    shots: list[ShotInfo]
    shot_of_frame: np.ndarray
    seed: int = 0
    params: dict = field(default_factory=dict)
    flashes: list[tuple[int, int]] = field(default_factory=list)
    passes: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def boundaries(self) -> np.ndarray:
        """The frames a detector should report, shape (n_transitions,), sorted."""
        return np.array([t.boundary for t in self.transitions], dtype=int)

    @property
    def spans(self) -> np.ndarray:
        """Transition spans ``[start, end)``, shape (n_transitions, 2)."""
        return np.array([[t.start, t.end] for t in self.transitions], dtype=int).reshape(-1, 2)

    @property
    def kinds(self) -> list[str]:
        """Each transition's kind, in time order."""
        return [t.kind for t in self.transitions]

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.frames) / self.fps


@lru_cache(maxsize=8)
def _raw_photo(name: str) -> np.ndarray:
    import skimage.data as data

    if name == "motorcycle":
        image = data.stereo_motorcycle()[0]
    else:
        image = getattr(data, name)()
    return np.asarray(image[..., :3], dtype=np.float32) / 255.0


def load_photo(name: str, min_size: tuple[int, int] | None = None) -> np.ndarray:
    """One of ``PHOTOS`` as float RGB ``(h, w, 3)`` in [0, 1], optionally downscaled.

    Parameters
    ----------
    name : str
        One of ``PHOTOS``.
    min_size : (int, int), optional
        ``(rows, cols)``: downscale (with anti-aliasing) as far as possible while keeping
        the image at least this large; never upscales.

    Taught in ``11_video_auto_editing``.
    """
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {PHOTOS}")
    return _scaled_photo(name, None if min_size is None else tuple(int(s) for s in min_size))


@lru_cache(maxsize=32)
def _scaled_photo(name: str, min_size: tuple[int, int] | None) -> np.ndarray:
    from skimage.transform import resize

    image = _raw_photo(name)
    if min_size is None:
        return image
    factor = max(min_size[0] / image.shape[0], min_size[1] / image.shape[1])
    if factor >= 1.0:
        return image
    shape = (int(np.ceil(image.shape[0] * factor)), int(np.ceil(image.shape[1] * factor)))
    return resize(image, shape, anti_aliasing=True, preserve_range=True).astype(np.float32)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _render_shot(
    photo: str,
    camera: str,
    n: int,
    size: tuple[int, int],
    rng: np.random.Generator,
    sprite_photo: str | None,
    lighting: bool,
    speed: float,
    edge: tuple[str, int] | None = None,
) -> np.ndarray:
    """Render ``n`` frames of one shot, shape (n, H, W, 3); ``edge`` ``("start", s)``
    starts the camera move from rest at frame ``s``, ``("stop", e)`` brings it to rest
    ``e`` frames before the end (``EDGE_MOVES``)."""
    height, width = size
    source = load_photo(photo, (2 * height, 2 * width))
    src_h, src_w = source.shape[:2]
    s_max = 0.95 * min(src_h / height, src_w / width)  # source pixels per output pixel
    t = np.linspace(0.0, 1.0, n)
    # Camera path: scale s(t) and window centre (cy, cx)(t) in source pixels.
    if camera in ("zoom", "ken_burns", "crash_zoom"):
        s0, s1 = rng.uniform(0.45, 0.6) * s_max, rng.uniform(0.85, 1.0) * s_max
        if rng.random() < 0.5:
            s0, s1 = s1, s0
    else:
        s0 = s1 = rng.uniform(0.6, 0.9) * s_max
    # Progress of the move, 0 -> 1: steady over the shot, or within 3-6 frames for a fast move.
    path = _fast_move_profile(n, rng) if camera in FAST_CAMERA_MOVES else t
    if edge is not None:
        path = _edge_profile(n, *edge)
    scale = s0 + (s1 - s0) * path * speed

    def centre_range(s: float, extent: int, src: int) -> tuple[float, float]:
        half = 0.5 * extent * s
        return half, src - half

    lo_y, hi_y = centre_range(max(s0, s1), height, src_h)
    lo_x, hi_x = centre_range(max(s0, s1), width, src_w)
    start = np.array([rng.uniform(lo_y, hi_y), rng.uniform(lo_x, hi_x)])
    if camera in ("pan", "ken_burns", "whip_pan"):
        end = np.array([rng.uniform(lo_y, hi_y), rng.uniform(lo_x, hi_x)])
        if camera == "whip_pan":  # swing to the far side of the photo
            end = np.array([lo_y + hi_y, lo_x + hi_x]) - start
        end = start + (end - start) * speed
    else:
        end = start.copy()
    centres = start[None] + (end - start)[None] * path[:, None]
    if camera == "static":  # hand-held: a slow, small wobble of a pixel or two
        phase = rng.uniform(0, 2 * np.pi, 2)
        centres = centres + 1.5 * scale[:, None] * np.sin(2 * np.pi * 0.4 * t[:, None] * n / 12
                                                           + phase[None])
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    rows -= (height - 1) / 2.0
    cols -= (width - 1) / 2.0
    frames = np.empty((n, height, width, 3), np.float32)
    for i in range(n):
        frames[i] = _bilinear(source, centres[i, 0] + rows * scale[i],
                              centres[i, 1] + cols * scale[i])
    if sprite_photo is not None:
        _add_sprite(frames, sprite_photo, rng)
    if lighting:
        gain = rng.choice([rng.uniform(0.55, 0.75), rng.uniform(1.25, 1.45)])
        tint = rng.uniform(-0.06, 0.06)
        a, b = sorted(rng.uniform(0.0, 1.0, 2))
        ramp = _smoothstep((t - a) / max(b - a, 0.3))[:, None, None, None]
        colour = np.array([1.0 + tint, 1.0, 1.0 - tint], np.float32)
        frames *= 1.0 + ramp * (gain * colour - 1.0)
    return frames


def _fast_move_profile(n: int, rng: np.random.Generator) -> np.ndarray:
    """Progress 0 -> 1 of a fast camera move, shape (n,): all of it within 3-6 frames
    somewhere in the middle of the shot."""
    width = float(rng.integers(3, 7))
    middle = rng.uniform(0.3, 0.7) * (n - 1)
    return _smoothstep((np.arange(n) - middle) / width + 0.5)


def _edge_profile(n: int, which: str, frames: int) -> np.ndarray:
    """Progress 0 -> 1 of a move that starts from rest at frame ``frames`` and accelerates
    (``which="start"``), or decelerates to rest ``frames`` frames before the end
    (``"stop"``), shape (n,)."""
    idx = np.arange(n, dtype=np.float64)
    if which == "start":
        return np.clip((idx - frames) / max(n - 1 - frames, 1), 0.0, 1.0) ** 2
    return 1.0 - (1.0 - np.clip(idx / max(n - 1 - frames, 1), 0.0, 1.0)) ** 2


def _bilinear(image: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Sample ``image`` (h, w, 3) at float coordinates ``y``, ``x`` (clamped to the edges)."""
    h, w = image.shape[:2]
    y = np.clip(y, 0.0, h - 1.0)
    x = np.clip(x, 0.0, w - 1.0)
    y0 = np.minimum(y.astype(np.intp), h - 2)
    x0 = np.minimum(x.astype(np.intp), w - 2)
    fy = (y - y0)[..., None]
    fx = (x - x0)[..., None]
    top = image[y0, x0] * (1 - fx) + image[y0, x0 + 1] * fx
    bottom = image[y0 + 1, x0] * (1 - fx) + image[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def _add_sprite(frames: np.ndarray, photo: str, rng: np.random.Generator,
                radius: tuple[float, float] = (0.12, 0.2), through: bool = False) -> None:
    """Composite a textured disc (``radius`` a share of the frame height) moving in a
    straight line across the frames (in place); ``through``: from just outside one side
    of the frame to just outside the other."""
    n, height, width, _ = frames.shape
    radius = rng.uniform(*radius) * height
    texture = load_photo(photo, (height, width))
    ty = rng.integers(0, texture.shape[0] - int(2 * radius) - 1)
    tx = rng.integers(0, texture.shape[1] - int(2 * radius) - 1)
    side = int(2 * radius) + 1
    patch = texture[ty:ty + side, tx:tx + side]
    yy, xx = np.mgrid[0:side, 0:side] - radius
    alpha = np.clip(radius - np.hypot(yy, xx), 0.0, 1.0)[..., None].astype(np.float32)
    p0 = np.array([rng.uniform(radius, height - radius), rng.uniform(radius, width - radius)])
    p1 = np.array([rng.uniform(radius, height - radius), rng.uniform(radius, width - radius)])
    if through:
        p0[1], p1[1] = (-radius, width + radius)[::1 if p0[1] < p1[1] else -1]
    for i in range(n):
        cy, cx = p0 + (p1 - p0) * i / max(n - 1, 1)
        y0, x0 = int(round(cy - radius)), int(round(cx - radius))
        y1, x1 = min(y0 + side, height), min(x0 + side, width)
        py, px = max(0, -y0), max(0, -x0)
        y0, x0 = max(y0, 0), max(x0, 0)
        a = alpha[py:py + y1 - y0, px:px + x1 - x0]
        region = frames[i, y0:y1, x0:x1]
        region[:] = (1 - a) * region + a * patch[py:py + y1 - y0, px:px + x1 - x0]


def make_clip(
    seed: int = 0,
    n_shots: int = 6,
    size: tuple[int, int] = (96, 128),
    fps: float = 12.0,
    transitions: Sequence[str] = TRANSITIONS,
    shot_seconds: tuple[float, float] = (2.0, 3.5),
    transition_seconds: tuple[float, float] = (0.6, 1.2),
    cameras: Sequence[str] = CAMERA_MOVES,
    p_moving_object: float = 0.5,
    p_lighting_change: float = 0.4,
    camera_speed: float = 1.0,
    noise_std: float = 0.01,
    photos: Sequence[str] = PHOTOS,
    p_flash: float = 0.0,
    distractors: Distractors | None = None,
) -> Clip:
    """Generate a clip of ``n_shots`` shots with its ground truth. Deterministic per seed.

    Parameters
    ----------
    seed : int
        Everything random (photos, camera paths, extras, transitions) follows from it.
    n_shots : int
        Number of shots (>= 1); there are ``n_shots - 1`` transitions.
    size : (int, int)
        Frame size ``(H, W)`` in pixels; small (96 x 128) keeps everything fast.
    fps : float
        Frames per second.
    transitions : sequence of str
        Kinds to draw each transition from (uniformly): ``"cut"``, ``"dissolve"``, ``"fade"``.
    shot_seconds : (float, float)
        Range of each shot's own length in seconds (transition frames come on top).
    transition_seconds : (float, float)
        Range of a dissolve's length, and of a fade's total length (out + in), in seconds.
    cameras : sequence of str
        Camera moves to draw from: ``"static"``, ``"pan"``, ``"zoom"``, ``"ken_burns"``,
        and the fast ``"whip_pan"`` and ``"crash_zoom"`` (``FAST_CAMERA_MOVES``).
    p_moving_object, p_lighting_change : float
        Probability that a shot gets a moving object / a lighting change.
    camera_speed : float
        Multiplies the extent of each pan and zoom (1 = across most of the photo per shot).
    noise_std : float
        Standard deviation of the Gaussian sensor noise added to every pixel.
    photos : sequence of str
        Photos to film (a subset of ``PHOTOS``, at least 2 when ``n_shots > 1``); two
        consecutive shots never film the same photo.
    p_flash : float
        Probability that a shot gets a camera flash: 1-3 frames brightened and washed
        towards white, at least 3 frames away from any transition, recorded in
        ``Clip.flashes`` (not a boundary). Drawn from its own random stream, so a clip with
        ``p_flash=0`` is the same as before flashes existed.
    distractors : Distractors, optional
        Motion inside the frame that is not a shot change: big foreground objects,
        occluders sweeping past the lens, people walking through, camera moves that start
        at the first frames or stop at the last. Drawn from their own random streams, so
        ``None`` (the default) gives the same clip as before they existed.

    Returns
    -------
    Clip
        Frames ``(T, H, W, 3)`` float32 in [0, 1] and the ground truth.

    Taught in ``11_video_auto_editing``.
    """
    _check_clip_args(n_shots, size, fps, transitions, cameras, photos)
    if not 0.0 <= p_flash <= 1.0:
        raise ValueError(f"make_clip: p_flash is a probability in [0, 1], got {p_flash}")
    rng = np.random.default_rng(seed)
    size = (int(size[0]), int(size[1]))
    photos = list(dict.fromkeys(photos))
    # The order of the random draws below is part of the contract: same seed, same clip.
    plan = _plan_shots(rng, n_shots, photos, cameras, p_moving_object, p_lighting_change,
                       shot_seconds, fps)
    kinds, lengths = _plan_transitions(rng, n_shots - 1, transitions, transition_seconds, fps)
    _make_room(plan, kinds, lengths)
    extra = distractors or Distractors()
    extra.check()
    edges = _edge_moves(plan, extra.edge_moves, np.random.default_rng([seed, 16]))
    rendered = _render_shots(rng, plan, kinds, lengths, size, photos, camera_speed, edges)
    timeline = _assemble(rendered, plan, kinds, lengths)

    frames = np.concatenate(timeline.pieces)
    passes = _add_distractors(frames, timeline.transitions, timeline.shots, extra,
                              np.random.default_rng([seed, 17]), photos)
    flashes = _add_flashes(frames, timeline.transitions, timeline.shots, p_flash,
                           np.random.default_rng([seed, 15]), passes)
    if noise_std > 0:
        frames = frames + rng.normal(0.0, noise_std, frames.shape).astype(np.float32)
    frames = np.clip(frames, 0.0, 1.0).astype(np.float32)
    params = dict(n_shots=n_shots, size=size, fps=fps, transitions=tuple(transitions),
                  shot_seconds=shot_seconds, transition_seconds=transition_seconds,
                  cameras=tuple(cameras), p_moving_object=p_moving_object,
                  p_lighting_change=p_lighting_change, camera_speed=camera_speed,
                  noise_std=noise_std, p_flash=p_flash, distractors=extra)
    return Clip(frames, float(fps), timeline.transitions, timeline.shots,
                np.concatenate(timeline.shot_of_frame), seed, params, flashes, passes)


def _make_room(plan: list[dict], kinds: list[str], lengths: list[int]) -> None:
    """Lengthen shots (in place) so each holds its transitions at both ends plus at least
    one frame of its own: a fade in takes half its length from the shot's head, a dissolve
    or fade out takes its length (half of it) from the tail."""
    longest = max(lengths, default=0)
    for i, shot in enumerate(plan):
        head = lengths[i - 1] // 2 if i > 0 and kinds[i - 1] == "fade" else 0
        tail = 0
        if i < len(kinds):
            tail = lengths[i] // 2 if kinds[i] == "fade" else lengths[i]
        shot["own"] = max(shot["own"], longest + 2, head + tail + 1)


def _add_flashes(
    frames: np.ndarray,
    transitions: list[Transition],
    shots: list[ShotInfo],
    p_flash: float,
    rng: np.random.Generator,
    passes: Sequence[tuple[str, int, int]] = (),
) -> list[tuple[int, int]]:
    """Brighten 1-3 frames of some shots (in place), like a camera flash going off, and
    return the flashes' spans ``[start, end)``. A flash keeps 3 frames from any transition
    and from any occluder (``passes``)."""
    free = np.ones(len(frames), bool)
    for tr in transitions:
        free[max(tr.start - 3, 0):tr.end + 3] = False
    for kind, start, end in passes:
        if kind == "occluder":
            free[max(start - 3, 0):end + 3] = False
    free[:3] = free[-3:] = False
    flashes = []
    for shot in shots:
        if rng.random() >= p_flash:
            continue
        length = int(rng.integers(1, 4))
        starts = [u for u in range(shot.start, shot.end - length + 1)
                  if free[u:u + length + 3].all() and free[max(u - 3, 0):u].all()]
        if not starts:
            continue
        u = int(rng.choice(starts))
        gain, white = rng.uniform(1.4, 2.0), rng.uniform(0.2, 0.4)
        decay = np.array([1.0, 0.6, 0.35], np.float32)[:length, None, None, None]
        frames[u:u + length] = (frames[u:u + length] * (1 + (gain - 1) * decay)
                                + white * decay)
        free[u:u + length] = False
        flashes.append((u, u + length))
    return flashes


def _edge_moves(plan: list[dict], on: bool, rng: np.random.Generator) -> dict[int, tuple[str, int]]:
    """The edge moves of the first and last shots (and their cameras made pans)."""
    if not on:
        return {}
    edges = {len(plan) - 1: ("stop", int(rng.integers(0, 3))),
             0: ("start", int(rng.integers(0, 3)))}
    for i in edges:
        if plan[i]["camera"] == "static" or plan[i]["camera"] in FAST_CAMERA_MOVES:
            plan[i]["camera"] = "pan"
    return edges


def _clean_spans(transitions: list[Transition], n: int) -> list[tuple[int, int]]:
    """Each shot's frames outside every transition, ``[start, end)``."""
    edges = [0] + [x for tr in transitions for x in (tr.start, tr.end)] + [n]
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]


def _add_distractors(
    frames: np.ndarray,
    transitions: list[Transition],
    shots: list[ShotInfo],
    extra: Distractors,
    rng: np.random.Generator,
    photos: list[str],
) -> list[tuple[str, int, int]]:
    """Composite ``extra``'s foreground objects, walkers and occluders into each shot's own
    frames (in place); return the passes ``(kind, start, end)`` in time order."""
    passes = []
    for (start, end), shot in zip(_clean_spans(transitions, len(frames)), shots, strict=True):
        others = [p for p in photos if p != shot.photo] or [p for p in PHOTOS
                                                             if p != shot.photo]
        if rng.random() < extra.foreground:
            for _ in range(int(rng.integers(1, 3))):
                # Across the frame in 8-24 frames, somewhere in the shot.
                length = min(end - start, int(rng.integers(8, 25)))
                a = int(rng.integers(start, end - length + 1))
                _add_sprite(frames[a:a + length], str(rng.choice(others)), rng, (0.25, 0.4),
                            through=True)
        if rng.random() < extra.walker and end - start >= 6:
            passes.append(("walker", *_add_walker(frames, start, end, rng)))
        if rng.random() < extra.occluder and end - start >= 16:
            passes.append(("occluder", *_add_occluder(frames, start, end, rng,
                                                      str(rng.choice(others)))))
    return sorted(passes, key=lambda p: p[1])


def _add_occluder(frames: np.ndarray, start: int, end: int, rng: np.random.Generator,
                  photo: str) -> tuple[int, int]:
    """Sweep a dark, blurred blob across frames ``[s, s + d)`` inside ``[start, end)`` (at
    least 4 frames from either end); return ``(s, s + d)``."""
    from scipy.ndimage import gaussian_filter

    _, height, width, _ = frames.shape
    d = int(rng.integers(3, 9))
    s = int(rng.integers(start + 4, max(start + 5, end - 4 - d)))
    d = min(d, end - 4 - s)
    cover = rng.uniform(0.4, 0.95) * width
    texture = load_photo(photo, (height, width))[:height, :width]
    texture = gaussian_filter(texture, (4, 4, 0)) * rng.uniform(0.15, 0.6)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    soft = 0.08 * width
    direction = 1 if rng.random() < 0.5 else -1
    for i in range(d):
        # The blob's centre runs from just off one side to just off the other.
        progress = (i + 0.5) / d
        centre = -cover / 2 + progress * (width + cover)
        if direction < 0:
            centre = width - centre
        dist = np.abs(cols - centre) - cover / 2 + 0.1 * np.abs(rows - height / 2)
        alpha = np.clip(0.5 - dist / soft, 0.0, 1.0)[..., None]
        frames[s + i] = (1 - alpha) * frames[s + i] + alpha * texture
    return s, s + d


def _capsule(rows: np.ndarray, cols: np.ndarray, a: np.ndarray, b: np.ndarray,
             radius: float) -> np.ndarray:
    """Soft mask (0-1) of the capsule of ``radius`` pixels around segment ``a``-``b``."""
    ab = b - a
    u = np.clip(((rows - a[0]) * ab[0] + (cols - a[1]) * ab[1]) / max(ab @ ab, 1e-9), 0, 1)
    dist = np.hypot(rows - a[0] - u * ab[0], cols - a[1] - u * ab[1])
    return np.clip(radius - dist + 0.5, 0.0, 1.0)


def _add_walker(frames: np.ndarray, start: int, end: int,
                rng: np.random.Generator) -> tuple[int, int]:
    """A person-like silhouette walking across frames ``[start, end)`` (in place); return
    the frames in which it is visible."""
    _, height, width, _ = frames.shape
    tall = rng.uniform(0.6, 1.3) * height
    feet = rng.uniform(0.85, 1.15) * height  # where the feet are (may be below the frame)
    crossing = rng.uniform(12, 36)  # frames to walk across the frame
    x0 = rng.uniform(-0.3, 0.6) * width
    step = (width + 0.4 * tall) / crossing * (1 if rng.random() < 0.5 else -1)
    colours = rng.uniform(0.02, 0.35, (3, 3)) + rng.uniform(0, 0.3, (3, 1))
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    phase, seen = rng.uniform(0, 2 * np.pi), []
    for i in range(start, end):
        x = x0 + step * (i - start)
        swing = 0.35 * np.sin(phase + 2 * np.pi * (i - start) / 10)
        hip = np.array([feet - 0.48 * tall, x])
        neck = np.array([feet - 0.82 * tall, x])
        leg = 0.48 * tall
        parts = [  # (mask, colour index): legs, body and arms, head
            (_capsule(rows, cols, hip, hip + leg * np.array([np.cos(swing), np.sin(swing)]),
                      0.06 * tall), 0),
            (_capsule(rows, cols, hip, hip + leg * np.array([np.cos(-swing), np.sin(-swing)]),
                      0.06 * tall), 0),
            (_capsule(rows, cols, hip, neck, 0.11 * tall), 1),
            (_capsule(rows, cols, neck, neck + 0.4 * tall * np.array([np.cos(-swing),
                                                                      np.sin(-swing)]),
                      0.045 * tall), 1),
            (_capsule(rows, cols, neck - [0.09 * tall, 0], neck - [0.09 * tall, 0],
                      0.075 * tall), 2),
        ]
        for mask, c in parts:
            frames[i] = (1 - mask[..., None]) * frames[i] + mask[..., None] * colours[c]
        if any(mask.any() for mask, _ in parts):
            seen.append(i)
    return (seen[0], seen[-1] + 1) if seen else (start, start)


def _check_clip_args(
    n_shots: int,
    size: tuple[int, int],
    fps: float,
    transitions: Sequence[str],
    cameras: Sequence[str],
    photos: Sequence[str],
) -> None:
    """Raise ``ValueError`` for ``make_clip`` arguments it cannot film."""
    if n_shots < 1:
        raise ValueError(f"n_shots must be >= 1, got {n_shots}")
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if len(size) != 2 or min(size) < 16:
        raise ValueError(f"size must be (H, W) with both >= 16 pixels, got {size}")
    for kind in transitions:
        if kind not in TRANSITIONS:
            raise ValueError(f"unknown transition {kind!r}; choose from {TRANSITIONS}")
    for cam in cameras:
        if cam not in CAMERA_MOVES + FAST_CAMERA_MOVES:
            raise ValueError(f"unknown camera move {cam!r}; choose from "
                             f"{CAMERA_MOVES + FAST_CAMERA_MOVES}")
    for photo in photos:
        if photo not in PHOTOS:
            raise ValueError(f"unknown photo {photo!r}; choose from {PHOTOS}")
    if n_shots > 1 and (not transitions or len(set(photos)) < 2):
        raise ValueError("several shots need at least one transition kind and two photos")
    if not cameras:
        raise ValueError("cameras must name at least one camera move")


def _plan_shots(
    rng: np.random.Generator,
    n_shots: int,
    photos: list[str],
    cameras: Sequence[str],
    p_moving_object: float,
    p_lighting_change: float,
    shot_seconds: tuple[float, float],
    fps: float,
) -> list[dict]:
    """Draw each shot's photo (never the previous one), camera, extras and own length."""
    plan = []
    previous = None
    for _ in range(n_shots):
        photo = str(rng.choice([p for p in photos if p != previous]))
        previous = photo
        plan.append(dict(
            photo=photo,
            camera=str(rng.choice(list(cameras))),
            moving_object=bool(rng.random() < p_moving_object),
            lighting=bool(rng.random() < p_lighting_change),
            own=max(2, int(round(rng.uniform(*shot_seconds) * fps))),
        ))
    return plan


def _plan_transitions(
    rng: np.random.Generator,
    n_transitions: int,
    transitions: Sequence[str],
    transition_seconds: tuple[float, float],
    fps: float,
) -> tuple[list[str], list[int]]:
    """Draw each transition's kind, then its length in frames (0 for a cut)."""
    kinds = [str(rng.choice(list(transitions))) for _ in range(n_transitions)]
    lengths = [0 if k == "cut" else max(2, int(round(rng.uniform(*transition_seconds) * fps)))
               for k in kinds]
    # A fade is out then in: an even number of frames, at least 2 each way.
    lengths = [max(4, 2 * (n // 2)) if k == "fade" else n
               for k, n in zip(kinds, lengths, strict=True)]
    return kinds, lengths


def _render_shots(
    rng: np.random.Generator,
    plan: list[dict],
    kinds: list[str],
    lengths: list[int],
    size: tuple[int, int],
    photos: list[str],
    camera_speed: float,
    edges: dict[int, tuple[str, int]],
) -> list[np.ndarray]:
    """Render every planned shot, with extra frames for the dissolve that leads into it;
    ``edges`` maps a shot to its edge move (``_render_shot``'s ``edge``)."""
    rendered = []
    for i, shot in enumerate(plan):
        extra_in = lengths[i - 1] if i > 0 and kinds[i - 1] == "dissolve" else 0
        n = shot["own"] + extra_in
        # A one-photo clip borrows its moving object's texture from the other bundled photos.
        others = [p for p in photos if p != shot["photo"]]
        sprite = str(rng.choice(others or [p for p in PHOTOS if p != shot["photo"]]))
        frames = _render_shot(shot["photo"], shot["camera"], n, size, rng,
                              sprite if shot["moving_object"] else None, shot["lighting"],
                              camera_speed, edges.get(i))
        rendered.append(frames)
    return rendered


@dataclass
class _Timeline:
    """A clip being assembled shot by shot: the frames emitted so far and their ground truth."""

    carry: np.ndarray  # frames of the current shot not yet emitted
    pieces: list[np.ndarray] = field(default_factory=list)
    shot_of_frame: list[np.ndarray] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    shots: list[ShotInfo] = field(default_factory=list)
    cursor: int = 0  # frames already emitted
    shot_start: int = 0

    def emit_carry(self, i: int) -> None:
        """Emit the rest of shot ``i`` unchanged."""
        self.pieces.append(self.carry)
        self.shot_of_frame.append(np.full(len(self.carry), i))
        self.cursor += len(self.carry)

    def cut(self, i: int, shot: dict, nxt: np.ndarray) -> None:
        """End shot ``i`` with a hard cut to the frames ``nxt``."""
        self.emit_carry(i)
        cursor = self.cursor
        self.transitions.append(Transition("cut", cursor, cursor + 1, cursor))
        self.shots.append(_info(i, shot, self.shot_start, cursor))
        self.shot_start, self.carry = cursor, nxt

    def dissolve(self, i: int, shot: dict, nxt: np.ndarray, length: int) -> None:
        """Blend the last ``length`` frames of shot ``i`` into the first ``length`` of ``nxt``."""
        head = self.carry[:-length]
        a = self.carry[-length:]
        b = nxt[:length]
        w = (np.arange(1, length + 1, dtype=np.float32) / (length + 1))[:, None, None, None]
        blend = (1 - w) * a + w * b
        self.pieces += [head, blend]
        start = self.cursor + len(head)
        boundary = start + length // 2
        self.shot_of_frame += [np.full(len(head), i),
                               np.where(np.arange(start, start + length) < boundary, i, i + 1)]
        self.cursor = start + length
        self.transitions.append(Transition("dissolve", start, self.cursor, boundary))
        self.shots.append(_info(i, shot, self.shot_start, self.cursor))
        self.shot_start, self.carry = start, nxt[length:]

    def fade(self, i: int, shot: dict, nxt: np.ndarray, length: int) -> None:
        """Fade shot ``i`` out to black over ``length / 2`` frames, then ``nxt`` in over as many."""
        half = length // 2
        out_w = (np.arange(half - 1, -1, -1, dtype=np.float32) / half)[:, None, None, None]
        in_w = (np.arange(1, half + 1, dtype=np.float32) / half)[:, None, None, None]
        head = self.carry[:-half]
        faded = np.concatenate([self.carry[-half:] * out_w, nxt[:half] * in_w])
        self.pieces += [head, faded]
        start = self.cursor + len(head)
        boundary = start + half
        self.shot_of_frame += [np.full(len(head), i), np.full(half, i), np.full(half, i + 1)]
        self.cursor = start + length
        self.transitions.append(Transition("fade", start, self.cursor, boundary))
        self.shots.append(_info(i, shot, self.shot_start, start + half))
        self.shot_start, self.carry = boundary, nxt[half:]


def _assemble(
    rendered: list[np.ndarray],
    plan: list[dict],
    kinds: list[str],
    lengths: list[int],
) -> _Timeline:
    """Join the rendered shots with their transitions, recording the ground truth."""
    timeline = _Timeline(carry=rendered[0])
    for i, (kind, length) in enumerate(zip(kinds, lengths, strict=True)):
        nxt = rendered[i + 1]
        if kind == "cut":
            timeline.cut(i, plan[i], nxt)
        elif kind == "dissolve":
            timeline.dissolve(i, plan[i], nxt, length)
        else:
            timeline.fade(i, plan[i], nxt, length)
    last = len(rendered) - 1
    timeline.emit_carry(last)
    timeline.shots.append(_info(last, plan[last], timeline.shot_start, timeline.cursor))
    return timeline


def _info(index: int, shot: dict, start: int, end: int) -> ShotInfo:
    return ShotInfo(index, shot["photo"], shot["camera"], shot["moving_object"],
                    shot["lighting"], start, end)
