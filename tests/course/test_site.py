"""The course site: pages with navigation, an index with summaries and run times, and the
widget manager served from the site itself (no CDN)."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from aigc_kit.course.cli import main
from aigc_kit.course.search import SEARCH_INDEX_FILE
from aigc_kit.course.site import (
    MATHJAX_FILE,
    MATHJAX_VERSION,
    MERMAID_FILE,
    MERMAID_VERSION,
    READING_PAGE,
    STATIC,
    STATIC_DIR,
    Chapter,
    build_site,
    describe,
    executed_chapters,
    export_page,
)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CDN = re.compile(r"cdnjs|jsdelivr|unpkg|googleapis|https?://[^\s\"']+\.m?js\b")


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


@pytest.mark.parametrize("stem", [p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))])
def test_no_chapter_summary_ends_in_a_dangling_colon(stem):
    # issue 27: the index's summaries of chapters 7 and 12 ended in ":"
    title, summary = describe(NOTEBOOKS / f"{stem}.ipynb")
    assert summary[-1] in ".!?", (title, summary[-60:])
    assert len(summary) > 60


def test_a_summary_that_introduces_a_list_ends_with_a_full_stop(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 7 · X\n\n*Chapters 2.5 and 9.* The article proposes two metrics. They fit one "
        "job and not another, and this sentence runs past the cut of 120 characters:\n\n"
        "| a | b |")])
    nbformat.write(nb, tmp_path / "07_x.ipynb")
    assert describe(tmp_path / "07_x.ipynb")[1].endswith("characters.")


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
        assert f'src="{STATIC_DIR}/aigc-site.js"' in page and f'href="{READING_PAGE}"' in page
    for page in (tmp_path / "index.html", tmp_path / READING_PAGE, *tmp_path.glob("0*.html")):
        # issue 27: every page carried nbconvert's Mermaid loader from cdnjs
        assert not CDN.findall(page.read_text()), (page.name, CDN.findall(page.read_text()))
    shipped = {p.name for p in (tmp_path / STATIC_DIR).iterdir()}
    assert {"embed-amd.js", "require.js", MATHJAX_FILE, "LICENSES.md", "LICENSE-MathJax.txt",
            MERMAID_FILE, "aigc-site.js", SEARCH_INDEX_FILE} <= shipped
    assert 'id="aigc-search-input"' in text and f"{STATIC_DIR}/{SEARCH_INDEX_FILE}" in text
    reading = (tmp_path / READING_PAGE).read_text()
    assert "Further reading" in reading and "Sequence to Sequence Learning" in reading


def test_the_shipped_mermaid_is_the_version_the_licences_name():
    bundle = (STATIC / MERMAID_FILE).read_text(encoding="utf-8")
    assert f'version:"{MERMAID_VERSION}"' in bundle and 'globalThis["mermaid"]' in bundle
    licences = (STATIC / "LICENSES.md").read_text(encoding="utf-8")
    assert f"mermaid@{MERMAID_VERSION}" in licences and "Knut Sveidqvist" in licences


def test_the_shipped_mathjax_is_the_version_the_licences_name():
    assert f'"{MATHJAX_VERSION}"' in (STATIC / MATHJAX_FILE).read_text(encoding="utf-8")
    licences = (STATIC / "LICENSES.md").read_text(encoding="utf-8")
    assert f"mathjax@{MATHJAX_VERSION}" in licences and "Apache-2.0" in licences
    assert "Apache License" in (STATIC / "LICENSE-MathJax.txt").read_text(encoding="utf-8")


def test_a_single_page_export_also_works_offline(tmp_path):
    page = export_page(_chapter(tmp_path, "x", "X"))
    assert "aigc-nav" not in page.read_text().split("<main>")[1].split("</main>")[0][:200]
    assert (tmp_path / STATIC_DIR / "embed-amd.js").exists()


def _executed_chapter(folder: Path) -> Path:
    """A chapter as ``aigc-kit course`` leaves it: an exercise solved, checked, and shown."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 5 · Five\n\nA chapter with one exercise.\n\n"
                                      "## Exercises"),
        nbformat.v4.new_code_cell("from aigc_kit import check", execution_count=1),
        nbformat.v4.new_code_cell("secret_step = 41\nanswer = secret_step + 1",
                                  execution_count=2, metadata={"tags": ["solution"]},
                                  outputs=[nbformat.v4.new_output(
                                      "stream", text="worked out: 42\n")]),
        nbformat.v4.new_code_cell("check.ch05_ex4(answer)", execution_count=3,
                                  outputs=[nbformat.v4.new_output(
                                      "execute_result", data={"text/plain":
                                                              "ch05_ex4: ✓ right"},
                                      execution_count=3)]),
        nbformat.v4.new_code_cell("print(answer * 1000 + 7)", execution_count=4,
                                  outputs=[nbformat.v4.new_output("stream",
                                                                  text="42007\n")]),
        nbformat.v4.new_code_cell("print('a plot')", execution_count=5,
                                  outputs=[nbformat.v4.new_output("stream",
                                                                  text="a plot\n")]),
    ])
    path = folder / "05_five.ipynb"
    nbformat.write(nb, path)
    (folder / "summary.json").write_text(json.dumps(
        [{"name": "05_five", "seconds": 12.5, "ok": True, "error": ""}]))
    return path


def test_students_edition_hides_solutions_and_check_outputs(tmp_path, capsys):
    executed = tmp_path / "course"
    executed.mkdir()
    _executed_chapter(executed)
    assert main(["site", "--executed", str(executed), "--students",
                 "--students-out", str(tmp_path / "class")]) == 0
    assert "students' edition" in capsys.readouterr().out
    page = (tmp_path / "class" / "05_five.html").read_text()
    assert "Write your code here." in page and "secret_step" not in page
    assert "worked out: 42" not in page
    assert "✓ right" not in page
    assert "42007" not in page  # a cell that uses the solution's answer
    assert "a plot" in page  # everything else is kept
    assert not list((tmp_path / "class").glob("*.ipynb"))  # no notebook with solutions
    assert "12 s" in (tmp_path / "class" / "index.html").read_text()  # run times kept
    solutions = (executed / "05_five.ipynb").read_text()
    assert "secret_step" in solutions  # the executed notebook is untouched
    with pytest.raises(ValueError, match="own folder"):
        build_site(executed, executed_chapters(executed), out=executed, students=True)


def test_site_command_rebuilds_the_full_site_and_says_when_nothing_was_run(tmp_path, capsys):
    assert main(["site", "--executed", str(tmp_path / "missing")]) == 2
    assert "aigc-kit course" in capsys.readouterr().err
    _executed_chapter(tmp_path)
    assert main(["site", "--executed", str(tmp_path)]) == 0
    page = (tmp_path / "05_five.html").read_text()
    assert "secret_step" in page and "✓ right" in page  # the teacher's edition
    index = json.loads((tmp_path / STATIC_DIR / SEARCH_INDEX_FILE).read_text()
                       .split("=", 1)[1].rstrip().rstrip(";"))
    (chapter,) = index["chapters"]
    assert chapter["title"] == "5 · Five" and ["Exercises", "Exercises"] in chapter["headings"]
    assert ["check.ch05_ex4", "aigc_kit.check", ""] in chapter["names"] or any(
        name == "check.ch05_ex4" for name, _, _ in chapter["names"])


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.py")),
                         ids=lambda p: p.stem)
def test_no_cell_ends_by_showing_the_seeded_generator(path):
    # issue 27: chapter 11's page showed "Out[2]: Generator(PCG64) at 0x..." because its
    # setup cell ended with seed_everything(seed), whose value (a generator) is displayed
    import ast

    import jupytext

    for cell in jupytext.read(path, fmt="py:percent").cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        last = ast.parse(cell.source).body[-1]
        shown = isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
        name = getattr(getattr(last, "value", None), "func", None)
        assert not (shown and getattr(name, "id", "") == "seed_everything"), cell.source[-80:]
