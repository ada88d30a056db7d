"""Features (chapter 2.2): what the models and the listeners see of a sound.

- :mod:`~aigc_kit.features.audio`: pitch (pYIN), loudness, onsets and tempo, batched log-mel
  (torchaudio), MFCC, chroma, spectral centroid, Griffin-Lim resynthesis;
- :mod:`~aigc_kit.features.mel_images`: clips as fixed-size log-mel images in [-1, 1] (the
  generators' representation, :class:`MelSpec`) and back to audio;
- :mod:`~aigc_kit.features.mel_datasets`: the notes and FSDD image datasets with their splits.

Taught in ``03_feature_extraction``; the mel images from ``04_deep_learning_models`` on.
"""

from aigc_kit.features.audio import (
    chroma,
    clip_pitch,
    griffin_lim_resynthesis,
    hz_to_cents_error,
    log_mel,
    loudness_db,
    mel_to_audio,
    mfcc,
    onsets_tempo,
    pitch_pyin,
    spectral_centroid,
    spectrogram_to_audio,
    summary_feature_names,
    summary_features,
)
from aigc_kit.features.mel_datasets import (
    MelImageDataset,
    load_mel_dataset,
)
from aigc_kit.features.mel_images import (
    FSDD_SPEC,
    FSDD_SPEC_32,
    FSDD_SPEC_64,
    NOTES_SPEC,
    NOTES_SPEC_32,
    SPECS,
    MelSpec,
    check_audible,
    check_images,
    fit_frames,
    fsdd_images,
    fsdd_waveforms,
    note_class_names,
    notes_images,
    notes_waveforms,
    peak_normalize,
    prepare_clips,
    to_audio,
    to_db,
    to_images,
    vocode,
)

__all__ = [
    "vocode",
    "fit_frames",
    "check_images",
    "peak_normalize",
    "notes_waveforms",
    "fsdd_waveforms",
    "check_audible",
    "SPECS",
    "NOTES_SPEC_32",
    "FSDD_SPEC_32",
    "FSDD_SPEC_64",
    "spectrogram_to_audio",
    "MelImageDataset",
    "load_mel_dataset",
    "FSDD_SPEC",
    "MelSpec",
    "NOTES_SPEC",
    "chroma",
    "clip_pitch",
    "fsdd_images",
    "griffin_lim_resynthesis",
    "hz_to_cents_error",
    "log_mel",
    "loudness_db",
    "mel_to_audio",
    "mfcc",
    "note_class_names",
    "notes_images",
    "onsets_tempo",
    "pitch_pyin",
    "prepare_clips",
    "spectral_centroid",
    "summary_feature_names",
    "summary_features",
    "to_audio",
    "to_db",
    "to_images",
]
