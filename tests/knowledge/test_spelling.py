"""Typos corrected against the indexed words; real words, acronyms and short words left alone."""

from __future__ import annotations

from knowledge.spelling import Correction, Vocabulary, homophones


def vocabulary(*texts: str) -> Vocabulary:
    words = Vocabulary()
    for text in texts:
        words.add(text)
    return words


def test_a_misspelt_word_becomes_the_indexed_word_one_edit_away() -> None:
    words = vocabulary("Renewal checklist", "How to tier clients", "Retrospective steps")
    assert words.read("renewl checklist")[0] == "renewal checklist"
    assert words.read("how do I tier cleints")[0] == "how do I tier clients"  # a swap is one edit
    assert words.read("retrspectiv steps")[0] == "retrospective steps"  # long words: two edits


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
        assert words.read(query)[0] == expected


def test_the_word_more_passages_hold_wins_a_tie() -> None:
    words = vocabulary("planes", "plants in the office", "plants", "plants again")
    assert words.read("planfs")[0] == "plants"


def test_a_removed_passage_takes_its_words_with_it() -> None:
    words = vocabulary("renewal", "other text")
    words.remove("renewal")
    assert words.read("renewl")[0] == "renewl"
    assert vocabulary().read("renewl")[0] == "renewl"  # nothing indexed: nothing to correct to


def homophones_corrected(query: str) -> str:
    return homophones(query)[0]


def test_a_homophone_of_an_ops_term_is_read_as_the_term() -> None:
    assert homophones_corrected("付盘怎么做") == "复盘怎么做"
    assert homophones_corrected("续月前要注意什么") == "续约前要注意什么"  # jieba left 续 and 月 apart
    assert homophones_corrected("怎么提高流存率") == "怎么提高留存率"  # inside a word jieba guessed
    assert homophones_corrected("客俗怎么处理, see the SOP") == "客诉怎么处理, see the SOP"


def test_real_words_and_whole_words_are_never_replaced() -> None:
    for query in (
        "客户分成怎么做",  # 分成 is a word, though it sounds like nothing here
        "这个月包括哪些",  # 月 and 包括: 月包 would cross a word
        "我要做个复盘",
        "明天北京天气怎么样",
        "How do I tier clients?",
    ):
        assert homophones_corrected(query) == query


def test_each_correction_is_reported_with_the_word_as_typed() -> None:
    words = vocabulary("Renewal checklist", "How to tier clients")
    assert words.read("renewl checklist for cleints")[1] == [
        Correction("renewl", "renewal"),
        Correction("cleints", "clients"),
    ]
    assert words.read("renewal checklist")[1] == []
    assert homophones("付盘和续月") == (
        "复盘和续约",
        [Correction("付盘", "复盘"), Correction("续月", "续约")],
    )
    assert homophones("复盘怎么做") == ("复盘怎么做", [])
