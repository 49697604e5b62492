"""The ops math from the command line: `opsbot funnel`, `opsbot rfm` and `opsbot tier`."""

from __future__ import annotations

import argparse
import json

from bot.cli.output import read, refuse, write
from bot.core.config import Settings
from knowledge.text import detect_language


def funnel(settings: Settings, args: argparse.Namespace) -> int:
    from bot.reports.funnel import render_text
    from skills.errors import SkillError
    from skills.funnel import compute_funnel, split_what_if

    expression, inline_change = split_what_if(" ".join(args.expression))
    lang = detect_language(expression)
    if inline_change and args.what_if:
        return refuse("Give the what-if once: inline (`… what-if 5%->6%`) or as --what-if.", args.json)
    try:
        result = compute_funnel(expression, inline_change or args.what_if)
        if args.chart:
            from bot.reports.funnel_chart import funnel_chart

            write(args.chart, funnel_chart(result, lang, expression))
    except SkillError as error:
        return refuse(error.message(lang), args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def rfm(settings: Settings, args: argparse.Namespace) -> int:
    from bot.reports.rfm import customers_csv, render_text
    from skills.csv_files import header_language
    from skills.errors import SkillError
    from skills.rfm import segment_rfm
    from skills.transactions_csv import parse_as_of, parse_transactions

    lang = args.lang or "en"
    try:
        data = read(args.file)
        lang = args.lang or header_language(data)
        as_of = parse_as_of(args.as_of, "--as-of") if args.as_of else None
        transactions = parse_transactions(data, args.customer, args.date, args.amount, args.order)
        result = segment_rfm(transactions, as_of)
        if args.out:
            write(args.out, customers_csv(result).encode("utf-8-sig"))
        if args.chart:
            from bot.core.charts import rfm_chart

            write(args.chart, rfm_chart(result, lang))
    except SkillError as error:
        return refuse(error.message(lang), args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def tier(settings: Settings, args: argparse.Namespace) -> int:
    from bot.reports.tiers import clients_csv, render_text
    from skills.clients_csv import parse_clients
    from skills.csv_files import header_language
    from skills.errors import SkillError
    from skills.tier_config import default_tiers_yaml, load_tier_config
    from skills.tiers import score_clients

    if args.print_config:
        print(default_tiers_yaml(), end="")
        return 0
    lang = args.lang or "en"
    try:
        if not args.file:
            raise SkillError(
                "Give a client list CSV: opsbot tier clients.csv (opsbot tier --print-config shows the settings).",
                "请给出客户清单 CSV:opsbot tier clients.csv(opsbot tier --print-config 可查看配置)。",
            )
        data = read(args.file)
        lang = args.lang or header_language(data)
        config = load_tier_config(read(args.weights).decode("utf-8-sig") if args.weights else None)
        clients = parse_clients(data, config)
        result = score_clients(clients, config, clients.notes)
        if args.out:
            write(args.out, clients_csv(result, lang).encode("utf-8-sig"))
        if args.chart:
            from bot.core.charts import tier_chart

            write(args.chart, tier_chart(result, lang))
    except SkillError as error:
        return refuse(error.message(lang), args.json)
    except UnicodeDecodeError:
        return refuse("The settings file is not UTF-8 text.", args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0
