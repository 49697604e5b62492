"""Funnel decomposition: from a target down (or up) a chain of conversion rates, with plan checks.

Expression grammar (Chinese or English stage names, full-width punctuation accepted):

    [check] AMOUNT NAME [(SHARE% PART, …)]  ( OP (RATE% | PRICE-WORD AMOUNT) [AMOUNT] NAME [(…)] )*

`/` goes up the funnel: the rate is the conversion from the new stage to the one before it, so the
new stage needs value / rate (500w sales / 5% customers = 1亿 customers). `*` goes down: value × rate.
An AMOUNT on a later stage is a stated plan figure: it is always checked against what the stage
before it (as stated) implies; a leading `check` word is allowed and changes nothing. Values are
never rounded here; renderers round for display. A `/` inside a word (GMV/UV) is part of a name.

A price step turns money into a count and back: `500万 销售额 / 客单价 500 买家` divides the revenue by
the average order value (客单价 / AOV / price) to get 1万 buyers; `*` multiplies a count by the price.
Conversion rates apply to people and orders, so a stage of money (revenue, GMV, 销售额, ¥…) followed by
a rate is refused with the price step it is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from skills.errors import SkillError, quoted
from skills.units import MAX_AMOUNT, NUMBER, parse_amount

Direction = Literal["up", "down"]
MAX_STAGES = 12
CHECK_TOLERANCE = 0.005
"""A stated figure within 0.5% of the implied one counts as consistent (plans round their numbers)."""
EXAMPLE = "500w sales / 5% customers / 80% downloads"
EXAMPLE_ZH = "500万 销售 / 5% 客户 / 80% 下载"

_FULL_WIDTH = str.maketrans(
    {"（": "(", "）": ")", "，": ",", "、": ",", "％": "%", "×": "*", "÷": "/", "：": ":"}
)
_CHECK_WORD = re.compile(r"^\s*(check|检查|核对|校验)\s*[:]?\s*", re.IGNORECASE)
_RATE = re.compile(rf"^\s*(?P<number>{NUMBER})\s*%\s*(?P<rest>.*)$", re.DOTALL)
_SPLITS = re.compile(r"^(?P<head>[^()]*)\((?P<parts>[^()]*)\)\s*$", re.DOTALL)
_PRICE_WORD = r"(?:客单价|平均客单价|单价|(?:aov|price)\b)"
_PRICE = re.compile(rf"^\s*{_PRICE_WORD}\s*[:=]?\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_OPERATOR = re.compile(
    rf"\s+(?P<spaced>[/*])\s+|\s*(?P<tight>[/*])(?=\s*(?:(?:{NUMBER})\s*%|{_PRICE_WORD}))", re.IGNORECASE
)
"""`/` or `*` between stages: with spaces on both sides, or right before a rate or a price step. A
slash inside a word is part of a stage's name (GMV/UV, 下单/访客); a quoted name may hold anything."""
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_MONEY = re.compile(
    r"¥|￥|\$|元|\b(?:yuan|rmb|usd|revenue|gmv|turnover|income)\b|gmv|营收|收入|营业额|销售额|成交额|流水|业绩",
    re.IGNORECASE,
)
_WHAT_IF = re.compile(rf"^\s*(?P<old>{NUMBER})\s*%\s*(?:->|→|=>|to|到)\s*(?P<new>{NUMBER})\s*%\s*$")


@dataclass(frozen=True)
class Part:
    name: str
    share: float
    """Fraction of the stage, 0 to 1."""
    value: float


@dataclass(frozen=True)
class Stage:
    name: str
    value: float
    rate: float | None = None
    """Conversion between this stage and the one before it (fraction); None for the first stage."""
    direction: Direction | None = None
    stated: float | None = None
    parts: tuple[Part, ...] = ()
    price: float | None = None
    """At a price step (rate None): the money per order or buyer the value was divided or multiplied by."""


@dataclass(frozen=True)
class Check:
    stage: str
    stated: float
    expected: float
    basis: str
    """The stage (as stated or computed) the expectation is derived from."""

    @property
    def ok(self) -> bool:
        return abs(self.stated - self.expected) <= CHECK_TOLERANCE * self.expected


@dataclass(frozen=True)
class WhatIf:
    old_rate: float
    new_rate: float
    stages: tuple[Stage, ...]
    deltas: tuple[float, ...]


@dataclass(frozen=True)
class FunnelResult:
    stages: tuple[Stage, ...]
    checks: tuple[Check, ...] = ()
    what_if: WhatIf | None = None

    def as_json(self) -> dict[str, object]:
        """The documented JSON shape; values unrounded."""
        return {
            "stages": [_stage_json(stage) for stage in self.stages],
            "checks": [
                {"stage": c.stage, "stated": c.stated, "expected": c.expected, "ok": c.ok}
                for c in self.checks
            ],
            "what_if": None
            if self.what_if is None
            else {
                "change": f"{_percent(self.what_if.old_rate)}->{_percent(self.what_if.new_rate)}",
                "stages": [
                    {**_stage_json(stage), "delta": delta}
                    for stage, delta in zip(self.what_if.stages, self.what_if.deltas, strict=True)
                ],
            },
        }


def _stage_json(stage: Stage) -> dict[str, object]:
    data: dict[str, object] = {"name": stage.name, "value": stage.value}
    if stage.rate is not None:
        data["rate"] = stage.rate
    if stage.price is not None:
        data["price"] = stage.price
    data["parts"] = [{"name": part.name, "value": part.value} for part in stage.parts]
    return data


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


@dataclass(frozen=True)
class _Segment:
    operator: Direction | None
    rate: float | None
    stated: float | None
    name: str
    shares: tuple[tuple[str, float], ...]
    price: float | None = None


def compute_funnel(expression: str, what_if: str | None = None) -> FunnelResult:
    """Parse and compute a funnel expression; raises SkillError with an example on bad input."""
    text = expression.translate(_FULL_WIDTH).strip()
    if not text:
        raise _error("The funnel is empty.", "漏斗表达式为空。")
    text = _CHECK_WORD.sub("", text, count=1)
    segments = _parse(text)
    _refuse_money_through_a_rate(segments)
    stages = _chain(segments, rate_override=None)
    checks = _checks(segments, stages)
    scenario = None
    if what_if is not None and what_if.strip():
        old, new = _parse_what_if(what_if)
        if not any(s.rate is not None and _same_rate(s.rate, old) for s in segments):
            rates = ", ".join(_percent(s.rate) for s in segments if s.rate is not None) or "-"
            raise SkillError(
                f"No stage has the rate {_percent(old)} to change (rates here: {rates}).",
                f"没有哪一步的转化率是 {_percent(old)}(当前转化率:{rates})。",
            )
        changed = _chain(segments, rate_override=(old, new))
        deltas = tuple(after.value - before.value for before, after in zip(stages, changed, strict=True))
        scenario = WhatIf(old, new, changed, deltas)
    return FunnelResult(stages, checks, scenario)


def split_what_if(text: str) -> tuple[str, str | None]:
    """`… what-if 5%->6%` (also 假如/如果) at the end of a Slack command → (expression, change)."""
    match = re.search(r"\s(?:what-?if|假如|如果)\s+(?P<change>\S.*)$", " " + text, re.IGNORECASE)
    if match is None:
        return text, None
    return (" " + text)[: match.start()].strip(), match["change"].strip()


def _parse(text: str) -> list[_Segment]:
    raw_segments = _split_stages(text)
    if len(raw_segments) > MAX_STAGES:
        raise _error(f"At most {MAX_STAGES} stages are supported.", f"最多支持 {MAX_STAGES} 个阶段。")
    segments: list[_Segment] = []
    for number, (operator, raw) in enumerate(raw_segments, start=1):
        if not raw.strip():
            raise _error(
                f"Stage {number} is missing (two operators in a row, or one at the end).",
                f"第 {number} 个阶段缺失(运算符连写或结尾多了运算符)。",
            )
        segments.append(_parse_segment(raw, number, None if operator is None else _direction(operator)))
    return segments


def _split_stages(text: str) -> list[tuple[str | None, str]]:
    """(operator, the stage's text) for each stage; the first stage has no operator."""
    quoted = [match.span() for match in _QUOTED.finditer(text)]
    stages: list[tuple[str | None, str]] = []
    operator: str | None = None
    start = 0
    for match in _OPERATOR.finditer(text):
        if any(begin <= match.start() < end for begin, end in quoted):
            continue
        stages.append((operator, text[start : match.start()]))
        operator, start = match["spaced"] or match["tight"], match.end()
    stages.append((operator, text[start:]))
    return stages


def _direction(operator: str) -> Direction:
    return "up" if operator == "/" else "down"


def _parse_segment(raw: str, number: int, operator: Direction | None) -> _Segment:
    head, shares = _parse_splits(raw, number)
    rate: float | None = None
    price: float | None = None
    if operator is not None and (price_match := _PRICE.match(head)) is not None:
        if not re.match(r"^\s*\d", price_match["rest"]):
            raise _error(
                f"Stage {number}: a price step needs the price, like '/ 客单价 500 buyers'.",
                f"第 {number} 个阶段:客单价步骤需要写出价格,比如 '/ 客单价 500 买家'。",
            )
        price, head = parse_amount(price_match["rest"])  # refuses 0 and negatives
    elif (rate_match := _RATE.match(head)) is not None:
        rate = float(rate_match["number"].replace(",", "")) / 100
        head = rate_match["rest"]
        if not 0 < rate <= 1:
            raise _error(
                f"Stage {number}: a conversion rate must be above 0% and at most 100% (got {_percent(rate)}).",
                f"第 {number} 个阶段:转化率必须大于 0% 且不超过 100%(现在是 {_percent(rate)})。",
            )
    if operator is None and rate is not None:
        raise _error(
            "The first stage is an amount, not a rate.",
            "第一个阶段应是数量,不是转化率。",
        )
    if operator is not None and rate is None and price is None:
        raise _error(
            f"Stage {number} needs a conversion rate after the operator, like '/ 5% customers'.",
            f"第 {number} 个阶段在运算符后需要转化率,比如 '/ 5% 客户'。",
        )
    stated: float | None = None
    if re.match(r"^\s*[-\d.]", head):
        stated, head = parse_amount(head)
    elif operator is None:
        raise _error(
            "The funnel must start with an amount, like '500w sales'.", "漏斗要以数量开头,比如 '500万 销售'。"
        )
    name = " ".join(head.replace('"', " ").replace("“", " ").replace("”", " ").split()) or f"stage {number}"
    return _Segment(operator, rate, stated, name, shares, price)


def _parse_splits(raw: str, number: int) -> tuple[str, tuple[tuple[str, float], ...]]:
    if "(" not in raw and ")" not in raw:
        return raw, ()
    match = _SPLITS.match(raw)
    if match is None:
        raise _error(
            f"Stage {number}: put a split in one pair of brackets at the end, like '(80% new, 20% returning)'.",
            f"第 {number} 个阶段:拆分写在末尾的一对括号里,比如 '(80% 新客, 20% 老客)'。",
        )
    shares: list[tuple[str, float]] = []
    for index, part in enumerate(p for p in match["parts"].split(",") if p.strip()):
        part_match = _RATE.match(part)
        if part_match is None:
            raise _error(
                f"Stage {number}: each split part needs a share, like '80% new' (got {quoted(part.strip())}).",
                f"第 {number} 个阶段:每个拆分项需要占比,比如 '80% 新客'(现在是 {quoted(part.strip())})。",
            )
        share = float(part_match["number"].replace(",", "")) / 100
        shares.append((" ".join(part_match["rest"].split()) or f"part {index + 1}", share))
    total = sum(share for _, share in shares)
    if not shares or abs(total - 1) > 1e-6:
        raise _error(
            f"Stage {number}: split shares must add up to 100% (they add up to {_percent(total)}).",
            f"第 {number} 个阶段:拆分占比之和必须是 100%(现在是 {_percent(total)})。",
        )
    return match["head"], tuple(shares)


def _chain(segments: list[_Segment], rate_override: tuple[float, float] | None) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    value = 0.0
    for segment in segments:
        rate = segment.rate
        if rate is not None and rate_override is not None and _same_rate(rate, rate_override[0]):
            rate = rate_override[1]
        if segment.operator is None:
            assert segment.stated is not None
            value = segment.stated
        elif segment.price is not None:
            value = value / segment.price if segment.operator == "up" else value * segment.price
        else:
            assert rate is not None
            value = value / rate if segment.operator == "up" else value * rate
        if value > MAX_AMOUNT * 1000:
            raise _error(
                f"{quoted(segment.name)} comes out larger than any real funnel ({value:.3g}); check the rates.",
                f"{quoted(segment.name)} 的结果超出合理范围({value:.3g}),请检查转化率。",
            )
        parts = tuple(Part(name, share, value * share) for name, share in segment.shares)
        stages.append(
            Stage(segment.name, value, rate, segment.operator, segment.stated, parts, segment.price)
        )
    return tuple(stages)


def _checks(segments: list[_Segment], stages: tuple[Stage, ...]) -> tuple[Check, ...]:
    """Each stated figure against what the stage before it implies (that stage as stated, if it was)."""
    checks: list[Check] = []
    for index in range(1, len(segments)):
        segment = segments[index]
        if segment.stated is None:
            continue
        before = segments[index - 1]
        basis = before.stated if before.stated is not None else stages[index - 1].value
        step = segment.price if segment.price is not None else segment.rate
        assert step is not None
        expected = basis / step if segment.operator == "up" else basis * step
        checks.append(Check(segment.name, segment.stated, expected, before.name))
    return tuple(checks)


def is_money(name: str) -> bool:
    """A stage named as money (revenue, GMV, 销售额, ¥…), as opposed to people or orders."""
    return _MONEY.search(name) is not None


def _refuse_money_through_a_rate(segments: list[_Segment]) -> None:
    """Money converts into buyers through the average order value, not a rate: 500万 of revenue at
    3% is not 1.67亿 buyers. A rate between two money stages (a margin, a share) is fine."""
    money = is_money(segments[0].name)
    for number, segment in enumerate(segments[1:], start=2):
        if segment.price is not None:
            money = segment.operator == "down"
            continue
        if money and not is_money(segment.name):
            before = segments[number - 2].name
            raise SkillError(
                f"{quoted(before)} is an amount of money, and a conversion rate applies to people or orders: "
                "divide by the average order value first, like '500万 revenue / AOV 500 buyers / 3% visitors'.",
                f"{quoted(before)} 是金额,转化率只能用于人数或订单数:请先除以客单价,"
                f"例如 '500万 销售额 / 客单价 500 买家 / 3% 访客'。",
            )


def _parse_what_if(text: str) -> tuple[float, float]:
    match = _WHAT_IF.match(text.translate(_FULL_WIDTH))
    if match is None:
        raise SkillError(
            f"A what-if is written OLD%->NEW%, like 5%->6% (got {quoted(text.strip())}).",
            f"假设变化的写法是 原%->新%,比如 5%->6%(现在是 {quoted(text.strip())})。",
        )
    old, new = (float(match[key].replace(",", "")) / 100 for key in ("old", "new"))
    if not 0 < new <= 1:
        raise SkillError(
            f"The new rate must be above 0% and at most 100% (got {_percent(new)}).",
            f"新的转化率必须大于 0% 且不超过 100%(现在是 {_percent(new)})。",
        )
    return old, new


def _same_rate(a: float, b: float) -> bool:
    return abs(a - b) < 1e-9


def _error(en: str, zh: str) -> SkillError:
    return SkillError(f"{en} Example: {EXAMPLE}", f"{zh}例如:{EXAMPLE_ZH}")
