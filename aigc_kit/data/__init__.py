"""Data collection and preprocessing (chapter 2.1): loaders, datasets, cleaning steps.

Taught in ``02_data_collection_preprocessing``. The log-mel *image* datasets the models train
on are features of these clips: :mod:`aigc_kit.features.mel_datasets`.
"""

from aigc_kit.data.dataset import AudioSet, SkippedFile
from aigc_kit.data.io import (
    AUDIO_EXTENSIONS,
    AudioLoadError,
    FileLoadError,
    load_audio,
    load_folder,
)
from aigc_kit.data.preprocess import (
    detect_outliers,
    fix_length,
    normalize_loudness,
    normalize_peak,
    remove_dc,
    resample,
    rms_db,
    robust_z,
    to_mono,
    trim_silence,
)
from aigc_kit.data.spoken_digits import (
    DatasetIntegrityError,
    DatasetUnavailableError,
    fetch_fsdd,
    fsdd,
    fsdd_speakers,
)
from aigc_kit.data.synth import TIMBRES, midi_to_hz, midi_to_note, synth_note, synth_notes

__all__ = [
    "AUDIO_EXTENSIONS",
    "TIMBRES",
    "AudioLoadError",
    "AudioSet",
    "FileLoadError",
    "DatasetIntegrityError",
    "DatasetUnavailableError",
    "SkippedFile",
    "detect_outliers",
    "fetch_fsdd",
    "fix_length",
    "fsdd",
    "fsdd_speakers",
    "load_audio",
    "load_folder",
    "midi_to_hz",
    "midi_to_note",
    "normalize_loudness",
    "normalize_peak",
    "remove_dc",
    "resample",
    "rms_db",
    "robust_z",
    "synth_note",
    "synth_notes",
    "to_mono",
    "trim_silence",
]
