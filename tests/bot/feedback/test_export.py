"""The feedback export: every column spreadsheet-safe, not only the ones expected to hold text."""

from __future__ import annotations

import csv
import io
import json

from bot.feedback.export import COLUMNS, feedback_csv
from bot.storage.feedback import FeedbackItem
from tests.fakes.feedback import feedback_item


def _item(**values: object) -> FeedbackItem:
    return feedback_item(**{"deciding_words": json.dumps(["export"]), **values})


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_every_column_is_escaped_not_only_text_and_customer() -> None:
    hostile = _item(
        text="=cmd|' /C calc'!A0",
        customer="@SUM(1)",
        deciding_words=json.dumps(["+1+1"]),
        corrected_by="-1+cmd",
        channel="=C1",
        permalink='=HYPERLINK("http://evil.example")',
        routed_channel="@C2",
        original_category="+x",
    )
    [row] = _rows(feedback_csv([hostile]))
    assert list(row) == list(COLUMNS)
    for column in (
        "text",
        "customer",
        "deciding_words",
        "corrected_by",
        "channel",
        "permalink",
        "routed_channel",
        "original_category",
    ):
        assert row[column].startswith("'"), column
    assert row["confidence"] == "0.870" and row["id"] == "7"


def test_a_negative_number_typed_as_feedback_stays_a_number() -> None:
    [row] = _rows(feedback_csv([_item(text="-12.5", customer="Acme")]))
    assert row["text"] == "-12.5" and row["customer"] == "Acme"


def test_each_row_names_its_groups_first_report() -> None:
    first = _item(id=3, group_id=3, text="导出报表报错500\n客户很着急")
    later = _item(id=9, group_id=3, text="Exporting the report fails with error 500")
    alone = _item(id=10, group_id=10, text="=希望增加夜间模式")
    rows = _rows(feedback_csv([later, alone, first], {3: first, 10: alone}))
    named = "#3 导出报表报错500 客户很着急"
    assert [row["group_first_report"] for row in rows] == [named, "#10 =希望增加夜间模式", named]
    assert "group_first_report" in COLUMNS
