"""Typed client names to client ids."""

from __future__ import annotations

from skills.client_names import ClientNames

NAMES = ClientNames.of([("C1", "Acme Corp"), ("C2", "华星科技"), ("C3", "Beta"), ("C4", "Beta")])


def test_exact_then_close_enough() -> None:
    assert NAMES.match("acme  corp.") == "C1"
    assert NAMES.match("Acme Crop") == "C1"
    assert NAMES.match("华星科技有限公司") == "C2"
    assert NAMES.match("Acme Corp, Inc.") == "C1"
    assert NAMES.match("c2") == "C2"
    assert NAMES.match("Acne") is None
    assert NAMES.match("") is None


def test_a_name_two_clients_share_matches_neither() -> None:
    assert NAMES.match("Beta") is None
    assert NAMES.match("C3") == "C3"
