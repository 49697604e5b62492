"""kill -9 in the middle of work, then recovery: is anything lost, doubled or left half-written?

(a) Digests: many owners are due at once and the loopback Slack answers chat.postMessage slowly, so
    the kill of `opsbot serve --http` (and its answer process) lands in the middle of the digest
    scan. The process is started again and the scans finish: every owner must have exactly one
    digest (chat.postMessage per owner, as the loopback Slack recorded them). Prints lost and
    doubled counts, the claims the killed process left `sending`, and how long recovery took.
    A claim left by a dead process is taken over after bot.storage.delivery_log.STALE_CLAIM (10 minutes,
    no setting changes it), and its message is looked for in Slack first: one that Slack accepted
    before the kill is recorded, not sent again. `--takeover age` (default) moves those claims' time back by
    STALE_CLAIM, as if the 10 minutes had passed, so the run stays short; `--takeover wait`
    really waits (about 13 minutes).
(b) Ingest: `opsbot ingest` of a folder of many documents is killed after some files were committed,
    in the middle of the next one. Then the index is opened (`opsbot sources`), searched
    (`opsbot search`), and the ingest is run again, twice: every source in the manifest must have
    all its chunks (in the fast embedder's collection; e5's vectors may still be owed, ranked by
    their first words or by the other models), no chunk may be left that no manifest entry
    commits, nor a lead vector of a passage no longer owed its e5 vector, searching must work, the
    second ingest must add exactly the files not committed before the kill (the others unchanged)
    and leave every owed passage ranked by its first words, and the third (`--complete`) must find
    everything unchanged and leave no e5 vector owed.

Usage: python benchmarks/crash_recovery.py [--part a|b|both] [--owners 300] [--post-seconds 0.05]
       [--kill-after 0.3] [--takeover age|wait] [--postgres] [--documents 40] [--chroma-server]
Prints PASS/FAIL for every correctness check; exits 1 when one fails.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness.checks import Checks
from harness.databases import ChromaServer, Postgres
from harness.serving import Server, free_port, opsbot_env
from sqlalchemy import func, select

from bot.local.slack_api import LocalSlack
from bot.storage.delivery_log import STALE_CLAIM, Delivery
from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.owners import Owner

check = Checks()


# -- (a) a digest scan killed half-way ----------------------------------------------------------


def owner_id(n: int) -> str:
    return f"UD{n:05d}"


def accepted_posts(slack: LocalSlack) -> list[Any]:
    return [
        call
        for call in slack.calls_to("chat.postMessage")
        if call.status == 200 and str(call.params.get("channel", "")).startswith("UD")
    ]


def claims(engine: Any) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    return Counter({status: count for status, count in rows})


def digest_crash(args: argparse.Namespace, root: Path) -> None:
    print(
        f"(a) kill -9 during a digest scan: {args.owners} owners due, chat.postMessage takes {args.post_seconds} s"
    )
    slack = LocalSlack()
    slack.delays["chat.postMessage"] = args.post_seconds
    slack_url = slack.start()
    home = root / "digest-home"
    home.mkdir()
    postgres: Postgres | None = None
    server: Server | None = None
    try:
        db_url = sqlite_url(home)
        database_url = None
        if args.postgres:
            postgres = Postgres(root / "pg", free_port())
            database_url = db_url = postgres.start()
        engine = create_db_engine(db_url)
        now = datetime.now(UTC)
        digest_at = (now - timedelta(minutes=2)).strftime("%H:%M")
        with engine.begin() as connection:  # bulk set-up, not the code under test
            connection.execute(
                Owner.__table__.insert(),
                [
                    {
                        "user": owner_id(n),
                        "tz": "UTC",
                        "tz_overridden": False,
                        "digest_at": digest_at,
                        "working_days": "0,1,2,3,4,5,6",
                        "metrics": "",
                        "paused": False,
                        "created_at": now,
                    }
                    for n in range(args.owners)
                ],
            )
        env = opsbot_env(home, slack_url, database_url, log_level="INFO")
        server = Server(free_port(), env, root / "digest-serve.log")
        began = time.monotonic()
        server.start(wait=False)
        kill_at = max(1, int(args.owners * args.kill_after))
        if not slack.wait_for(lambda s: len(accepted_posts(s)) >= kill_at, timeout=300):
            raise SystemExit("the digest scan did not start within 5 minutes; see the log")
        time.sleep(args.kill_delay)
        server.kill9()
        killed = time.monotonic()
        before_kill = accepted_posts(slack)
        at_kill = claims(engine)
        in_flight = {row.owner for row in _rows(engine, Delivery.status == "sending")}
        print(
            f"  killed {killed - began:.1f} s after start, after {len(before_kill)} digests reached Slack; "
            f"delivery log: {at_kill['sent']} sent, {at_kill['sending']} claims left `sending`"
        )
        if args.takeover == "age":
            aged = _age_claims(engine)
            print(
                f"  moved the {aged} claim(s) left `sending` back by {STALE_CLAIM + timedelta(minutes=1)} "
                f"(STALE_CLAIM is {STALE_CLAIM}; without this they are retried only after it)"
            )
        server.log = root / "digest-serve-restarted.log"
        restarted = time.monotonic()
        server.start(wait=False)
        deadline = restarted + (240 if args.takeover == "age" else STALE_CLAIM.total_seconds() + 240)
        while time.monotonic() < deadline:
            state = claims(engine)
            if state["sent"] + state["failed"] >= args.owners and state["sending"] == 0:
                break
            time.sleep(1.0)
        done = time.monotonic()
        time.sleep(1.0)
        final = claims(engine)
        posts = accepted_posts(slack)
        per_owner = Counter(str(call.params["channel"]) for call in posts)
        lost = [owner_id(n) for n in range(args.owners) if per_owner[owner_id(n)] == 0]
        doubled = sorted(owner for owner, count in per_owner.items() if count > 1)
        accepted_before = {str(call.params["channel"]) for call in before_kill}
        in_window = [owner for owner in in_flight if owner in accepted_before]
        found = sum(1 for line in server.log_lines() if "had reached Slack" in line)
        print(
            f"  after the restart: every digest settled {done - restarted:.1f} s later "
            f"(delivery log {dict(final)}); {len(posts)} digests reached Slack for {args.owners} owners"
        )
        print(
            f"  lost {len(lost)}, doubled {len(doubled)}; {len(in_window)} of the claims left `sending` "
            f"were for messages Slack had accepted before the kill, and {found} message(s) were found in "
            f"Slack by the restarted process (recorded, not sent again)"
        )
        check(
            not lost,
            f"no owner lost their digest ({len(lost)} lost{': ' + ', '.join(lost[:5]) if lost else ''})",
        )
        check(
            not doubled,
            f"no owner got two digests ({len(doubled)}{': ' + ', '.join(doubled[:5]) if doubled else ''})",
        )
        check(final["sending"] == 0, f"no claim left `sending` ({final['sending']})")
        errors = [line for line in server.log_lines() if " ERROR " in line]
        print(f"  ERROR lines in the restarted process's log: {len(errors)}")
        for line in errors[:3]:
            print(f"    {line[:200]}")
        engine.dispose()
    finally:
        if server is not None:
            server.stop()
        if postgres is not None:
            postgres.stop()
        slack.stop()


def _rows(engine: Any, *where: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(select(Delivery.id, Delivery.owner, Delivery.claimed_at).where(*where))
        )


def _age_claims(engine: Any) -> int:
    """As if STALE_CLAIM had passed for the claims the killed process left `sending`."""
    rows = _rows(engine, Delivery.status == "sending")
    with engine.begin() as connection:
        for row in rows:
            connection.execute(
                Delivery.__table__.update()
                .where(Delivery.__table__.c.id == row.id)
                .values(claimed_at=row.claimed_at - STALE_CLAIM - timedelta(minutes=1))
            )
    return len(rows)


# -- (b) an ingest killed half-way ----------------------------------------------------------------


def write_documents(folder: Path, count: int, size: int, seed: int = 7) -> dict[str, str]:
    """`count` Markdown files of about `size` bytes from the playbook's sentences, half Chinese and
    half English, each with its own code word; returns file name → code word."""
    from knowledge.documents import load_playbook
    from knowledge.text import split_sentences

    rng = random.Random(seed)
    sentences: dict[str, list[str]] = {"zh": [], "en": []}
    for section in load_playbook():
        sentences[section.lang].extend(split_sentences(section.body))
    words = {}
    for number in range(count):
        lang = "zh" if number % 2 else "en"
        word = f"crashword{number:04d}"
        lines = [
            f"# {'运营文档' if lang == 'zh' else 'Ops document'} {number}",
            "",
            f"Code word: {word}.",
            "",
        ]
        written = 0
        while written < size:
            lines += [f"## {'章节' if lang == 'zh' else 'Part'} {len(lines)}", ""]
            paragraph = ("" if lang == "zh" else " ").join(rng.sample(sentences[lang], 4))
            lines += [paragraph, ""]
            written += len(paragraph.encode("utf-8"))
        name = f"doc-{number:04d}-{lang}.md"
        (folder / name).write_text("\n".join(lines), encoding="utf-8")
        words[name] = word
    return words


def opsbot(env: dict[str, str], *args: str, timeout: float = 900) -> tuple[int, str, float]:
    """Run the opsbot command line: (exit status, standard output, seconds)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode not in (0, 1):
        print(f"    opsbot {' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return done.returncode, done.stdout, time.perf_counter() - started


def inspect(home: Path, chroma_url: str | None) -> dict[str, Any]:
    """The raw index, read in a separate process so this one holds no Chroma client."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--inspect-index",
            str(home),
            *(["--chroma-url", chroma_url] if chroma_url else []),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(f"inspecting the index failed: {done.stderr.strip()[-600:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def inspect_index(home: Path, chroma_url: str | None) -> dict[str, Any]:
    """Counts from Chroma and the manifest as they are, without opening (and so healing) the index."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from knowledge.chroma_server import ServerManifest, connect
    from knowledge.embedders import E5Embedder
    from knowledge.manifest import MANIFEST

    if chroma_url is not None:
        client = connect(chroma_url)
        manifest = {source: record.hash for source, record in ServerManifest(client).read(()).items()}
        counts = {source: record.chunks for source, record in ServerManifest(client).read(()).items()}
    else:
        client = chromadb.PersistentClient(
            path=str(home / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        records = json.loads((home / "chroma" / MANIFEST).read_text(encoding="utf-8"))
        manifest = {record["source"]: record["hash"] for record in records}
        counts = {record["source"]: record["chunks"] for record in records}
    collections = {
        collection.name: client.get_collection(collection.name)
        for collection in client.list_collections()
        if collection.name.startswith(("chunks-", "leads-"))
    }
    contents: dict[str, dict[str, dict[str, Any]]] = {}
    for name, collection in collections.items():
        found: dict[str, dict[str, Any]] = {}
        offset = 0
        while True:
            page = collection.get(include=["metadatas"], limit=5000, offset=offset)
            for chunk_id, metadata in zip(page["ids"], page["metadatas"] or [], strict=False):
                found[chunk_id] = dict(metadata or {})
            if len(page["ids"]) < 5000:
                break
            offset += len(page["ids"])
        contents[name] = found
    catalog = next(
        (name for name, found in contents.items() if any("source_hash" in m for m in found.values())), None
    )
    committed: dict[str, list[str]] = {source: [] for source in manifest}
    orphans_catalog = 0
    for chunk_id, metadata in (contents.get(catalog) or {}).items() if catalog else ():
        source = str(metadata.get("source", ""))
        if source in manifest and manifest[source] == metadata.get("source_hash"):
            committed[source].append(chunk_id)
        else:
            orphans_catalog += 1
    committed_ids = {chunk_id for ids in committed.values() for chunk_id in ids}
    incomplete = sorted(source for source, ids in committed.items() if len(ids) != counts[source])
    vectors_missing = 0
    orphans_vectors = 0
    owed: set[str] = set()
    for name, found in contents.items():
        if name == catalog or name.startswith("leads-"):
            continue
        if name.startswith(f"chunks-{E5Embedder.name}"):  # deferred: owed until filled
            owed |= committed_ids - found.keys()
        else:
            vectors_missing += len(committed_ids - found.keys())
        orphans_vectors += len(found.keys() - committed_ids)
    leads = {chunk_id for name, found in contents.items() if name.startswith("leads-") for chunk_id in found}
    return {
        "sources": len(manifest),
        "documents": sorted(source for source in manifest if source.startswith("docs/")),
        "chunks": len(committed_ids),
        "incomplete": incomplete,
        "orphans_catalog": orphans_catalog,
        "orphans_vectors": orphans_vectors,
        "vectors_missing": vectors_missing,
        "owed": len(owed),
        "owed_by_first_words": len(owed & leads),
        "stray_leads": len(leads - owed),
        "collections": sorted(contents),
    }


def describe(state: dict[str, Any]) -> str:
    return (
        f"{state['sources']} sources committed ({len(state['documents'])} documents), {state['chunks']} chunks; "
        f"incomplete sources {len(state['incomplete'])}, uncommitted chunks {state['orphans_catalog']} "
        f"(+{state['orphans_vectors']} vectors), committed chunks without vectors {state['vectors_missing']}; "
        f"e5 vectors owed {state['owed']} ({state['owed_by_first_words']} ranked by their first words meanwhile), "
        f"lead vectors of passages not owed one {state['stray_leads']}"
    )


def committed_documents(home: Path, chroma_url: str | None) -> int:
    """How many documents the manifest commits now (polled while the ingest runs)."""
    if chroma_url is None:
        try:
            records = json.loads((home / "chroma" / "sources.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        return sum(1 for record in records if record["source"].startswith("docs/"))
    from knowledge.chroma_server import ServerManifest, connect

    return sum(1 for source in ServerManifest(connect(chroma_url)).read(()) if source.startswith("docs/"))


def ingest_crash(args: argparse.Namespace, root: Path) -> None:
    where = "a Chroma server" if args.chroma_server else "the embedded index"
    print(f"(b) kill -9 during `opsbot ingest` of {args.documents} documents into {where}")
    home = root / "ingest-home"
    docs = root / "team-docs"
    docs.mkdir()
    words = write_documents(docs, args.documents, args.document_bytes)
    chroma: ChromaServer | None = None
    try:
        chroma_url = None
        if args.chroma_server:
            chroma = ChromaServer(root / "chroma-server", free_port())
            chroma_url = chroma.start()
        env = opsbot_env(home, "http://127.0.0.1:9/api/", chroma_url=chroma_url)
        _, _, seconds = opsbot(env, "sources", "--json")
        print(f"  index opened and the playbook indexed in {seconds:.0f} s")
        kill_after = max(1, int(args.documents * args.kill_after))
        log = (root / "ingest-1.log").open("wb")
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "ingest", str(docs), "--json"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        seen: list[float] = []  # when each further commit was seen
        while (count := committed_documents(home, chroma_url)) < kill_after and process.poll() is None:
            while len(seen) < count:
                seen.append(time.perf_counter())
            time.sleep(0.1)
        per_file = (seen[-1] - seen[0]) / (len(seen) - 1) if len(seen) > 1 else 1.0
        # Into the next file: its vectors are written before its catalog entries, then the commit.
        delay = args.kill_delay if args.kill_delay else args.kill_point * per_file
        time.sleep(delay)
        process.kill()
        process.wait()
        log.close()
        print(
            f"  killed `opsbot ingest` {time.perf_counter() - started:.0f} s after it started, "
            f"{delay:.1f} s into a file (about {per_file:.1f} s each)"
        )
        raw = inspect(home, chroma_url)
        print(f"  right after the kill: {describe(raw)}")
        if raw["orphans_catalog"] or raw["orphans_vectors"]:
            print("  (the kill landed after the next file's chunks were written, before their commit)")
        else:
            print("  (the kill landed before the next file's chunks were written: try another --kill-point)")
        before = set(raw["documents"])
        status, out, seconds = opsbot(env, "sources", "--json")
        listed = json.loads(out) if status == 0 else []
        print(f"  `opsbot sources` (opens the index) in {seconds:.0f} s: {len(listed)} sources listed")
        opened = inspect(home, chroma_url)
        print(f"  after opening: {describe(opened)}")
        check(
            status == 0 and len(listed) == opened["sources"], "`opsbot sources` lists every committed source"
        )
        check(
            not opened["incomplete"],
            f"every committed source has all its chunks ({len(opened['incomplete'])} do not)",
        )
        check(opened["vectors_missing"] == 0, "every committed chunk has its fast embedder's vector")
        if chroma_url is None:
            check(opened["stray_leads"] == 0, "no lead vector of a passage not owed its e5 vector")
            check(
                opened["orphans_catalog"] == 0 and opened["orphans_vectors"] == 0,
                "no uncommitted chunk left after opening "
                f"({opened['orphans_catalog']} + {opened['orphans_vectors']} vectors)",
            )
        else:
            print(
                f"  (on a server, uncommitted chunks younger than an hour are left for a possible ingest in "
                f"progress elsewhere: {opened['orphans_catalog']} + {opened['orphans_vectors']} vectors now; "
                "searches ignore them, and the next ingest of that file reuses their ids)"
            )
        some = sorted(before)[0].removeprefix("docs/") if before else None
        if some is not None:
            name = Path(some).name
            status, out, seconds = opsbot(env, "search", words[name], "--json", "--top-k", "3")
            results = json.loads(out.splitlines()[-1])["results"] if status == 0 and out.strip() else []
            top = results[0]["source"] if results else None
            check(
                top is not None and top.endswith(name),
                f"search works after the crash: `{words[name]}` finds {name} first (got {top}) in {seconds:.0f} s",
            )
        status, out, seconds = opsbot(env, "ingest", str(docs), "--json")
        report = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        added, unchanged = set(report.get("added", [])), set(report.get("unchanged", []))
        print(
            f"  second ingest in {seconds:.0f} s: {len(added)} added, {len(unchanged)} unchanged, "
            f"{len(report.get('updated', []))} updated, {len(report.get('refused', []))} refused"
        )
        every = {f"docs/{docs.name}/{name}" for name in words}
        check(
            unchanged == before,
            f"the files committed before the kill are unchanged ({len(unchanged)}/{len(before)})",
        )
        check(added == every - before, f"the other files are added ({len(added)}/{len(every - before)})")
        check(not report.get("updated") and not report.get("refused"), "nothing updated or refused")
        after = inspect(home, chroma_url)
        print(f"  after the second ingest: {describe(after)}")
        check(
            set(after["documents"]) == every,
            f"every document committed ({len(after['documents'])}/{len(every)})",
        )
        check(not after["incomplete"] and after["vectors_missing"] == 0, "every committed source complete")
        check(
            after["owed"] == after["owed_by_first_words"] and after["stray_leads"] == 0,
            f"every passage still owed its e5 vector is ranked by its first words ({after['owed_by_first_words']}"
            f"/{after['owed']}), and no other lead vector is left",
        )
        check(
            after["orphans_catalog"] == 0 and after["orphans_vectors"] == 0,
            f"no uncommitted chunk left ({after['orphans_catalog']} + {after['orphans_vectors']} vectors)",
        )
        interrupted = sorted(every - before)[0].rsplit("/", 1)[-1] if every - before else None
        if interrupted is not None:
            status, out, _ = opsbot(env, "search", words[interrupted], "--json", "--top-k", "3")
            results = json.loads(out.splitlines()[-1])["results"] if status == 0 and out.strip() else []
            top = results[0]["source"] if results else None
            check(
                top is not None and top.endswith(interrupted),
                f"the file cut short by the kill is found: `{words[interrupted]}` finds {interrupted} (got {top})",
            )
        status, out, seconds = opsbot(env, "ingest", str(docs), "--complete", "--json")
        report = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        print(
            f"  third ingest (`--complete`) in {seconds:.0f} s: {len(report.get('unchanged', []))} unchanged"
        )
        check(set(report.get("unchanged", [])) == every, "the third ingest finds every file unchanged")
        last = inspect(home, chroma_url)
        check(
            last["owed"] == 0 and last["owed_by_first_words"] == 0 and last["stray_leads"] == 0,
            f"no e5 vector owed and no lead vector left ({last['owed']}, {last['stray_leads']})",
        )
    finally:
        if chroma is not None:
            chroma.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("a", "b", "both"), default="both")
    parser.add_argument("--owners", type=int, default=300, help="(a) owners due at once (default 300)")
    parser.add_argument(
        "--post-seconds", type=float, default=0.05, help="(a) seconds Slack takes per chat.postMessage"
    )
    parser.add_argument(
        "--kill-after", type=float, default=0.3, help="share of the work done before the kill (default 0.3)"
    )
    parser.add_argument("--kill-delay", type=float, default=0.0, help="seconds more before the kill")
    parser.add_argument(
        "--kill-point",
        type=float,
        default=0.75,
        help="(b) how far into the next file the kill lands, as a share of a file's time (default 0.75)",
    )
    parser.add_argument("--takeover", choices=("age", "wait"), default="age", help="(a) see above")
    parser.add_argument("--postgres", action="store_true", help="(a) PostgreSQL (.ci/postgres), not SQLite")
    parser.add_argument("--documents", type=int, default=40, help="(b) documents in the folder (default 40)")
    parser.add_argument("--document-bytes", type=int, default=3000, help="(b) bytes of text per document")
    parser.add_argument(
        "--chroma-server", action="store_true", help="(b) a Chroma server, not the embedded index"
    )
    parser.add_argument("--inspect-index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--chroma-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inspect_index is not None:
        print(json.dumps(inspect_index(args.inspect_index, args.chroma_url)))
        return 0
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        if args.part in ("a", "both"):
            digest_crash(args, root)
        if args.part in ("b", "both"):
            ingest_crash(args, root)
    return check.summary(began)


if __name__ == "__main__":
    sys.exit(main())
