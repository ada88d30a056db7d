"""Tests for aigc_kit.interaction.microphone_widget: the kernel side of the widget."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("anywidget", reason="the microphone widget needs anywidget (notebooks extra)")
pytest.importorskip("pocketsphinx", reason="voice commands need pocketsphinx (notebooks extra)")

from aigc_kit.interaction import FeedbackLog, Microphone, microphone  # noqa: E402
from aigc_kit.interaction.voice import RatingSession, VoiceLoop, espeak  # noqa: E402


@pytest.fixture
def mic(tmp_path) -> Microphone:
    session = RatingSession(lambda i: np.full(800, 0.1, np.float32), 8000,
                            FeedbackLog(tmp_path / "log.jsonl"))
    widget = microphone(VoiceLoop(session.actions()))
    widget.sent = []
    widget.send = lambda content, buffers=None: widget.sent.append((content, buffers))
    return widget


def test_front_end_problems_become_help(mic: Microphone) -> None:
    mic.listening = True
    mic._on_message(mic, {"kind": "problem", "problem": "denied", "message": "NotAllowedError"},
                    [])
    assert "allow it" in mic.status and not mic.listening
    mic._on_message(mic, {"kind": "problem", "problem": "no-device"}, [])
    assert "no microphone" in mic.status
    mic._on_message(mic, {"kind": "latency", "id": 0, "seconds": 0.31}, [])
    assert mic.latencies == [0.31]
    with pytest.raises(ValueError, match="mode"):
        microphone(mic.loop, mode="loud")


def test_silence_from_the_browser_is_rejected_and_nothing_plays(mic: Microphone) -> None:
    pcm = np.zeros(4800, np.int16).tobytes()
    mic._on_message(mic, {"kind": "clip", "id": 0, "sr": 48000}, [memoryview(pcm)])
    assert mic.status == "didn't catch that: silence" and mic.sent == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_browser_clip_at_48k_gets_a_wav_reply(mic: Microphone) -> None:
    clip, sr = espeak("three")
    from aigc_kit.data.preprocess import resample
    pcm = (resample(clip, sr, 48000) * 32767).astype(np.int16).tobytes()
    mic._on_message(mic, {"kind": "clip", "id": 7, "sr": 48000}, [pcm])
    assert mic.status.startswith("heard 'three'")
    (content, buffers), = mic.sent
    assert content == {"kind": "reply", "id": 7}
    reply, reply_sr = sf.read(io.BytesIO(buffers[0]))
    assert reply_sr == 8000 and reply.shape == (800,)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_take_runs_a_file_through_the_same_loop(mic: Microphone, tmp_path) -> None:
    clip, sr = espeak("three")
    sf.write(tmp_path / "three.wav", np.stack([clip, clip]).T, sr)  # stereo file
    outcome = mic.take(tmp_path / "three.wav")
    assert outcome.heard.command == "three" and mic.status == outcome.message
    assert len(mic.sent) == 1


def test_text_form_says_a_kernel_is_needed(mic: Microphone) -> None:
    bundle = mic._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "JupyterLab" in data["text/plain"]


def test_placeholder_says_how_to_speak_without_a_kernel(mic: Microphone) -> None:
    from aigc_kit.interaction import MicrophonePlaceholder

    note = MicrophonePlaceholder(mic.loop, 'rater = "human"')
    assert note.words == mic.loop.recognizer.words
    text = repr(note)
    assert "running kernel" in text and 'rater = "human"' in text and "one, two" in text
    page = note._repr_html_()
    assert "<button disabled" in page
    assert 'rater = &quot;human&quot;' in page and '"human"' not in page  # escaped
