"""The course site's search index: chapter titles, headings and the kit's names each uses.

The index is a small script, ``_static/search-index.js`` (``window.AIGC_SEARCH_INDEX =
{...}``), which the index page loads with a ``<script>`` tag: pages opened from disk
(``file://``) may not fetch JSON, but they may load a script. ``aigc-site.js`` searches it
as the reader types; nothing needs a server.
"""

from __future__ import annotations

import ast
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SEARCH_INDEX_FILE = "search-index.js"
_HEADING = re.compile(r'<h([1-4]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)


@dataclass
class SearchEntry:
    """One chapter of the index: its page, title, headings and the kit names it uses.

    ``headings`` are ``(text, anchor)``; ``names`` are ``(name, module, anchor)`` with the
    anchor of the first cell that uses the name (``cell-id=...``; "" when unknown). Written
    for every chapter by ``aigc-kit course`` and ``aigc-kit site``.
    """

    title: str
    href: str
    headings: list[tuple[str, str]] = field(default_factory=list)
    names: list[tuple[str, str, str]] = field(default_factory=list)


def page_headings(page_html: str) -> list[tuple[str, str]]:
    """The ``(text, anchor)`` of every ``h1``-``h4`` with an id in an exported page (the
    search index of ``aigc-kit course`` / ``aigc-kit site``)."""
    found = []
    for _, anchor, inner in _HEADING.findall(page_html):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()
        if text:
            found.append((text, anchor))
    return found


def _imports(tree: ast.AST) -> dict[str, str]:
    """``{alias: module}`` for every ``from aigc_kit... import name`` in a cell."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aigc_kit"):
            for alias in node.names:
                if not alias.name.startswith("_"):
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _uses(tree: ast.AST, imported: dict[str, str]) -> set[str]:
    """Imported names a cell uses; an imported module used through an attribute counts as
    ``module.attribute`` (``check.ch05_ex1``), not as the module."""
    used, bases = set(), set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in imported):
            bases.add(id(node.value))
            if not node.attr.startswith("_"):
                used.add(f"{node.value.id}.{node.attr}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in imported and id(node) not in bases:
            used.add(node.id)
    return used


def notebook_names(nb) -> list[tuple[str, str, str]]:
    """The kit's public names a notebook uses: ``(name, module, anchor of first use)``.

    Names are those imported from ``aigc_kit`` (and ``module.attribute`` for an imported
    module such as ``check``), in order of first use. Used by ``aigc-kit course`` and
    ``aigc-kit site`` for the search index.
    """
    imported: dict[str, str] = {}
    first: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        imported.update(_imports(tree))
        anchor = f"cell-id={cell['id']}" if cell.get("id") else ""
        for name in sorted(_uses(tree, imported)):
            if name not in first or (first[name] == "" and anchor):
                first[name] = anchor
    names = []
    for name, anchor in first.items():
        head = name.split(".")[0]
        module = imported[head].rsplit(".", 1)[0] if "." not in name else imported[head]
        names.append((name, module, anchor))
    return names


def write_search_index(static: Path, entries: list[SearchEntry]) -> Path:
    """Write ``static/search-index.js`` for the index page's search box; return its path
    (``aigc-kit course`` / ``aigc-kit site``)."""
    data = {"chapters": [{"title": e.title, "href": e.href, "headings": e.headings,
                          "names": e.names} for e in entries]}
    target = static / SEARCH_INDEX_FILE
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    target.write_text(f"window.AIGC_SEARCH_INDEX = {text};\n", encoding="utf-8")
    return target
