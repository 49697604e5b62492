"""Questions and documents from the command line: `opsbot ask`, `search`, `ingest`, `sources`,
`forget` and `eval`."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.answers.service import Answering, KnowledgeService, create_knowledge
from bot.cli.output import IndexingBar, refuse
from bot.core.config import Settings
from knowledge.answer import Answer
from skills.wording import counted

if TYPE_CHECKING:
    from rich.text import Text

    from knowledge.answer_evaluation import AnswerScores
    from knowledge.index import KnowledgeIndex


def ask(settings: Settings, args: argparse.Namespace) -> int:
    answer = _knowledge(settings).answer(" ".join(args.question), channel=args.channel)
    if args.json:
        print(json.dumps(answer_to_json(answer), ensure_ascii=False))
    else:
        from rich.console import Console

        Console(highlight=False, markup=False, emoji=False, soft_wrap=True).print(styled_answer(answer))
    return 0 if answer.found else 1


def search(settings: Settings, args: argparse.Namespace) -> int:
    if args.top_k < 1 or args.top_k > 100:
        return refuse("--top-k must be between 1 and 100.", args.json)
    index = create_knowledge(settings, progress=IndexingBar()).answerer.index
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


def answer_to_json(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "lang": answer.lang,
        "found": answer.found,
        "method": answer.method,
        "answer": answer.text,
        "note": answer.note,
        "read_as": [list(correction) for correction in answer.read_as],
        "citations": [citation.__dict__ for citation in answer.citations],
    }


def styled_answer(answer: Answer) -> Text:
    """The answer as Slack would show it, styled at a terminal (plain in a pipe)."""
    from bot.local.render import render_styled
    from bot.slack.blocks import answer_message

    return render_styled(answer_message(answer))


def ingest(settings: Settings, args: argparse.Namespace) -> int:
    """Commit every file with the fast rankings first (searchable from then on), then make the slow
    model's first pass: long passages by their first tokens, short ones whole, which ranks the new
    documents as well as their full vectors do (see `knowledge.lead_vectors`). The long passages'
    full vectors follow in the running bot; `--complete` waits for them instead, and `--later`
    leaves the first pass to the running bot too."""
    from tqdm import tqdm

    from knowledge.ingest import discover, ingest_files

    index = create_knowledge(settings, progress=IndexingBar()).answerer.index
    index.defer_slow = True
    files = list(discover(args.paths))
    started = time.perf_counter()
    with tqdm(
        total=len(files), unit="file", disable=None if len(files) > 1 else True, file=sys.stderr
    ) as bar:

        def advance(path: Path) -> None:
            bar.set_postfix_str(path.name[-30:], refresh=False)
            bar.update(1)

        report = ingest_files(index, files, progress=advance, workspace=settings.workspace)
    searchable = time.perf_counter() - started
    if index.pending and not args.later:
        _fill_vectors(index, complete=args.complete)
    seconds = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    **report.as_json(),
                    "seconds": round(seconds, 2),
                    "searchable_seconds": round(searchable, 2),
                    "pending_vectors": index.pending,
                    "ranked_by_first_words": index.pending - index.pending_unread,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"{counted(report.files, 'file')}: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.refused)} refused; "
            f"chunks: {report.chunks_added} added, {report.chunks_updated} updated, "
            f"{report.chunks_skipped} skipped ({report.duplicates} repeat text already indexed) "
            f"in {seconds:.1f} s (searchable after {searchable:.1f} s)"
        )
        _print_owed_vectors(index)
        for name, reason in report.refused:
            print(f"  refused {name}: {reason.en}")
    return 1 if report.refused else 0


def _print_owed_vectors(index: KnowledgeIndex) -> None:
    """What the index still owes its best ranking, and how it ranks those passages meanwhile."""
    if index.pending and not index.pending_unread:
        print(
            f"e5 vectors still to compute: {counted(index.pending, 'passage')}. Each is ranked by "
            "its first words meanwhile, nearly as well; opsbot computes the rest in the background "
            "while it runs (serving or the console), or run `opsbot ingest --complete` on the same "
            "files to wait for them now."
        )
    elif index.pending:
        print(
            f"e5 vectors still to compute: {counted(index.pending, 'passage')}. They are searchable "
            "already; opsbot computes the vectors in the background while it runs (serving or the "
            "console), or run `opsbot ingest` on the same files to do it now."
        )


def _fill_vectors(index: KnowledgeIndex, complete: bool) -> None:
    """The first pass over the pending vectors, or with `complete` every full vector (without a
    first pass, which would only cost time here), with a progress bar; Ctrl-C stops here and keeps
    what was written."""
    from tqdm import tqdm

    owed = index.pending if complete else index.pending_unread
    desc = "e5 vectors" if complete else "e5 first pass"
    with tqdm(total=owed, unit="passage", desc=desc, disable=None, file=sys.stderr) as bar:
        try:
            while (complete or index.pending_unread) and (
                done := index.fill_pending(limit=32, leads_first=not complete)
            ):
                bar.update(done)
        except KeyboardInterrupt:
            bar.write(
                "stopped: the documents stay searchable, and the rest of the vectors follow later",
                file=sys.stderr,  # standard output may be JSON
            )


def sources(settings: Settings, args: argparse.Namespace) -> int:
    import datetime

    service = create_knowledge(settings, progress=IndexingBar())
    records = _scoped(service, settings).sources()
    if args.json:
        print(json.dumps([record.__dict__ for record in records], ensure_ascii=False))
        return 0
    for record in records:
        when = datetime.datetime.fromtimestamp(record.indexed_at).strftime("%Y-%m-%d %H:%M")
        extra = f", {record.duplicates} duplicates" if record.duplicates else ""
        extra += f", only in {record.visibility}" if record.visibility else ""
        print(f"{record.source}  {counted(record.chunks, 'chunk')}{extra}  {when}  {record.title}")
    _print_owed_vectors(service.answerer.index)
    return 0


def forget(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = _knowledge(settings)
    if args.source.startswith("playbook/"):
        return refuse(
            "The playbook ships with opsbot and is indexed again at start; it cannot be forgotten.", False
        )
    indexed = [record.source for record in knowledge.sources()]
    if args.source not in indexed:
        known = [s for s in indexed if not s.startswith("playbook/")]
        close = difflib.get_close_matches(args.source, known, n=3, cutoff=0.3)
        hint = f" Did you mean: {', '.join(close)}?" if close else " See `opsbot sources`."
        return refuse(f"{args.source} is not indexed.{hint}", False)
    removed = knowledge.forget(args.source)
    print(f"forgot {args.source} ({counted(removed, 'chunk')})")
    return 0


def _knowledge(settings: Settings) -> Answering:
    """The index as the command line's workspace sees it (OPSBOT_WORKSPACE; unset: the whole index,
    whose documents added without a workspace are visible in every workspace)."""
    return _scoped(create_knowledge(settings, progress=IndexingBar()), settings)


def _scoped(service: KnowledgeService, settings: Settings) -> Answering:
    """`service` as the command line's workspace sees it (see `_knowledge`)."""
    from bot.workspaces import ScopedKnowledge

    return ScopedKnowledge(service, settings.workspace) if settings.workspace else service


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    """Retrieval metrics for a question set with the passages that answer each question, and
    key-point coverage of the answers themselves for a set with key points (`--answers`)."""
    from knowledge.answer_evaluation import AnswerSetError, load_answer_questions, score_answers
    from knowledge.evaluation import QuestionSetError, evaluate_modes, in_split, load_questions

    if args.questions is None and args.answers is None:
        return refuse("name a question file, --answers FILE, or both.", args.json)
    try:
        retrieval = load_questions(args.questions) if args.questions else []
        answer_set = load_answer_questions(args.answers) if args.answers else []
    except (OSError, QuestionSetError, AnswerSetError) as error:
        return refuse(str(error), args.json)
    for path, questions in ((args.questions, retrieval), (args.answers, answer_set)):
        if path is not None and not questions:
            return refuse(f"{path} has no questions.", args.json)
    if answer_set and not in_split(answer_set, args.split):
        return refuse(f'{args.answers} has no questions marked "split": "{args.split}".', args.json)
    service = create_knowledge(settings, progress=IndexingBar())
    if owed := service.answerer.index.pending:  # else the figures would be of a ranking still changing
        print(
            f"computing the e5 vectors still owed first ({counted(owed, 'passage')}), so the figures "
            "are those of the complete index",
            file=sys.stderr,
        )
        _fill_vectors(service.answerer.index, complete=True)
        if service.answerer.index.pending:
            return refuse("stopped before the e5 vectors were complete, so there are no figures.", args.json)
    results = evaluate_modes(service.answerer.index, retrieval) if retrieval else {}
    answering = _scoped(service, settings)

    def answer(question: str) -> tuple[bool, str]:
        reply = answering.answer(question)
        return reply.found, reply.text

    answers = score_answers(answer, answer_set, args.split) if answer_set else {}
    if args.json:
        report: dict[str, Any] = {
            mode: {lang: s.as_dict() for lang, s in by_lang.items()} for mode, by_lang in results.items()
        }
        if answers:
            report["answers"] = {lang: s.as_dict() for lang, s in answers.items()}
        print(json.dumps(report))
        return 0
    if results:
        print(f"{len(retrieval)} retrieval questions from {args.questions}")
        print(f"{'mode':<6} {'lang':<4} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'MRR@5':>6}")
        for mode, by_lang in results.items():
            for lang, scores in by_lang.items():
                if scores.count:
                    print(
                        f"{mode:<6} {lang:<4} {scores.count:>4} {scores.hit_at_1:>6.3f} "
                        f"{scores.hit_at_5:>6.3f} {scores.mrr_at_5:>6.3f}"
                    )
    if answers:
        _print_answer_scores(args.answers, args.split, answers)
    return 0


def _print_answer_scores(path: Path, split: str, answers: dict[str, AnswerScores]) -> None:
    """Coverage by language, then each question that missed a key point, with what it missed."""
    which = "" if split == "all" else f" ({split})"
    print(f"{answers['all'].count} answer questions{which} from {path}")
    print(f"{'lang':<4} {'n':>4} {'coverage':>8} {'complete':>8} {'refused':>7} {'cited':>5} {'idle':>5}")
    for lang, scores in answers.items():
        if scores.count:
            print(
                f"{lang:<4} {scores.count:>4} {scores.coverage:>8.3f} {scores.complete:>8} "
                f"{scores.refused:>7} {scores.cited:>5} {scores.idle_share:>5.2f}"
            )
    print("idle: share of the cited sources whose part of the answer carries no key point")
    for result in answers["all"].results:
        if result.missing:
            said = "refused" if not result.found else "missing " + ", ".join(result.missing)
            print(f"  {result.question.q}: {said}")
