"""skills/ is pure: what it computes depends only on its arguments, so it reads no environment and
no clock (the caller passes the day, the time zone and the settings)."""

from __future__ import annotations

import re
from pathlib import Path

SKILLS = Path(__file__).parents[2] / "skills"
IMPURE = re.compile(
    r"os\.environ|os\.getenv|getenv\(|datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\("
)


def test_skills_read_no_environment_and_no_clock() -> None:
    found = [
        f"{path.relative_to(SKILLS.parent)}:{number}: {line.strip()}"
        for path in sorted(SKILLS.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if IMPURE.search(line)
    ]
    assert len(list(SKILLS.rglob("*.py"))) > 20
    assert found == []
