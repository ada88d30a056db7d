"""Features (chapter 2.2): what the models and the listeners see of a sound, and the way back.

- :mod:`~aigc_kit.features.audio`: pitch (pYIN), loudness, onsets and tempo, batched log-mel
  (torchaudio), MFCC, chroma, spectral centroid, per-clip summaries;
- :mod:`~aigc_kit.features.mel_images`: clips as fixed-size log-mel images in [-1, 1] (the
  generators' representation, :class:`MelSpec` and its presets);
- :mod:`~aigc_kit.features.mel_datasets`: the notes and FSDD image datasets, the sound
  behind them and their splits;
- :mod:`~aigc_kit.features.inverse`: mel back to sound, in one place: Griffin-Lim, the mel
  inverse, ``to_audio`` (the kit's default vocoder), the :class:`Vocoder` protocol and the
  untrained vocoders (:data:`VOCODERS`);
- :mod:`~aigc_kit.features.inputs`: the input checks they share.

Taught in ``03_feature_extraction``; the mel images from ``04_deep_learning_models`` on.
"""

from aigc_kit.features.audio import (
    chroma,
    clip_pitch,
    hz_to_cents_error,
    log_mel,
    loudness_db,
    mfcc,
    onsets_tempo,
    pitch_pyin,
    spectral_centroid,
    summary_feature_names,
    summary_features,
)
from aigc_kit.features.inverse import (
    VOCODER_PEAK_DB,
    VOCODERS,
    GriffinLim,
    Vocoder,
    griffin_lim_resynthesis,
    mel_to_audio,
    spectrogram_to_audio,
    to_audio,
    vocode,
    vocoder_level,
)
from aigc_kit.features.mel_datasets import (
    DATASETS,
    MelImageDataset,
    fsdd_images,
    fsdd_waveforms,
    load_mel_dataset,
    note_class_names,
    notes_images,
    notes_waveforms,
)
from aigc_kit.features.mel_images import (
    FSDD_SPEC,
    FSDD_SPEC_24MS,
    FSDD_SPEC_32,
    FSDD_SPEC_32MS,
    FSDD_SPEC_64,
    NOTES_SPEC,
    NOTES_SPEC_32,
    SPECS,
    MelSpec,
    check_audible,
    check_images,
    fit_frames,
    prepare_clips,
    sharpen,
    to_db,
    to_images,
)

__all__ = [
    "DATASETS",
    "FSDD_SPEC",
    "FSDD_SPEC_24MS",
    "FSDD_SPEC_32MS",
    "FSDD_SPEC_32",
    "FSDD_SPEC_64",
    "GriffinLim",
    "MelImageDataset",
    "MelSpec",
    "NOTES_SPEC",
    "NOTES_SPEC_32",
    "SPECS",
    "VOCODERS",
    "VOCODER_PEAK_DB",
    "Vocoder",
    "check_audible",
    "check_images",
    "chroma",
    "clip_pitch",
    "fit_frames",
    "fsdd_images",
    "fsdd_waveforms",
    "griffin_lim_resynthesis",
    "hz_to_cents_error",
    "load_mel_dataset",
    "log_mel",
    "loudness_db",
    "mel_to_audio",
    "mfcc",
    "note_class_names",
    "notes_images",
    "notes_waveforms",
    "onsets_tempo",
    "pitch_pyin",
    "prepare_clips",
    "spectral_centroid",
    "spectrogram_to_audio",
    "summary_feature_names",
    "summary_features",
    "to_audio",
    "sharpen",
    "to_db",
    "to_images",
    "vocode",
    "vocoder_level",
]
