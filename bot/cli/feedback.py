"""`opsbot feedback …`: classify, add, list, export, set status and evaluate grouping, on the same
store the bot uses."""

from __future__ import annotations

import argparse
import getpass
import itertools
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.output import days_ago, refuse, write
from bot.core.config import Settings
from bot.feedback.export import feedback_csv
from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackItem, FeedbackStore, NewFeedback, as_utc
from knowledge.text import detect_language
from skills.errors import SkillError
from skills.feedback_categories import check_feedback_text, parse_category
from skills.feedback_group_eval import group_in_order, load_labelled_reports, pair_scores
from skills.wording import counted

if TYPE_CHECKING:
    from bot.feedback.service import FeedbackService


def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    store = FeedbackStore(create_db_engine(settings.db_url))
    as_json = bool(getattr(args, "json", False))
    try:
        if args.feedback_command == "classify":
            return _classify(_categorizer(settings, store), args.text, as_json)
        if args.feedback_command == "add":
            return _add(_categorizer(settings, store), " ".join(args.text), args.customer, as_json)
        if args.feedback_command == "list":
            category = parse_category(args.category) if args.category else None
            items = store.items(days_ago(args.since, "--since"), category, args.status, args.limit)
            for item in items:
                print(json.dumps(item_json(item), ensure_ascii=False) if as_json else _line(item))
            return 0
        if args.feedback_command in ("merge", "split"):
            return _correct_group(store, args)
        if args.feedback_command == "regroup":
            return _regroup(_categorizer(settings, store), args.dry_run)
        if args.feedback_command == "eval":
            return _evaluate(Path(args.file), args.split, as_json)
        if args.feedback_command == "export":
            items = store.items(days_ago(args.since, "--since"))
            write(args.file, feedback_csv(items, store.group_firsts(i.group_id or i.id for i in items)))
            print(f"{counted(len(items), 'item')} written to {args.file}", file=sys.stderr)
            return 0
        item = store.get(args.id)
        if item is None:
            return refuse(f"There is no feedback #{args.id}; `opsbot feedback list` shows the ids.", False)
        store.set_status(args.id, args.status, getpass.getuser())
        print(f"#{args.id} is now {args.status}")
        return 0
    except SkillError as error:
        words = " ".join(getattr(args, "text", None) or [])
        return refuse(error.message(detect_language(words)), as_json)


COMMAND_LINE_EXAMPLE = (
    '`opsbot feedback add "export to Excel fails with error 500" --customer Acme`',
    '`opsbot feedback add "导出报表报错500" --customer 华星科技`',
)


def _categorizer(settings: Settings, store: FeedbackStore) -> FeedbackService:
    """The categorizer, loaded only by the commands that categorize: listing and exporting
    feedback need neither the model nor the LLM client."""
    from bot.core.llm import create_structured_llm
    from bot.feedback.service import FeedbackService

    return FeedbackService(store, create_structured_llm(settings))


def _classify(service: FeedbackService, words: list[str], as_json: bool) -> int:
    """One text from the arguments, or one per stdin line (an empty line gets an error line)."""
    texts = [" ".join(words)] if words else (line.rstrip("\n") for line in sys.stdin)
    failed = False
    for text in texts:
        try:
            check_feedback_text(text, COMMAND_LINE_EXAMPLE)
            result = service.classify(text)
        except SkillError as error:
            failed = True
            lang = detect_language(text)
            if as_json:
                print(json.dumps({"text": text, "error": error.message(lang)}, ensure_ascii=False))
            else:
                print(f"opsbot: {error.message(lang)}", file=sys.stderr)
            continue
        if as_json:
            record = {"text": text, **result.as_json()}
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            words_shown = ", ".join(result.deciding_words) or "-"
            print(f"{result.category}\t{result.confidence:.2f}\t{words_shown}", flush=True)
    return 2 if failed else 0


def _add(service: FeedbackService, text: str, customer: str | None, as_json: bool) -> int:
    lang = detect_language(text)
    body = check_feedback_text(text, COMMAND_LINE_EXAMPLE)
    user = getpass.getuser()
    new = NewFeedback(
        dedupe_key=f"cli:{uuid.uuid4().hex}",
        text=body,
        reporter=user,
        filed_by=user,
        source="cli",
        lang=lang,
        customer=customer,
    )
    service.warm_up()  # the command line can wait for the models: the item is filed categorized and grouped
    filed = service.file(new)
    item = service.complete(filed.item)
    if as_json:
        record = item_json(item)
        record["group_size"] = filed.group_size
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(_line(item))
        if filed.first_in_group is not None:
            print(
                f"  similar to #{filed.first_in_group.id}: {counted(filed.group_size, 'item')}, "
                f"{counted(filed.group_customers, 'customer')}"
            )
    return 0


def _correct_group(store: FeedbackStore, args: argparse.Namespace) -> int:
    user = getpass.getuser()
    try:
        if args.feedback_command == "split":
            item = store.split(args.item, user)
            print(f"#{item.id} is now a group of its own")
            return 0
        group = store.view(store.merge(args.items, args.target, user))
    except KeyError as missing:
        return refuse(
            f"There is no feedback #{missing.args[0]}; `opsbot feedback list` shows the ids.", False
        )
    print(
        f"{', '.join(f'#{i}' for i in args.items)} now in the group of #{args.target}: "
        f"{counted(group.group_size, 'item')}"
    )
    return 0


def _regroup(service: FeedbackService, dry_run: bool) -> int:
    moves = service.regroup(dry_run=dry_run)
    for move in moves:
        where = f"the group of #{move.group}" if move.group != move.item_id else "a group of its own"
        print(
            f"#{move.item_id} {'would move' if dry_run else 'moved'} from the group of #{move.was} to {where}: {move.text[:80]}"
        )
    print(
        f"{counted(len(moves), 'item')} {'would move' if dry_run else 'moved'}; merges and splits made by people kept"
    )
    return 0


def _evaluate(path: Path, split: str, as_json: bool) -> int:
    """Group a labelled file's reports in its order, as if filed one after another, and score the
    pairs; list the first pairs grouped wrongly either way, so a team sees what to correct."""
    from bot.feedback.meaning import labelled_reports, shared_meaning
    from skills.feedback_classifier import FeedbackClassifier

    if not path.is_file():
        return refuse(f"{path}: no such file.", as_json)
    labelled = [r for r in load_labelled_reports(path) if split == "all" or r.split == split]
    if not labelled:
        return refuse(f"{path}: no reports in the {split} split.", as_json)
    reports = labelled_reports(labelled, FeedbackClassifier.default(), shared_meaning())
    groups = group_in_order(reports)
    scores = pair_scores([r.group for r in labelled], groups)
    joined_apart = [
        (labelled[a].text, labelled[b].text)
        for a, b in itertools.combinations(range(len(labelled)), 2)
        if groups[a] == groups[b] and labelled[a].group != labelled[b].group
    ]
    kept_apart = [
        (labelled[a].text, labelled[b].text)
        for a, b in itertools.combinations(range(len(labelled)), 2)
        if groups[a] != groups[b] and labelled[a].group == labelled[b].group
    ]
    if as_json:
        record = {"reports": len(labelled), **scores.as_dict()}
        record |= {"grouped_but_labelled_apart": joined_apart, "labelled_alike_but_apart": kept_apart}
        print(json.dumps(record, ensure_ascii=False))
        return 0
    print(
        f"{len(labelled)} reports in {len(set(r.group for r in labelled))} labelled problems, "
        f"grouped into {scores.groups}: pairwise precision {scores.precision:.2f}, recall {scores.recall:.2f} "
        f"({scores.pairs_predicted} pairs grouped, {scores.pairs_labelled} labelled alike)"
    )
    for title, pairs in (
        ("grouped, labelled apart", joined_apart),
        ("labelled alike, left apart", kept_apart),
    ):
        for first, second in pairs[:10]:
            print(f"  {title}: {first!r} / {second!r}")
    return 0


def item_json(item: FeedbackItem) -> dict[str, object]:
    return {
        "id": item.id,
        "said_at": as_utc(item.said_at).isoformat(),
        "category": item.category,
        "confidence": round(item.confidence, 3),
        "deciding_words": item.words,
        "status": item.status,
        "customer": item.customer,
        "text": item.text,
        "reporter": item.reporter,
        "source": item.source,
        "permalink": item.permalink,
        "group_id": item.group_id,
    }


def _line(item: FeedbackItem) -> str:
    when = as_utc(item.said_at).strftime("%Y-%m-%d")
    customer = f" [{item.customer}]" if item.customer else ""
    text = " ".join(item.text.split())
    text = text if len(text) <= 80 else text[:79] + "…"
    return f"#{item.id}\t{when}\t{item.category}\t{item.status}{customer}\t{text}"
