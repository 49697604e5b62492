"""A chat model as knowledge calls it: a plain callable, so tests pass a function and any
OpenAI-compatible client fits (bot.core.llm builds the real one)."""

from __future__ import annotations

from collections.abc import Callable

ChatMessages = list[dict[str, str]]
LLMCall = Callable[[ChatMessages], str]
"""Takes OpenAI-style chat messages, returns the reply text; raises on any failure."""
