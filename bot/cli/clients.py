"""`opsbot clients import|list` (the roster renewals are drafted from) and `opsbot renewal CLIENT`."""

from __future__ import annotations

import argparse
import json
from datetime import date

from bot.cli.output import read, refuse, write
from bot.core.config import Settings
from bot.core.llm import create_llm
from bot.core.team_files import tier_config
from bot.renewal.briefs import draft_brief, render_text, renewal_policy
from bot.storage.clients import ClientStore
from bot.storage.engine import create_db_engine
from knowledge.text import detect_language
from skills.client_roster import parse_roster
from skills.errors import SkillError
from skills.renewal_policy import default_policy_yaml
from skills.transactions_csv import parse_as_of
from skills.wording import counted


def run_clients(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    store = ClientStore(create_db_engine(settings.db_url))
    try:
        if args.clients_command == "import":
            roster = parse_roster(read(args.file), tier_config(settings))
            saved = store.save(roster.clients)
            if args.json:
                summary = {
                    "clients": len(roster.clients),
                    "added": saved.added,
                    "updated": saved.updated,
                    "warnings": [en for en, _ in roster.warnings],
                }
                print(json.dumps(summary, ensure_ascii=False))
            else:
                print(
                    f"Imported {counted(len(roster.clients), 'client')}: {saved.added} added, {saved.updated} updated."
                )
                for en, _ in roster.warnings:
                    print(f"  note: {en}")
            return 0
    except SkillError as error:
        return refuse(error.en, args.json)
    records = sorted(store.all(), key=lambda r: (r.contract_end or date.max, r.id))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "name": r.name,
                        "arr": r.arr,
                        "contract_end": r.contract_end.isoformat() if r.contract_end else None,
                        "owner": r.owner,
                    }
                    for r in records
                ],
                ensure_ascii=False,
            )
        )
    else:
        for r in records:
            arr = "" if r.arr is None else f"{r.arr:,.0f}"
            print(f"{r.id}\t{r.name}\t{arr}\t{r.contract_end or '—'}\t{r.owner or '—'}")
    return 0


def run_renewal(settings: Settings, args: argparse.Namespace) -> int:
    if args.print_policy:
        print(default_policy_yaml(), end="")
        return 0
    query = " ".join(args.client)
    lang = args.lang or detect_language(query)
    try:
        if not query:
            raise SkillError(
                "Name the client: opsbot renewal Acme (opsbot clients list shows them).",
                "请写上客户:opsbot renewal 华星科技(opsbot clients list 可查看客户)。",
            )
        today = parse_as_of(args.date, "--date") if args.date else date.today()
        policy_text = read(args.policy).decode("utf-8-sig") if args.policy else None
        policy = renewal_policy(settings, policy_text)
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = create_db_engine(settings.db_url)
        drafted = draft_brief(engine, settings, query, today, lang, create_llm(settings), policy)
        if args.chart:
            from bot.renewal.chart import usage_chart

            chart = usage_chart(drafted.brief, lang)
            if chart is None:
                raise SkillError(
                    "There is no usage data for this client to chart.", "该客户没有可绘制的使用数据。"
                )
            write(args.chart, chart)
    except SkillError as error:
        return refuse(error.message(lang), args.json)
    except UnicodeDecodeError:
        return refuse("The policy file is not UTF-8 text.", args.json)
    print(json.dumps(drafted.as_json(), ensure_ascii=False) if args.json else render_text(drafted))
    return 0
