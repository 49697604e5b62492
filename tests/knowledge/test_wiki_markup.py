"""Markdown exported from team wikis: its front matter and markup are not the text."""

from __future__ import annotations

from knowledge.loaders import load_document
from knowledge.wiki_markup import front_matter_title, without_wiki_markup

YUQUE_EXPORT = """---
title: 续约操作手册
author: 王敏
tags: [续约, SOP]
---

# 续约操作手册

<a name="Xk2pQ"></a>
## 一、准备阶段
:::tips
合同到期前 90 天启动续约。
:::

整理客户使用数据报告。<br />确认对接人是否变动，<font style="color:#E8323C">新对接人要重新建立信任</font>。
"""


def test_a_wiki_export_reads_as_its_title_and_text() -> None:
    document = load_document("续约操作手册.md", YUQUE_EXPORT.encode())
    assert document.title == "续约操作手册"
    assert [section.title for section in document.sections] == ["一、准备阶段"]
    assert document.sections[0].text.split("\n") == [
        "合同到期前 90 天启动续约。",
        "",
        "整理客户使用数据报告。",
        "确认对接人是否变动，新对接人要重新建立信任。",
    ]


def test_front_matter_gives_the_title_and_is_not_text() -> None:
    text = "---\r\ntitle: Renewal playbook\r\ndate: 2026-03-01\r\n---\r\n## Prepare\r\n\r\nStart early.\r\n"
    document = load_document("renewal.md", text.encode())
    assert document.title == "Renewal playbook"
    assert [(s.title, s.text) for s in document.sections] == [("Prepare", "Start early.")]


def test_a_page_opening_with_a_rule_keeps_what_is_between_its_rules() -> None:
    assert front_matter_title("---\nStart 90 days early.\n---\nMore.") == (
        "",
        "---\nStart 90 days early.\n---\nMore.",
    )
    assert front_matter_title("---\ntitle: [unclosed\n---\nMore.")[0] == ""


def test_a_first_heading_other_than_the_front_matter_title_is_a_section() -> None:
    text = "---\ntitle: Handbook\n---\n# Renewals\n\nStart early.\n"
    document = load_document("handbook.md", text.encode())
    assert (document.title, document.sections[0].title) == ("Handbook", "Renewals")


def test_callouts_wiki_links_and_bold_tags_read_as_the_rendered_page() -> None:
    text = (
        "> [!NOTE]\n> 折扣需要<strong>主管</strong>审批。\n"
        "> [!tip]- Before the call\n> Bring the usage report.\n"
        "见 [[折扣审批流程]]，或 [[discounts#tiers|the discount table]]。![[flow.png]]"
    )
    assert without_wiki_markup(text).split("\n") == [
        "> 折扣需要**主管**审批。",
        "> Before the call",
        "> Bring the usage report.",
        "见 折扣审批流程，或 the discount table。",
    ]


def test_code_blocks_keep_every_character() -> None:
    code = '```html\n<a name="top"></a>\n:::note\n[[not a link]]<br>\n```'
    assert without_wiki_markup(f"Example:\n{code}\nDone.") == f"Example:\n{code}\nDone."


def test_a_notion_export_loses_its_callout_toggle_and_picture_tags_and_its_file_links() -> None:
    text = (
        "<aside>\n💡 Discounts need approval.\n</aside>\n\n"
        "See [Discount table](Discount%20table%201a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.md) and "
        "[the wiki](https://wiki.example.com/renewals).<img src='flow.png' width='300'>\n\n"
        "<details>\n<summary>Why 90 days?</summary>\nIt leaves time to fix weak usage.\n</details>"
    )
    assert without_wiki_markup(text).split("\n") == [
        "",
        "💡 Discounts need approval.",
        "",
        "See Discount table and [the wiki](https://wiki.example.com/renewals).",
        "",
        "Why 90 days?",
        "It leaves time to fix weak usage.",
        "",
    ]


def test_an_html_table_in_markdown_becomes_rows_and_its_answer_names_the_columns() -> None:
    text = (
        "## 响应时限\n\n时限如下：\n\n<table>\n<tr><th>级别</th><th>首次响应</th></tr>\n"
        "<tr><td>KA</td><td>15 分钟</td></tr>\n<tr><td>小微</td><td>2 小时</td></tr>\n</table>\n"
    )
    section = load_document("客诉.md", text.encode()).sections[0]
    assert section.text.split("\n") == [
        "时限如下：",
        "",
        "| 级别 | 首次响应 |",
        "| --- | --- |",
        "| KA | 15 分钟 |",
        "| 小微 | 2 小时 |",
    ]


def test_reference_links_read_as_links_and_their_definitions_are_not_text() -> None:
    text = (
        "See [the ticket system][1], [Tickets][] and [the SOP][sop]; [not a link][none] stays.\n\n"
        "```\n[1]: code keeps this\n```\n\n"
        '[1]: https://tickets.example.com "Tickets"\n[tickets]: <https://t.example.com>\n[sop]: ./sop.md\n'
    )
    assert without_wiki_markup(text).strip().split("\n") == [
        "See [the ticket system](https://tickets.example.com), [Tickets](https://t.example.com) and the SOP; "
        "[not a link][none] stays.",
        "",
        "```",
        "[1]: code keeps this",
        "```",
    ]


def test_table_of_contents_markers_are_not_text() -> None:
    text = "[TOC]\n[[toc]]\n@[toc](目录)\n${toc}\n\n## 准备\n\n提前 90 天启动。\n\nSee [toc] below for the [TOC] spec."
    assert without_wiki_markup(text).strip().split("\n") == [
        "## 准备",
        "",
        "提前 90 天启动。",
        "",
        "See [toc] below for the [TOC] spec.",
    ]
