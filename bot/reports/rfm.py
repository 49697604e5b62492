"""RFM results for people: segment tables (text) and a spreadsheet-safe per-customer CSV."""

from __future__ import annotations

from skills.csv_files import spreadsheet_csv
from skills.errors import Lang
from skills.rfm import SEGMENTS, SEGMENTS8, RFMResult, Segment
from skills.wording import counted

CUSTOMER_COLUMNS = ("customer", "recency_days", "frequency", "monetary", "r", "f", "m", "segment8", "segment")


def customers_csv(result: RFMResult) -> str:
    """One row per customer; customer names come from the uploaded file, so every cell is made
    spreadsheet-safe (`spreadsheet_csv`)."""
    return spreadsheet_csv(
        CUSTOMER_COLUMNS,
        (
            (c.customer, c.recency, c.frequency, round(c.monetary, 2), c.r, c.f, c.m, c.segment8, c.segment)
            for c in result.customers
        ),
    )


def segment_rows(
    counts: dict[str, int], table: dict[str, Segment], total: int, lang: Lang
) -> list[tuple[str, int, float, str]]:
    """(label, count, share in percent, suggested action) per segment, in the user's language."""
    rows = []
    for key, count in counts.items():
        segment = table[key]
        label, action = (segment.zh, segment.action_zh) if lang == "zh" else (segment.en, segment.action_en)
        rows.append((label, count, count / total * 100 if total else 0.0, action))
    return rows


def _table(counts: dict[str, int], table: dict[str, Segment], total: int, lang: Lang) -> list[str]:
    return [
        f"{label:<20} {count:>7} {share:5.1f}%  {action}"
        for label, count, share, action in segment_rows(counts, table, total, lang)
    ]


def render_text(result: RFMResult, lang: Lang) -> str:
    total = len(result.customers)
    if lang == "zh":
        head = f"{total} 位客户,截至 {result.as_of.isoformat()}"
        titles = ("八类客户(均值划分)", "RFM 评分分群(R×F)")
    else:
        head = f"{counted(total, 'customer')}, as of {result.as_of.isoformat()}"
        titles = ("8 segments (mean split)", "RFM score segments (R×F)")
    parts = [head, titles[0], *_table(result.counts8(), SEGMENTS8, total, lang), "", titles[1]]
    parts.extend(_table(result.counts(), SEGMENTS, total, lang))
    return "\n".join(parts)
