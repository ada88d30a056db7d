"""The course site: pages with navigation, an index with summaries and run times, and the
widget manager served from the site itself (no CDN)."""

from pathlib import Path

import nbformat

from aigc_kit.course.site import (
    MATHJAX_FILE,
    MATHJAX_VERSION,
    STATIC,
    STATIC_DIR,
    Chapter,
    build_site,
    describe,
    export_page,
)


def _chapter(folder: Path, stem: str, title: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}\n\n*Chapter X of the source.* A first "
                                      "sentence that is long enough to pass the cut of one "
                                      "hundred and twenty characters easily. A second one.\n"
                                      "\nMore text."),
        nbformat.v4.new_code_cell("1 + 1"),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}  # as an executed chapter has
    path = folder / f"{stem}.ipynb"
    nbformat.write(nb, path)
    return path


def test_describe_takes_the_heading_and_the_first_sentences(tmp_path):
    title, summary = describe(_chapter(tmp_path, "01_a", "1 · First"))
    assert title == "1 · First"
    assert summary.startswith("Chapter X of the source. A first sentence")
    assert summary.endswith("easily.") and "*" not in summary and "More text" not in summary


def test_site_has_an_index_navigation_and_local_widget_manager(tmp_path):
    for stem, title in (("01_a", "1 · First"), ("02_b", "2 · Second"), ("03_c", "3 · Third")):
        _chapter(tmp_path, stem, title)
    chapters = [Chapter("01_a", "1 · First", "one", 12.3), Chapter("02_b", "2 · Second", "two",
                7.0, ok=False), Chapter("03_c", "3 · Third", "three", 1.0),
                Chapter("04_d", "4 · Missing", "four", None)]
    index = build_site(tmp_path, chapters)
    text = index.read_text()
    assert 'href="01_a.html"' in text and "1 · First" in text and "12 s" in text
    assert "failed" in text and "4 · Missing (not built)" in text and "Run time" in text
    assert not (tmp_path / "index.ipynb").exists() and not (tmp_path / "04_d.html").exists()
    middle = (tmp_path / "02_b.html").read_text()
    assert 'href="01_a.html" rel="prev"' in middle and 'href="03_c.html" rel="next"' in middle
    assert 'href="index.html"' in middle
    first = (tmp_path / "01_a.html").read_text()
    assert 'rel="prev"' not in first
    for page in (first, middle):  # the widget manager comes from the site, not a CDN
        assert f"{STATIC_DIR}/embed-amd.js" in page and f"{STATIC_DIR}/require.js" in page
        assert "html-manager@" not in page and "require.min.js" not in page
        assert f'src="{STATIC_DIR}/{MATHJAX_FILE}"' in page  # and so do the formulas
        assert "libs/mathjax" not in page and "mathjax/2." not in page
    shipped = {p.name for p in (tmp_path / STATIC_DIR).iterdir()}
    assert {"embed-amd.js", "require.js", MATHJAX_FILE, "LICENSES.md",
            "LICENSE-MathJax.txt"} <= shipped


def test_the_shipped_mathjax_is_the_version_the_licences_name():
    assert f'"{MATHJAX_VERSION}"' in (STATIC / MATHJAX_FILE).read_text(encoding="utf-8")
    licences = (STATIC / "LICENSES.md").read_text(encoding="utf-8")
    assert f"mathjax@{MATHJAX_VERSION}" in licences and "Apache-2.0" in licences
    assert "Apache License" in (STATIC / "LICENSE-MathJax.txt").read_text(encoding="utf-8")


def test_a_single_page_export_also_works_offline(tmp_path):
    page = export_page(_chapter(tmp_path, "x", "X"))
    assert "aigc-nav" not in page.read_text().split("<main>")[1].split("</main>")[0][:200]
    assert (tmp_path / STATIC_DIR / "embed-amd.js").exists()
