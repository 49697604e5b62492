"""The `opsbot` command line: serve, chat (local console), ask, search and the ops math."""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import signal
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from bot.cli import clients as cli_clients
from bot.cli import digest as cli_digest
from bot.cli import feedback as cli_feedback
from bot.cli import metrics as cli_metrics
from bot.cli import owners as cli_owners
from bot.cli import retro as cli_retro
from bot.cli import weekly as cli_weekly
from bot.core.config import Settings, SettingsError, load_settings
from bot.core.jobs import JobRunner
from bot.core.logs import configure_logging
from bot.services import Answering, Services, create_knowledge, create_services
from bot.slack.periodic import PeriodicScan
from bot.storage.engine import database_unreachable
from bot.storage.schema import SchemaOutdated
from knowledge.answer import Answer
from knowledge.text import detect_language

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.workspaces import Workspaces

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
    command = args.command or ("serve" if settings.slack_bot_token or settings.multi_workspace else "chat")
    # A service logs to stderr; at a terminal the log goes to the home and only warnings show.
    log_file = None if command == "serve" else settings.home / "logs" / "opsbot.log"
    configure_logging(settings, log_file)
    try:
        status = _COMMANDS[command](settings, args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return status
    except SettingsError as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SchemaOutdated as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OperationalError as error:
        print(f"opsbot: {database_unreachable(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_left()
    except Exception:
        reference = uuid.uuid4().hex[:8]
        where = f"; the details are in {log_file}" if log_file else ""
        log.error(
            "`opsbot %s` failed unexpectedly (reference %s)%s", command, reference, where, exc_info=True
        )
        return 1


def _reader_left() -> int:
    """The output's reader went away (`opsbot sources | head -1`): stop quietly, as common tools do.
    stdout points at /dev/null so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


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
    ask.add_argument("--channel", help="also cite documents restricted to this Slack channel id")
    funnel = sub.add_parser("funnel", help="funnel decomposition, plan checks and what-ifs")
    funnel.add_argument("expression", nargs="+", help='e.g. "500w sales / 5%% customers / 80%% downloads"')
    funnel.add_argument("--what-if", dest="what_if", help="change one rate, e.g. 5%%->6%%")
    funnel.add_argument("--json", action="store_true", help="print JSON (values unrounded)")
    funnel.add_argument("--chart", help="also draw the funnel to this PNG file")
    rfm = sub.add_parser("rfm", help="RFM segmentation of a transaction CSV")
    rfm.add_argument("file", help="CSV with customer, date and amount columns (UTF-8 or GBK)")
    rfm.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: the day after the latest purchase)")
    rfm.add_argument("--customer", help="name of the customer column")
    rfm.add_argument("--date", help="name of the date column")
    rfm.add_argument("--amount", help="name of the amount column")
    rfm.add_argument("--order", help="name of the order id column")
    rfm.add_argument("--json", action="store_true", help="print JSON")
    rfm.add_argument("--out", help="write the per-customer CSV here")
    rfm.add_argument("--chart", help="draw the segment bar chart to this PNG file")
    rfm.add_argument("--lang", choices=("en", "zh"), help="output language (default: the file's header)")
    tier = sub.add_parser("tier", help="client value scores and tiers (KA / regular / small-micro)")
    tier.add_argument("file", nargs="?", help="client list CSV: one row per client, a column per dimension")
    tier.add_argument("--weights", help="YAML settings: weights, bands, thresholds (see --print-config)")
    tier.add_argument("--print-config", dest="print_config", action="store_true", help="print the defaults")
    tier.add_argument("--json", action="store_true", help="print JSON")
    tier.add_argument("--out", help="write the per-client CSV here")
    tier.add_argument("--chart", help="draw the tier bar chart to this PNG file")
    tier.add_argument("--lang", choices=("en", "zh"), help="output language (default: the file's header)")
    ingest = sub.add_parser("ingest", help="index the team's documents (files or folders)")
    ingest.add_argument(
        "paths", nargs="+", type=Path, help=".md .txt .html .docx .pdf files, or folders of them"
    )
    ingest.add_argument("--json", action="store_true", help="print the summary as JSON")
    sources = sub.add_parser("sources", help="list what is indexed")
    sources.add_argument("--json", action="store_true", help="print JSON")
    forget = sub.add_parser("forget", help="remove one indexed document (as `opsbot sources` names it)")
    forget.add_argument("source")
    evaluation = sub.add_parser("eval", help="retrieval quality over a question set (JSON lines)")
    evaluation.add_argument("questions", type=Path, help='JSON lines: {"q": …, "any": ["phrase", …]}')
    evaluation.add_argument("--json", action="store_true", help="print JSON")
    cli_feedback.add_parser(sub)
    cli_metrics.add_parser(sub)
    cli_owners.add_parsers(sub)
    cli_digest.add_parser(sub)
    cli_weekly.add_parser(sub)
    cli_clients.add_parsers(sub)
    cli_retro.add_parser(sub)
    migrate = sub.add_parser("migrate", help="bring the database schema up to date (DATABASE_URL)")
    migrate.add_argument("--check", action="store_true", help="only say whether it is up to date")
    demo = sub.add_parser("demo", help="fill an empty home with sample data and print a morning digest")
    demo.add_argument("--lang", choices=("en", "zh"), default="zh")
    search = sub.add_parser("search", help="retrieval only; with no QUERY, one query per stdin line")
    search.add_argument("query", nargs="*")
    search.add_argument("--top-k", type=int, default=5, help="results per query (default 5)")
    search.add_argument("--json", action="store_true", help="print one JSON line per query")
    search.add_argument("--channel", help="also find documents restricted to this Slack channel id")
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answers.process import AnswerProcess
    from bot.app import create_app
    from bot.slack.client import create_web_client

    use_http = getattr(args, "http", False) or settings.slack_app_token is None
    if settings.multi_workspace:
        return _serve_workspaces(settings, args)
    if settings.slack_bot_token is None:
        raise SettingsError(
            "Setting SLACK_BOT_TOKEN is missing: it is needed to serve Slack (or run `opsbot chat`)."
        )
    _need_signing_secret(settings, use_http)
    from bot.digest.scheduler import create_digest_scheduler
    from bot.feedback.flows import resume_unfinished
    from bot.renewal.scheduler import create_renewal_scheduler
    from bot.weekly.scheduler import create_weekly_scheduler

    services = create_services(settings, AnswerProcess(settings, processes=settings.answer_processes))
    app = create_app(settings, services)
    scheduled = create_web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, scheduled=True
    )
    schedulers = [
        create_digest_scheduler(settings, scheduled),
        create_renewal_scheduler(settings, scheduled),
        create_weekly_scheduler(settings, scheduled),
    ]
    for scheduler in schedulers:
        scheduler.start()
    services.knowledge.start_warm_up()
    services.feedback.start_warm_up()
    services.jobs.submit(lambda: resume_unfinished(services, app.client), name="feedback-resume")
    if use_http:
        return _serve_http(app, services, args, schedulers)

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert settings.slack_app_token is not None
    log.info("opsbot connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def _serve_workspaces(settings: Settings, args: argparse.Namespace) -> int:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: installs by OAuth into any number of workspaces, over
    HTTP (Slack sends installs and events to a public URL), each workspace's data kept apart."""
    from bot.answers.process import AnswerProcess
    from bot.app import create_app
    from bot.services import check_chroma
    from bot.storage.engine import EventLedger, create_db_engine
    from bot.workspace_jobs import WorkspaceJobs, check_multi_workspace_settings
    from bot.workspaces import Workspaces

    _need_signing_secret(settings, use_http=True)
    check_multi_workspace_settings(settings)
    check_chroma(settings)
    engine = create_db_engine(settings.root_db_url)
    knowledge = AnswerProcess(settings, processes=settings.answer_processes)
    workspaces = Workspaces(settings, EventLedger(engine), knowledge, JobRunner(settings.workers))
    app = create_app(settings, workspaces)
    jobs = WorkspaceJobs(settings, workspaces, engine)
    jobs.start()
    knowledge.start_warm_up()
    return _serve_http(app, workspaces, args, [jobs])


def _need_signing_secret(settings: Settings, use_http: bool) -> None:
    if use_http and settings.slack_signing_secret is None:
        raise SettingsError(
            "Setting SLACK_SIGNING_SECRET is missing: it is needed to verify Slack's HTTP requests."
        )


def _serve_http(
    app: App, services: Services | Workspaces, args: argparse.Namespace, schedulers: list[PeriodicScan]
) -> int:
    """Serve the Events API (and with OAuth, `/slack/install`) until SIGTERM or Ctrl-C."""
    from bot.slack.http import create_http_server, serve_until_closed

    server = create_http_server(app, services, getattr(args, "host", "0.0.0.0"), getattr(args, "port", 3000))
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    log.info("opsbot listening on http://%s:%s/slack/events", server.effective_host, server.effective_port)
    try:
        serve_until_closed(server)
    except KeyboardInterrupt:
        pass
    finally:
        for scheduler in schedulers:
            scheduler.shutdown()
        services.close()
    return 0


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.local.console import Console

    services = create_services(settings)
    console = Console(settings, services)
    print("opsbot: loading the playbook index…", file=sys.stderr)
    services.knowledge.warm_up()
    services.feedback.start_warm_up()
    try:
        console.run(sys.stdin)
    finally:
        console.close()
        services.close()
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    answer = _knowledge(settings).answer(" ".join(args.question), channel=args.channel)
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
    scope = ":".join(part for part in (settings.workspace, args.channel) if part) or None
    for query in queries:
        if not query:
            continue
        hits = index.search(query, top_k=args.top_k, visible_to=scope)
        results = [
            {
                "source": hit.chunk.source.removeprefix(f"{settings.workspace}/"),
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
    from bot.reports.funnel import render_text
    from skills.errors import SkillError
    from skills.funnel import compute_funnel

    expression = " ".join(args.expression)
    lang = detect_language(expression)
    try:
        result = compute_funnel(expression, args.what_if)
        if args.chart:
            from bot.core.charts import funnel_chart

            _write(args.chart, funnel_chart(result, lang, expression))
    except SkillError as error:
        return _refuse(error.message(lang), args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def _rfm(settings: Settings, args: argparse.Namespace) -> int:
    from bot.reports.rfm import customers_csv, render_text
    from skills.csv_files import header_language
    from skills.errors import SkillError
    from skills.rfm import segment_rfm
    from skills.transactions_csv import parse_as_of, parse_transactions

    lang = args.lang or "en"
    try:
        data = _read(args.file)
        lang = args.lang or header_language(data)
        as_of = parse_as_of(args.as_of, "--as-of") if args.as_of else None
        transactions = parse_transactions(data, args.customer, args.date, args.amount, args.order)
        result = segment_rfm(transactions, as_of)
        if args.out:
            _write(args.out, customers_csv(result).encode("utf-8-sig"))
        if args.chart:
            from bot.core.charts import rfm_chart

            _write(args.chart, rfm_chart(result, lang))
    except SkillError as error:
        return _refuse(error.message(lang), args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def _tier(settings: Settings, args: argparse.Namespace) -> int:
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
        data = _read(args.file)
        lang = args.lang or header_language(data)
        config = load_tier_config(_read(args.weights).decode("utf-8-sig") if args.weights else None)
        result = score_clients(parse_clients(data, config), config)
        if args.out:
            _write(args.out, clients_csv(result, lang).encode("utf-8-sig"))
        if args.chart:
            from bot.core.charts import tier_chart

            _write(args.chart, tier_chart(result, lang))
    except SkillError as error:
        return _refuse(error.message(lang), args.json)
    except UnicodeDecodeError:
        return _refuse("The settings file is not UTF-8 text.", args.json)
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else render_text(result, lang))
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.feedback.service import FeedbackService
    from bot.local.demo import run_demo
    from bot.storage.engine import create_db_engine
    from bot.storage.feedback import FeedbackStore
    from skills.errors import SkillError

    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    try:
        print(run_demo(engine, FeedbackService(FeedbackStore(engine)), args.lang))
    except SkillError as error:
        return _refuse(error.message(args.lang), False)
    print(
        f"\n(sample data in {settings.home}; try `opsbot digest --owner UDEMOZH --json`, "
        "`opsbot renewal 华星科技` or `opsbot weekly`)",
        file=sys.stderr,
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    """The root database, then (with several workspaces) each installed workspace's own."""
    from bot.storage.engine import create_db_engine
    from bot.storage.installations import installed_workspaces

    outdated = _migrate_one(settings.db_url, "database schema", args.check)
    if settings.multi_workspace and not settings.workspace:
        assert settings.slack_client_id is not None
        engine = create_db_engine(settings.root_db_url, prepare_schema=False)
        try:
            found = installed_workspaces(engine, settings.slack_client_id)
        except OperationalError:  # --check on a root database from before installations existed
            found = []
        for workspace in found:
            url = settings.for_workspace(workspace.team_id).db_url
            outdated |= _migrate_one(url, f"workspace {workspace.team_id}", args.check)
    return 1 if outdated else 0


def _migrate_one(url: str, label: str, check: bool) -> bool:
    """Migrate (or with `check`, only report) one database; True when it is behind."""
    from bot.storage.engine import create_db_engine
    from bot.storage.schema import current_revision, head_revision, migrate

    engine = create_db_engine(url, prepare_schema=False)
    head = head_revision()
    if check:
        with engine.connect() as connection:
            current = current_revision(connection)
        print(f"{label}: {current or 'none'}; opsbot needs {head}")
        return current != head
    before, after = migrate(engine)
    print(f"{label}: {before or 'none'} → {after}" if before != after else f"{label}: {after}, up to date")
    return False


def _read(path: str) -> bytes:
    from skills.errors import SkillError

    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SkillError(
            f"Cannot read {path}: {error.strerror}.", f"无法读取 {path}:{error.strerror}。"
        ) from None


def _write(path: str, data: bytes) -> None:
    """Whole file or nothing: written next to the target, then renamed over it."""
    from skills.errors import SkillError

    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise SkillError(
            f"Cannot write {path}: {error.strerror}.", f"无法写入 {path}:{error.strerror}。"
        ) from None


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
    from bot.local.console import render_payload
    from bot.slack.blocks import answer_message

    return render_payload(answer_message(answer))


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from knowledge.ingest import discover, ingest_files

    index = create_knowledge(settings).answerer.index
    files = list(discover(args.paths))
    started = time.perf_counter()
    with tqdm(
        total=len(files), unit="file", disable=None if len(files) > 1 else True, file=sys.stderr
    ) as bar:

        def advance(path: Path) -> None:
            bar.set_postfix_str(path.name[-30:], refresh=False)
            bar.update(1)

        report = ingest_files(index, files, progress=advance, workspace=settings.workspace)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({**report.as_json(), "seconds": round(seconds, 2)}, ensure_ascii=False))
    else:
        print(
            f"{report.files} files: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.refused)} refused; "
            f"chunks: {report.chunks_added} added, {report.chunks_updated} updated, "
            f"{report.chunks_skipped} skipped ({report.duplicates} repeat text already indexed) "
            f"in {seconds:.1f} s"
        )
        for name, reason in report.refused:
            print(f"  refused {name}: {reason.en}")
    return 1 if report.refused else 0


def _sources(settings: Settings, args: argparse.Namespace) -> int:
    import datetime

    records = _knowledge(settings).sources()
    if args.json:
        print(json.dumps([record.__dict__ for record in records], ensure_ascii=False))
        return 0
    for record in records:
        when = datetime.datetime.fromtimestamp(record.indexed_at).strftime("%Y-%m-%d %H:%M")
        extra = f", {record.duplicates} duplicates" if record.duplicates else ""
        extra += f", only in {record.visibility}" if record.visibility else ""
        print(f"{record.source}  {record.chunks} chunks{extra}  {when}  {record.title}")
    return 0


def _forget(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = _knowledge(settings)
    if args.source.startswith("playbook/"):
        return _refuse(
            "The playbook ships with opsbot and is indexed again at start; it cannot be forgotten.", False
        )
    indexed = [record.source for record in knowledge.sources()]
    if args.source not in indexed:
        known = [s for s in indexed if not s.startswith("playbook/")]
        close = difflib.get_close_matches(args.source, known, n=3, cutoff=0.3)
        hint = f" Did you mean: {', '.join(close)}?" if close else " See `opsbot sources`."
        return _refuse(f"{args.source} is not indexed.{hint}", False)
    removed = knowledge.forget(args.source)
    print(f"forgot {args.source} ({removed} chunks)")
    return 0


def _knowledge(settings: Settings) -> Answering:
    """The index as the command line's workspace sees it (OPSBOT_WORKSPACE; unset: the whole index,
    whose documents added without a workspace are visible in every workspace)."""
    from bot.workspaces import ScopedKnowledge

    knowledge = create_knowledge(settings)
    return ScopedKnowledge(knowledge, settings.workspace) if settings.workspace else knowledge


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from knowledge.evaluation import QuestionSetError, evaluate_modes, load_questions

    try:
        questions = load_questions(args.questions)
    except (OSError, QuestionSetError) as error:
        return _refuse(str(error), args.json)
    if not questions:
        return _refuse(f"{args.questions} has no questions.", args.json)
    results = evaluate_modes(create_knowledge(settings).answerer.index, questions)
    if args.json:
        print(
            json.dumps(
                {
                    mode: {lang: s.as_dict() for lang, s in by_lang.items()}
                    for mode, by_lang in results.items()
                }
            )
        )
        return 0
    print(f"{len(questions)} questions from {args.questions}")
    print(f"{'mode':<6} {'lang':<4} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'MRR@5':>6}")
    for mode, by_lang in results.items():
        for lang, scores in by_lang.items():
            if scores.count:
                print(
                    f"{mode:<6} {lang:<4} {scores.count:>4} {scores.hit_at_1:>6.3f} "
                    f"{scores.hit_at_5:>6.3f} {scores.mrr_at_5:>6.3f}"
                )
    return 0


_COMMANDS = {
    "serve": _serve,
    "chat": _chat,
    "ask": _ask,
    "search": _search,
    "funnel": _funnel,
    "rfm": _rfm,
    "tier": _tier,
    "ingest": _ingest,
    "sources": _sources,
    "forget": _forget,
    "eval": _eval,
    "feedback": lambda settings, args: cli_feedback.run(settings, args, _write, _refuse),
    "metrics": lambda settings, args: cli_metrics.run(settings, args, _read, _refuse),
    "todo": lambda settings, args: cli_owners.run_todo(settings, args, _refuse),
    "digest": lambda settings, args: cli_digest.run(settings, args, _refuse),
    "weekly": lambda settings, args: cli_weekly.run(settings, args, _refuse),
    "clients": lambda settings, args: cli_clients.run_clients(settings, args, _read, _refuse),
    "renewal": lambda settings, args: cli_clients.run_renewal(settings, args, _read, _write, _refuse),
    "demo": _demo,
    "migrate": _migrate,
    "owners": lambda settings, args: cli_owners.run_owners(settings, args, _refuse),
    "retro": lambda settings, args: cli_retro.run(settings, args, _refuse),
}


if __name__ == "__main__":
    sys.exit(main())
