"""Every supported format, every encoding, and every refusal, with real files made in memory."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from knowledge.loaders import MAX_DOCUMENT_BYTES, DocumentRefused, decode_text, load_document
from tests.fakes.documents import encrypt_pdf, make_docx, make_pdf

CHINESE = "# 售后 SOP\n\n## 客诉处理\n\n收到客诉后两小时内响应客户。\n\n## 回访\n\n问题解决后三天内回访。\n"
TRADITIONAL = "客戶運營的關鍵在於留存與復盤。我們每週做一次數據復盤，看拉新與轉化。"


def test_markdown_headings_become_sections_and_a_source_line_the_link() -> None:
    text = CHINESE.replace("## 客诉处理", "原文链接: https://wiki.example.com/sop\n\n## 客诉处理")
    document = load_document("sop.md", text.encode())
    assert document.title == "售后 SOP"
    assert [s.title for s in document.sections] == ["客诉处理", "回访"]
    assert document.sections[0].text == "收到客诉后两小时内响应客户。"
    assert document.url == "https://wiki.example.com/sop"


def test_a_heading_inside_a_code_block_stays_in_its_section_with_the_code() -> None:
    text = (
        "# Deploy guide\n\n## Restart the service\n\nRun this:\n\n```bash\n# stop first\n"
        "systemctl stop app\n## then start\nsystemctl start app\n```\n\nDone.\n\n"
        "Rollback\n--------\n\n- # not a heading in a list\n\n> # nor in a quote\n"
    )
    document = load_document("deploy.md", text.encode())
    assert document.title == "Deploy guide"
    assert [s.title for s in document.sections] == ["Restart the service", "Rollback"]
    restart, rollback = document.sections
    assert "# stop first\nsystemctl stop app\n## then start\nsystemctl start app" in restart.text
    assert restart.text.endswith("Done.")
    assert rollback.text == "- # not a heading in a list\n\n> # nor in a quote"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_simplified_text_in_each_encoding(encoding: str) -> None:
    document = load_document("notes.txt", CHINESE.encode(encoding))
    assert document.sections[0].text == "收到客诉后两小时内响应客户。"


def test_big5_traditional_text_is_detected() -> None:
    assert decode_text("t.txt", (TRADITIONAL * 3).encode("big5")) == TRADITIONAL * 3


def test_plain_text_without_headings_is_one_section_titled_by_its_first_short_line() -> None:
    document = load_document("faq.txt", b"Renewal FAQ\n\nStart 90 days before the end date.\n")
    assert document.title == "Renewal FAQ"
    assert [s.text for s in document.sections] == ["Start 90 days before the end date."]


def test_short_lines_between_paragraphs_of_a_text_file_are_its_headings() -> None:
    text = (
        "Escalation guide\n\nWho to call\n\nThe on-call lead, within an hour.\n\n"
        "After the call\nWrite the ticket up the same day.\n\nGood luck\n"
    )
    document = load_document("escalation.txt", text.encode())
    assert document.title == "Escalation guide"
    assert [s.title for s in document.sections] == ["Who to call", "After the call"]
    assert document.sections[1].text == "Write the ticket up the same day.\n\nGood luck"  # nothing under it
    # A Markdown file has headings of its own: the same text stays one section.
    assert len(load_document("escalation.md", text.encode()).sections) == 1


def test_bold_lines_of_a_markdown_file_without_headings_are_its_headings() -> None:
    text = "客诉处理办法\n\n**一、分级标准**\n\nP1 客诉 30 分钟内联系。\n\n**注意：周末照常。**\n\n**二、处理流程**\n先安抚情绪。\n"
    sections = load_document("complaints.md", text.encode()).sections
    assert [(s.title, s.text) for s in sections] == [
        ("一、分级标准", "P1 客诉 30 分钟内联系。\n\n**注意：周末照常。**"),  # a sentence in bold stays text
        ("二、处理流程", "先安抚情绪。"),
    ]
    with_headings = "# 客诉\n\n## 分级\n\n**一、标准**\n\nP1 客诉 30 分钟内联系。\n"
    assert [s.title for s in load_document("c.md", with_headings.encode()).sections] == ["分级"]


def test_bold_paragraphs_of_a_page_without_heading_tags_are_its_headings() -> None:
    html = (
        "<html><body><p><strong>一、分级标准</strong></p><p>P1 客诉 30 分钟内联系。</p>"
        "<p><b>二、</b><strong>处理流程</strong></p><p>先<strong>安抚</strong>情绪。</p></body></html>"
    )
    sections = load_document("wechat.html", html.encode()).sections
    assert [(s.title, s.text) for s in sections] == [
        ("一、分级标准", "P1 客诉 30 分钟内联系。"),
        ("二、处理流程", "先安抚情绪。"),
    ]


def test_numbered_chinese_headings_of_a_big5_text_file_start_sections() -> None:
    text = "客訴處理辦法\n\n一、分級標準\nP1 級客訴三十分鐘內聯繫客戶。\n\n二、處理流程\n先安撫情緒，再複述問題。\n"
    document = load_document("complaints.txt", text.encode("big5"))
    assert document.title == "客訴處理辦法"
    assert [s.title for s in document.sections] == ["一、分級標準", "二、處理流程"]
    assert document.sections[0].text == "P1 級客訴三十分鐘內聯繫客戶。"  # not "一、分級標準P1 級客訴…"


def test_a_first_line_that_ends_like_a_sentence_is_not_a_title() -> None:
    document = load_document("faq.txt", "续约要提前多久启动？\n\n合同到期前九十天。\n".encode())
    assert document.title == "faq"


def test_html_keeps_content_drops_navigation_and_finds_the_canonical_link() -> None:
    html = """<html><head><title>Renewal guide</title>
    <link rel="canonical" href="https://blog.example.com/renewal"></head>
    <body><nav>Home | Blog | About</nav><header>Acme blog</header>
    <article><h1>Renewal guide</h1><p>Start <b>90 days</b> before the contract ends.</p>
    <h2>Pricing</h2><div>Prepare two discount offers.</div><ul><li>Offer A</li><li>Offer B</li></ul></article>
    <script>var tracking = 1;</script><footer>© 2024 Acme</footer></body></html>"""
    document = load_document("renewal.html", html.encode())
    assert document.title == "Renewal guide"
    assert document.url == "https://blog.example.com/renewal"
    text = "\n".join(f"{s.title}: {s.text}" for s in document.sections)
    assert "Start 90 days before the contract ends." in text
    assert "Pricing: Prepare two discount offers.\n\n- Offer A\n- Offer B" in text
    for junk in ("Home | Blog", "tracking", "© 2024"):
        assert junk not in text


def test_docx_headings_paragraphs_and_tables() -> None:
    data = make_docx(
        "售后手册",
        [("客诉处理", ["两小时内响应。", "紧急问题升级到主管。"]), ("回访", ["三天内回访。"])],
        table=[["级别", "时限"], ["紧急", "2小时"]],
    )
    document = load_document("manual.docx", data)
    assert document.title == "售后手册"
    assert [s.title for s in document.sections] == ["客诉处理", "回访"]
    assert document.sections[0].text == "两小时内响应。\n\n紧急问题升级到主管。"
    assert "紧急 | 2小时" in document.sections[1].text


def test_an_html_table_keeps_its_cells_apart_under_its_header() -> None:
    html = (
        "<html><body><h2>Contacts</h2><p>Escalate as below:</p><table>"
        "<tr><th>Level</th><th>Who</th></tr><tr><td>L1</td><td>Support on duty</td></tr>"
        "<tr><td>L3</td><td>VP, <b>within 30 minutes</b></td></tr></table></body></html>"
    )
    (section,) = load_document("contacts.html", html.encode()).sections
    assert section.text == (
        "Escalate as below:\n\n| Level | Who |\n| --- | --- |\n| L1 | Support on duty |\n| L3 | VP, within 30 minutes |"
    )


def test_a_word_table_stays_in_the_section_it_was_written_in() -> None:
    import docx

    document = docx.Document()
    document.add_heading("响应时限", level=1)
    document.add_paragraph("各级客户的响应时限如下表。")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(
        table.rows, [["层级", "首次响应"], ["KA", "15 分钟"], ["小微", "当天"]], strict=True
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.paragraphs[0].add_run(text).bold = cells[0] == "层级"
    document.add_heading("回访", level=1)
    document.add_paragraph("三天内回访。")
    out = io.BytesIO()
    document.save(out)
    first, second = load_document("sla.docx", out.getvalue()).sections
    assert (
        first.text
        == "各级客户的响应时限如下表。\n\n| 层级 | 首次响应 |\n| --- | --- |\n| KA | 15 分钟 |\n| 小微 | 当天 |"
    )
    assert second.text == "三天内回访。"  # before, every table was put at the end of the last section


def test_a_short_bold_paragraph_of_a_word_document_is_a_heading() -> None:
    import docx

    document = docx.Document()
    for text, bold in [
        ("一、分级标准", True),
        ("P1 客诉 30 分钟内联系客户。", False),
        ("二、处理流程", True),
        ("先安抚情绪。", False),
        ("注意：周末照常处理。", True),  # a sentence in bold is still a sentence
    ]:
        document.add_paragraph().add_run(text).bold = bold
    out = io.BytesIO()
    document.save(out)
    sections = load_document("complaints.docx", out.getvalue()).sections
    assert [(s.title, s.text) for s in sections] == [
        ("一、分级标准", "P1 客诉 30 分钟内联系客户。"),
        ("二、处理流程", "先安抚情绪。\n\n注意：周末照常处理。"),
    ]


def test_running_headers_and_footers_of_a_pdf_are_not_its_text() -> None:
    bodies = [
        ["Renewals start 90 days early.", "Page after page."],
        ["Kickoff within 5 days."],
        ["Red below 60."],
    ]
    pages = [
        ["ACME Handbook - Confidential", *body, f"Page {n} of 3"] for n, body in enumerate(bodies, start=1)
    ]
    pages[1].insert(2, "ACME Handbook - Confidential is the name we print on every page.")
    document = load_document("handbook.pdf", make_pdf(pages))
    assert [s.text for s in document.sections] == [
        "Renewals start 90 days early.\n\nPage after page.",
        "Kickoff within 5 days.\n\nACME Handbook - Confidential is the name we print on every page.",
        "Red below 60.",
    ]
    two_pages = load_document("short.pdf", make_pdf(pages[:2]))  # too few pages to tell
    assert two_pages.sections[0].text.startswith("ACME Handbook - Confidential")


def test_pdf_pages_are_sections_cited_by_page() -> None:
    data = make_pdf([["Renewal playbook", "Start 90 days early."], ["Prepare two offers."]], title="Renewals")
    document = load_document("renewals.pdf", data)
    assert document.title == "Renewals"
    assert [s.title for s in document.sections] == ["p. 1", "p. 2"]
    assert "Start 90 days early." in document.sections[0].text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("locked.pdf", encrypt_pdf(make_pdf([["secret"]])), "encrypted"),
        ("scan.pdf", make_pdf([[]]), "no text layer"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
        ("broken.docx", b"PK\x03\x04 not a zip really", "not a readable .docx"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        ("empty.md", b"   \n\n", "is empty"),
        ("headings.md", b"# Title\n\n## Empty section\n", "no text to index"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls files are not supported"),
        ("huge.txt", b"a" * (MAX_DOCUMENT_BYTES + 1), "the limit is 20 MB"),
        ("garbled.txt", b"\xff\xfe\xfd\x80" * 50, "unknown text encoding"),
    ],
)
def test_unusable_files_are_refused_with_the_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document(name, data)
    assert reason in caught.value.en
    assert caught.value.zh and caught.value.zh != caught.value.en


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _claiming_a_huge_unpacked_size(docx: bytes) -> bytes:
    """The same archive whose central directory says one member unpacks to 2 GB (a zip bomb's
    signature, without making one)."""
    at = docx.index(b"PK\x01\x02")
    return docx[: at + 24] + struct.pack("<I", 0x7FFFFFFF) + docx[at + 28 :]


PDF = make_pdf([["Renewal playbook", "Start 90 days early."]])


@pytest.mark.parametrize(
    ("name", "data", "en", "zh"),
    [
        ("notes.txt", PDF, "looks binary, not text: it is a PDF document", "PDF 文档"),
        ("notes.md", _zip({"xl/workbook.xml": b"<workbook/>"}), "it is a ZIP archive", "ZIP 压缩包"),
        ("page.html", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Office file", "旧版 Office 文件"),
        ("manual.docx", PDF, "not a readable .docx file: it is a PDF document", "PDF 文档"),
        (
            "manual.docx",
            b"# just markdown\n\ntext\n",
            "not a readable .docx file: it is not a Word",
            "不是 Word",
        ),
        (
            "manual.docx",
            _zip({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}),
            "it is an Excel workbook",
            "Excel 工作簿",
        ),
        (
            "manual.docx",
            _claiming_a_huge_unpacked_size(make_docx("T", [("H", ["x"])])),
            "unpacks to more than",
            "解压后超过",
        ),
        ("report.pdf", b"<!DOCTYPE html><html><body>Sign in</body></html>", "it is a web page", "网页"),
        ("report.pdf", b"x" * 2000 + PDF, "it has no PDF header", "PDF 文件头"),
        ("report.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it is a PNG image", "PNG 图片"),
    ],
)
def test_the_type_is_checked_by_content_not_by_the_extension(
    name: str, data: bytes, en: str, zh: str
) -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document(name, data)
    assert en in caught.value.en and zh in caught.value.zh
    assert "Save" in caught.value.en or "Export" in caught.value.en or "Share" in caught.value.en


def test_a_pdf_header_after_a_little_leading_junk_is_still_a_pdf() -> None:
    document = load_document("renewals.pdf", b"\r\n" * 10 + PDF)
    assert "Start 90 days early." in document.sections[0].text


def test_each_pair_of_a_question_and_answer_page_is_a_section_titled_by_its_question() -> None:
    text = "# 客服常见问题\n\n以下为高频问题。\n\nQ：发票多久能开？\nA：付款后 3 个工作日内开具。\n\nQ：账号被锁定怎么办？\nA：30 分钟后自动解锁。\n"
    document = load_document("faq.md", text.encode())
    assert [s.title for s in document.sections] == ["客服常见问题", "发票多久能开？", "账号被锁定怎么办？"]
    assert document.sections[0].text == "以下为高频问题。"
    assert (
        document.sections[1].text == "##### 发票多久能开？\n\n付款后 3 个工作日内开具。"
    )  # said under its question


def test_a_section_headed_by_its_question_is_a_pair_without_the_markers() -> None:
    text = "# Data FAQ\n\n## Q: How long are deleted records kept?\n\nA: 30 days in the recycle bin.\n\n## Q：能导出全部数据吗？\n\n答：可以，在设置里导出。\n\n## Limits\n\nA: is a grade, not an answer.\n"
    document = load_document("faq.md", text.encode())
    assert [s.title for s in document.sections] == [
        "How long are deleted records kept?",
        "能导出全部数据吗？",
        "Limits",
    ]
    assert (
        document.sections[0].text == "##### How long are deleted records kept?\n\n30 days in the recycle bin."
    )
    assert document.sections[2].text == "A: is a grade, not an answer."


def test_comments_and_images_of_a_markdown_page_are_not_its_text() -> None:
    text = "# Refunds\n\nApproved within 5 days.\n\n![refund flow](images/flow.png)\n<!-- TODO: check\nwith finance -->\nUse the form."
    (section,) = load_document("refunds.md", text.encode()).sections
    assert section.text == "Approved within 5 days.\n\n\n\nUse the form."
