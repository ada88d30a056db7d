"""Self-checks of chapter 1's exercises (``notebooks/01_aigc_overview``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from aigc_kit.check.core import Outcome, call_student, close, exercise, not_a_function, right, wrong


def _whole_number(answer: Any) -> int | None:
    """``answer`` as an int when it is one whole number (int, NumPy int, 7.0), else None."""
    value = np.asarray(answer)
    if value.shape != () or value.dtype.kind not in "iuf":
        return None
    number = float(value)
    return int(number) if np.isfinite(number) and number.is_integer() else None


@exercise
def ex1(answer: Any, n_samples: int, mel_args: Mapping[str, Any]) -> Outcome:
    """Exercise 1: frames of one clip's log-mel spectrogram. ``answer``: an int.

    Parameters
    ----------
    answer : int
        The number of frames.
    n_samples : int
        Samples per clip (the notebook's ``n_samples``).
    mel_args : mapping
        The notebook's ``mel_args`` (``sr``, ``n_fft``, ``hop_length``, ``n_mels``).
    """
    from aigc_kit.features import log_mel

    probe = np.random.default_rng(0).standard_normal(int(n_samples)).astype(np.float32)
    expected = int(log_mel(probe, **mel_args).shape[-1])
    frames = _whole_number(answer)
    if frames is None:
        return wrong("a number of frames is one whole number (an int)")
    if frames == expected:
        return right("log_mel centres its frames: one on sample 0, then one every hop, so "
                     "1 + n_samples // hop_length, whatever n_fft is")
    hop, n_fft = int(mel_args["hop_length"]), int(mel_args.get("n_fft", 1024))
    if frames == int(n_samples) // hop:
        return wrong("off by one: the frames are centred, so there is a frame at sample 0 "
                     "as well as one at every later multiple of the hop")
    if frames == (int(n_samples) - n_fft) // hop + 1:
        return wrong("that formula drops the ends: log_mel pads the clip by n_fft // 2 on "
                     "each side (centred frames), so the window length does not matter")
    return wrong("count frame centres: 0, hop_length, 2 * hop_length, ... up to n_samples")


def _snr_probes() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    reference = rng.standard_normal(2000)
    other = 0.3 * np.sin(np.linspace(0, 60, 1000)) + 0.05 * rng.standard_normal(1000)
    return [
        (reference + 0.3 * rng.standard_normal(2000), reference),
        (0.5 * reference, reference),
        (-reference, reference),
        (other + 0.1 * rng.standard_normal(1000), other),
    ]


@exercise
def ex2(answer: Callable[[np.ndarray, np.ndarray], float]) -> Outcome:
    """Exercise 2: SNR written from its definition. ``answer``: a function ``(est, ref) -> dB``.

    The check calls ``answer(estimate, reference)`` on its own 1-D float64 signals and
    compares with :func:`aigc_kit.evaluation.snr`.
    """
    from aigc_kit.evaluation import snr

    if (hint := not_a_function(answer, "my_snr")) is not None:
        return hint
    for estimate, reference in _snr_probes():
        expected = float(snr(estimate, reference))
        got, failed = call_student(answer, estimate.copy(), reference.copy())
        if failed is not None:
            return failed
        if close(got, expected, rtol=1e-4, atol=1e-6):
            continue
        value = np.asarray(got, dtype=np.float64)
        if value.shape != ():
            return wrong("return one number per pair of 1-D signals: sum over the time axis")
        swapped = 10 * np.log10(np.sum(estimate**2) / np.sum((estimate - reference) ** 2))
        if close(value, 2 * expected, rtol=1e-4):
            return wrong("twice too big: these are energies (squared amplitudes), so use "
                         "10 log10, not 20 log10")
        if close(value, 10 ** (expected / 10), rtol=1e-4):
            return wrong("that is the energy ratio itself; SNR is in dB: 10 log10(ratio)")
        if close(value, -expected, rtol=1e-4):
            return wrong("the sign is flipped: signal energy on top, noise energy below")
        if close(value, swapped, rtol=1e-4):
            return wrong("the signal energy is the reference's, sum(reference**2), not the "
                         "estimate's")
        return wrong("noise = estimate - reference; SNR = 10 log10(sum(reference**2) / "
                     "sum(noise**2)), summed over samples")
    return right("half the gain scores only about 6 dB and a flipped polarity below 0 dB, "
                 "though both sound like the original: SNR is a waveform metric")


@exercise
def ex3(answer: Any, generated_spec: np.ndarray, spec_train: np.ndarray) -> Outcome:
    """Exercise 3: the generated sample nearest the training set. ``answer``: an int index.

    Parameters
    ----------
    answer : int
        Index (0-based) into ``generated_spec``.
    generated_spec, spec_train : np.ndarray
        The notebook's generated and training log-mel spectrograms.
    """
    from aigc_kit.evaluation import nearest_neighbour_distance

    distances = nearest_neighbour_distance(generated_spec, spec_train)
    expected = int(np.argmin(distances))
    index = _whole_number(answer)
    if index is None:
        return wrong("give the index of the sample (an int), not its distance")
    if index == expected:
        return right("even the nearest generated sample is no copy if its distance is about "
                     "that of held-out real recordings (the box plot above)")
    if index == int(np.argmax(distances)):
        return wrong("that one lies farthest from the training set: take the smallest "
                     "distance (np.argmin)")
    if index == expected + 1:
        return wrong("off by one: Python indices start at 0")
    if not 0 <= index < len(distances):
        return wrong(f"there are only {len(distances)} generated samples, indexed from 0")
    return wrong("compute nearest_neighbour_distance(generated_spec, spec_train), one distance "
                 "per generated sample, and take the index of the smallest")
