"""The `opsbot` command line: serve, chat (local console), ask and search."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from bot.config import Settings, SettingsError, load_settings
from bot.logs import configure_logging
from bot.services import create_knowledge, create_services
from knowledge.answer import Answer
from knowledge.text import detect_language

log = logging.getLogger("opsbot")

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings)
    command = args.command or ("serve" if settings.slack_bot_token else "chat")
    try:
        return _COMMANDS[command](settings, args)
    except SettingsError as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsbot",
        description="A Slack assistant for ops and customer-success teams. "
        "With no command: serve when SLACK_BOT_TOKEN is set, else the local console.",
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run in Slack (Socket Mode, or --http for the Events API)")
    serve.add_argument("--http", action="store_true", help="serve the Events API over HTTP")
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    sub.add_parser("chat", help="the local console: talk to opsbot without Slack")
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print JSON")
    funnel = sub.add_parser("funnel", help="funnel decomposition, plan checks and what-ifs")
    funnel.add_argument("expression", nargs="+", help='e.g. "500w sales / 5%% customers / 80%% downloads"')
    funnel.add_argument("--what-if", dest="what_if", help="change one rate, e.g. 5%%->6%%")
    funnel.add_argument("--json", action="store_true", help="print JSON (values unrounded)")
    rfm = sub.add_parser("rfm", help="RFM segmentation of a transaction CSV")
    rfm.add_argument("file", help="CSV with customer, date and amount columns (UTF-8 or GBK)")
    rfm.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: the day after the latest purchase)")
    rfm.add_argument("--customer", help="name of the customer column")
    rfm.add_argument("--date", help="name of the date column")
    rfm.add_argument("--amount", help="name of the amount column")
    rfm.add_argument("--order", help="name of the order id column")
    rfm.add_argument("--json", action="store_true", help="print JSON")
    rfm.add_argument("--out", help="write the per-customer CSV here")
    rfm.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the text output")
    search = sub.add_parser("search", help="retrieval only; with no QUERY, one query per stdin line")
    search.add_argument("query", nargs="*")
    search.add_argument("--top-k", type=int, default=5, help="results per query (default 5)")
    search.add_argument("--json", action="store_true", help="print one JSON line per query")
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import create_app

    if settings.slack_bot_token is None:
        raise SettingsError(
            "Setting SLACK_BOT_TOKEN is missing: it is needed to serve Slack (or run `opsbot chat`)."
        )
    use_http = getattr(args, "http", False) or settings.slack_app_token is None
    if use_http and settings.slack_signing_secret is None:
        raise SettingsError(
            "Setting SLACK_SIGNING_SECRET is missing: it is needed to verify Slack's HTTP requests."
        )
    from bot.answer_process import AnswerProcess

    services = create_services(settings, AnswerProcess(settings, processes=settings.answer_processes))
    app = create_app(settings, services)
    services.knowledge.start_warm_up()
    if use_http:
        from bot.http import create_http_server, serve_until_closed

        server = create_http_server(
            app, services, getattr(args, "host", "0.0.0.0"), getattr(args, "port", 3000)
        )
        signal.signal(signal.SIGTERM, lambda *_: server.close())
        log.info(
            "opsbot listening on http://%s:%s/slack/events", server.effective_host, server.effective_port
        )
        try:
            serve_until_closed(server)
        except KeyboardInterrupt:
            pass
        finally:
            services.close()
        return 0

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert settings.slack_app_token is not None
    log.info("opsbot connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import Console

    services = create_services(settings)
    console = Console(settings, services)
    print("opsbot: loading the playbook index…", file=sys.stderr)
    services.knowledge.warm_up()
    try:
        console.run(sys.stdin)
    finally:
        console.close()
        services.close()
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    answer = create_knowledge(settings).answer(" ".join(args.question))
    if args.json:
        print(json.dumps(answer_to_json(answer), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return 0 if answer.found else 1


def _search(settings: Settings, args: argparse.Namespace) -> int:
    if args.top_k < 1 or args.top_k > 100:
        return _refuse("--top-k must be between 1 and 100.", args.json)
    index = create_knowledge(settings).answerer.index
    queries = [" ".join(args.query)] if args.query else (line.strip() for line in sys.stdin)
    for query in queries:
        if not query:
            continue
        hits = index.search(query, top_k=args.top_k)
        results = [
            {
                "source": hit.chunk.source,
                "title": f"{hit.chunk.doc_title} › {hit.chunk.section_title}",
                "section": hit.chunk.section_id,
                "lang": hit.chunk.lang,
                "text": hit.chunk.text,
                "score": round(hit.score, 6),
            }
            for hit in hits
        ]
        if args.json:
            print(json.dumps({"query": query, "results": results}, ensure_ascii=False), flush=True)
        else:
            print(f"# {query}")
            for rank, result in enumerate(results, start=1):
                print(f"{rank}. [{result['score']:.4f}] {result['title']} ({result['source']})")
    return 0


def _funnel(settings: Settings, args: argparse.Namespace) -> int:
    from bot.render_funnel import render_text
    from skills.errors import SkillError
    from skills.funnel import compute_funnel

    expression = " ".join(args.expression)
    lang = detect_language(expression)
    try:
        result = compute_funnel(expression, args.what_if)
    except SkillError as error:
        return _refuse(error.message(lang), args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def _rfm(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.render_rfm import customers_csv, render_text
    from skills.errors import SkillError
    from skills.rfm import segment_rfm
    from skills.transactions_csv import parse_date, parse_transactions

    lang = args.lang or "en"
    try:
        try:
            data = Path(args.file).read_bytes()
        except OSError as error:
            raise SkillError(
                f"Cannot read {args.file}: {error.strerror}.", f"无法读取 {args.file}:{error.strerror}。"
            ) from None
        as_of = None
        if args.as_of:
            try:
                as_of = parse_date(args.as_of)
            except ValueError:
                raise SkillError(
                    "--as-of must be a date like 2024-12-31.", "--as-of 应为日期,如 2024-12-31。"
                ) from None
        transactions = parse_transactions(data, args.customer, args.date, args.amount, args.order)
        result = segment_rfm(transactions, as_of)
    except SkillError as error:
        return _refuse(error.message(lang), args.json)
    if args.out:
        Path(args.out).write_text(customers_csv(result), encoding="utf-8-sig")
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def _refuse(message: str, as_json: bool) -> int:
    """Bad input: `{"error": …}` on stdout in JSON mode, else one line on stderr; exit status 2."""
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"opsbot: {message}", file=sys.stderr)
    return EXIT_USAGE


def answer_to_json(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "lang": answer.lang,
        "found": answer.found,
        "method": answer.method,
        "answer": answer.text,
        "note": answer.note,
        "citations": [citation.__dict__ for citation in answer.citations],
    }


def format_answer(answer: Answer) -> str:
    from bot.blocks import answer_message
    from bot.console import render_payload

    return render_payload(answer_message(answer))


_COMMANDS = {"serve": _serve, "chat": _chat, "ask": _ask, "search": _search, "funnel": _funnel, "rfm": _rfm}


if __name__ == "__main__":
    sys.exit(main())
