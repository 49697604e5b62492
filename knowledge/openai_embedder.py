"""Optional embeddings from any OpenAI-compatible endpoint (OPSBOT_EMBEDDING=openai), as one more
ranking in the fusion, in a collection of their own. The offline embedders stay: if the endpoint
fails, search goes on without this ranking."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from openai import OpenAI, OpenAIError

from knowledge.embedders import EmbedderKind, EmbeddingUnavailable, Relevance, Vectors

log = logging.getLogger(__name__)
BATCH = 64


class OpenAIEmbedder:
    kind: EmbedderKind = "remote"
    relevance = Relevance(strong=0.5, weak=0.35)
    """Not used for the relevance gate (the primary, offline embedder decides); kept for the protocol."""

    def __init__(self, client: OpenAI, model: str) -> None:
        self._client = client
        self._model = model
        self.name = f"openai-{model}".replace("/", "-").replace(":", "-")
        self.dimension = 0  # known after the first call; Chroma takes it from the vectors

    def _embed(self, texts: Sequence[str]) -> Vectors:
        try:
            response = self._client.embeddings.create(model=self._model, input=list(texts))
        except OpenAIError as error:
            raise EmbeddingUnavailable(f"the embedding endpoint failed: {type(error).__name__}") from error
        vectors = np.array([item.embedding for item in response.data], dtype=np.float32)
        self.dimension = vectors.shape[1]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, max(self.dimension, 1)), dtype=np.float32)
        return np.vstack([self._embed(texts[start : start + BATCH]) for start in range(0, len(texts), BATCH)])

    def embed_query(self, text: str) -> Vectors:
        return self._embed([text])[0]
