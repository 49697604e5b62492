"""A team's settings file in YAML (tier weights, client health): read strictly, so a typo is an
error that says where it is, never a silently ignored entry that changes every score."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import yaml

from skills.errors import SkillError, quoted

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when installed: PyYAML's pure-Python scanner needs seconds for a few
thousand nested brackets, libyaml refuses them at once."""


@dataclass(frozen=True)
class SettingsFile:
    """Names one kind of settings file in messages: ("tier settings", "分层配置")."""

    en: str
    zh: str

    def parse(self, text: str, sections: Collection[str]) -> dict[str, Any]:
        """The file's top-level mapping ({} when empty); SkillError for YAML that does not parse
        (with its line) or a section not in `sections`."""
        try:
            data = yaml.load(text, Loader=YAML_LOADER)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            where_zh = f"(第 {mark.line + 1} 行)" if mark is not None else ""
            # Only the problem itself: the error's full text quotes the file with a caret under the mistake.
            problem = getattr(error, "problem", None) or getattr(error, "reason", None) or "unreadable text"
            raise SkillError(
                f"The {self.en} are not valid YAML{where}: {problem}.",
                f"{self.zh}不是有效的 YAML{where_zh}:{problem}。",
            ) from None
        except (ValueError, RecursionError):  # PyYAML's own date and !!tag building, or nesting too deep
            raise SkillError(
                f"The {self.en} are not valid YAML: a value cannot be read (an impossible date such as "
                "2024-02-30, a wrong !!tag, or nesting too deep).",
                f"{self.zh}不是有效的 YAML:有无法读取的值(如不存在的日期 2024-02-30、错误的 !!标签,或嵌套过深)。",
            ) from None
        if data is None:
            return {}
        data = self.mapping(data, "the file")
        unknown = [key for key in data if key not in sections]
        if unknown:
            raise SkillError(
                f"Unknown section {quoted(unknown[0])} in the {self.en}; the sections are {', '.join(sections)}.",
                f"{self.zh}中有未知的部分 {quoted(unknown[0])};可用的部分为 {', '.join(sections)}。",
            )
        return data

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        """`value` as a mapping with text keys; SkillError naming `where` when it is not one."""
        if not isinstance(value, dict):
            raise SkillError(
                f"In the {self.en}, {where} must be a mapping of names to values (name: value).",
                f"{self.zh}中 {where} 必须是“名称: 值”的映射。",
            )
        return {str(key): item for key, item in value.items()}
