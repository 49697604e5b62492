"""Client tiers for people: a summary with the service model per tier, a ranked table, a CSV export."""

from __future__ import annotations

from bot.reports.funnel import pad, width
from skills.csv_files import spreadsheet_csv
from skills.errors import Lang
from skills.tiers import DIMENSIONS, SERVICE_MODELS, TIER_LABELS, ScoredClient, Tier, TierResult
from skills.wording import counted


def tier_label(tier: Tier, lang: Lang) -> str:
    return TIER_LABELS[tier][0 if lang == "zh" else 1]


def flag_text(client: ScoredClient, lang: Lang) -> list[str]:
    """Flags in words: the overdue veto says what it did to the tier."""
    texts = []
    for flag in client.flags:
        if flag == "overdue":
            days = client.client.values.get("payment")
            capped = tier_label(client.tier, lang)
            if lang == "zh":
                texts.append(f"逾期 {days:g} 天" + (f",等级封顶为{capped}" if client.capped else ""))
            else:
                texts.append(
                    f"overdue {days:g} days" + (f", tier capped at {capped}" if client.capped else "")
                )
        elif flag.startswith("missing:"):
            dimension = DIMENSIONS[flag.removeprefix("missing:")]
            texts.append(f"缺少{dimension.zh}" if lang == "zh" else f"no {dimension.en}")
    return texts


def contribution_text(client: ScoredClient, lang: Lang) -> str:
    parts = []
    for contribution in client.top_contributions():
        dimension = DIMENSIONS[contribution.dimension]
        name = dimension.zh if lang == "zh" else dimension.en
        parts.append(f"{name} +{contribution.points:.1f}")
    return ", ".join(parts)


def summary_lines(result: TierResult, lang: Lang) -> list[str]:
    total = len(result.clients)
    lines = []
    for tier, count in result.counts().items():
        share = count / total * 100 if total else 0.0
        service = SERVICE_MODELS[tier]
        lines.append(
            f"{tier_label(tier, lang)}: {count} ({share:.0f}%) · {service.zh if lang == 'zh' else service.en}"
        )
    return lines


def client_rows(clients: list[ScoredClient], lang: Lang) -> str:
    """A fixed-width ranking (for terminals and Slack code blocks)."""
    headers = (
        ("#", "客户", "得分", "等级", "主要贡献")
        if lang == "zh"
        else ("#", "Client", "Score", "Tier", "Top dimensions")
    )
    rows = [headers]
    for rank, client in enumerate(clients, start=1):
        name = client.client.name if len(client.client.name) <= 24 else client.client.name[:23] + "…"
        tier = tier_label(client.tier, lang) + (" ⚠" if client.flags else "")
        rows.append((str(rank), name, f"{client.score:.1f}", tier, contribution_text(client, lang)))
    widths = [max(width(row[column]) for row in rows) for column in range(4)]
    aligned_right = (True, False, True, False)
    lines = []
    for row in rows:
        cells = [pad(cell, widths[i], right=aligned_right[i]) for i, cell in enumerate(row[:4])]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "\n".join(lines)


def flag_lines(result: TierResult, lang: Lang) -> list[str]:
    lines = []
    for client in result.clients:
        if texts := flag_text(client, lang):
            lines.append(f"⚠ {client.client.name}: {'; '.join(texts)}")
    return lines


def render_text(result: TierResult, lang: Lang) -> str:
    head = f"{len(result.clients)} 位客户" if lang == "zh" else counted(len(result.clients), "client")
    parts = [head, "\n".join(summary_lines(result, lang)), client_rows(list(result.clients), lang)]
    if flags := flag_lines(result, lang):
        parts.append("\n".join(flags))
    if result.notes:
        parts.append("\n".join(note_lines(result, lang)))
    return "\n\n".join(parts)


def note_lines(result: TierResult, lang: Lang) -> list[str]:
    """How the file was read (a percent column as fractions or as percent), one line each."""
    return [f"ℹ {zh if lang == 'zh' else en}" for en, zh in result.notes]


def clients_csv(result: TierResult, lang: Lang) -> str:
    """One row per client with every dimension's points; ids and names come from the uploaded file,
    so every cell is made spreadsheet-safe (`spreadsheet_csv`)."""
    dimensions = list(result.config.weights)
    rows = []
    for client in result.clients:
        points = {c.dimension: round(c.points, 2) for c in client.contributions}
        service = SERVICE_MODELS[client.tier]
        rows.append(
            [
                client.client.id,
                client.client.name,
                round(client.score, 2),
                client.tier,
                client.uncapped_tier,
                "; ".join(flag_text(client, lang)),
                service.zh if lang == "zh" else service.en,
                *(points[name] for name in dimensions),
            ]
        )
    header = ["id", "name", "score", "tier", "uncapped_tier", "flags", "service_model", *dimensions]
    return spreadsheet_csv(header, rows)
