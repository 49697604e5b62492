"""Tables said as list items, each cell named by its column."""

from __future__ import annotations

from knowledge.tables import as_paragraphs, introduces_table, is_table_row, table_items

SLA = [
    "| 客户层级 | 首次响应 | 解决时限 |",
    "| --- | :---: | --- |",
    "| KA | 15 分钟 | 4 小时 |",
    "| 小微 | 当天 | |",
]


def test_rows_name_each_cell_by_its_column() -> None:
    header, items = table_items(SLA)
    assert header == "客户层级 · 首次响应 · 解决时限"
    assert items == [
        "- KA — 首次响应：15 分钟；解决时限：4 小时",
        "- 小微 — 首次响应：当天",
    ]  # an empty cell is not said
    _, english = table_items(["| Level | Who | How |", "|---|---|---|", "| L3 | VP | phone |"])
    assert english == ["- L3 — Who: VP; How: phone"]


def test_a_table_without_a_header_row_is_said_row_by_row() -> None:
    header, items = table_items(["| 客户名称 | 某某公司 |", "| 合同金额 | 50 万 |"])
    assert header == ""
    assert items == ["- 客户名称 · 某某公司", "- 合同金额 · 50 万"]


def test_what_is_a_row_and_what_introduces_a_table() -> None:
    assert is_table_row("| a | b |") and not is_table_row("a | b") and not is_table_row("|")
    assert introduces_table("各级响应时限如下表。") and introduces_table("The contacts:")
    assert introduces_table("See the table below.") and not introduces_table("节假日按同样标准执行。")


def test_blocks_become_paragraphs_with_a_table_and_a_list_kept_together() -> None:
    blocks = ["Levels:", "| A | B |", "| --- | --- |", "| 1 | 2 |", "Steps:", "1. Call", "2. Write", "Done"]
    assert as_paragraphs(blocks) == (
        "Levels:\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n\nSteps:\n\n1. Call\n2. Write\n\nDone"
    )
