"""Matching the client names people type (in commands, in feedback's customer field) to client ids:
exactly by id or name first (case, spacing and company suffixes aside), then the closest name when it
is close enough."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass

CLOSE_ENOUGH = 0.85
"""How alike (difflib's ratio) a typed name and a client's name must be to be taken as that client
without asking: "Acme Corp." for "Acme Corp", not "Acme" for "Acne"."""


_CHINESE_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
_LATIN_SUFFIXES = frozenset({"inc", "ltd", "llc", "co", "corp", "corporation", "gmbh", "limited"})


def _folded(text: str) -> str:
    """Case, spacing and full stops aside."""
    return " ".join(text.casefold().replace(".", " ").replace(",", " ").split())


def _core(folded: str) -> str:
    """Without company suffixes (有限公司, Inc, Ltd as whole words); the name itself if that is all."""
    words = folded.split()
    while len(words) > 1 and words[-1] in _LATIN_SUFFIXES:
        words.pop()
    core = " ".join(words)
    for suffix in _CHINESE_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            return core[: -len(suffix)].rstrip()
    return core


@dataclass(frozen=True)
class ClientNames:
    """The roster's ids and names, indexed for matching many typed names."""

    by_folded: dict[str, str]
    """Folded id or name → client id."""

    @classmethod
    def of(cls, clients: Iterable[tuple[str, str]]) -> ClientNames:
        """From (id, name) pairs; a name two clients share matches neither (an id still does)."""
        by_folded: dict[str, str] = {}
        shared: set[str] = set()
        pairs = list(clients)
        for client_id, name in pairs:
            for folded in {_folded(name), _core(_folded(name))}:
                if folded in by_folded and by_folded[folded] != client_id:
                    shared.add(folded)
                by_folded[folded] = client_id
        for folded in shared:
            del by_folded[folded]
        for client_id, _ in pairs:
            by_folded[_folded(client_id)] = client_id
        return cls(by_folded)

    def match(self, typed: str, among: Collection[str] | None = None) -> str | None:
        """The client id `typed` names, exactly or closely enough; None when none does. `among`
        (client ids) limits the close matching to those clients, for asking about one client
        without comparing every name of a large roster; exact names still count for everyone."""
        folded = _folded(typed)
        if not folded:
            return None
        for form in (folded, _core(folded)):
            if form in self.by_folded:
                return self.by_folded[form]
        forms = self.by_folded if among is None else [f for f, c in self.by_folded.items() if c in among]
        close = difflib.get_close_matches(folded, forms, n=1, cutoff=CLOSE_ENOUGH)
        return self.by_folded[close[0]] if close else None
