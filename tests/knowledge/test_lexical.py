import pytest

from knowledge.lexical import BM25Index


def test_rare_terms_rank_first_and_removal_forgets() -> None:
    index = BM25Index()
    index.add("a", ["renewal", "discount", "client"])
    index.add("b", ["client", "tier", "client"])
    index.add("c", ["daily", "todo", "client"])
    assert index.search(["discount"], 3)[0][0] == "a"
    assert index.search(["tier", "client"], 3)[0][0] == "b"
    index.remove("a")
    assert index.search(["discount"], 3) == []
    assert len(index) == 2


def test_re_adding_a_document_replaces_it() -> None:
    index = BM25Index()
    index.add("a", ["old"])
    index.add("a", ["new"])
    assert index.search(["old"], 5) == []
    assert index.search(["new"], 5)[0][0] == "a"


def test_coverage_is_the_share_of_query_weight_present() -> None:
    index = BM25Index()
    index.add("a", ["rfm", "segment"])
    index.add("b", ["weather"])
    assert index.coverage(["rfm", "segment"], "a") == pytest.approx(1.0)
    assert index.coverage(["rfm", "segment"], "b") == 0.0
    assert 0 < index.coverage(["rfm", "pizza"], "a") < 1
    assert index.coverage([], "a") == 0.0
