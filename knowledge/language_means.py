"""Measure each language's mean embedding on the shipped playbook (used by LanguageCentered).

Run `python -m knowledge.language_means` after the playbook changes much; a test checks that the
shipped means still match the playbook.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.documents import chunk_sections, load_playbook
from knowledge.embedders import E5Embedder, Embedder, Vectors


def measure_means(embedder: Embedder) -> dict[str, Vectors]:
    chunks = chunk_sections(load_playbook(), source_hash="")
    vectors = embedder.embed_passages([chunk.text for chunk in chunks])
    langs = np.array([chunk.lang for chunk in chunks])
    return {lang: vectors[langs == lang].mean(axis=0).astype(np.float32) for lang in ("zh", "en")}


def main() -> None:
    embedder = E5Embedder()
    target = Path(__file__).parent / "data" / f"means-{embedder.name}.npz"
    np.savez(target, **measure_means(embedder))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
