"""Markdown as team wikis export it, read for its text: the markup Yuque, Obsidian, Docusaurus,
Hugo and GitHub add around the words, which a reader of the rendered page never sees as such.

Left in, a front matter block became a section of `title: … author: …`, and answers quoted
`<a name="Xk2pQ"></a>`, `:::tips`, `[!NOTE]` and `[[page]]` as they are written.
"""

from __future__ import annotations

import re

import yaml

from knowledge.html_text import html_table_rows

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_ANCHOR = re.compile(r"<a\s+(?:name|id)\s*=\s*[\"'][^\"']*[\"']\s*/?>\s*(?:</a>)?", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BOLD_TAG = re.compile(r"</?(?:strong|b)(?:\s[^<>]*)?>", re.IGNORECASE)
_PRESENTATION_TAG = re.compile(
    r"</?(?:font|span|u|mark|center|small|big|sup|sub|em|i|ins|div|p|aside|details|summary|figure|figcaption|img)"
    r"\b[^<>]*>",
    re.IGNORECASE,
)
"""Tags wikis add for colour, size, layout, callouts (Notion's `<aside>`), toggles and pictures: the
words inside them are text, the tags are not."""
_CONTENTS_MARKER = re.compile(r"^\s*(?:\[\[?toc\]?\]|@\[toc\](?:\([^)\n]*\))?|\$\{toc\})\s*$", re.IGNORECASE)
"""`[TOC]`, `[[toc]]`, `@[toc](目录)`, `${toc}`: where an editor draws the table of contents."""
_ADMONITION = re.compile(r"^\s*:::.*$")
"""`:::tips` … `:::` (Yuque, Docusaurus, VuePress): the box around a note; the note is the text."""
_CALLOUT = re.compile(r"^(\s*>\s*)\[!\w+\][+-]?\s*")
"""`> [!NOTE]` (GitHub, Obsidian): the kind of box, then its title if any."""
_WIKI_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]")
_LOCAL_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\((?!https?://)[^)\n]*\)", re.IGNORECASE)
"""`[Discount table](Discount%20table%201a2b….md)`: a link to another file of the export, which no
one in Slack can open; its label is the text. Links to web addresses stay links."""
_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_LINK_DEFINITION = re.compile(
    r"^ {0,3}\[([^\]\n]+)\]:[ \t]*<?([^\s>]+)>?(?:[ \t]+[\"'(].*)?[ \t]*$\n?", re.MULTILINE
)
"""`[1]: https://tickets.example.com "Tickets"`: where a reference link points; not shown."""
_REFERENCE_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\[([^\]\n]*)\]")
_WIKI_LINK = re.compile(r"\[\[([^\]|#\n]+)(?:#[^\]|\n]*)?(?:\|([^\]\n]+))?\]\]")


def front_matter_title(text: str) -> tuple[str, str]:
    """The title a YAML front matter block gives (or ""), and the text after the block. A block
    that is not a YAML mapping is not front matter (a page may open with a rule), and stays."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return "", text
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return "", text
    if not isinstance(fields, dict):
        return "", text
    title = fields.get("title")
    return (" ".join(str(title).split()) if title is not None else ""), text[match.end() :]


def without_wiki_markup(text: str) -> str:
    """The text without anchors, presentational tags, table-of-contents markers (`[TOC]`), note
    boxes' markers, callout kinds and the
    brackets of wiki links and of links to other files (`[[续约流程|the renewal page]]` → `the
    renewal page`); `<br>` is a line break, `<b>`/`<strong>` bold, an HTML table Markdown rows,
    and a reference link (`[工单系统][1]` with `[1]: https://…` below) an inline one. Code blocks
    keep every character."""
    segments = _code_and_prose(text)
    definitions = {
        label.lower(): url
        for is_code, segment in segments
        if not is_code
        for label, url in _LINK_DEFINITION.findall(segment)
    }
    return "\n".join(segment if is_code else _prose(segment, definitions) for is_code, segment in segments)


def _code_and_prose(text: str) -> list[tuple[bool, str]]:
    """Fenced code blocks (their fences included) and the prose between them, in order: each line
    of the text in one of them."""
    segments: list[tuple[bool, str]] = []
    current: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line) and not in_code:
            if current:
                segments.append((False, "\n".join(current)))
            current, in_code = [line], True
        elif _FENCE.match(line):
            segments.append((True, "\n".join([*current, line])))
            current, in_code = [], False
        else:
            current.append(line)
    if current:
        segments.append((in_code, "\n".join(current)))
    return segments


def _prose(text: str, definitions: dict[str, str]) -> str:
    text = _HTML_TABLE.sub(lambda table: _html_table(table.group(0)), text)
    text = _REFERENCE_LINK.sub(lambda link: _inline_link(link, definitions), _LINK_DEFINITION.sub("", text))
    lines: list[str] = []
    for line in text.split("\n"):
        if _ADMONITION.match(line) or _CONTENTS_MARKER.match(line):
            continue
        if _CALLOUT.match(line):
            line = _CALLOUT.sub(r"\1", line)
            if line.strip() == ">":
                continue  # the callout had no title of its own
        line = _ANCHOR.sub("", line)
        line = _PRESENTATION_TAG.sub("", _BOLD_TAG.sub("**", _LINE_BREAK.sub("\n", line)))
        line = _WIKI_LINK.sub(
            lambda link: (link.group(2) or link.group(1)).strip(), _WIKI_EMBED.sub("", line)
        )
        line = _LOCAL_LINK.sub(r"\1", line)
        if line.strip() or not lines or lines[-1].strip():
            lines.append(line)
    return "\n".join(lines)


def _html_table(markup: str) -> str:
    """An HTML table written into Markdown (Yuque and Notion export merged cells so) as rows."""
    from bs4 import BeautifulSoup

    table = BeautifulSoup(markup, "html.parser").find("table")
    return f"\n{html_table_rows(table)}\n" if table is not None else markup


def _inline_link(link: re.Match[str], definitions: dict[str, str]) -> str:
    label, key = link.group(1), (link.group(2) or link.group(1)).lower()
    return f"[{label}]({definitions[key]})" if key in definitions else link.group(0)
