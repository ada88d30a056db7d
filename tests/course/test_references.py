"""Further reading: every reference resolves to the kit, each chapter ends with its list, the
README carries the same text, and the source's list is checked with its errors said."""

import importlib
import re
from pathlib import Path

import jupytext
import pytest

from aigc_kit.course.references import (
    CHAPTERS,
    REFERENCES,
    SOURCE_LIST,
    SOURCE_TOOLS,
    chapter_key,
    chapter_reading_list,
    further_reading_markdown,
    further_reading_notebook,
)

ROOT = Path(__file__).resolve().parents[2]
CHAPTER_FILES = {chapter_key(p.stem): p
                 for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.py"))}


def test_every_chapter_has_references_and_every_reference_is_used():
    assert set(CHAPTERS) == set(CHAPTER_FILES)
    used = {key for keys in CHAPTERS.values() for key in keys}
    in_source_list = {key for _, _, key in SOURCE_LIST if key}
    assert used | in_source_list == set(REFERENCES)
    for keys in CHAPTERS.values():
        assert len(keys) == len(set(keys)) >= 2


@pytest.mark.parametrize("key", sorted(REFERENCES))
def test_each_reference_is_complete_and_names_real_kit_functions(key):
    ref = REFERENCES[key]
    assert ref.authors and ref.title and ref.venue and 1900 < ref.year < 2030
    assert re.fullmatch(r"https?://\S+", ref.url), ref.url
    for name in ref.kit:
        module, _, attr = ("aigc_kit." + name).rpartition(".")
        assert attr in importlib.import_module(module).__all__, f"{key}: {name}"


@pytest.mark.parametrize("chapter", list(CHAPTER_FILES))
def test_each_chapter_ends_with_its_reading_list(chapter):
    nb = jupytext.read(CHAPTER_FILES[chapter], fmt="py:percent")
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and last.source == chapter_reading_list(chapter)
    assert "further_reading.html" in last.source
    for key in CHAPTERS[chapter]:
        assert REFERENCES[key].url in last.source


def test_readme_section_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert further_reading_markdown() in readme, (
        "README's Further reading section is out of date: paste the output of "
        "python -m aigc_kit.course.references")


def test_the_source_list_is_checked_and_its_errors_are_said():
    findings = {printed: finding for printed, finding, _ in SOURCE_LIST}
    cnn = next(f for p, f in findings.items() if "Theoretical Analysis of the CNN" in p)
    assert "Not found" in cnn
    seq = next(f for p, f in findings.items() if "Seq2Seq" in p)
    assert "Sequence to Sequence Learning with Neural Networks" in seq
    style = next(f for p, f in findings.items() if "Artistic Style" in p)
    assert "image" in style and "chapter 12" in style and "Misfiled" in style
    books = [f for p, f in findings.items() if "Book" in p and "Could not be matched" in f]
    assert len(books) == 2
    keras = next(f for p, f in SOURCE_TOOLS if "Theano" in p)
    assert "Theano" in keras and "Keras 3" in keras and "PyTorch" in keras


def test_further_reading_page_has_every_chapter_and_the_source_list():
    (cell,) = further_reading_notebook().cells
    for chapter in CHAPTERS:
        assert f"## Chapter {chapter}\n" in cell.source
    assert "## The source's reading list, checked" in cell.source
    assert all(ref.url in cell.source for ref in REFERENCES.values())
