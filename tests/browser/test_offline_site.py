"""Chapter 8 built into the course site: a lean page whose players all play offline, and
whose widgets raise no error and use the page's font."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aigc_kit.course.runner import run_notebook
from aigc_kit.course.site import Chapter, build_site, describe, export_page

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTER = NOTEBOOKS / "08_interaction_feedback_loop.ipynb"
MB = 1_000_000


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Chapter 8 executed headless and built into a one-chapter site."""
    folder = tmp_path_factory.mktemp("site")
    run = run_notebook(CHAPTER, folder, export=False)
    assert run.ok, run.error
    build_site(folder, [Chapter(CHAPTER.stem, *describe(CHAPTER), run.seconds)])
    return folder


def test_chapter_8_notebook_and_page_under_4_mb(site):
    # issue 13: 12 MB / 11 MB and 6,989 widget models, 192 players in panels never shown
    executed = site / CHAPTER.name
    page = executed.with_suffix(".html")
    assert executed.stat().st_size < 4 * MB and page.stat().st_size < 4 * MB
    state = json.loads(executed.read_text())["metadata"]["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]
    assert 100 < len(state) < 1000  # the displayed widgets are kept, the rest are not
    players = json.dumps(state).count("<audio")
    assert players < 60, f"{players} players embedded in widget state"


def test_exported_page_plays_every_player_offline(site, offline_context):
    requested: list[str] = []
    context = offline_context(requested)  # no network: only the site's own files
    page = context.new_page()
    page.goto((site / f"{CHAPTER.stem}.html").as_uri())
    page.wait_for_function("document.querySelectorAll('.widget-box audio').length > 20",
                           timeout=30_000)
    page.wait_for_timeout(1000)
    counts = page.evaluate("""() => {
        const all = Array.from(document.querySelectorAll('audio'));
        const playable = all.filter(a => a.readyState >= 1 && isFinite(a.duration)
                                    && a.duration > 0);
        return [all.length, playable.length, document.documentElement.scrollWidth,
                window.innerWidth];
    }""")
    total, playable, width, window = counts
    print(f"offline: {playable} of {total} players playable; page {width} px in {window} px")
    assert total >= 25 and playable == total
    assert width <= window, "the page is wider than the window"
    assert not any("html-manager" in url or "require" in url for url in requested), requested
    index = context.new_page()
    index.goto((site / "index.html").as_uri())
    link = index.locator(f"a[href='{CHAPTER.stem}.html']").first
    assert "Interaction" in link.inner_text()
    context.close()


def test_widget_page_has_no_errors_and_widgets_in_the_page_font(site, audit,
                                                                 offline_context):
    # issue 27: 41 "Cannot read properties of undefined (reading 'Queue')" page errors from
    # the widget manager (MathJax 2 API, MathJax 3 shipped), serif widget labels, a
    # temporary path printed, code cells cut off at 390 px
    page_file = site / f"{CHAPTER.stem}.html"
    assert audit(page_file) == []
    context = offline_context([])
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.widget-label').length > 5",
                           timeout=30_000)
    outputs = "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
    fonts = page.evaluate("""() => [
        getComputedStyle(document.querySelector('.jp-RenderedMarkdown')).fontFamily,
        Array.from(document.querySelectorAll('.widget-label, .widget-button, .widget-readout'))
             .map(e => getComputedStyle(e).fontFamily)]""")
    context.close()
    text_font, widget_fonts = fonts
    assert "feedback log:" in outputs and "/tmp/" not in outputs
    assert widget_fonts and set(widget_fonts) == {text_font}, (text_font, set(widget_fonts))


def test_index_and_further_reading_pages_pass_the_audit(site, audit):
    for name in ("index.html", "further_reading.html"):
        assert audit(site / name) == [], name


def test_formulas_are_drawn_offline(tmp_path, offline_context):
    # issue 13 left MathJax on its CDN: offline, formulas showed as raw TeX
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Formulas\n\nInline $\\mathrm{IS} = \\exp\\left(\\mathbb{E}_x\\, "
        "D_{KL}(p(y|x) \\| p(y))\\right)$ and displayed:\n\n"
        "$$\\theta_{t+1} = \\theta_t - \\eta \\frac{\\hat m_t}{\\sqrt{\\hat v_t} + "
        "\\epsilon}$$")])
    path = tmp_path / "formulas.ipynb"
    nbformat.write(nb, path)
    page_file = export_page(path)
    requested: list[str] = []
    context = offline_context(requested)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelectorAll('mjx-container svg').length >= 2",
                           timeout=30_000)
    shown = page.evaluate("""() => [
        document.querySelectorAll('mjx-container[display="true"]').length,
        document.querySelector('.jp-RenderedMarkdown').innerText.includes('\\\\frac')]""")
    context.close()
    assert shown == [1, False], shown  # one displayed formula, no raw TeX left
    assert requested == [], requested
