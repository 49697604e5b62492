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
