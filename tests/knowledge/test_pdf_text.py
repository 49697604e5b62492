"""A PDF page's printed lines read back as paragraphs (a blank line between them), headings and list
items."""

from __future__ import annotations

from knowledge.loaders import load_document
from knowledge.pdf_text import reflowed
from tests.fakes.documents import make_pdf

POLICY_PAGE = [
    "Late payment policy",
    "When a client pays more than 30 days late, the account owner calls the",
    "finance contact within two business days and sends a written re-",
    "minder. After 60 days the service is limited to read-only access, and",
    "after 90 days the case goes to the legal team.",
    "Escalation steps",
    "1. The account owner confirms the invoice was received and is",
    "   correct.",
    "2. The team lead joins the second call.",
]


def test_a_pdf_page_reads_as_paragraphs_under_its_headings() -> None:
    document = load_document("payment-policy.pdf", make_pdf([POLICY_PAGE]))
    assert document.sections[0].text.split("\n\n") == [
        "##### Late payment policy",
        "When a client pays more than 30 days late, the account owner calls the finance contact within "
        "two business days and sends a written reminder. After 60 days the service is limited to "
        "read-only access, and after 90 days the case goes to the legal team.",
        "##### Escalation steps",
        "1. The account owner confirms the invoice was received and is correct.\n2. The team lead joins the second call.",
    ]


def test_chinese_lines_wrapped_at_the_margin_join_without_a_space() -> None:
    page = "\n".join(
        [
            "二、处理流程",
            "客户提交工单后，一线客服需要在两个小时之内完成首次响应，并在工单系统",
            "里记录问题的类型、影响的账号数量以及客户希望解决的时间。",
            "（1）重大故障：立即电话通知值班经理，同时在客户群里同步处理进度，",
            "每隔三十分钟更新一次。",
            "（2）一般问题：当天内回复。",
            "• 升级时附上工单号",
        ]
    )
    assert reflowed(page).split("\n\n") == [
        "##### 二、处理流程",
        "客户提交工单后，一线客服需要在两个小时之内完成首次响应，并在工单系统里记录问题的类型、影响的账号数量以及客户希望解决的时间。",
        "（1）重大故障：立即电话通知值班经理，同时在客户群里同步处理进度，每隔三十分钟更新一次。",
        "（2）一般问题：当天内回复。",
        "- 升级时附上工单号",
    ]


def test_a_short_last_line_ends_its_paragraph_and_the_next_line_starts_another() -> None:
    page = "\n".join(
        [
            "Renewals start ninety days before the contract ends, with a usage report that",
            "shows the value delivered",
            "The second paragraph starts here and runs all the way to the right margin of",
            "the page.",
        ]
    )
    assert reflowed(page).split("\n\n") == [
        "Renewals start ninety days before the contract ends, with a usage report that shows the value delivered",
        "The second paragraph starts here and runs all the way to the right margin of the page.",
    ]


def test_slide_bullets_are_never_joined_or_read_as_headings() -> None:
    page = "Q3 goals\nGrow revenue 20%\nCut churn to 3%\n▪ Hire two CSMs"
    assert reflowed(page).split("\n\n") == [
        "Q3 goals",
        "Grow revenue 20%",
        "Cut churn to 3%",
        "- Hire two CSMs",
    ]


def test_one_overlong_line_does_not_make_the_full_lines_look_short() -> None:
    wrapped = "Send the weekly report to the regional leads every Monday before noon, and"
    page = "\n".join(
        [
            wrapped,
            "copy the product team.",
            "The template: https://wiki.example.com/ops/reports/weekly/templates/2026/regional-leads/"
            "and-the-product-team/one-page-version.",
            wrapped,
            "copy the product team.",
            "Keep it to one page.",
        ]
    )
    lines = reflowed(page).split("\n\n")
    assert lines[0] == f"{wrapped} copy the product team."
    assert lines[-1] == "Keep it to one page."
    assert len(lines) == 4
