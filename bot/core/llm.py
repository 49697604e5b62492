"""The optional OpenAI-compatible chat client and embedder (OpenAI, DeepSeek, Qwen, Ollama, vLLM: any base_url)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from openai import OpenAI

from bot.core.config import Settings
from knowledge.answer import ChatMessages, LLMCall
from knowledge.embedders import Embedder
from knowledge.openai_embedder import OpenAIEmbedder


def _client(settings: Settings) -> OpenAI:
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return OpenAI(
        api_key=api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=1,
    )


def create_remote_embedders(settings: Settings) -> list[Embedder]:
    """The OpenAI-compatible embedder when OPSBOT_EMBEDDING=openai, else none."""
    if settings.embedding != "openai":
        return []
    return [OpenAIEmbedder(_client(settings), settings.embedding_model)]


def create_llm(settings: Settings) -> LLMCall | None:
    """A chat callable when an endpoint is configured, else None (answers stay extractive)."""
    if not settings.llm_enabled:
        return None
    client = _client(settings)
    model = settings.llm_model

    def complete(messages: ChatMessages) -> str:
        response = client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0.1,
        )
        return response.choices[0].message.content or ""

    return complete


LLMStream = Callable[[ChatMessages], Iterator[str]]
"""Takes chat messages, yields the reply's text as the model writes it; raises on any failure."""


def create_llm_stream(settings: Settings) -> LLMStream | None:
    """A streaming chat callable when an endpoint is configured, else None."""
    if not settings.llm_enabled:
        return None
    client = _client(settings)
    model = settings.llm_model

    def stream(messages: ChatMessages) -> Iterator[str]:
        chunks = client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0.1,
            stream=True,
        )
        for chunk in chunks:
            if chunk.choices and (text := chunk.choices[0].delta.content):
                yield text

    return stream


StructuredCall = Callable[[ChatMessages, str, dict[str, Any]], str]
"""(messages, schema name, JSON schema) → the model's JSON text."""


def create_structured_llm(settings: Settings) -> StructuredCall | None:
    """A chat callable that asks for JSON matching a schema (OpenAI structured outputs)."""
    if not settings.llm_enabled:
        return None
    client = _client(settings)
    model = settings.llm_model

    def complete(messages: ChatMessages, name: str, schema: dict[str, Any]) -> str:
        response = client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0,
            response_format={"type": "json_schema", "json_schema": {"name": name, "schema": schema}},
        )
        return response.choices[0].message.content or ""

    return complete
