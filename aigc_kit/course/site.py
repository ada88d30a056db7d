"""The course site: executed chapters as HTML pages that work offline, with an index.

Pages are written by nbconvert with JupyterLab's template, extended by the kit's template
(``templates/aigc_site``) with "previous / index / next" links. Everything a page needs is
shipped with the kit (``static/``, licences in ``static/LICENSES.md``), copied into the
site's ``_static/`` folder and loaded from there instead of a CDN, so players, widget views,
formulas and diagrams work with no network: the widget manager
(``@jupyter-widgets/html-manager``'s ``embed-amd.js``), RequireJS, MathJax 3 (its
``tex-svg.js``, which draws formulas as SVG and needs no font files), Mermaid (chapter 1's
pipeline diagram) and the kit's own ``aigc-site.js`` (MathJax configuration with a MathJax 2
shim for the widget manager, diagrams, player durations, search).

The index lists every chapter with its summary (the first sentences of its introduction)
and its run time, and has a search box over a prebuilt index (:mod:`aigc_kit.course.search`).
A "Further reading" page lists the references the chapters draw on
(:mod:`aigc_kit.course.references`). ``students=True`` builds the site a class may see:
solution cells replaced by the student stubs, the checks' outputs cleared
(:func:`aigc_kit.course.exercises.student_page`).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
STATIC_DIR = "_static"
HTML_MANAGER_VERSION = "1.0.15"
MATHJAX_VERSION = "3.2.2"
MATHJAX_FILE = "tex-svg.js"  # MathJax's es5/tex-svg.js: TeX in, SVG out, no font files
MERMAID_VERSION = "11.10.0"
MERMAID_FILE = "mermaid.min.js"  # mermaid's dist/mermaid.min.js: one classic script
SITE_SCRIPT = "aigc-site.js"
READING_PAGE = "further_reading.html"
SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class Chapter:
    """One page of the site: its file stem, title, summary and run time (s; None if unknown)."""

    stem: str
    title: str
    summary: str
    seconds: float | None = None
    ok: bool = True

    @property
    def href(self) -> str:
        return f"{self.stem}.html"


def copy_static(site: Path) -> Path:
    """Copy the shipped scripts (widget manager, RequireJS, MathJax, Mermaid, the site
    script) and their licences into ``site/_static``."""
    target = site / STATIC_DIR
    target.mkdir(parents=True, exist_ok=True)
    for item in STATIC.iterdir():
        if item.is_file():
            shutil.copy2(item, target / item.name)
    return target


def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="aigc_site",
        widget_renderer_url=f"{STATIC_DIR}/embed-amd.js",
        require_js_url=f"{STATIC_DIR}/require.js",
        mathjax_url=f"{STATIC_DIR}/{MATHJAX_FILE}",
    )


def render_page(nb, page: Path, nav: dict | None = None, search: bool = False) -> Path:
    """Write the notebook node ``nb`` as the offline page ``page`` (``_static/`` beside it).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (or one with markdown only).
    page : Path
        The ``.html`` file to write.
    nav : dict, optional
        ``{"index": href, "prev": (href, title) | None, "next": (href, title) | None,
        "reading": href | None}``.
    search : bool
        Put the search box on the page (the index; needs ``_static/search-index.js``).

    Notes
    -----
    Every page of ``aigc-kit course`` and ``aigc-kit site`` is written by this function.
    """
    copy_static(page.parent)
    resources = {"aigc_nav": nav, "aigc_static": STATIC_DIR, "aigc_search": search}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    page.write_text(body, encoding="utf-8")
    return page


def export_page(executed: Path, nav: dict | None = None) -> Path:
    """Write the executed notebook ``executed`` as an offline HTML page beside it.

    Parameters
    ----------
    executed : Path
        An executed ``.ipynb``; the page is ``executed.with_suffix(".html")`` and the
        shipped scripts are copied to ``_static/`` beside it.
    nav : dict, optional
        As for :func:`render_page`.

    Returns
    -------
    Path
        The page.
    """
    import nbformat

    return render_page(nbformat.read(executed, as_version=4), executed.with_suffix(".html"),
                       nav)


def describe(notebook: Path) -> tuple[str, str]:
    """A chapter's title and summary, from the first markdown cell of ``notebook``.

    The title is the cell's ``# `` heading; the summary its first paragraph, cut after the
    first sentence that ends (``.``, ``!`` or ``?``) past 120 characters (markdown emphasis
    removed). A summary whose last sentence introduces a list or a table (it ends in
    ``:``) ends with a full stop instead.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    lines = first.splitlines()
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), notebook.stem)
    paragraph: list[str] = []
    for line in lines[1:]:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    text = re.sub(r"[*_`]", "", " ".join(paragraph))
    cut = re.search(r"(?<=[.!?])\s", text[120:])
    summary = text if cut is None else text[: 120 + cut.start()]
    return title, re.sub(r"\s*:$", ".", summary.rstrip())


def executed_chapters(folder: Path) -> list[Chapter]:
    """The chapters executed into ``folder`` (``NN_topic.ipynb``), in order, with their run
    times and outcomes from ``summary.json`` when ``aigc-kit course`` wrote one (used by
    ``aigc-kit site``)."""
    runs = {}
    if (folder / SUMMARY_FILE).exists():
        runs = {r["name"]: r for r in json.loads((folder / SUMMARY_FILE).read_text("utf-8"))}
    chapters = []
    for path in sorted(folder.glob("[0-9][0-9]*_*.ipynb")):
        run = runs.get(path.stem, {})
        chapters.append(Chapter(path.stem, *describe(path), run.get("seconds"),
                                run.get("ok", True)))
    return chapters


def _index_notebook(chapters: Sequence[Chapter], built: set[str], title: str,
                    students: bool):
    """The index page as a one-cell notebook: the chapter table and the reading link."""
    import nbformat

    rows = []
    for chapter in chapters:
        link = (f"[{chapter.title}]({chapter.href})" if chapter.stem in built else
                f"{chapter.title} (not built)")
        time = "" if chapter.seconds is None else f"{chapter.seconds:.0f} s"
        status = "" if chapter.ok else " **failed**"
        rows.append(f"| {link} | {chapter.summary.replace('|', '/')} | {time}{status} |")
    total = sum(c.seconds or 0.0 for c in chapters)
    edition = (" This is the students' edition: each exercise shows the cell you write in, "
               "not its solution." if students else "")
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("\n".join([
        f"# {title}",
        "",
        "Every chapter below was executed headless by `aigc-kit course`; its page keeps the "
        f"plots, the players and the widgets, and works with no network.{edition}",
        "",
        "| chapter | what it covers | run time |",
        "|---|---|---|",
        *rows,
        "",
        f"Run time of the whole course: {total:.0f} s.",
        "",
        f"**[Further reading]({READING_PAGE})**: the papers, datasets, standards and tools "
        "each chapter draws on, with the kit function that implements each, and the source "
        "article's own reading list checked and corrected.",
    ]))])
    index.metadata["title"] = title
    return index


def _chapter_pages(source: Path, out: Path, pages: Sequence[Chapter], students: bool):
    """Render every chapter page; return the search entries."""
    import nbformat

    from aigc_kit.course.exercises import student_page
    from aigc_kit.course.search import SearchEntry, notebook_names, page_headings

    entries = []
    for i, chapter in enumerate(pages):
        nav = {"index": "index.html", "reading": READING_PAGE,
               "prev": (pages[i - 1].href, pages[i - 1].title) if i else None,
               "next": (pages[i + 1].href, pages[i + 1].title) if i + 1 < len(pages) else None}
        nb = nbformat.read(source / f"{chapter.stem}.ipynb", as_version=4)
        if students:
            nb = student_page(nb)
        page = render_page(nb, out / chapter.href, nav)
        entries.append(SearchEntry(chapter.title, chapter.href,
                                   page_headings(page.read_text(encoding="utf-8")),
                                   notebook_names(nb)))
    return entries


def build_site(site: Path, chapters: Sequence[Chapter], title: str = "aigc-kit course",
               out: Path | None = None, students: bool = False) -> Path:
    """Export every chapter's executed notebook in ``site`` as a page with navigation, and
    write the index (with its search box), the further-reading page and the search index;
    return the index page.

    Parameters
    ----------
    site : Path
        The folder holding the executed ``NN_topic.ipynb`` files (``build/course``).
    chapters : sequence of Chapter
        In reading order; chapters whose executed notebook is missing get an index entry
        saying so and no page.
    title : str
        The index page's heading.
    out : Path, optional
        Where the pages go (default: ``site`` itself). Only pages and ``_static/`` are
        written there, never a notebook.
    students : bool
        The students' edition: solutions replaced by stubs, check outputs cleared.
    """
    from aigc_kit.course.references import further_reading_notebook
    from aigc_kit.course.search import write_search_index

    out = site if out is None else out
    if students and out.resolve() == site.resolve():
        raise ValueError(f"the students' edition needs its own folder, not {site}: the "
                         f"executed notebooks there hold the solutions")
    out.mkdir(parents=True, exist_ok=True)
    pages = [c for c in chapters if (site / f"{c.stem}.ipynb").exists()]
    entries = _chapter_pages(site, out, pages, students)
    write_search_index(copy_static(out), entries)
    first = (pages[0].href, pages[0].title) if pages else None
    render_page(further_reading_notebook(), out / READING_PAGE,
                {"index": "index.html", "prev": None, "next": first, "reading": None})
    index = _index_notebook(chapters, {p.stem for p in pages}, title, students)
    return render_page(index, out / "index.html",
                       {"index": "index.html", "prev": None, "next": first,
                        "reading": READING_PAGE}, search=True)
