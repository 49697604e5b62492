"""Where the team's own metrics database is and what to ask it: any SQLAlchemy URL plus one query
per metric, in a YAML file (OPSBOT_METRICS_SQL). Read here, below everything, so the log filter can
redact the URL without importing the stores:

    url: postgresql+psycopg://reader@db/analytics     # or ${ENV_VAR} to keep the secret out of the file
    queries:
      sales: SELECT day, SUM(amount) FROM orders WHERE day >= :since GROUP BY day
      active_users: SELECT day, COUNT(DISTINCT user_id), region FROM visits WHERE day >= :since GROUP BY day, region

Each query gets `:since` (a date) and returns rows of (day, value) or (day, value, client).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from skills.errors import SkillError
from skills.metrics_csv import metric_key
from skills.settings_yaml import YAML_LOADER

_ENV = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


@dataclass(frozen=True)
class MetricsSource:
    url: str
    queries: dict[str, str]

    def engine(self) -> Engine:
        return create_engine(self.url, pool_pre_ping=True)


def load_source(path: Path) -> MetricsSource:
    """Read and check the YAML; SkillError says what is wrong (the URL is never repeated back)."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SkillError(f"Cannot read {path}: {reason}.", f"无法读取 {path}:{reason}。") from None
    except UnicodeDecodeError:
        raise SkillError(f"{path} is not UTF-8 text.", f"{path} 不是 UTF-8 文本。") from None
    except yaml.YAMLError as error:
        # The error's own text quotes the file around the mistake, and that could hold the secret URL.
        mark = getattr(error, "problem_mark", None)
        where, where_zh = (f" at line {mark.line + 1}", f"(第 {mark.line + 1} 行)") if mark else ("", "")
        raise SkillError(f"{path} is not valid YAML{where}.", f"{path} 不是有效的 YAML{where_zh}。") from None
    except (ValueError, RecursionError):  # PyYAML's own date and !!tag building, or nesting too deep
        raise SkillError(
            f"{path} is not valid YAML: a value cannot be read (an impossible date, or nesting too deep).",
            f"{path} 不是有效的 YAML:有无法读取的值(如不存在的日期,或嵌套过深)。",
        ) from None
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("url"), str)
        or not isinstance(raw.get("queries"), dict)
    ):
        raise SkillError(
            f"{path} needs `url:` (a SQLAlchemy URL) and `queries:` (metric: SQL).",
            f"{path} 需要 `url:`(SQLAlchemy 连接串)和 `queries:`(指标: SQL)。",
        )
    url = _ENV.sub(lambda match: os.environ.get(match.group(1), ""), raw["url"])
    queries = {metric_key(str(name)): str(sql) for name, sql in raw["queries"].items()}
    return MetricsSource(url, queries)
