import numpy as np
import pytest
import torch

from aigc_kit.data import synth_notes
from aigc_kit.evaluation import (
    AudioJudge,
    frechet_distance,
    judge_vocoders,
    listener_for,
    pitch_kept,
)
from aigc_kit.features import NOTES_SPEC, VOCODERS, to_audio, to_images

SR = NOTES_SPEC.sr


class LoudOrQuiet:
    """A stand-in listener: class 1 if the clip's RMS is above -25 dBFS, else class 0."""

    def __init__(self) -> None:
        self.calls = 0

    def predict_proba(self, waveforms, sr):
        assert sr == SR and np.asarray(waveforms).ndim == 2  # it gets audio, not images
        self.calls += 1
        rms = np.sqrt(np.mean(np.asarray(waveforms, dtype=np.float64) ** 2, axis=1))
        loud = (20 * np.log10(rms) > -25).astype(float)
        return np.stack([1 - 0.8 * loud - 0.1, 0.8 * loud + 0.1], axis=1)

    def predict(self, waveforms, sr):
        return self.predict_proba(waveforms, sr).argmax(1)

    def features(self, waveforms, sr):
        return np.asarray(waveforms, dtype=np.float64)[:, ::500]

    def hear(self, waveforms, sr):
        return self.predict_proba(waveforms, sr), self.features(waveforms, sr)

    def accuracy(self, waveforms, labels, sr):
        return float(np.mean(self.predict(waveforms, sr) == np.asarray(labels)))


def _notes(n_variants: int = 1) -> tuple[np.ndarray, np.ndarray]:
    notes = synth_notes(pitches=(60, 64, 67), loudness_db=(-20.0,), n_variants=n_variants,
                        duration_s=NOTES_SPEC.duration_s, sr=SR, seed=3)
    return np.stack(notes.clips)[:, : NOTES_SPEC.n_samples], notes.labels["f0_hz"].to_numpy()


def test_the_judge_hears_vocoded_audio_once_per_batch_and_repeatably():
    clips, _ = _notes()
    images = to_images(clips, NOTES_SPEC)
    listener = LoudOrQuiet()
    judge = AudioJudge(NOTES_SPEC, listener)
    state = torch.random.get_rng_state()
    audio = judge.audio(images)
    assert torch.equal(torch.random.get_rng_state(), state)  # the caller's RNG is untouched
    assert audio.shape == clips.shape and np.abs(audio).max() == pytest.approx(0.9)
    assert np.array_equal(judge.audio(images.clone()), audio)  # same images, same sound
    assert judge.heard(images, torch.ones(len(images), dtype=torch.long)).all()  # peak 0.9: loud
    scores = judge.scores(images, clips * 0.01)  # the "real" set is quiet: another class
    assert scores["coverage"] == 1 and scores["n_classes"] == 2
    heard = listener.features(audio, SR), listener.features(clips * 0.01, SR)
    assert scores["frechet"] == pytest.approx(frechet_distance(*heard), rel=1e-9)
    assert scores["is_ratio"] == pytest.approx(1.0)  # one confident class each: IS 1 and 1


def test_the_judge_hears_the_reference_once_however_many_sets_it_scores():
    clips, _ = _notes()
    listener = LoudOrQuiet()
    judge = AudioJudge(NOTES_SPEC, listener)
    images = to_images(clips, NOTES_SPEC)
    real = clips * 0.01
    first = judge.scores(images, real)
    calls = listener.calls
    assert calls == 2  # the generated set and the reference, each heard once
    quieter = judge.scores(images * 0.5 - 0.5, real)  # another generated set, same reference
    assert listener.calls == calls + 1
    assert judge.scores(images, real) == first  # remembered, and the same answer
    probabilities = judge.probabilities(images)
    probabilities[:] = -1  # the caller's copy, not the remembered one
    assert judge.probabilities(images).min() >= 0 and quieter["n_classes"] == 2


def test_pitch_kept_accepts_the_right_pitch_and_refuses_a_semitone_off():
    clips, f0 = _notes()
    assert pitch_kept(clips, SR, f0).all()
    assert not pitch_kept(clips, SR, f0 * 2 ** (1 / 12)).any()  # a semitone is 100 cents
    assert not pitch_kept(np.zeros_like(clips[:1]) + 1e-4, SR, f0[:1]).any()  # unvoiced: lost


def test_judge_vocoders_tabulates_every_vocoder_against_the_originals():
    clips, f0 = _notes()
    vocoders = {"GL-32": VOCODERS["GL-32"], "NNLS+GL-32": to_audio}
    table = judge_vocoders(vocoders, clips, np.ones(len(clips), int), NOTES_SPEC,
                           LoudOrQuiet(), f0_hz=f0)
    assert list(table.index) == ["original", "GL-32", "NNLS+GL-32"]
    assert {"heard", "heard_vs_original", "pitch", "lsd_db", "spectral_convergence",
            "rtf"} <= set(table.columns)
    assert table.loc["original", "pitch"] == 1.0 and table.loc["original", "lsd_db"] == 0.0
    assert (table.loc[["GL-32", "NNLS+GL-32"], "rtf"] > 0).all()
    assert np.isnan(table.loc["original", "rtf"])  # the originals were not vocoded
    assert table.loc["NNLS+GL-32", "lsd_db"] < table.loc["GL-32", "lsd_db"]


def test_listener_for_names_the_kit_listeners_and_refuses_others():
    with pytest.raises(ValueError, match="no audio listener for dataset 'cats'.*fit an "):
        listener_for("cats")
