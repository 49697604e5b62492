"""The shipped per-language means must still describe the playbook (they drift if it is rewritten)."""

from __future__ import annotations

import numpy as np

from knowledge.documents import chunk_sections, load_playbook
from knowledge.embedders import E5Embedder, load_means


def test_shipped_means_match_a_sample_of_the_playbook() -> None:
    embedder = E5Embedder()
    shipped = load_means(embedder.name)
    chunks = chunk_sections(load_playbook(), source_hash="")
    for lang in ("zh", "en"):
        sample = [chunk.text for chunk in chunks if chunk.lang == lang][::4]
        measured = embedder.embed_passages(sample).mean(axis=0)
        cosine = float(measured @ shipped[lang] / (np.linalg.norm(measured) * np.linalg.norm(shipped[lang])))
        assert cosine > 0.98, f"run `python -m knowledge.language_means` ({lang}: {cosine:.3f})"
