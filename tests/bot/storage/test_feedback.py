"""Storage of filed feedback: idempotent filing, grouping, corrections, routes, counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackItem, FeedbackStore, NewFeedback
from skills.feedback_classifier import Classification
from tests.conftest import db_url_for


def _new(key: str, text: str, customer: str | None = None, reporter: str = "U1") -> NewFeedback:
    return NewFeedback(key, text, reporter, reporter, "command", "en", customer)


BUG = Classification("bug", 0.9, ("error",))


def test_the_same_key_files_once_even_from_two_stores(tmp_path: Path) -> None:
    first = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    second = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    filed = first.file(_new("message:C1:1", "Export fails with error 500"), BUG)
    again = second.file(_new("message:C1:1", "Export fails with error 500"), BUG)
    assert filed.created and not again.created and again.item.id == filed.item.id
    assert len(first.items()) == 1


def test_groups_count_named_customers_not_messages(tmp_path: Path) -> None:
    store = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    store.file(_new("k1", "Export to Excel fails with error 500", "Acme"), BUG)
    store.file(_new("k2", "export to excel: error 500 again", "acme "), BUG)
    third = store.file(_new("k3", "Exporting to Excel gives error 500", None, reporter="U9"), BUG)
    fourth = store.file(_new("k5", "exporting to excel, error 500", "Beta"), BUG)
    assert (fourth.group_size, fourth.group_customers) == (4, 2)
    store.file(_new("k4", "The invoice has the wrong company name", "Beta"), BUG)
    assert third.group_size == 3 and third.group_customers == 1
    assert third.first_in_group is not None and third.first_in_group.dedupe_key == "k1"
    [top] = store.top_groups()
    assert (top.items, top.customers, top.first.dedupe_key) == (4, 2, "k1")


def test_corrections_become_examples_and_a_late_llm_answer_does_not_override_them(tmp_path: Path) -> None:
    store = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    item = store.file(_new("k1", "the app is slow"), BUG).item
    store.correct(item.id, "complaint", "U2")
    store.update_classification(item.id, Classification("other", 0.8, (), method="llm"))
    assert store.claim_route(item.id, "CBUGS") and not store.claim_route(item.id, "CBUGS")
    store.finish_route(item.id, None)
    assert store.claim_route(item.id, "CBUGS"), "a failed post gives the claim back"
    stored = store.get(item.id)
    assert stored is not None and (stored.category, stored.original_category) == ("complaint", "bug")
    assert [(e.text, e.category) for e in store.corrections()] == [("the app is slow", "complaint")]


def test_counts_respect_the_period_and_routes_can_be_removed(tmp_path: Path) -> None:
    store = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    store.file(_new("old", "old text here"), BUG, now=datetime.now(UTC) - timedelta(days=40))
    store.file(_new("new", "new text here"), BUG)
    assert store.counts(datetime.now(UTC) - timedelta(days=30)) == {("bug", "new"): 1}
    assert store.counts() == {("bug", "new"): 2}
    store.set_route("bug", "CBUGS", "UADMIN")
    store.set_route("bug", "CBUGS2", "UADMIN")
    assert store.routes() == {"bug": "CBUGS2"}
    store.set_route("bug", None, "UADMIN")
    assert store.routes() == {}


def test_grouping_sees_what_other_processes_filed_and_regrouped(tmp_path: Path) -> None:
    engine = create_db_engine(db_url_for(tmp_path))
    first, second = FeedbackStore(engine), FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    first.file(_new("k0", "The invoice has the wrong company name"), BUG)  # fills first's window
    export = first.file(_new("k1", "Export to Excel fails with error 500"), BUG).item
    joined = second.file(_new("k2", "Exporting to excel gives error 500 again"), BUG)
    assert joined.item.group_id == export.id
    other = second.file(_new("k3", "Webhooks stopped firing after the release"), BUG).item
    with engine.begin() as connection:  # a person moves the export reports into another group
        connection.execute(
            update(FeedbackItem).where(FeedbackItem.group_id == export.id).values(group_id=other.id)
        )
    later = first.file(_new("k4", "export to excel: error 500 once more"), BUG)
    assert later.item.group_id == other.id


def test_merge_and_split_by_hand_keep_groups_named_after_their_first_report(tmp_path: Path) -> None:
    store = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    a = store.file(_new("k1", "Export to Excel fails with error 500", "Acme"), BUG).item
    b = store.file(_new("k2", "exporting to excel gives error 500 again", "Beta"), BUG).item
    c = store.file(_new("k3", "The invoice has the wrong company name", "Gamma"), BUG).item
    assert b.group_id == a.id and c.group_id == c.id
    store.merge([c.id], a.id, "U1")
    assert [m.id for m in store.group_members(a.id)] == [a.id, b.id, c.id]
    store.split(a.id, "U1")  # the report the group is named after leaves: the next one names it
    assert [m.id for m in store.group_members(b.id)] == [b.id, c.id]
    assert store.get(a.id).group_id == a.id and store.get(a.id).grouped_by == "U1"  # type: ignore[union-attr]
    store.set_groups({a.id: b.id, c.id: c.id})  # automatic regrouping leaves hand-grouped items alone
    assert store.get(a.id).group_id == a.id and store.get(c.id).group_id == b.id  # type: ignore[union-attr]
    try:
        store.merge([999], a.id, "U1")
    except KeyError as missing:
        assert missing.args == (999,)
    else:
        raise AssertionError("merging a missing item must fail")
    before = {i.id: i.group_id for i in store.items()}
    try:
        store.merge([a.id, 999], c.id, "U2")  # all or none: #a does not move either
    except KeyError as missing:
        assert missing.args == (999,)
    assert {i.id: i.group_id for i in store.items()} == before


def test_each_groups_first_report_is_found(tmp_path: Path) -> None:
    store = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    a = store.file(_new("k1", "Export to Excel fails with error 500"), BUG).item
    b = store.file(_new("k2", "exporting to excel gives error 500 again"), BUG).item
    c = store.file(_new("k3", "The invoice has the wrong company name"), BUG).item
    firsts = store.group_firsts([a.id, b.group_id, c.id])  # type: ignore[list-item]
    assert {group: item.id for group, item in firsts.items()} == {a.id: a.id, c.id: c.id}
