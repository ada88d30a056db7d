"""The course site's pages in Chromium, offline: chapter 1's diagram, a widget page, players'
durations, code on a phone, the index's search box, and what stands in the microphone's place.

Each page is built from a small notebook (chapter 1's first cell, or a few cells executed in
seconds), not from the whole course; ``test_site_audit.py`` audits every page of a full build.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

from aigc_kit.course.runner import run_notebook
from aigc_kit.course.site import Chapter, build_site, describe, render_page

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LONG_LINE = "x = " + " + ".join(f"value_{i}" for i in range(40)) + "  # the end of the line"
CELLS = [
    "import numpy as np\nimport ipywidgets as widgets\nfrom IPython.display import Audio, display\n"
    "from aigc_kit.training import Adam",
    "SR = 8000\nfor seconds in (0.99, 1.0, 2.5):\n"
    "    display(Audio(np.sin(np.arange(int(SR * seconds)) / 3), rate=SR))",
    "widgets.FloatSlider(description=r'rate $\\alpha$', value=0.5, max=1.0)",
    "values = {f'value_{i}': i for i in range(40)}\nglobals().update(values)\n" + LONG_LINE,
    "optimizer = Adam",
    "import pandas as pd\npd.DataFrame([[f'a wide table, cell {i}' for i in range(10)]])",
    "from aigc_kit.interaction import MicrophonePlaceholder, VoiceLoop\n"
    "MicrophonePlaceholder(VoiceLoop({'again': print}), 'rater = \"human\"')",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A one-chapter site: a few cells executed headless (players, a widget whose label holds
    a formula, a long code line, a wide table, a name from the kit)."""
    folder = tmp_path_factory.mktemp("pages")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 1 · Pages\n\nA small chapter for the site's browser tests.\n\n## Players and widgets")]
        + [nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    source = folder / "source" / "01_pages.ipynb"
    source.parent.mkdir()
    nbformat.write(nb, source)
    run = run_notebook(source, folder, export=False)
    assert run.ok, run.error
    build_site(folder, [Chapter("01_pages", *describe(source), run.seconds)])
    return folder


def test_chapter_1_diagram_is_drawn_offline(tmp_path, offline_context, audit):
    # issue 27: the page loaded Mermaid from a CDN and hid the diagram until it was drawn
    chapter = jupytext.read(NOTEBOOKS / "01_aigc_overview.py", fmt="py:percent")
    first = next(c for c in chapter.cells if c.cell_type == "markdown")
    assert "```mermaid" in first.source
    page_file = render_page(nbformat.v4.new_notebook(cells=[first]), tmp_path / "01.html")
    requested: list[str] = []
    context = offline_context(requested)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_selector(".jp-RenderedMermaid figure svg", timeout=30_000)
    drawn = page.evaluate("""() => {
        const svg = document.querySelector('.jp-RenderedMermaid figure svg');
        const box = svg.getBoundingClientRect();
        return [svg.textContent, box.width, box.height,
                getComputedStyle(document.querySelector('pre.mermaid')).display];
    }""")
    context.close()
    text, width, height, source_display = drawn
    for label in ("data collection", "feature extraction", "deep model", "feedback"):
        assert label in text
    assert width > 200 and height > 200 and source_display == "none"
    assert requested == []
    assert audit(page_file) == []


def test_widget_page_typesets_labels_and_raises_no_error(site, offline_context, audit):
    # issue 27: the widget manager called MathJax 2's MathJax.Hub.Queue (TypeError)
    page_file = site / "01_pages.html"
    assert audit(page_file) == []
    context = offline_context([])
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_selector(".widget-label mjx-container svg", timeout=30_000)
    label = page.locator(".widget-label").first.inner_text()
    context.close()
    assert "$" not in label  # typeset, not raw TeX


def test_the_microphone_says_it_needs_a_kernel_on_the_page(site, offline_context):
    # issue 24: where no kernel runs, the microphone widget's place says so
    context = offline_context([])
    page = context.new_page()
    page.goto((site / "01_pages.html").as_uri())
    button = page.locator(".aigc-mic-placeholder button")
    text = page.locator(".aigc-mic-placeholder").inner_text()
    disabled = button.is_disabled()
    context.close()
    assert disabled
    assert "needs a running kernel" in text and 'rater = "human"' in text
    assert "again, stop" in text


def test_every_player_shows_its_duration(site, offline_context):
    # issue 27: Chromium's controls show whole seconds, so a 0.99 s clip read "0:00 / 0:00"
    context = offline_context([])
    page = context.new_page()
    page.goto((site / "01_pages.html").as_uri())
    page.wait_for_function("document.querySelectorAll('.aigc-duration').length == 3",
                           timeout=30_000)
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('audio')).map(a =>
        [a.duration, a.nextElementSibling && a.nextElementSibling.textContent])""")
    context.close()
    assert [label for _, label in shown] == ["0.99 s", "1.00 s", "2.50 s"]
    assert [round(d, 2) for d, _ in shown] == [0.99, 1.0, 2.5]


def test_long_code_lines_scroll_sideways_on_a_phone(site, offline_context):
    # issue 27: code cells were cut off (overflow: hidden) with no way to reach the end
    context = offline_context([], width=390)
    page = context.new_page()
    page.goto((site / "01_pages.html").as_uri())
    editor = page.locator(".jp-InputArea-editor", has_text="the end of the line").first
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    assert box["x"] + box["width"] <= 390
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(4000, 0)  # a sideways swipe over the cell
    page.wait_for_timeout(500)
    end = page.evaluate("""() => {
        const ed = Array.from(document.querySelectorAll('.jp-InputArea-editor'))
                        .find(e => e.textContent.includes('the end of the line'));
        const range = document.createRange();
        const pre = ed.querySelector('pre');
        range.selectNodeContents(pre);
        return [ed.scrollLeft, range.getBoundingClientRect().right,
                document.documentElement.scrollWidth];
    }""")
    context.close()
    scrolled, text_right, page_width = end
    assert scrolled > 0, "the cell did not scroll"
    assert text_right <= 390 + 1, f"the end of the line is still off screen at {text_right}"
    assert page_width <= 390


def test_index_search_finds_headings_and_kit_names_offline(site, offline_context):
    requested: list[str] = []
    context = offline_context(requested)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    box = page.locator("#aigc-search-input")
    box.fill("adam")
    page.wait_for_selector("#aigc-search-results li")
    found = page.locator("#aigc-search-results a").evaluate_all(
        "links => links.map(a => [a.textContent, a.getAttribute('href')])")
    assert any("Adam" in text and href.startswith("01_pages.html#cell-id=")
               for text, href in found), found
    box.fill("players widgets")
    page.wait_for_timeout(200)
    found = page.locator("#aigc-search-results a").evaluate_all(
        "links => links.map(a => [a.textContent, a.getAttribute('href')])")
    assert found == [["Players and widgets", "01_pages.html#Players-and-widgets"]], found
    box.fill("no such thing anywhere")
    page.wait_for_timeout(200)
    assert "nothing found" in page.locator("#aigc-search-status").inner_text()
    context.close()
    assert requested == []
