from dataclasses import replace

import pytest

from knowledge.documents import (
    MAX_CHUNK_CHARS,
    DocumentFormatError,
    belongs_with,
    chunk_sections,
    heading_topic,
    load_playbook,
    parse_sectioned_markdown,
    same_topic,
)


def test_every_playbook_section_has_its_translation() -> None:
    sections = load_playbook()
    by_lang: dict[str, list[str]] = {"en": [], "zh": []}
    for section in sections:
        by_lang[section.lang].append(section.key)
    assert len(by_lang["en"]) >= 60
    assert by_lang["en"] == by_lang["zh"]
    assert len(set(by_lang["en"])) == len(by_lang["en"])


def test_playbook_covers_the_ops_topics() -> None:
    ids = {section.section_id for section in load_playbook()}
    prefixes = {section_id.split(".")[0] for section_id in ids}
    for topic in ("daily", "workflow", "goals", "prodops", "coop", "metrics", "cops", "tiers", "user", "tob"):
        assert topic in prefixes, topic


def test_chunk_ids_are_stable_and_sized() -> None:
    sections = load_playbook()
    first = chunk_sections(sections, "h1")
    second = chunk_sections(sections, "h1")
    assert [c.id for c in first] == [c.id for c in second]
    assert all(len(c.body) <= MAX_CHUNK_CHARS for c in first)
    assert first[0].id.startswith("playbook/en/01-daily-routine.md#")


def test_only_the_shipped_playbook_counts_as_the_playbook() -> None:
    [first, *_] = chunk_sections(load_playbook(), "h1")
    assert first.from_playbook
    for source in ("docs/playbook-notes.md", "slack/C1/1700000000.1", "playbook-copy/x.md"):
        assert not replace(first, source=source).from_playbook, source


def test_long_sections_split_at_sentence_ends() -> None:
    body = "。".join(["这是一句比较长的运营说明文字" * 3] * 40) + "。"
    [section] = parse_sectioned_markdown("x.md", f"# T\n\n## S {{#t.s}}\n\n{body}\n", "zh", "x:")
    chunks = chunk_sections([section], "h")
    assert len(chunks) > 1
    assert all(len(c.body) <= MAX_CHUNK_CHARS for c in chunks)
    assert all(c.body.endswith("。") for c in chunks)
    assert [c.key for c in chunks][:2] == ["x:t.s", "x:t.s:1"]


@pytest.mark.parametrize(
    "text",
    ["no title\n## S {#a.b}\ntext", "# T\n## Heading without id\ntext", "# T\n## S {#a.b}\n\n"],
)
def test_malformed_playbook_files_are_refused(text: str) -> None:
    with pytest.raises(DocumentFormatError):
        parse_sectioned_markdown("bad.md", text, "en", "p:")


def test_sibling_sections_name_one_topic_before_their_colons_in_one_document() -> None:
    assert heading_topic("Renewal: risks and negotiation") == "Renewal"
    assert heading_topic("续约：风险与谈判") == "续约"
    assert heading_topic("What goes into a weekly report") is None
    assert heading_topic("Note:") is None, "a colon with nothing after it names no topic"
    chunks = chunk_sections(load_playbook(), "h")
    sections = {c.section_id: c for c in chunks if c.lang == "zh" and c.position == 0}
    value, risks = sections["cops.renewal-value"], sections["cops.renewal-risks"]
    assert same_topic(value, risks) and not same_topic(value, sections["cops.kickoff"])
    assert not same_topic(sections["workflow.strategy"], sections["workflow.launch"]), "Stage 2 vs Stage 3"


def test_a_section_belongs_with_its_other_pieces_and_its_siblings() -> None:
    chunks = chunk_sections(load_playbook(), "h")
    sections = {c.section_id: c for c in chunks if c.lang == "zh" and c.position == 0}
    value, risks, kickoff = (
        sections["cops.renewal-value"],
        sections["cops.renewal-risks"],
        sections["cops.kickoff"],
    )
    assert belongs_with(value, risks) and not belongs_with(value, kickoff)
    continued = replace(kickoff, id=f"{kickoff.id}-1", position=1, body="……")
    assert belongs_with(kickoff, continued) and belongs_with(continued, kickoff)
    assert not belongs_with(kickoff, kickoff), "a piece does not join itself"
    translated = next(c for c in chunks if c.section_id == "cops.kickoff" and c.lang == "en")
    assert not belongs_with(kickoff, translated), "a translation is another document"
