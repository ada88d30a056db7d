"""The site's search index: headings read from a page, kit names read from a notebook."""

import json

import nbformat

from aigc_kit.course.search import (
    SEARCH_INDEX_FILE,
    SearchEntry,
    notebook_names,
    page_headings,
    write_search_index,
)


def test_page_headings_reads_text_and_anchor_without_the_pilcrow():
    html = ('<h1 id="1-%C2%B7-Intro">1 · Intro<a class="anchor-link" href="#1">¶</a></h1>'
            '<p>x</p><h3 id="Adam-&amp;-GD">Adam &amp; <em>GD</em><a class="anchor-link">¶</a>'
            '</h3><h5 id="deep">too deep</h5>')
    assert page_headings(html) == [("1 · Intro", "1-%C2%B7-Intro"), ("Adam & GD", "Adam-&amp;-GD")]


def test_notebook_names_are_the_kit_names_used_with_the_first_cell_using_them():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from aigc_kit.training import Adam, train_gan as tg\n"
                                  "from aigc_kit import check\nimport numpy as np"),
        nbformat.v4.new_markdown_cell("Adam"),
        nbformat.v4.new_code_cell("opt = Adam([], lr=1)\nnp.ones(2)"),
        nbformat.v4.new_code_cell("check.ch05_ex1(1)\ncheck._private\nopt = Adam"),
        nbformat.v4.new_code_cell("this is not python ("),
    ])
    ids = [c["id"] for c in nb.cells]
    names = notebook_names(nb)
    assert names == [("Adam", "aigc_kit.training", f"cell-id={ids[2]}"),
                     ("check.ch05_ex1", "aigc_kit.check", f"cell-id={ids[3]}")]
    assert "tg" not in {n for n, _, _ in names}  # imported, never used


def test_search_index_is_a_script_the_index_page_can_load_from_disk(tmp_path):
    path = write_search_index(tmp_path, [SearchEntry("1 · A", "01_a.html", [("A", "A")],
                                                     [("snr", "aigc_kit.evaluation", "")])])
    assert path.name == SEARCH_INDEX_FILE
    prefix, data = path.read_text(encoding="utf-8").split(" = ", 1)
    assert prefix == "window.AIGC_SEARCH_INDEX"
    assert json.loads(data.rstrip().rstrip(";"))["chapters"][0]["names"] == [
        ["snr", "aigc_kit.evaluation", ""]]
