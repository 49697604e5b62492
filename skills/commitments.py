"""Promises a polished draft must not add: an offer, a deadline or a guarantee the template did not
make. A model asked to make a renewal note friendlier may write "sign this week and we can give you
30% off"; that is a commitment nobody approved, and it reaches the client. The guard compares the
kinds of commitment in the polished text with those in the template, sentence by sentence, and checks
that any percentage offered is one of the offers allowed (the renewal policy's ladder within its
ceiling)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

Commitment = Literal["offer", "deadline", "guarantee"]
_WORDS: dict[Commitment, re.Pattern[str]] = {
    "offer": re.compile(
        r"\b(?:\d+\s?%\s?off|discount(?:s|ed)?|rebate|coupon|voucher|(?<!feel )free(?! to)(?: of charge)?|complimentary|"
        r"waive[ds]?|credit(?:s)? (?:of|worth)|extra months?|price (?:cut|freeze|lock)|special (?:price|offer|deal))\b"
        r"|折扣|打折|\d+(?:\.\d)?\s?折|(?<!波)[一二三四五六七八九][一二三四五六七八九]?折|优惠|减免|返现|返点|赠送|免费|立减|特价|让利",
        re.IGNORECASE,
    ),
    "deadline": re.compile(
        r"\b(?:if you (?:sign|renew|confirm)|sign (?:by|before|this)|renew (?:by|before|this)|"
        r"(?:offer|deal|price) (?:ends|expires|is valid)|valid (?:until|through|till)|only (?:this|until|till)|"
        r"limited[- ]time|deadline|last chance)\b"
        r"|限时|截止|之前签|本周内签|本月内签|过期|仅限|有效期至",
        re.IGNORECASE,
    ),
    "guarantee": re.compile(
        r"\b(?:guarantee[ds]?|we promise|promised|we will make sure|we commit|committed to|assure you|"
        r"money[- ]back|refund)\b|保证|承诺|确保|包退|退款|担保",
        re.IGNORECASE,
    ),
}
_SENTENCE = re.compile(r"[^.!?。!?\n;;]+[.!?。!?\n;;]*")
_OFFERED_PERCENT = re.compile(
    r"(\d+(?:\.\d+)?)\s?%|(\d(?:\.\d)?)\s?折|(?<!波)([一二三四五六七八九])([一二三四五六七八九])?折"
)
_CHINESE_DIGITS = {digit: value for value, digit in enumerate("一二三四五六七八九", start=1)}


@dataclass(frozen=True)
class AddedCommitment:
    kind: Commitment
    sentence: str


def commitments(text: str) -> set[Commitment]:
    """The kinds of commitment `text` makes."""
    return {kind for kind, words in _WORDS.items() if words.search(text)}


def added_commitments(
    text: str, template: str, allowed_offers: Collection[float] = ()
) -> list[AddedCommitment]:
    """The sentences of `text` that commit to something the template did not (an offer, a deadline,
    a guarantee), and any offer whose percentage is not among `allowed_offers` (a discount of 15%;
    10折 style discounts read as the share taken off: 8折 and 八折 are 20% off, 八五折 15%)."""
    made = commitments(template)
    added: list[AddedCommitment] = []
    for sentence in (m.group(0).strip() for m in _SENTENCE.finditer(text)):
        kinds = commitments(sentence)
        for kind in sorted(kinds - made):
            added.append(AddedCommitment(kind, sentence))
        if "offer" in kinds and "offer" in made:
            for percent in _offered_percents(sentence):
                if not any(abs(percent - allowed) < 1e-6 for allowed in allowed_offers):
                    added.append(AddedCommitment("offer", sentence))
                    break
    return added


def _offered_percents(sentence: str) -> list[float]:
    percents = []
    for match in _OFFERED_PERCENT.finditer(sentence):
        if match.group(1):
            percents.append(float(match.group(1)))
        elif match.group(2):  # 8折: the client pays 80%, so 20% off
            percents.append(round(100 - float(match.group(2)) * 10, 6))
        else:  # 九折 is 10% off, 八五折 15%
            paid = _CHINESE_DIGITS[match.group(3)] * 10 + _CHINESE_DIGITS.get(match.group(4) or "", 0)
            percents.append(float(100 - paid))
    return percents
