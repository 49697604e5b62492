"""The grammar of `opsbot`: every command and option, and nothing else.

It imports only the standard library (and the feedback categories' names), so `opsbot --help` and a
mistyped option answer at once; each command's module, with everything it needs, is imported only
when that command runs (see `bot.cli.main`)."""

from __future__ import annotations

import argparse
from importlib import metadata
from pathlib import Path

from skills.feedback_categories import CATEGORIES, STATUSES


def installed_version() -> str:
    """The version from the package metadata, the one place it is written (pyproject.toml)."""
    try:
        return metadata.version("opsbot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of `opsbot`."""
    parser = argparse.ArgumentParser(
        prog="opsbot",
        description="A Slack assistant for ops and customer-success teams. "
        "With no command: serve when SLACK_BOT_TOKEN is set, else the local console.",
    )
    parser.add_argument("--version", action="version", version=f"opsbot {installed_version()}")
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
        "paths",
        nargs="+",
        type=Path,
        help=".md .txt .html .docx .pdf .pptx files, .xlsx .csv question-and-answer sheets, or folders of them",
    )
    ingest.add_argument("--json", action="store_true", help="print the summary as JSON")
    waiting = ingest.add_mutually_exclusive_group()
    waiting.add_argument(
        "--later",
        action="store_true",
        help="return once the documents are searchable; their e5 vectors follow when opsbot runs",
    )
    waiting.add_argument(
        "--complete",
        action="store_true",
        help="return once every e5 vector is computed (by default long passages are read by their "
        "first words, which ranks them nearly as well, and their full vectors follow when opsbot runs)",
    )
    sources = sub.add_parser("sources", help="list what is indexed")
    sources.add_argument("--json", action="store_true", help="print JSON")
    forget = sub.add_parser("forget", help="remove one indexed document (as `opsbot sources` names it)")
    forget.add_argument("source")
    evaluation = sub.add_parser("eval", help="retrieval and answer quality over question sets (JSON lines)")
    evaluation.add_argument(
        "questions", type=Path, nargs="?", help='retrieval: JSON lines {"q": …, "any": ["phrase", …]}'
    )
    evaluation.add_argument(
        "--answers",
        type=Path,
        metavar="FILE",
        help='answers: JSON lines {"q": …, "points": [["phrase", "other wording"], …]}',
    )
    evaluation.add_argument(
        "--split",
        choices=("all", "tune", "heldout"),
        default="all",
        help='only the answer questions marked with this "split"',
    )
    evaluation.add_argument("--json", action="store_true", help="print JSON")
    _feedback(sub)
    _answers(sub)
    _metrics(sub)
    _owners_and_todos(sub)
    _digest(sub)
    _weekly(sub)
    _clients_and_renewals(sub)
    _goals(sub)
    _health(sub)
    _retro(sub)
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


def _answers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    answers = sub.add_parser("answers", help="how answers did: votes, unanswered questions, the log")
    actions = answers.add_subparsers(dest="answers_command", required=True)
    stats = actions.add_parser("stats", help="answered, unanswered, helpful, not helpful, worst questions")
    stats.add_argument("--since", help="e.g. 7d or 30d (default: all)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    export = actions.add_parser("export", help="not-helpful and unanswered questions as an eval file")
    export.add_argument("--eval", required=True, metavar="FILE", help="the JSON-lines file to write")
    export.add_argument("--since", help="e.g. 30d (default: all)")
    delete = actions.add_parser("delete", help="delete logged answers (and their votes) asked before a day")
    delete.add_argument("--before", required=True, help="YYYY-MM-DD")


def _feedback(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    feedback = sub.add_parser("feedback", help="categorize, file, list and export customer feedback")
    actions = feedback.add_subparsers(dest="feedback_command", required=True)
    classify = actions.add_parser("classify", help="categorize TEXT, or one message per stdin line")
    classify.add_argument("text", nargs="*")
    classify.add_argument("--json", action="store_true", help='print {"text", "category", "confidence", …}')
    add = actions.add_parser("add", help="file a piece of feedback")
    add.add_argument("text", nargs="+")
    add.add_argument("--customer", help="the customer who raised it")
    add.add_argument("--json", action="store_true", help="print the filed item as JSON")
    listing = actions.add_parser("list", help="filed feedback, newest first")
    listing.add_argument("--since", help="e.g. 7d or 30d (default: all)")
    listing.add_argument("--category", help=", ".join(CATEGORIES))
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print one JSON object per line")
    export = actions.add_parser("export", help="write filed feedback to a spreadsheet-safe CSV")
    export.add_argument("file", help="the CSV file to write")
    export.add_argument("--since", help="e.g. 30d (default: all)")
    evaluate = actions.add_parser(
        "eval",
        help="how well grouping finds the same problem: pairwise precision and recall on a labelled file",
    )
    evaluate.add_argument(
        "file", help='JSON lines: {"text": "…", "group": "…"}, optionally "split" and "kind"'
    )
    evaluate.add_argument("--split", choices=("tune", "heldout", "all"), default="all")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    merge = actions.add_parser("merge", help="ITEM… raise the same problem as TARGET: they join its group")
    merge.add_argument("target", type=int)
    merge.add_argument("items", type=int, nargs="+")
    split = actions.add_parser("split", help="ITEM is a problem of its own: it leaves its group")
    split.add_argument("item", type=int)
    regroup = actions.add_parser(
        "regroup", help="group filed items again as they would be today, keeping every merge and split"
    )
    regroup.add_argument("--dry-run", action="store_true", help="print the moves without making them")
    status = actions.add_parser("status", help="move an item along: new, triaged, done")
    status.add_argument("id", type=int)
    status.add_argument("status", choices=STATUSES)


def _metrics(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    metrics = sub.add_parser("metrics", help="import daily metric values and check them for anomalies")
    actions = metrics.add_subparsers(dest="metrics_command", required=True)
    load = actions.add_parser("import", help="CSV with date,metric,value[,client] (UTF-8 or GBK)")
    load.add_argument("file")
    load.add_argument("--json", action="store_true", help="print the summary as JSON")
    check = actions.add_parser("check", help="each metric on a day against the same weekday in recent weeks")
    check.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")
    check.add_argument(
        "--client", default="", help="a client's or team's numbers (default: the whole business)"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object per metric")


def _owners_and_todos(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    todo = sub.add_parser("todo", help="an owner's to-do list")
    todo_actions = todo.add_subparsers(dest="todo_command", required=True)
    add = todo_actions.add_parser("add", help="add a to-do")
    add.add_argument("--owner", required=True, help="the owner's Slack user id")
    add.add_argument("text", nargs="+")
    listing = todo_actions.add_parser("list", help="the open to-dos, oldest first")
    listing.add_argument("--owner", required=True)
    listing.add_argument("--json", action="store_true", help="print one JSON object per to-do")
    done = todo_actions.add_parser("done", help="mark a to-do done (its id, as `todo list` shows)")
    done.add_argument("id", type=int)

    owners = sub.add_parser("owners", help="who gets a morning digest, when and where")
    owner_actions = owners.add_subparsers(dest="owners_command", required=True)
    owners_list = owner_actions.add_parser("list", help="every owner and their digest settings")
    owners_list.add_argument("--json", action="store_true")
    change = owner_actions.add_parser("set", help="change an owner's digest settings (creates the owner)")
    change.add_argument("owner")
    change.add_argument("--tz", help="IANA time zone, e.g. Asia/Shanghai")
    change.add_argument("--at", help="digest time, e.g. 08:30")
    change.add_argument("--days", help="working days, e.g. mon-fri")
    change.add_argument("--metrics", help="comma-separated metric keys to watch (default: the brief's six)")
    change.add_argument("--pause", action="store_true", help="no digests until --resume")
    change.add_argument("--resume", action="store_true", help="digests again (also ends a snooze)")
    change.add_argument("--snooze-until", dest="snooze_until", help="no digest up to this day, YYYY-MM-DD")


def _digest(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    digest = sub.add_parser(
        "digest", help="an owner's morning digest (to-dos, yesterday's numbers, feedback)"
    )
    digest.add_argument("--owner", required=True, help="the owner's Slack user id")
    digest.add_argument("--date", help="the owner's local day, YYYY-MM-DD (default: today there)")
    digest.add_argument("--lang", choices=("en", "zh"), default="en")
    digest.add_argument("--json", action="store_true", help="print the digest as JSON")
    digest.add_argument(
        "--send", action="store_true", help="also send it to the owner in Slack (once per day)"
    )


def _weekly(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    weekly = sub.add_parser(
        "weekly", help="the weekly summary: metrics week on week, anomalies, feedback, to-dos, renewals"
    )
    weekly.add_argument(
        "--week-of",
        dest="week_of",
        help="any day of the week to summarise, YYYY-MM-DD or 2026-W47 (default: the last complete week)",
    )
    weekly.add_argument("--lang", choices=("en", "zh"), default="en", help="the narrative's language")
    weekly.add_argument("--json", action="store_true", help="print the summary as JSON")


def _clients_and_renewals(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    clients = sub.add_parser("clients", help="the client roster: contract values, end dates, owners, tiers")
    actions = clients.add_subparsers(dest="clients_command", required=True)
    load = actions.add_parser("import", help="CSV, one row per client (UTF-8 or GBK); all rows or none")
    load.add_argument("file")
    load.add_argument("--json", action="store_true", help="print the summary as JSON")
    listing = actions.add_parser("list", help="the clients, soonest contract end first")
    listing.add_argument("--json", action="store_true", help="print JSON")
    renewal = sub.add_parser(
        "renewal", help="a renewal brief: usage, risks, discount ladder, a draft message"
    )
    renewal.add_argument("client", nargs="*", help="the client's id or name")
    renewal.add_argument("--date", help="today for the brief, YYYY-MM-DD (default: today)")
    renewal.add_argument("--lang", choices=("en", "zh"), help="language (default: that of the client's name)")
    renewal.add_argument("--json", action="store_true", help="print JSON")
    renewal.add_argument("--chart", help="also draw the usage chart to this PNG file")
    renewal.add_argument("--policy", help="a renewal policy YAML file (default: OPSBOT_RENEWAL_POLICY)")
    renewal.add_argument(
        "--print-policy", dest="print_policy", action="store_true", help="print the defaults"
    )


def _retro(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    retro = sub.add_parser(
        "retro", help="write a retrospective (复盘); it is saved and added to the knowledge index"
    )
    retro.add_argument("--title", default="", help="default: from the metric and period, else the date")
    retro.add_argument("--goal", default="", help="1. review the goal (default with --metric: prefilled)")
    retro.add_argument(
        "--result", default="", help="2. evaluate the result (default with --metric: the numbers)"
    )
    retro.add_argument("--causes", default="", help="3. analyse the causes")
    retro.add_argument("--lessons", default="", help="4. summarize the lessons")
    retro.add_argument("--metric", default="", help="a metric (sales, 销售额, active users…) to start from")
    retro.add_argument("--from", dest="start", default="", help="first day of the period, YYYY-MM-DD")
    retro.add_argument("--to", dest="end", default="", help="last day of the period, YYYY-MM-DD")
    retro.add_argument("--lang", choices=("en", "zh"), help="default: the language of the text given")
    retro.add_argument("--draft", action="store_true", help="print the prefilled steps only; save nothing")
    retro.add_argument("--list", action="store_true", help="the saved retros, newest first")
    retro.add_argument("--json", action="store_true", help="print JSON")


def _goals(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    goal = sub.add_parser("goal", help="targets on a metric over a period, and whether they are on pace")
    actions = goal.add_subparsers(dest="goal_command", required=True)
    add = actions.add_parser("add", help="add a goal")
    add.add_argument("name", help="a name to refer to it by, e.g. 'Q1 sales'")
    add.add_argument("--metric", required=True, help="the metric's key, as imported (e.g. sales)")
    add.add_argument("--target", required=True, help="an amount: 1.2亿, 500w, 80k; a rate: 35%%")
    add.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    add.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    add.add_argument("--owner", help="the owner's Slack user id; their digest shows the goal")
    add.add_argument("--client", help="a client's numbers instead of the whole business's (id or name)")
    add.add_argument("--json", action="store_true", help="print JSON")
    listing = actions.add_parser("list", help="the open goals, soonest end first")
    listing.add_argument("--all", action="store_true", help="closed goals too")
    listing.add_argument("--json", action="store_true", help="print JSON")
    status = actions.add_parser("status", help="actual against expected-to-date, pace, projection")
    status.add_argument("name", nargs="?", help="one goal (default: every open goal)")
    status.add_argument("--date", help="as of the end of this day, YYYY-MM-DD (default: yesterday)")
    status.add_argument("--json", action="store_true", help="print JSON")
    close = actions.add_parser("close", help="close a goal: it leaves the digest and the summaries")
    close.add_argument("name")


def _health(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    health = sub.add_parser("health", help="every client's health score, status and reasons, worst first")
    health.add_argument(
        "--date", help="the day scored, YYYY-MM-DD (default: today); the days before it count"
    )
    health.add_argument("--weights", help="YAML settings: weights, thresholds, bands (see --print-config)")
    health.add_argument("--print-config", dest="print_config", action="store_true", help="print the defaults")
    health.add_argument("--lang", choices=("en", "zh"), help="language of the reasons (default: en)")
    health.add_argument("--json", action="store_true", help="print JSON")
