"""The one exception type for bad input: a message a person can act on, in both languages."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]


class SkillError(ValueError):
    """Bad input. `en` and `zh` say what is wrong and how to fix it (with an example where useful)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh

    def message(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def __reduce__(self) -> tuple[type[SkillError], tuple[str, str]]:
        """Both messages survive pickling (the answer process sends refusals back)."""
        return (type(self), (self.en, self.zh))


QUOTE_LIMIT = 60


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as a refusal quotes it: its repr (control characters show as escapes), cut after
    `limit` characters, so repeating a pasted essay or a 400-digit number never buries the message."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit] + "…")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
