"""Language detection, tokenization and sentence splitting for Chinese and English text."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

import jieba

from skills.errors import Lang

CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_WORD = re.compile(r"[a-z0-9]{2,}|[0-9]")
_HAS_CJK_OR_ALNUM = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


def _word_list(name: str) -> frozenset[str]:
    return frozenset(
        resources.files("knowledge").joinpath(f"data/{name}").read_text(encoding="utf-8").split()
    )


_EN_STOPWORDS = _word_list("stopwords-en.txt")
_ZH_STOPWORDS = _word_list("stopwords-zh.txt")
OPS_TERMS = _word_list("terms.txt")
"""The ops vocabulary jieba keeps whole: 复盘, 拉新, 留存, 客诉, 续约…"""


@lru_cache(maxsize=1)
def _segmenter() -> jieba.Tokenizer:
    """A private jieba tokenizer with the ops vocabulary, so domain terms stay whole."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for term in OPS_TERMS:
        tokenizer.add_word(term.lower(), freq=200_000)
    tokenizer.initialize()
    return tokenizer


def segment(text: str) -> list[str]:
    """The text cut into jieba's words, with the ops vocabulary kept whole; a run of characters
    jieba does not know comes back as single characters or as a word it guessed."""
    return _segmenter().lcut(text)


def is_dictionary_word(word: str) -> bool:
    """Whether jieba's dictionary (with the ops vocabulary) holds the word: a guessed word is not."""
    return _segmenter().FREQ.get(word.lower(), 0) > 0


def has_words(text: str) -> bool:
    """Whether there is anything to search for: a Chinese character, a letter or a digit (not only
    spaces, punctuation or emoji)."""
    return bool(_HAS_CJK_OR_ALNUM.search(text))


_ZH_GRAMMAR = re.compile("|".join(sorted(map(re.escape, _ZH_STOPWORDS), key=len, reverse=True)))
"""The Chinese stopwords, longest first (什么 counts once, not also as 么)."""
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
_SHORT_TEXT = 280
"""Up to this length (a question, a chat message) the sentence's grammar decides a mixed text's
language; a longer text is decided by its scripts' weight, which is reliable at length."""


SENTENCE_ENDINGS = (".", "!", "?", ":", "\u3002", "\uff01", "\uff1f", "\uff1a")
"""How a line that is a sentence ends (。！？： and their Latin twins), rather than a title."""
LIST_MARKER = re.compile(r"^\s*(?:[-•]|\*(?=\s)|\d+[.)、])\s*")
"""`- `, `• `, `* ` (a star only before a space: `**bold**` opens a sentence, not a list), `1.`, `1、`."""


LIST_INDENT = "  "
"""How far a list item of the next level down is indented, as Markdown nests lists."""
INNER_HEADING = "##### "
"""A heading inside a section, written at Markdown's fifth level (sections start at levels 1-4):
answers lead with it, in bold, what is under it."""
_WIDE = re.compile(rf"{CJK_CHARACTER.pattern}|[\u3000-\u303f\uff00-\uffef]")
"""Chinese characters and full-width punctuation: text wrapped between two of them has no space."""


def joined_lines(text: str, more: str) -> str:
    """Two lines of one paragraph, wrapped at the margin, as one: no space between Chinese
    characters or full-width punctuation, one between words."""
    if _WIDE.match(text[-1]) and _WIDE.match(more[0]):
        return text + more
    return f"{text} {more}"


def screen_width(text: str) -> int:
    """How much room the text takes on screen: a Chinese character counts twice."""
    return len(text) + len(CJK_CHARACTER.findall(text))


MAX_HEADING_WIDTH = 40
"""A heading written as a plain line is short: 20 Chinese characters (they count twice, as on
screen) or 40 letters."""
_INSIDE_SENTENCES = re.compile(r"[.!?:;,\u3002\uff01\uff1f\uff1a\uff1b\uff0c]|^\s*(?:[-*•#>|]|\d+[.)])")
"""Punctuation a heading never holds, and starts that make a line a list item or Markdown."""


def reads_as_heading(line: str) -> bool:
    """Short, and without the punctuation of a sentence or the start of a list item: how a heading
    looks in a file that does not mark its headings (`二、处理流程`, `Escalation rules`)."""
    line = line.strip()
    return 0 < screen_width(line) <= MAX_HEADING_WIDTH and not _INSIDE_SENTENCES.search(line)


def detect_language(text: str) -> Lang:
    """The language a mixed Chinese/English text is written in, not the one its terms come from.

    In a short text the language whose grammar words frame the sentence wins: "daily routine
    早上干啥" and "renewal 前要 prepare 什么" are Chinese, "what is 客户运营体系?" is English.
    Otherwise Chinese when CJK characters outweigh the Latin words, an acronym such as KA, SLA or
    RFM not counting as English (so "客诉 SLA" is Chinese)."""
    cjk = len(CJK_CHARACTER.findall(text))
    latin_words = _LATIN_WORD.findall(text)
    if cjk == 0:
        return "en"
    if not latin_words:
        return "zh"
    if len(text) <= _SHORT_TEXT:
        # The stopwords are the words that build a sentence rather than name a thing. They are
        # found without jieba, whose dictionary would cost the serving process a second to load.
        chinese = len(_ZH_GRAMMAR.findall(text))
        english = sum(1 for word in latin_words if word.lower() in _EN_STOPWORDS)
        if chinese != english:
            return "zh" if chinese > english else "en"
    english_words = sum(1 for word in latin_words if not _ACRONYM.match(word))
    return "zh" if cjk > 2 * english_words else "en"


def _stem(word: str) -> str:
    """A light English stemmer: enough to match plurals and simple verb forms."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Index terms of mixed Chinese/English text: jieba words and sub-words, stemmed English words."""
    lowered = text.lower()
    tokens: list[str] = []
    for piece in _segmenter().cut_for_search(lowered):
        piece = piece.strip()
        if not piece or not _HAS_CJK_OR_ALNUM.search(piece):
            continue
        if CJK_CHARACTER.search(piece):
            if piece not in _ZH_STOPWORDS:
                tokens.append(piece)
            continue
        for word in _WORD.findall(piece):
            if word not in _EN_STOPWORDS:
                tokens.append(_stem(word))
    return tokens


_SENTENCE_END = re.compile(
    r"(?<=[\u3002\uff01\uff1f\uff1b])|(?<=[\u4e00-\u9fff][!?;])|(?<=[.!?])\s+(?=[A-Z0-9\"\u201c(])"
)
"""A sentence ends after 。！？；, after ! ? ; typed half-width in Chinese text, and after . ! ? when a
space and a capital, digit or quote follow; never inside a URL such as `a?b=1`."""


def split_sentences(text: str) -> list[str]:
    """Sentences and list items, in order; list markers are kept so lists still read as lists."""
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for part in _SENTENCE_END.split(line):
            part = part.strip()
            if part:
                sentences.append(part)
    return sentences
