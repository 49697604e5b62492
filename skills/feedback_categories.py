"""The feedback categories, what the playbook says to do with each, and what a feedback text may be."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from skills.errors import Lang, SkillError

Category = Literal["bug", "how_to", "ops_admin", "feature_request", "complaint", "other"]
CATEGORIES: tuple[Category, ...] = get_args(Category)

Status = Literal["new", "triaged", "done"]
STATUSES: tuple[Status, ...] = get_args(Status)

MAX_FEEDBACK_CHARS = 4000
"""Longer texts are refused: feedback is a message, not a document; link the full text instead."""


@dataclass(frozen=True)
class CategoryInfo:
    label: dict[Lang, str]
    emoji: str
    handling: dict[Lang, str]
    """The playbook's next step for this kind of feedback."""


CATEGORY_INFO: dict[Category, CategoryInfo] = {
    "bug": CategoryInfo(
        {"en": "Production bug", "zh": "生产 bug"},
        ":beetle:",
        {
            "en": "Collect and filter it, then send it to product for a fix.",
            "zh": "收集、筛选后提交产品修复。",
        },
    ),
    "how_to": CategoryInfo(
        {"en": "How-to question", "zh": "操作问题"},
        ":grey_question:",
        {
            "en": "Answer it; when it keeps coming back, add it to the Q&A manual.",
            "zh": "先解答;高频问题整理进 QA 手册。",
        },
    ),
    "ops_admin": CategoryInfo(
        {"en": "Ops-management issue", "zh": "运营管理问题"},
        ":key:",
        {
            "en": "Route it to the admin owner (roles, permissions, accounts); "
            "fix it in the product or write it into the manual.",
            "zh": "转给管理员负责人(角色、权限、账号);视情况改进产品或写进手册。",
        },
    ),
    "feature_request": CategoryInfo(
        {"en": "Feature request", "zh": "新需求"},
        ":bulb:",
        {
            "en": "Put it through the new-requirement process.",
            "zh": "走新需求流程。",
        },
    ),
    "complaint": CategoryInfo(
        {"en": "Complaint", "zh": "客诉"},
        ":rotating_light:",
        {
            "en": "Escalate it and track it separately until the customer is satisfied.",
            "zh": "升级处理,单独跟踪直到客户满意。",
        },
    ),
    "other": CategoryInfo(
        {"en": "Other", "zh": "其他"},
        ":speech_balloon:",
        {"en": "Nothing to do beyond reading it.", "zh": "知悉即可。"},
    ),
}

_ALIASES: dict[str, Category] = {
    "bug": "bug",
    "bugs": "bug",
    "生产bug": "bug",
    "故障": "bug",
    "how_to": "how_to",
    "howto": "how_to",
    "how-to": "how_to",
    "question": "how_to",
    "操作问题": "how_to",
    "操作": "how_to",
    "ops_admin": "ops_admin",
    "admin": "ops_admin",
    "ops-admin": "ops_admin",
    "运营管理": "ops_admin",
    "运营管理问题": "ops_admin",
    "权限": "ops_admin",
    "feature_request": "feature_request",
    "feature-request": "feature_request",
    "feature": "feature_request",
    "request": "feature_request",
    "需求": "feature_request",
    "新需求": "feature_request",
    "complaint": "complaint",
    "complaints": "complaint",
    "投诉": "complaint",
    "客诉": "complaint",
    "other": "other",
    "其他": "other",
}


def parse_category(name: str) -> Category:
    """A category from what people type (`bug`, `how-to`, `需求`, `客诉`…)."""
    category = _ALIASES.get(name.strip().lower().replace(" ", ""))
    if category is None:
        names = ", ".join(CATEGORIES)
        raise SkillError(
            f"Unknown category {name!r}. Use one of: {names}.",
            f"不认识的分类 {name!r}。可用:{names}(也可写 生产bug、操作问题、运营管理、新需求、客诉、其他)。",
        )
    return category


_CUSTOMER = re.compile(
    r"(?:^|(?<=[\s,，;；、。]))(?:customer|client|客户)[:：=](\"[^\"]+\"|“[^”]+”|[^\s,，;；。]+)",
    re.IGNORECASE,
)


def split_customer(text: str) -> tuple[str, str | None]:
    """`… customer:Acme` → ("…", "Acme"); quotes allow spaces: `customer:"Acme Ltd"`. No space may
    follow the colon, so a quote such as "Customer: the export fails" stays text."""
    match = _CUSTOMER.search(text)
    if match is None:
        return text.strip(), None
    name = match.group(1).strip('"“”')
    rest = (text[: match.start()].rstrip() + " " + text[match.end() :].lstrip()).strip()
    return rest, name or None


SLASH_COMMAND_EXAMPLE = (
    "`/ops feedback export to Excel fails with error 500 customer:Acme`",
    "`/ops feedback 导出报表报错500 客户:华星科技`",
)
"""How to file feedback, shown when there is no text: in Slack terms unless the caller has its own."""


def check_feedback_text(text: str, example: tuple[str, str] = SLASH_COMMAND_EXAMPLE) -> str:
    """The text to file, stripped; refuses empty and over-long texts with what to do instead
    (`example`: a filing command in the caller's syntax, English and Chinese)."""
    stripped = text.strip()
    if not stripped:
        raise SkillError(
            f"There is no feedback text to file. Write it after the command, e.g. {example[0]}.",
            f"没有可登记的反馈内容。请把内容写在命令后面,例如 {example[1]}。",
        )
    if len(stripped) > MAX_FEEDBACK_CHARS:
        raise SkillError(
            f"This feedback is {len(stripped):,} characters long; the limit is {MAX_FEEDBACK_CHARS:,}. "
            "File the key part and link the full text (a message link or a document).",
            f"这条反馈有 {len(stripped):,} 个字符,上限是 {MAX_FEEDBACK_CHARS:,}。"
            "请登记关键部分,并附上完整内容的链接(消息链接或文档)。",
        )
    return stripped


@dataclass(frozen=True)
class LabeledExample:
    text: str
    category: Category


@dataclass(frozen=True)
class Classification:
    category: Category
    confidence: float
    """The model's probability for the chosen category, 0–1."""
    deciding_words: tuple[str, ...]
    method: str = "offline"
    """`offline` (this model) or `llm`."""

    def as_json(self) -> dict[str, object]:
        return {
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "deciding_words": list(self.deciding_words),
            "method": self.method,
        }
