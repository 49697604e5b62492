from __future__ import annotations

from skills.feedback_groups import Candidate, best_match, fingerprint

EARLIER = [
    "Export to Excel fails with error 500",
    "客户A反馈:导出报表时报错500",
    "Customer says the dashboard keeps loading forever",
    "希望能支持导出PDF",
    "Webhook notifications stopped firing after the release",
    "The invoice has the wrong company name",
]


def _match(text: str) -> str | None:
    candidates = [Candidate(n, n, fingerprint(t)) for n, t in enumerate(EARLIER)]
    found = best_match(fingerprint(text), candidates)
    return EARLIER[found[0].key] if found else None


def test_the_same_problem_in_other_words_is_found() -> None:
    assert _match("Exporting to excel gives error 500 since today") == EARLIER[0]
    assert _match("客户B:导出报表一直报错 500") == EARLIER[1]
    assert _match("能不能支持导出成PDF") == EARLIER[3]
    assert _match("Webhooks not firing since the last release") == EARLIER[4]


def test_different_problems_start_their_own_group() -> None:
    assert _match("The export button is blue") is None
    assert _match("导出报表很慢") is None
    assert _match("How do I add a user?") is None


def test_filler_does_not_make_texts_alike() -> None:
    assert fingerprint("Customer says: thanks team") == ()
    assert best_match((), [Candidate(1, 1, ("x",))]) is None
