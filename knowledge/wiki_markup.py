"""Markdown as team wikis export it, read for its text: the markup Yuque, Obsidian, Docusaurus,
Hugo and GitHub add around the words, which a reader of the rendered page never sees as such.

Left in, a front matter block became a section of `title: … author: …`, and answers quoted
`<a name="Xk2pQ"></a>`, `:::tips`, `[!NOTE]` and `[[page]]` as they are written.
"""

from __future__ import annotations

import re

import yaml

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
_ADMONITION = re.compile(r"^\s*:::.*$")
"""`:::tips` … `:::` (Yuque, Docusaurus, VuePress): the box around a note; the note is the text."""
_CALLOUT = re.compile(r"^(\s*>\s*)\[!\w+\][+-]?\s*")
"""`> [!NOTE]` (GitHub, Obsidian): the kind of box, then its title if any."""
_WIKI_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]")
_LOCAL_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\((?!https?://)[^)\n]*\)", re.IGNORECASE)
"""`[Discount table](Discount%20table%201a2b….md)`: a link to another file of the export, which no
one in Slack can open; its label is the text. Links to web addresses stay links."""
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
    """The text without anchors, presentational tags, note boxes' markers, callout kinds and the
    brackets of wiki links and of links to other files (`[[续约流程|the renewal page]]` → `the
    renewal page`); `<br>` is a line break and `<b>`/`<strong>` is bold. Code blocks keep every
    character."""
    lines, in_code = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
        if in_code or _FENCE.match(line):
            lines.append(line)
            continue
        if _ADMONITION.match(line):
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
