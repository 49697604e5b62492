"""Text as it is indexed: one script, one Unicode form, none of the junk copy-paste brings along.

The original text is kept for display, in its own script but without boilerplate and pinyin
annotations; the indexed (embedded and BM25) text goes through all of this, so a Traditional-script
article, its Simplified copy and a query in either script meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

from knowledge.text import screen_width

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_TONED_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_TONE_MARKS = str.maketrans(_TONED_LETTERS, "aaaaeeeeiiiioooouuuuüüüünnnm")
_PINYIN_SYLLABLE = re.compile(
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uai|uan|üan|iao|ian|ai|ei|ao|ou|an|en|in|un|ün|er|ia|ie|iu|ua|uo|ui|üe|ue|a|o|e|i|u|ü|v)"
    r"[1-5]?$"
)
_ANNOTATION = re.compile(rf"(?<=[{_CJK}])\s?[(\uff08]\s*([a-zü{_TONED_LETTERS}1-5' ]{{1,48}}?)\s*[)\uff09]")
_CJK_CHARACTER = re.compile(f"[{_CJK}]")
_LONGEST_SYLLABLE = 7
"""zhuang plus a tone digit."""
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_BLANK_LINES = re.compile(r"\n{3,}")
BOILERPLATE_MAX_WIDTH = 80
"""Boilerplate is short: a long line that mentions 'share' or '关注' is content. Chinese characters
count twice, as on screen."""
_BOILERPLATE = re.compile(
    r"(转载请注明|未经授权.{0,6}转载|版权(声明|所有|归.{0,10}所有)|本文(来源|来自|首发)|原文(链接|地址)|"
    r"阅读原文|点击.{0,4}关注|关注(我们|公众号|微信|作者)|扫码关注|扫描二维码|长按(识别)?二维码|"
    r"点赞.{0,4}(在看|收藏|转发)|分享到|评论\s*[(\uff08]?\d*[)\uff09]?$|^评论区|^上一篇|^下一篇|^相关(文章|阅读|推荐)|"
    r"免责声明|^责任编辑|^编辑[:\uff1a]|^来源[:\uff1a]|^作者[:\uff1a]|"
    r"^(本文|本文件|本文档|本资料)?(仅供内部(使用|参考|学习|传阅)|内部资料)[，,。.\s]*(请勿(外传|外泄|转发))?[。.!！]?$|"
    r"^请勿(外传|外泄)[。.!！]?$|"
    r"all rights reserved|^copyright\b|©|^share (this|on)\b|^follow us\b|^subscribe\b|"
    r"^\d+\s+comments?$|^comments?\s*\(\d+\)$|^leave a (comment|reply)|^related (posts|articles)|"
    r"^posted (by|on|in)\b|^tags?:|^read more\b|^click here to|"
    r"^(for )?internal use only[.!]?(\s+do not (forward|distribute|share)\b.{0,20})?$|"
    r"^do not (forward|distribute|share)( this( document| email| page)?)?[.!]?$)",
    re.IGNORECASE,
)


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def is_pinyin(word: str) -> bool:
    """A single pinyin syllable (tone marks or a tone digit allowed), e.g. chǎn, yun4, de."""
    return bool(_PINYIN_SYLLABLE.match(word.translate(_TONE_MARKS).replace("u:", "ü")))


def _joined_syllables(word: str) -> int | None:
    """How many syllables a word written without spaces spells (`jiābīn` 2, `xu4yue1` 2), or None.
    At least half of its syllables must carry a tone (a mark or a digit; `péngyou` ends in a
    neutral one): English words split into syllables too (`change` is chan·ge), but never carry
    pinyin's tone marks."""
    plain = word.translate(_TONE_MARKS)
    # best[i]: (untoned, syllables) of the best split of word[:i]; fewest untoned syllables wins.
    best: list[tuple[int, int] | None] = [None] * (len(word) + 1)
    best[0] = (0, 0)
    for start in range(len(word)):
        reached = best[start]
        if reached is None:
            continue
        for end in range(start + 1, min(len(word), start + _LONGEST_SYLLABLE) + 1):
            if not _PINYIN_SYLLABLE.match(plain[start:end]):
                continue
            toned = plain[end - 1].isdigit() or any(c in _TONED_LETTERS for c in word[start:end])
            candidate = (reached[0] + (not toned), reached[1] + 1)
            if best[end] is None or candidate < best[end]:  # type: ignore[operator]
                best[end] = candidate
    split = best[len(word)]
    if split is None:
        return None
    untoned, syllables = split
    return syllables if syllables - untoned >= max(untoned, 1) else None


def pinyin_syllables(reading: str) -> int | None:
    """How many syllables a parenthesized reading spells (`chǎn` 1, `jiā bīn` 2, `jiābīn` 2), or
    None when it is not pinyin: `API`, `plan b` and `change` are not."""
    total = 0
    for word in re.split(r"[\s']+", reading.strip()):
        if not word:
            continue
        count = 1 if is_pinyin(word) else _joined_syllables(word)
        if count is None:
            return None
        total += count
    return total or None


def strip_pinyin_annotations(text: str) -> str:
    """`產(chǎn)品` → `產品`, `嘉宾(jiā bīn)` → `嘉宾`: drop a parenthesized pinyin reading that follows
    Chinese characters, of a character or of the word before it (no more syllables than the
    characters right before it). `(API)`, `(B端)` and `(app)` are not pinyin and stay."""

    def replaced(match: re.Match[str]) -> str:
        syllables = pinyin_syllables(match.group(1))
        if syllables is None:
            return match.group(0)
        before = text[max(0, match.start() - syllables) : match.start()]
        return "" if len(_CJK_CHARACTER.findall(before)) == syllables else match.group(0)

    return _ANNOTATION.sub(replaced, text)


def is_boilerplate(line: str) -> bool:
    """A short line of the patterns above, in either script (`本文來源` as well as `本文来源`)."""
    stripped = line.strip()
    if not stripped or screen_width(stripped) > BOILERPLATE_MAX_WIDTH:
        return False
    if _BOILERPLATE.search(stripped):
        return True
    return not stripped.isascii() and bool(_BOILERPLATE.search(to_simplified(stripped)))


def drop_boilerplate(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not is_boilerplate(line))


def collapse_whitespace(text: str) -> str:
    """Runs of spaces become one; spaces between Chinese characters (a PDF artefact) go; at most one
    blank line between paragraphs."""
    lines = [_SPACE_BETWEEN_CJK.sub("", _SPACES.sub(" ", line)).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def to_simplified(text: str) -> str:
    return _to_simplified().convert(text)


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _to_traditional().convert(text)


def simplified_throughout(text: str) -> str:
    """A Simplified text with Traditional characters pasted into it (`启动續約流程`) all in
    Simplified. Only a character that is the Traditional form of one Simplified character changes
    (續 and 续 map to each other); one that Simplified text writes too stays (乾 of 乾隆, whose
    Simplified 干 maps back to 幹), so no word of the Simplified text is rewritten."""
    if to_simplified(text) == text:  # nothing to change: most texts, at the converter's speed
        return text
    return "".join(_in_simplified(character) for character in text)


@cache
def _in_simplified(character: str) -> str:
    if character.isascii():
        return character
    simplified = to_simplified(character)
    return simplified if simplified != character and to_traditional(simplified) == character else character


def written_in_traditional(text: str) -> bool:
    """More of the text's characters are Traditional-only than Simplified-only: 復盤怎麼做 is,
    复盘怎么做 is not, and neither is a text whose characters both scripts share."""
    traditional_only = sum(a != b for a, b in zip(text, to_simplified(text), strict=False))
    simplified_only = sum(a != b for a, b in zip(text, to_traditional(text), strict=False))
    return traditional_only > simplified_only


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_script(text: str) -> str:
    """NFC, pinyin annotations out, Traditional → Simplified."""
    return to_simplified(strip_pinyin_annotations(_nfc(text)))


def readable(text: str) -> str:
    """The text as answers show it, in its own script: pinyin annotations and boilerplate out,
    whitespace collapsed."""
    return collapse_whitespace(drop_boilerplate(strip_pinyin_annotations(text)))


def normalize_for_index(text: str) -> str:
    """`readable` after NFC, then Traditional → Simplified (boilerplate is recognized in either
    script, so dropping it first is the same as dropping it after)."""
    return to_simplified(readable(_nfc(text)))


def normalize_query(text: str) -> str:
    """A question meets the indexed text in the same script and form. Boilerplate is not dropped: a
    question about following an account or sharing a post is a question."""
    return collapse_whitespace(_one_script(text))
