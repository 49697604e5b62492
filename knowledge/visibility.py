"""Which channel may see which source: a document shared in a private channel is cited only there
(and a workspace's documents only in that workspace); everything else is public. Restrictions are
paths: "T1" (a workspace), "T1:C2" (its channel C2), or "C2" with one workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from knowledge.manifest import SourceRecord


def visible_scopes(visible_to: str | None) -> frozenset[str]:
    """The restrictions a reader at `visible_to` may see: every prefix of its path, so "T1:C2" (channel
    C2 of workspace T1) sees what is restricted to T1 and to T1:C2, and "C2" (one workspace) to C2."""
    if not visible_to:
        return frozenset()
    parts = visible_to.split(":")
    return frozenset(":".join(parts[: end + 1]) for end in range(len(parts)))


def restriction_of(metadata: Mapping[str, object]) -> str:
    """The channel a catalog record is restricted to; "" (public) for records written before."""
    return str(metadata.get("visibility") or "")


def is_visible(restriction: str | None, visible_to: str | None) -> bool:
    """Public chunks (no restriction) are visible everywhere; restricted ones only within their scope."""
    return restriction is None or restriction in visible_scopes(visible_to)


def with_visibility(record: SourceRecord, restricted: Mapping[str, str]) -> SourceRecord:
    """`record` saying the channel its source is restricted to (source → channel in `restricted`)."""
    visibility = restricted.get(record.source, "")
    return record if record.visibility == visibility else replace(record, visibility=visibility)
