"""`opsbot retro`: write a retrospective from the command line (saved and indexed like one from
Slack), `--draft` to see the steps prefilled from the metrics, `--list` for the saved ones."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import astuple
from datetime import date
from typing import Any

from bot.answers.service import create_knowledge
from bot.cli.output import refuse
from bot.core.config import Settings
from bot.retro.blocks import retro_markdown
from bot.storage.engine import create_db_engine
from bot.storage.metrics import MetricStore
from bot.storage.retros import NewRetro, Retro, RetroStore, draft_from_metrics, index_retro
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.retro import (
    STEP_PROMPTS,
    STEP_TITLES,
    STEPS,
    RetroDraft,
    RetroText,
    check_period,
    default_title,
    missing_steps,
    retro_problems,
)
from skills.transactions_csv import parse_as_of


def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    store = RetroStore(engine)
    if args.list:
        return _list(store, args.json)
    typed = RetroText(args.title, args.goal, args.result, args.causes, args.lessons)
    written = " ".join(astuple(typed)).strip()
    lang: Lang = args.lang or (detect_language(written) if written else "en")
    try:
        period = _period(args)
        metric, draft = "", None
        if period is not None:
            metric, draft = draft_from_metrics(MetricStore(engine), args.metric, *period, lang)
        if args.draft:
            if draft is None:
                raise SkillError(
                    "--draft needs --metric, --from and --to.",
                    "--draft 需要同时给出 --metric、--from 和 --to。",
                )
            _print_draft(draft, metric, period, lang, args.json)
            return 0
        text = _with_draft(typed, draft)
        _check(text)
        if not text.title.strip():
            text = RetroText(
                default_title(date.today(), lang), text.goal, text.result, text.causes, text.lessons
            )
    except SkillError as error:
        return refuse(error.message(lang), args.json)
    start, end = period or (None, None)
    retro = store.save(NewRetro(text, lang, metric, start, end))
    knowledge = create_knowledge(settings)
    indexed = index_retro(store, retro, retro_markdown(retro), knowledge.ingest)
    for earlier in store.not_indexed():  # refused before: another chance with each new retro
        if earlier.id != retro.id:
            index_retro(store, earlier, retro_markdown(earlier), knowledge.ingest)
    _print_saved(retro, indexed, args.json)
    return 0 if indexed else 1


def _period(args: argparse.Namespace) -> tuple[date, date] | None:
    given = [bool(args.metric), bool(args.start), bool(args.end)]
    if not any(given):
        return None
    if not all(given):
        raise SkillError(
            "--metric, --from and --to go together, e.g. --metric sales --from 2026-11-01 --to 2026-11-15.",
            "--metric、--from 和 --to 需要一起给出,例如 --metric 销售额 --from 2026-11-01 --to 2026-11-15。",
        )
    start, end = parse_as_of(args.start, "--from"), parse_as_of(args.end, "--to")
    check_period(start, end)
    return start, end


def _with_draft(typed: RetroText, draft: RetroDraft | None) -> RetroText:
    """What was typed wins; the goal, result and title fall back on the numbers."""
    if draft is None:
        return typed
    return RetroText(
        typed.title or draft.title,
        typed.goal or draft.goal or "",
        typed.result or draft.result or "",
        typed.causes,
        typed.lessons,
    )


def _check(text: RetroText) -> None:
    missing = missing_steps(text)
    if missing:
        options = ", ".join(f"--{step}" for step in missing)
        names_en = ", ".join(STEP_TITLES[step]["en"].lower() for step in missing)
        names_zh = "、".join(STEP_TITLES[step]["zh"] for step in missing)
        raise SkillError(
            f"A retro needs all four steps; missing: {options} ({names_en}).",
            f"复盘需要四个步骤,缺少:{options}({names_zh})。",
        )
    problems = retro_problems(text)
    if problems:
        raise SkillError(
            " ".join(error.en for error in problems.values()),
            "".join(error.zh for error in problems.values()),
        )


def _print_draft(
    draft: RetroDraft, metric: str, period: tuple[date, date] | None, lang: Lang, as_json: bool
) -> None:
    if as_json:
        start, end = period or (None, None)
        record = {
            "title": draft.title,
            "goal": draft.goal,
            "result": draft.result,
            "causes": "",
            "lessons": "",
            "prompts": {step: STEP_PROMPTS[step][lang] for step in ("causes", "lessons")},
            "metric": metric,
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        }
        print(json.dumps(record, ensure_ascii=False))
        return
    prefilled = {"goal": draft.goal, "result": draft.result}
    lines = [f"# {draft.title}", ""]
    for step in STEPS:
        body = prefilled.get(step) or f"({STEP_PROMPTS[step][lang]})"
        lines += [f"## {STEP_TITLES[step][lang]}", "", body, ""]
    print("\n".join(lines).rstrip())


def _record(retro: Retro) -> dict[str, Any]:
    return {
        "id": retro.id,
        "title": retro.text.title,
        "goal": retro.text.goal,
        "result": retro.text.result,
        "causes": retro.text.causes,
        "lessons": retro.text.lessons,
        "metric": retro.metric,
        "from": retro.start.isoformat() if retro.start else None,
        "to": retro.end.isoformat() if retro.end else None,
        "source": retro.source,
    }


def _print_saved(retro: Retro, indexed: bool, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_record(retro), ensure_ascii=False))
    else:
        print(retro_markdown(retro).rstrip())
        print(
            f"\nSaved as retro #{retro.id} ({retro.source})"
            + (", added to the knowledge index." if indexed else ".")
        )
    if not indexed:
        print(
            f"opsbot: retro #{retro.id} is saved but the knowledge index refused it; "
            "it is indexed again with the next retro.",
            file=sys.stderr,
        )


def _list(store: RetroStore, as_json: bool) -> int:
    retros = store.newest_first(limit=1000)
    if as_json:
        listed = [
            {
                **{key: value for key, value in _record(retro).items() if key not in STEPS},
                "author": retro.author,
                "channel": retro.channel,
                "created_at": retro.created_at.isoformat(),
                "posted_ts": retro.posted_ts,
                "indexed": retro.indexed,
            }
            for retro in retros
        ]
        print(json.dumps(listed, ensure_ascii=False))
        return 0
    if not retros:
        print("No retros saved yet: `/ops retro` in Slack, or `opsbot retro --title … --goal … …`.")
    for retro in retros:
        period = f"  [{retro.metric} {retro.start}..{retro.end}]" if retro.metric and retro.start else ""
        state = "" if retro.indexed else "  (not indexed yet)"
        print(f"#{retro.id}  {retro.created_at:%Y-%m-%d}  {retro.text.title}{period}{state}")
    return 0
