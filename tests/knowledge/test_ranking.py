from __future__ import annotations

from knowledge.ranking import FusionConfig, best_per_key, fused_order, lift_other_languages, with_stand_in

KEYS = {"a:zh": "a", "a:en": "a", "b:en": "b", "c:zh": "c"}
LANGS = {"a:zh": "zh", "a:en": "en", "b:en": "en", "c:zh": "zh"}


def test_a_section_votes_once_per_ranking_at_its_best_place() -> None:
    ranked = list(best_per_key(["a:zh", "a:en", "b:en", "c:zh"], KEYS.__getitem__))
    assert ranked == [(0, "a", "a:zh"), (1, "b", "b:en"), (2, "c", "c:zh")]


def test_passages_in_the_other_language_are_lifted_by_the_bonus() -> None:
    ranking = [("b:en", 0.40), ("c:zh", 0.37), ("a:en", 0.30)]
    lifted = lift_other_languages(ranking, LANGS.__getitem__, "en", 0.05)
    assert [chunk for chunk, _ in lifted] == ["c:zh", "b:en", "a:en"]
    assert lift_other_languages(ranking, LANGS.__getitem__, "en", 0.0) == ranking
    assert dict(lifted) == dict(ranking)  # the gate still sees the plain cosines


def test_a_missing_embedder_weight_counts_as_one() -> None:
    assert FusionConfig(dense_weights=(1.0, 0.5)).dense_weight(2) == 1.0


def test_chunks_lacking_a_vector_stand_in_at_another_rankings_place() -> None:
    assert with_stand_in(["a", "b", "c"], ["x", "b", "y", "a"], lacking={"x", "y"}) == [
        "a",
        "x",
        "b",
        "c",
        "y",
    ]
    assert with_stand_in(["a"], ["a", "z"], lacking=set()) == ["a"]


def test_rankings_fuse_by_weighted_reciprocal_rank() -> None:
    """A chunk second in two rankings beats one first in only one; a per-chunk weight scales a vote."""
    assert fused_order([(["a", "b"], 1.0), (["c", "b"], 1.0)], rrf_k=5) == ["b", "a", "c"]
    halved = {"a": 0.5, "b": 1.0}
    assert fused_order([(["a", "b"], halved.__getitem__)], rrf_k=5) == ["b", "a"]
