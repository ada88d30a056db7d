"""A spoken command in JupyterLab, through Chromium's fake microphone, lands in the log.

Chromium plays a WAV file (a word spoken by espeak-ng, between silences) as its microphone
(``--use-fake-device-for-media-stream --use-file-for-fake-audio-capture``; the permission
prompt is answered yes by ``--use-fake-ui-for-media-stream``). The notebook shows the
microphone widget of a chapter-8 rating session; the test presses the button, and checks
that each rating lands in the feedback log (``source="voice"``), that the next clip plays,
and the latency the page measured from the end of the word to that clip playing, median
and worst of :data:`REPEATS` commands (target: under 0.5 s on 2 cores; the test only
bounds it loosely, the figure is printed). Then chapter 8 itself, with ``rater = "human"``,
is run in JupyterLab and rated by the same spoken word through its own microphone widget.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
import soundfile as sf

from aigc_kit.data.preprocess import resample
from aigc_kit.generation import trained_models
from aigc_kit.interaction.voice import CommandRecognizer, espeak

CHAPTER_8 = (Path(__file__).resolve().parents[2] / "notebooks"
             / "08_interaction_feedback_loop.ipynb")

REPEATS = 20  # the word is said this many times, 1.5 s apart
WORDS = ("one", "two", "three", "four", "five", "again", "next", "stop")
CELLS = [
    """\
from pathlib import Path

import numpy as np

from aigc_kit.interaction import FeedbackLog, RatingSession, VoiceLoop, microphone

SR = 16000
t = np.arange(SR // 2) / SR
session = RatingSession(lambda i: 0.3 * np.sin(2 * np.pi * (300 + 50 * i) * t), SR,
                        FeedbackLog(Path("voice_ratings.jsonl")), rater_id="browser-voice")
loop = VoiceLoop(session.actions())
mic = microphone(loop)
mic""",
]


@pytest.fixture(scope="module")
def spoken(lab) -> tuple[str, str]:
    """A WAV of one rating word spoken by espeak-ng (48 kHz), and the word."""
    if shutil.which("espeak-ng") is None:
        if os.environ.get("AIGC_KIT_REQUIRE_BROWSER"):
            pytest.fail("the voice browser test needs espeak-ng (apt-get install espeak-ng)")
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    pytest.importorskip("anywidget", reason="the microphone widget needs anywidget")
    recognizer = CommandRecognizer(WORDS)
    for word in ("four", "two", "three", "one", "five"):  # the first the recogniser takes
        clip, sr = espeak(word)
        if recognizer.hear(clip, sr).command == word:
            break
    else:
        pytest.fail("espeak-ng's rating words are not recognised even headless")
    clip = resample(clip, sr, 48000)
    gap = np.zeros(72000, np.float32)  # 1.5 s
    said = [gap] + [0.5 * clip / np.abs(clip).max(), gap] * REPEATS + [gap]
    path = lab.root / "command.wav"
    sf.write(path, np.concatenate(said), 48000, subtype="PCM_16")
    return str(path), word


def _open(browser, lab, name: str, args: list[str], nb=None):
    """A second Chromium of the session's Playwright (started with ``args``) showing the
    microphone notebook ``name`` (``nb``, or the small rating session of :data:`CELLS`) run
    in JupyterLab: (chromium, page)."""
    if nb is None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
    nbformat.write(nb, lab.root / name)
    chromium = browser.browser_type.launch(
        executable_path=os.environ.get("AIGC_KIT_CHROMIUM", "/usr/bin/chromium"),
        args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required", *args])
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab.url(name))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_timeout(1000)
    deadline = time.monotonic() + 180
    ran = False
    while not page.locator(".aigc-mic-button").count():
        select = page.locator(".jp-Dialog button", has_text="Select")
        if select.count():
            select.first.click()
            page.wait_for_timeout(1500)
            ran = False
        if not ran:
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            ran = True
        if time.monotonic() > deadline:
            page.screenshot(path=str(lab.root / f"{name}.failure.png"), full_page=True)
            pytest.fail(f"the microphone widget did not appear; screenshot in {lab.root}")
        page.wait_for_timeout(500)
    return chromium, page


def _fake_microphone(wav: str) -> list[str]:
    """Chromium's switches: permission granted, ``wav`` played once as the microphone."""
    return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}%noloop"]


@pytest.fixture(scope="module")
def page(browser, lab, spoken):
    # ``browser`` (conftest) skips, or fails in CI, without Chromium; this test needs a
    # second Chromium of the same Playwright, started with the fake microphone
    wav, _ = spoken
    chromium, page = _open(browser, lab, "voice.ipynb", _fake_microphone(wav))
    yield page
    chromium.close()


def test_permission_refused_says_what_to_do(browser, lab, spoken, poll):
    chromium, page = _open(browser, lab, "voice_denied.ipynb", ["--deny-permission-prompts"])
    try:
        page.locator(".aigc-mic-button").click()
        status = page.locator(".aigc-mic-status")
        text = poll(status.inner_text, bool, timeout_s=20)
        assert "allow it for this page" in text or "no microphone" in text, text
        assert "start listening" in page.locator(".aigc-mic-button").inner_text()
    finally:
        chromium.close()


def test_spoken_ratings_land_in_the_log_and_the_next_clip_plays(page, lab, spoken, poll):
    _, word = spoken
    button = page.locator(".aigc-mic-button")
    assert "start listening" in button.inner_text()
    button.click()
    log = lab.root / "voice_ratings.jsonl"  # its own log: the JupyterLab root is shared
    text = poll(lambda: log.read_text() if log.exists() else "",
                lambda t: len(t.splitlines()) >= REPEATS, timeout_s=REPEATS * 1.7 + 30)
    status = page.locator(".aigc-mic-status").inner_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert records, f"no rating reached the log; the widget says: {status!r}"
    first = records[0]
    assert (first["score"], first["source"], first["test"], first["sample_id"]) == (
        WORDS.index(word) + 1, "voice", "mos", "voice-0")
    assert len(records) >= REPEATS - 2, f"{len(records)} of {REPEATS} commands rated"
    assert {r["score"] for r in records} == {WORDS.index(word) + 1}  # never a wrong score
    latency = page.locator(".aigc-mic-latency")
    history = poll(lambda: latency.get_attribute("data-history") or "",
                   lambda h: h.count(",") + 1 >= len(records), timeout_s=10)
    seconds = np.array([float(s) for s in history.split(",") if s])
    assert seconds.size, f"the next clip never played: {latency.inner_text()!r}"
    assert page.locator(".aigc-mic-reply").evaluate("a => a.currentTime") > 0
    print(f"browser: {len(records)} of {REPEATS} spoken '{word}' rated; end of the word -> "
          f"next clip playing: median {np.median(seconds):.3f} s, worst {seconds.max():.3f} s "
          f"over {seconds.size} (target < 0.5 s on 2 cores)")
    assert np.median(seconds) < 1.5  # a loose bound: the target is measured, not asserted


def test_chapter_8_rated_by_voice_in_jupyterlab(browser, lab, spoken, poll):
    # issue 24: chapter 8 itself (rater = "human") run in JupyterLab, rated by speaking
    wav, word = spoken
    nb = nbformat.read(CHAPTER_8, as_version=4)
    (parameters,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    parameters.source = parameters.source.replace('rater = "simulated"', 'rater = "human"')
    parameters.source = parameters.source.replace('log_path = ""',
                                                  'log_path = "ch08_voice.jsonl"')
    assert 'rater = "human"' in parameters.source and "ch08_voice" in parameters.source
    trained_models("notes", seed=0)  # the zoo's models, as after chapter 6 (cached)
    chromium, page = _open(browser, lab, "ch08_voice.ipynb", _fake_microphone(wav), nb)
    try:
        button = page.locator(".aigc-mic-button")
        button.scroll_into_view_if_needed()
        button.click()
        log = lab.root / "ch08_voice.jsonl"
        text = poll(lambda: log.read_text() if log.exists() else "",
                    lambda t: '"voice"' in t, timeout_s=REPEATS * 1.7 + 30)
        status = page.locator(".aigc-mic-status").inner_text()
    finally:
        chromium.close()
    voiced = [r for r in map(json.loads, text.splitlines()) if r.get("source") == "voice"]
    assert voiced, f"no voice rating reached chapter 8's log; the widget says: {status!r}"
    assert {(r["score"], r["rater_id"], r["test"]) for r in voiced} == {
        (WORDS.index(word) + 1, "me-by-voice", "mos")}
    assert voiced[0]["sample_id"] == "voice-0"
