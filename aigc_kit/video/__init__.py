"""Video: frames in memory and on disk, generated footage, features, shot cuts, auto-editing.

A clip is a float array ``(T, H, W, 3)`` in [0, 1] (torch models take ``(T, 3, H, W)``).
Modules, one topic each:

- ``io``: validate frames (``as_frames``), torch layout, read/write GIF and MP4;
- ``clips``: footage filmed over scikit-image's bundled photos, with ground truth;
- ``features``: colour, texture and motion features per frame and per shot;
- ``cuts``: shot-boundary detection and its TRECVID-style scoring;
- ``edit``: importance scores and automatic editing with crossfades;
- ``display``: inline playback (GIF/MP4 in HTML), storyboards, feature plots.

Further topics (style transfer, generation) live in their own modules beside these and are
imported from there (``from aigc_kit.video.style import ...``); this file re-exports only
the names above. Taught in ``11_video_auto_editing``.
"""

from aigc_kit.video.clips import PHOTOS, Clip, ShotInfo, Transition, load_photo, make_clip
from aigc_kit.video.cuts import detect_cuts, detect_cuts_threshold, score_cuts
from aigc_kit.video.io import (
    VideoLoadError,
    as_frames,
    ffmpeg_available,
    from_tensor,
    read_video,
    to_tensor,
    write_video,
)

__all__ = [
    "PHOTOS", "Clip", "ShotInfo", "Transition", "load_photo", "make_clip",
    "detect_cuts", "detect_cuts_threshold", "score_cuts",
    "VideoLoadError", "as_frames", "ffmpeg_available", "from_tensor", "read_video",
    "to_tensor", "write_video",
]
