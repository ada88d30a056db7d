"""Video (chapter 6.2): frames, generated footage, features, cuts, editing, style, generation.

A clip is a float array ``(T, H, W, 3)`` in [0, 1] (torch models take ``(T, 3, H, W)``).

- :mod:`~aigc_kit.apps.video.io`: validate frames (``as_frames``), torch layout, GIF and MP4;
- :mod:`~aigc_kit.apps.video.clips`: footage filmed over scikit-image's bundled photos, with
  ground truth;
- :mod:`~aigc_kit.apps.video.features`: colour, texture and motion features per frame and
  per shot;
- :mod:`~aigc_kit.apps.video.cuts`: shot-boundary detection and its TRECVID-style scoring;
- :mod:`~aigc_kit.apps.video.edit`: importance scores and automatic editing;
- :mod:`~aigc_kit.apps.video.display`: inline playback, storyboards, feature plots;
- :mod:`~aigc_kit.apps.video.style`: colour transfer and Gram-statistics style transfer;
- :mod:`~aigc_kit.apps.video.generator`: moving shapes and a small video VAE.

Taught in ``11_video_auto_editing`` and ``12_video_style_and_generation``.
"""

from aigc_kit.apps.video.clips import (
    CAMERA_MOVES,
    PHOTOS,
    TRANSITIONS,
    Clip,
    ShotInfo,
    Transition,
    load_photo,
    make_clip,
)
from aigc_kit.apps.video.cuts import (
    CONTRAST_FLOOR,
    DARK_LEVEL,
    THUMB,
    THUMB_WEIGHT,
    CutDetection,
    boundary_scores,
    detect_cuts,
    detect_cuts_threshold,
    frame_descriptors,
    hsv_differences,
    score_cuts,
    threshold_boundaries,
)
from aigc_kit.apps.video.display import (
    play,
    play_side_by_side,
    player_html,
    plot_over_time,
    storyboard,
)
from aigc_kit.apps.video.edit import (
    DEFAULT_WEIGHTS,
    EditResult,
    auto_edit,
    crossfade_concat,
    importance_scores,
)
from aigc_kit.apps.video.features import (
    GLCM_PROPS,
    LUMA,
    colourfulness,
    frame_difference_energy,
    frame_features,
    glcm_features,
    grey,
    hsv_histograms,
    lbp_histograms,
    optical_flow_magnitude,
    shot_features,
    shot_spans,
)
from aigc_kit.apps.video.generator import (
    SHAPES,
    MovingShapes,
    VideoVAE,
    centroid_tracks,
    clips_to_numpy,
    motion_statistics,
    moving_shapes,
    reconstruction_scores,
    tile_clips,
)
from aigc_kit.apps.video.io import (
    VIDEO_EXTENSIONS,
    VideoLoadError,
    as_frames,
    ffmpeg_available,
    from_tensor,
    read_gif,
    read_mp4,
    read_video,
    to_tensor,
    to_uint8,
    write_gif,
    write_mp4,
    write_video,
)
from aigc_kit.apps.video.style import (
    RandomTextureNet,
    colour_transfer,
    flicker_score,
    gram_matrices,
    gram_style_distance,
    lab_statistics,
    style_transfer,
)

__all__ = [
    "CAMERA_MOVES",
    "CONTRAST_FLOOR",
    "Clip",
    "CutDetection",
    "DARK_LEVEL",
    "DEFAULT_WEIGHTS",
    "EditResult",
    "GLCM_PROPS",
    "LUMA",
    "MovingShapes",
    "PHOTOS",
    "RandomTextureNet",
    "SHAPES",
    "ShotInfo",
    "THUMB",
    "THUMB_WEIGHT",
    "TRANSITIONS",
    "Transition",
    "VIDEO_EXTENSIONS",
    "VideoLoadError",
    "VideoVAE",
    "as_frames",
    "auto_edit",
    "boundary_scores",
    "centroid_tracks",
    "clips_to_numpy",
    "colour_transfer",
    "colourfulness",
    "crossfade_concat",
    "detect_cuts",
    "detect_cuts_threshold",
    "ffmpeg_available",
    "flicker_score",
    "frame_descriptors",
    "frame_difference_energy",
    "frame_features",
    "from_tensor",
    "glcm_features",
    "gram_matrices",
    "gram_style_distance",
    "grey",
    "hsv_differences",
    "hsv_histograms",
    "importance_scores",
    "lab_statistics",
    "lbp_histograms",
    "load_photo",
    "make_clip",
    "motion_statistics",
    "moving_shapes",
    "optical_flow_magnitude",
    "play",
    "play_side_by_side",
    "player_html",
    "plot_over_time",
    "read_gif",
    "read_mp4",
    "read_video",
    "reconstruction_scores",
    "score_cuts",
    "shot_features",
    "shot_spans",
    "storyboard",
    "style_transfer",
    "threshold_boundaries",
    "tile_clips",
    "to_tensor",
    "to_uint8",
    "write_gif",
    "write_mp4",
    "write_video",
]
