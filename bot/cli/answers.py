"""`opsbot answers …`: how the answers did (votes, questions nothing answered), the ones to work on
as an evaluation file, and deleting old entries of the answer log."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from bot.cli.output import days_ago, refuse, write
from bot.core.config import Settings
from bot.storage.answer_log import AnswerLog, AnswerStats
from bot.storage.engine import create_db_engine
from skills.errors import SkillError
from skills.wording import counted


def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    log = AnswerLog(create_db_engine(settings.db_url))
    as_json = bool(getattr(args, "json", False))
    try:
        if args.answers_command == "stats":
            stats = log.stats(days_ago(args.since, "--since"))
            print(json.dumps(stats.as_json(), ensure_ascii=False) if as_json else stats_text(stats))
            return 0
        if args.answers_command == "export":
            return _export(log, args.eval, days_ago(args.since, "--since"))
        return _delete(log, args.before)
    except SkillError as error:
        return refuse(error.message("en"), as_json)


def stats_text(stats: AnswerStats) -> str:
    """The counts, then the questions to work on with what people said."""
    lines = [
        f"{counted(stats.answered, 'question')} answered, {stats.unanswered} not answered; "
        f"{counted(stats.helpful, 'vote')} helpful, {stats.not_helpful} not helpful"
    ]
    for record in stats.worst:
        said = f"; said: {' / '.join(record.reasons)}" if record.reasons else ""
        lines.append(
            f"  {record.question!r}: asked {record.asked}, not answered {record.unanswered}, "
            f"👍 {record.helpful} 👎 {record.not_helpful}{said}"
        )
    return "\n".join(lines)


def _export(log: AnswerLog, path: str, since: datetime | None) -> int:
    """The questions voted not helpful or never answered, as an `opsbot eval --answers` file whose
    `points` are left for a person to write: the file is refused by `eval` until they are."""
    records = log.to_evaluate(since)
    lines = [
        json.dumps(
            {
                "q": record.question,
                "lang": record.lang,
                "points": [],
                "split": "heldout",
                "asked": record.asked,
                "unanswered": record.unanswered,
                "not_helpful": record.not_helpful,
                "reasons": list(record.reasons),
                "answer_given": record.last_answer,
            },
            ensure_ascii=False,
        )
        for record in records
    ]
    write(path, "".join(f"{line}\n" for line in lines).encode("utf-8"))
    print(
        f"{counted(len(records), 'question')} written to {path}: write what a good answer must say in "
        'each "points" (e.g. [["usage report"], ["key contact"]]), then run '
        f"`opsbot eval --answers {path}`",
        file=sys.stderr,
    )
    return 0


def _delete(log: AnswerLog, before: str) -> int:
    try:
        day = datetime.strptime(before.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise SkillError(
            f"--before takes a day as YYYY-MM-DD, not {before!r}.",
            f"--before 需要 YYYY-MM-DD 格式的日期,而不是 {before!r}。",
        ) from None
    removed = log.delete_before(day)
    print(f"{counted(removed, 'answer')} asked before {day:%Y-%m-%d} deleted, with their votes")
    return 0
