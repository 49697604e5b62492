"""What a web page is about, apart from the site around it: its main content, its own title, and
its tables as rows whose cells stay apart.

Saved articles and wiki exports carry the site with them: breadcrumbs, "Created by … last modified
on …", share and comment bars, a table of contents that repeats the headings, "Document generated
by …" footers in plain `<div>`s. Indexed, these became sections of their own or the tail of the
last one, and answers quoted them. Most publishing tools mark the article itself (`<main>`,
`<article>`, Confluence's `#main-content`, WeChat's `#js_content`), and the marked part is read
when it holds most of the page's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from knowledge.tables import markdown_rows

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

MAIN_CONTENT_SELECTORS = (
    "main",
    "[role=main]",
    "#main-content",  # Confluence
    "#js_content",  # WeChat articles
    ".wiki-content",
    ".markdown-body",  # GitHub
    ".rich_media_content",
    ".post-content",
    ".article-content",
    ".entry-content",
)
MIN_MAIN_SHARE = 0.4
"""The marked part must hold this share of the page's text (a small `<article>` card in a sidebar
is not the page), and furniture holds less (a `has-sidebar` class on a wrapper is not furniture)."""
_CHROME_WORDS = frozenset({"breadcrumb", "breadcrumbs", "toc", "sidebar", "share", "footer", "metadata"})
"""Words in an element's id or class that name the site's furniture rather than the article."""
_BREADCRUMB_WORDS = frozenset({"breadcrumb", "breadcrumbs"})
_ID_WORDS = re.compile(r"[-_\s]+")
_TITLE_SEPARATORS = re.compile(r"^\s*[-|–—:·•_]+\s*|\s*[-|–—:·•_]+\s*$")


def without_chrome(soup: BeautifulSoup) -> list[str]:
    """Drops elements whose id or class names site furniture (`breadcrumb-section`, `toc-macro`,
    `page-metadata`, `share`), in place, never one that holds most of the page (`<body
    class="has-sidebar">`); returns the names in the breadcrumb trail, which `page_title` takes
    off the title."""
    total = _text_length(soup.body or soup)
    trail: list[str] = []
    for element in soup.find_all(True):
        if element.decomposed:
            continue
        names = [element.get("id") or "", *(element.get("class") or [])]
        words = {word.lower() for name in names for word in _ID_WORDS.split(str(name)) if word}
        if words & _CHROME_WORDS and _text_length(element) < MIN_MAIN_SHARE * total:
            if words & _BREADCRUMB_WORDS:
                trail += [text for link in element.find_all("a") if (text := link.get_text(" ", strip=True))]
            element.decompose()
    return trail


def main_content(soup: BeautifulSoup) -> Tag | BeautifulSoup:
    """The element that holds the article, or the whole page when none is marked or the marked
    one holds too little of the text."""
    page = soup.body or soup
    total = _text_length(page)
    if not total:
        return page
    articles = soup.find_all("article")
    candidates = [soup.select_one(selector) for selector in MAIN_CONTENT_SELECTORS]
    if len(articles) == 1:
        candidates.insert(2, articles[0])
    for candidate in candidates:
        if candidate is not None and _text_length(candidate) >= MIN_MAIN_SHARE * total:
            return candidate
    return page


def page_title(title: str, first_heading: str, trail: Sequence[str] = ()) -> str:
    """The page's own title: its first heading when the `<title>` is that heading plus the site's
    name (`续约谈判要点 | 运营笔记`), else the `<title>`; either without a name from the breadcrumb
    trail before or after it (Confluence's `Ops Space : Renewal checklist`)."""
    chosen = title or first_heading
    if first_heading and title != first_heading:
        for affix in (title.removeprefix(first_heading), title.removesuffix(first_heading)):
            if affix != title and _TITLE_SEPARATORS.search(affix):
                chosen = first_heading
    for name in trail:
        for rest in (chosen.removeprefix(name), chosen.removesuffix(name)):
            core = _TITLE_SEPARATORS.sub("", rest).strip()
            if rest != chosen and core != rest.strip() and core:
                return core
    return chosen


def _text_length(element: Tag | BeautifulSoup) -> int:
    return len(element.get_text("", strip=True))


def html_table_rows(table: Tag) -> str:
    """An HTML table as Markdown rows, a separator under its header row: its cells stay apart
    (as text they ran together, `KA15 分钟4 小时`) and answers can name each by its column."""
    rows = [
        (row, [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["th", "td"])])
        for row in table.find_all("tr")
    ]
    kept = [(row, cells) for row, cells in rows if any(cells)]
    has_header = bool(kept) and kept[0][0].find("th") is not None
    return "\n".join(markdown_rows([cells for _, cells in kept], has_header))
