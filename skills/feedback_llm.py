"""Categorizing with a language model: the prompt, the structured-output schema and its validation.

The caller sends `label_messages(text)` with `LLMLabel`'s JSON schema as the response format and
hands the reply to `parse_label`; anything that does not validate raises, and the caller falls back
to the offline categorizer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from skills.feedback_categories import CATEGORY_INFO, Category
from skills.feedback_classifier import Classification

_RULES = """Categorize one piece of customer feedback for an operations / customer-success team.
Categories:
- bug: the product misbehaves (errors, crashes, wrong data, sync or import failures, something
  stopped working), even when asked as a question or said angrily.
- how_to: how do I / where is / what does this mean; nothing is broken, not about accounts.
- ops_admin: accounts, users, roles, permissions, seats, org structure, approval routing, SSO,
  offboarding; even when asked as "how do I".
- feature_request: something the product does not do and the customer wants.
- complaint: a grievance about the service (slow or no response, billing, refunds, broken promises,
  attitude, threats to cancel), even when it mentions a bug.
- other: thanks, praise, notices, scheduling, status updates, chit-chat.
Answer with JSON only: {"category": one of the names above, "confidence": 0 to 1,
"deciding_words": up to 5 words or short phrases copied from the text that decided it}."""


class LLMLabel(BaseModel):
    """What the model must return; anything else is rejected."""

    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    deciding_words: list[str] = Field(default_factory=list, max_length=8)


def label_messages(text: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": _RULES},
        {"role": "user", "content": text},
    ]


def label_schema() -> dict[str, object]:
    return LLMLabel.model_json_schema()


def parse_label(raw: str, text: str) -> Classification:
    """Validate the model's JSON; deciding words it made up (not in the text) are dropped."""
    label = LLMLabel.model_validate_json(raw.strip().removeprefix("```json").removesuffix("```").strip())
    lowered = text.lower()
    words = tuple(word for word in label.deciding_words if word and word.lower() in lowered)[:5]
    category: Category = label.category
    assert category in CATEGORY_INFO
    return Classification(category, label.confidence, words, method="llm")
