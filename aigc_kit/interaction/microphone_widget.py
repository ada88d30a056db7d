"""The microphone widget: speak commands into JupyterLab, hear the reply at once.

An `anywidget <https://anywidget.dev>`_ widget (its front end is
``interaction/static/microphone.js``): the browser captures the microphone with the Web Audio
API, cuts each spoken command out with an energy voice-activity detector (or press to
record), draws it as a waveform with a player, and sends it to the kernel as 16-bit PCM with
its sample rate. The kernel runs it through a :class:`~aigc_kit.interaction.voice.VoiceLoop`
(recognise -> act) and sends back the reply clip, which the browser plays at once; the
browser measures the time from the end of the command to the reply playing and sends it
back (:attr:`Microphone.latencies`).

No microphone, permission refused or a page without a secure context: the widget's status
says what to do and the notebook goes on. Where no kernel runs (the exported course page)
the widget's text form says that recording needs JupyterLab. Headless (papermill, tests),
:meth:`Microphone.take` feeds a file or an array through the very same path as a browser
recording.

Taught in ``08_interaction_feedback_loop`` (and used by ``09_music_generation``).
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import soundfile as sf
import traitlets

from aigc_kit.interaction.voice import Outcome, VoiceLoop, as_clip

__all__ = ["PROBLEM_HELP", "Microphone", "MicrophonePlaceholder", "microphone"]

_STATIC = Path(__file__).parent / "static"

PROBLEM_HELP: dict[str, str] = {
    "denied": "the browser refused the microphone: allow it for this page (the icon left of "
              "the address bar) and press the button again",
    "no-device": "no microphone was found: plug one in (or pick one in the system's sound "
                 "settings) and press the button again",
    "busy": "the microphone is used by another program: close it and press the button again",
    "insecure": "this page may not use the microphone (it needs https:// or localhost): "
                "open JupyterLab at http://localhost:8888",
    "error": "the microphone could not be started",
}
"""What the widget tells the user for each problem its front end reports."""


def _wav_bytes(clip: np.ndarray, sr: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(np.asarray(clip, np.float32), -1, 1), sr, format="WAV",
             subtype="PCM_16")
    return buffer.getvalue()


class Microphone(anywidget.AnyWidget):
    """The widget returned by :func:`microphone`; see there.

    Attributes
    ----------
    loop : VoiceLoop
        Where every recording goes.
    status : str (trait)
        The last message shown under the button (also printed headless by :meth:`take`).
    latencies : list of float
        Seconds from the end of each command to its reply playing, measured by the browser.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    _esm = _STATIC / "microphone.js"
    _css = _STATIC / "microphone.css"
    listening = traitlets.Bool(False).tag(sync=True)
    mode = traitlets.Unicode("auto").tag(sync=True)
    start_db = traitlets.Float(12.0).tag(sync=True)
    min_db = traitlets.Float(-50.0).tag(sync=True)
    hangover_ms = traitlets.Float(200.0).tag(sync=True)
    max_seconds = traitlets.Float(2.5).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    ready = traitlets.Bool(False).tag(sync=True)

    def __init__(self, loop: VoiceLoop, mode: str = "auto", **kwargs: Any) -> None:
        if mode not in ("auto", "press"):
            raise ValueError(f"microphone: mode must be 'auto' (voice-activity detection) or "
                             f"'press' (press to record), got {mode!r}")
        super().__init__(mode=mode, **kwargs)
        self.loop = loop
        self.latencies: list[float] = []
        self.on_msg(self._on_message)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
            data = {**data, "text/plain": "microphone: recording needs a running kernel "
                                          "(open the notebook in JupyterLab)"}
            return data, meta
        return bundle

    def take(self, audio: Any, sr: int | None = None) -> Outcome:
        """Run one recording (a file, or samples at ``sr``) through the loop, as a browser
        recording would; show and return the outcome. The reply clip is sent to the front
        end when one is connected."""
        outcome = self.loop.handle(audio, sr)
        self.status = outcome.message
        if outcome.reply.clip is not None:
            self.send({"kind": "reply", "id": -1},
                      [_wav_bytes(outcome.reply.clip, outcome.reply.sr)])
        return outcome

    def problem(self, name: str, detail: str = "") -> str:
        """The message shown for a front-end problem (no microphone, permission refused)."""
        help_text = PROBLEM_HELP.get(name, PROBLEM_HELP["error"])
        self.status = f"⚠ {help_text}" + (f" ({detail})" if detail else "")
        self.listening = False
        return self.status

    def _on_message(self, _widget: Any, content: dict[str, Any], buffers: list[Any]) -> None:
        kind = content.get("kind")
        if kind == "ready":
            self.ready = True
        elif kind == "problem":
            self.problem(str(content.get("problem")), str(content.get("message", "")))
        elif kind == "latency":
            self.latencies.append(float(content["seconds"]))
        elif kind == "clip" and buffers:
            self._on_clip(content, bytes(buffers[0]))

    def _on_clip(self, content: dict[str, Any], pcm: bytes) -> None:
        samples = np.frombuffer(pcm, dtype=np.int16)
        try:
            clip, sr = as_clip(samples, int(content["sr"]))
            outcome = self.loop.handle(clip, sr)
        except (ValueError, OSError) as error:  # bad audio: say so, keep listening
            self.status = f"⚠ {error}"
            return
        if outcome.reply.clip is not None:
            self.send({"kind": "reply", "id": content.get("id", -1)},
                      [_wav_bytes(outcome.reply.clip, outcome.reply.sr)])
        self.status = outcome.message
        if self.loop.stopped:
            self.listening = False


def microphone(loop: VoiceLoop, mode: str = "auto") -> Microphone:
    """A microphone widget whose recordings run through ``loop``.

    Parameters
    ----------
    loop : VoiceLoop
        The command loop (its recogniser listens for exactly its words).
    mode : {"auto", "press"}
        ``"auto"``: listen, and cut commands out by voice-activity detection; ``"press"``:
        press to record, press again to send.

    Returns
    -------
    Microphone
        Display it in JupyterLab 4; headless call :meth:`Microphone.take`.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` (and used by ``09_music_generation``).
    """
    return Microphone(loop, mode=mode)


class MicrophonePlaceholder:
    """What stands in the microphone widget's place where no kernel can hear you.

    An executed notebook exported as a page (the course site) has no kernel, so no widget
    could record there; headless runs (papermill, the tests) make no widget at all. This
    shows the widget's button greyed out, the words it listens for, and how to speak them:
    open the notebook in JupyterLab and turn the voice on (``how``). Plain text where HTML
    is not shown.

    Parameters
    ----------
    loop : VoiceLoop
        The loop the widget would feed (its words are listed).
    how : str
        What to set in the notebook to speak, e.g. ``'rater = "human"'``.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` (and used by ``09_music_generation``).
    """

    def __init__(self, loop: VoiceLoop, how: str) -> None:
        self.words = loop.recognizer.words
        self.message = (f"microphone: speaking needs a running kernel; open this notebook in "
                        f"JupyterLab and set {how} (it listens for: {', '.join(self.words)})")

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        return ('<div class="aigc-mic aigc-mic-placeholder" style="font-size:13px">'
                '<button disabled style="padding:4px 12px">🎤 start listening</button> '
                f"<span>{html.escape(self.message)}</span></div>")
