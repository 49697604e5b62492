"""Block Kit replies for RFM and tier reports; charts and full exports travel as files beside them."""

from __future__ import annotations

from typing import Any

from bot.reports.rfm import segment_rows
from bot.reports.tiers import client_rows, flag_lines, note_lines, summary_lines
from bot.slack.blocks import context, message, section
from bot.slack.text import escape
from skills.errors import Lang
from skills.rfm import SEGMENTS, SEGMENTS8, RFMResult, Segment
from skills.tiers import TierResult
from skills.wording import counted

RANKED_CLIENTS_SHOWN = 15
FLAGS_SHOWN = 10


def _segment_lines(counts: dict[str, int], table: dict[str, Segment], total: int, lang: Lang) -> str:
    return "\n".join(
        f"• *{label}* {count:,} ({share:.1f}%) · {action}"
        for label, count, share, action in segment_rows(counts, table, total, lang)
    )


def rfm_message(result: RFMResult, lang: Lang, filename: str) -> dict[str, Any]:
    total = len(result.customers)
    name = escape(filename)
    if lang == "zh":
        head = f"*RFM 分群* · {name}:{total:,} 位客户,截至 {result.as_of.isoformat()}"
        titles = ("*八类客户(均值划分)*", "*RFM 评分分群(R×F)*")
        note = "图表和每位客户的明细 CSV 见下方文件。"
    else:
        head = f"*RFM segments* · {name}: {counted(total, 'customer')}, as of {result.as_of.isoformat()}"
        titles = ("*8 segments (mean split)*", "*RFM score segments (R×F)*")
        note = "The chart and the per-customer CSV are in the files below."
    blocks = [
        section(head),
        section(f"{titles[0]}\n{_segment_lines(result.counts8(), SEGMENTS8, total, lang)}"),
        section(f"{titles[1]}\n{_segment_lines(result.counts(), SEGMENTS, total, lang)}"),
        context(note),
    ]
    return message(head, blocks)


def tier_message(result: TierResult, lang: Lang, filename: str) -> dict[str, Any]:
    total = len(result.clients)
    name = escape(filename)
    shown = list(result.clients[:RANKED_CLIENTS_SHOWN])
    if lang == "zh":
        head = f"*客户分层* · {name}:{total:,} 位客户"
        ranking = f"*得分最高的 {len(shown)} 位*" if total > len(shown) else "*排名*"
        note = "图表和每位客户的得分明细 CSV 见下方文件。"
    else:
        head = f"*Client tiers* · {name}: {counted(total, 'client')}"
        ranking = f"*Top {len(shown)}*" if total > len(shown) else "*Ranking*"
        note = "The chart and the per-client CSV with every dimension are in the files below."
    blocks = [
        section(head),
        section("\n".join(f"• {escape(line)}" for line in summary_lines(result, lang))),
        section(f"{ranking}\n```{escape(client_rows(shown, lang))}```"),
    ]
    flags = flag_lines(result, lang)
    if flags:
        more = len(flags) - FLAGS_SHOWN
        lines = flags[:FLAGS_SHOWN] + ([f"… +{more}"] if more > 0 else [])
        blocks.append(section(escape("\n".join(lines))))
    blocks.append(context("\n".join([*(escape(line) for line in note_lines(result, lang)), note])))
    return message(head, blocks)
