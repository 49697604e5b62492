"""Typos corrected against the indexed words; real words, acronyms and short words left alone."""

from __future__ import annotations

from knowledge.spelling import Vocabulary


def vocabulary(*texts: str) -> Vocabulary:
    words = Vocabulary()
    for text in texts:
        words.add(text)
    return words


def test_a_misspelt_word_becomes_the_indexed_word_one_edit_away() -> None:
    words = vocabulary("Renewal checklist", "How to tier clients", "Retrospective steps")
    assert words.corrected("renewl checklist") == "renewal checklist"
    assert words.corrected("how do I tier cleints") == "how do I tier clients"  # a swap is one edit
    assert words.corrected("retrspectiv steps") == "retrospective steps"  # long words: two edits


def test_real_words_acronyms_contractions_and_short_words_are_left_alone() -> None:
    words = vocabulary("Client tiers and parts of the renewal", "Think about the skill")
    for query in (
        "what's the weather in Paris tomorrow",  # English words the documents do not hold
        "how do I fix a flat tire",  # "tire" is one edit from "tier", but short
        "first thing, do I still start?",  # not "think" or "skill"
        "KPIS for the clinet",  # an acronym stays; the typo after it does not
        "haven't bought anything",
    ):
        expected = query.replace("clinet", "client")
        assert words.corrected(query) == expected


def test_the_word_more_passages_hold_wins_a_tie() -> None:
    words = vocabulary("planes", "plants in the office", "plants", "plants again")
    assert words.corrected("planfs") == "plants"


def test_a_removed_passage_takes_its_words_with_it() -> None:
    words = vocabulary("renewal", "other text")
    words.remove("renewal")
    assert words.corrected("renewl") == "renewl"
    assert vocabulary().corrected("renewl") == "renewl"  # nothing indexed: nothing to correct to
