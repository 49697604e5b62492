"""Questions that ask for a figure: how to compute something (a formula), or what value of a
metric is normal (a benchmark). Such a question is answered only by a passage that shows one.

Similarity alone cannot tell: "How do I compute customer lifetime value?" is close to the
playbook's client-value scoring and to renewal evidence, which compute nothing, and "What churn
rate is normal for B2B SaaS?" is close to the metric system, which names churn but gives no
figure. Quoting those would pass a neighbouring topic off as the answer."""

from __future__ import annotations

import re
from typing import Literal

from knowledge.normalize import to_simplified

WantedFigure = Literal["formula", "benchmark"]

_ASKS_FORMULA = re.compile(
    r"\b(?:comput\w*|calculat\w*|formulas?)\b"
    # 怎么算 / 如何计算, but not 怎么算是 ("what counts as") nor 算不算 ("does it count as").
    r"|(?:怎么|如何|怎样)(?:计算|算)(?![不是])|公式",
    re.IGNORECASE,
)
_ASKS_BENCHMARK = re.compile(
    r"\bwhat(?:'s| is| are)? (?:a |an )?(?:good|normal|typical|healthy|reasonable)\b"
    r"|\b(?:is|are) (?:normal|typical|healthy|reasonable)\b"
    r"|多少.{0,2}算(?:好|正常|合理|健康)|(?:正常|合理|健康)的?(?:范围|水平)",
    re.IGNORECASE,
)
_SHOWS_COMPUTATION = re.compile(
    r"[×÷=＝%％]|除以|乘以|算出|计算|比率"
    r"|\b(?:divided?|multipl(?:y|ied)|times|ratio|comput\w*|calculat\w*)\b",
    re.IGNORECASE,
)
FIGURE_PLACES = 3
"""A formula or figure counts in the first three passages of the ranking only: one found further
down is about something else (RFM's quintile scores for a lifetime-value question)."""
_SHOWS_LEVEL = re.compile(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?\s*(?:%|％|分|points?\b|percent)", re.IGNORECASE)
"""A number with its unit of a rate or score (30%, 60 分, 8 points); B2B's 2 is no figure."""


def wanted_figure(question: str) -> WantedFigure | None:
    """What kind of figure the question asks for, if any (怎麼計算 asks as 怎么计算 does)."""
    question = to_simplified(question)
    if _ASKS_FORMULA.search(question):
        return "formula"
    if _ASKS_BENCHMARK.search(question):
        return "benchmark"
    return None


def shows_figure(wanted: WantedFigure | None, passage: str) -> bool:
    """Whether the passage can answer a question wanting `wanted` (any passage when None)."""
    if wanted is None:
        return True
    passage = to_simplified(passage)  # a team's note in Traditional script: 計算 as 计算
    if wanted == "formula":  # an operation, or scores and rates that add up (100 points, 35 off)
        return bool(_SHOWS_COMPUTATION.search(passage) or _SHOWS_LEVEL.search(passage))
    return bool(_SHOWS_LEVEL.search(passage))  # a benchmark: a rate or score with its unit


def serves(wanted: WantedFigure | None, passage: str, rank: int) -> bool:
    """Whether the passage at `rank` (0: the best) may answer a question wanting `wanted`."""
    return wanted is None or (rank < FIGURE_PLACES and shows_figure(wanted, passage))
