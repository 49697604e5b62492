"""Question-and-answer spreadsheets read as a pair per row; data sheets refused with their columns."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from knowledge.loaders import DocumentRefused, load_document
from knowledge.spreadsheets import cell_text, question_answer_pairs
from tests.fakes.documents import make_docx


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


REPLIES = [
    ["客服话术表（2026 版）"],
    ["序号", "问题分类", "客户问题", "标准回复", "适用版本"],
    [1, "账号", "账号被锁定了怎么办？", "连续输错 5 次会锁定 30 分钟，可让管理员在后台解锁。", "全部"],
    [2, "发票", "发票多久能开？", "付款后 3 个工作日内开出电子发票。", None],
    [3, "发票", "能开专票吗？", None, None],
    [4, None, None, "没有问题的一行", None],
]


def test_each_row_of_a_reply_sheet_is_a_pair_titled_by_its_question() -> None:
    document = load_document(
        "客服话术.xlsx", _xlsx({"话术": REPLIES, "订单": [["订单号", "金额"], ["A1", 30]]})
    )
    assert document.title == "客服话术"
    assert [(s.title, s.text) for s in document.sections] == [
        (
            "账号被锁定了怎么办？",
            "##### 账号被锁定了怎么办？\n\n连续输错 5 次会锁定 30 分钟，可让管理员在后台解锁。\n\n"
            "序号：1\n\n问题分类：账号\n\n适用版本：全部",
        ),
        (
            "发票多久能开？",
            "##### 发票多久能开？\n\n付款后 3 个工作日内开出电子发票。\n\n序号：2\n\n问题分类：发票",
        ),
    ]


def test_an_english_faq_csv_in_gbk_is_read_too() -> None:
    data = "Question,Answer\nHow fast do you reply?,Within 2 hours on workdays.\n退款多久到账？,3 到 5 个工作日。\n"
    document = load_document("faq.csv", data.encode("gbk"))
    assert [s.title for s in document.sections] == ["How fast do you reply?", "退款多久到账？"]


def test_a_sheet_of_data_is_refused_naming_the_columns_it_has() -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document(
            "orders.xlsx", _xlsx({"Orders": [["Order id", "Client", "Amount"], ["A1", "Acme", 30]]})
        )
    assert "no question and answer columns" in caught.value.en
    assert "Order id, Client, Amount" in caught.value.en
    assert "没有问题列和答案列" in caught.value.zh


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("faq.xlsx", b"%PDF-1.4 not a workbook", "not a readable .xlsx file: it is a PDF"),
        ("faq.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
        ("faq.xlsx", b"PK\x03\x04 not a zip really", "not a readable .xlsx file"),
        ("faq.csv", b'Question,Answer\nHow?,"' + b"x" * 200_000 + b'"\n', "cannot be read as CSV"),
        ("faq.csv", b"Question,Answer\nHow fast?,\n", "no text to index"),
    ],
)
def test_unreadable_spreadsheets_are_refused_with_the_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document(name, data)
    assert reason in caught.value.en


def test_a_word_document_renamed_xlsx_is_refused_as_what_it_is() -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document("faq.xlsx", make_docx("Notes", [("Intro", ["Kickoff within 5 days."])]))
    assert "it is a Word document" in caught.value.en


def test_the_question_and_answer_columns_are_found_by_their_names() -> None:
    assert question_answer_pairs([["Category", "Question ID", "Customer question", "Suggested reply"]]) == []
    assert question_answer_pairs([["问题分类", "问题描述", "处理方式"]]) is None
    assert question_answer_pairs([["Q", "A"], ["Why?", "Because."]])[0].answer == "Because."


def test_cells_read_as_a_reader_sees_them() -> None:
    assert cell_text(3.0) == "3"
    assert cell_text(2.5) == "2.5"
    assert cell_text(dt.datetime(2026, 3, 1)) == "2026-03-01"
    assert cell_text(dt.datetime(2026, 3, 1, 9, 30)) == "2026-03-01 09:30"
    assert cell_text("  第一步：登录 \r\n 第二步：解锁 ") == "第一步：登录\n第二步：解锁"
