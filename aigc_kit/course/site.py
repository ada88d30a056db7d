"""The course site: executed chapters as HTML pages that work offline, with an index.

Pages are written by nbconvert with JupyterLab's template, extended by the kit's template
(``templates/aigc_site``) with "previous / index / next" links. Players and widget views
work with no network, and so do formulas: the widget manager
(``@jupyter-widgets/html-manager``'s ``embed-amd.js``), RequireJS and MathJax 3 (its
``tex-svg.js``, which draws formulas as SVG and needs no font files) are shipped with the
kit (``static/``, licences in ``static/LICENSES.md``) and copied into the site's
``_static/`` folder, and each page loads them from there instead of a CDN. The index
lists every chapter with its summary (the first paragraph of its introduction) and its
run time.
"""

from __future__ import annotations

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
    """Copy the widget manager, RequireJS, MathJax and their licences into ``site/_static``."""
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


def export_page(executed: Path, nav: dict | None = None) -> Path:
    """Write the executed notebook ``executed`` as an offline HTML page beside it.

    Parameters
    ----------
    executed : Path
        An executed ``.ipynb``; the page is ``executed.with_suffix(".html")`` and the
        shipped scripts are copied to ``_static/`` beside it.
    nav : dict, optional
        ``{"index": href, "prev": (href, title) | None, "next": (href, title) | None}``.

    Returns
    -------
    Path
        The page.
    """
    import nbformat

    copy_static(executed.parent)
    body, _ = _exporter().from_notebook_node(nbformat.read(executed, as_version=4),
                                             resources={"aigc_nav": nav})
    page = executed.with_suffix(".html")
    page.write_text(body, encoding="utf-8")
    return page


def describe(notebook: Path) -> tuple[str, str]:
    """A chapter's title and summary, from the first markdown cell of ``notebook``.

    The title is the cell's ``# `` heading; the summary its first paragraph, cut after the
    sentence that passes 120 characters (markdown emphasis removed).
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
    cut = re.search(r"(?<=[.!?:])\s", text[120:])
    return title, text if cut is None else text[: 120 + cut.start()].rstrip(":")


def build_site(site: Path, chapters: Sequence[Chapter], title: str = "aigc-kit course") -> Path:
    """Export every chapter's executed notebook in ``site`` as a page with navigation, and
    write ``site/index.html``; return the index.

    Parameters
    ----------
    site : Path
        The folder holding the executed ``NN_topic.ipynb`` files (``build/course``).
    chapters : sequence of Chapter
        In reading order; chapters whose executed notebook is missing get an index entry
        saying so and no page.
    """
    import nbformat

    pages = [c for c in chapters if (site / f"{c.stem}.ipynb").exists()]
    for i, chapter in enumerate(pages):
        nav = {"index": "index.html",
               "prev": (pages[i - 1].href, pages[i - 1].title) if i else None,
               "next": (pages[i + 1].href, pages[i + 1].title) if i + 1 < len(pages) else None}
        export_page(site / f"{chapter.stem}.ipynb", nav)
    rows = []
    for chapter in chapters:
        link = (f"[{chapter.title}]({chapter.href})" if chapter in pages else
                f"{chapter.title} (not built)")
        time = "" if chapter.seconds is None else f"{chapter.seconds:.0f} s"
        status = "" if chapter.ok else " **failed**"
        rows.append(f"| {link} | {chapter.summary.replace('|', '/')} | {time}{status} |")
    total = sum(c.seconds or 0.0 for c in chapters)
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("\n".join([
        f"# {title}",
        "",
        "Every chapter below was executed headless by `aigc-kit course`; its page keeps the "
        "plots, the players and the widgets, and works with no network.",
        "",
        "| chapter | what it covers | run time |",
        "|---|---|---|",
        *rows,
        "",
        f"Run time of the whole course: {total:.0f} s.",
    ]))])
    index.metadata["title"] = title
    target = site / "index.ipynb"
    nbformat.write(index, target)
    nav = {"index": "index.html", "prev": None,
           "next": (pages[0].href, pages[0].title) if pages else None}
    page = export_page(target, nav)
    target.unlink()
    return page
