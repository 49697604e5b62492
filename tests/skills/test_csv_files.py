"""Shared CSV helpers: spreadsheet-safe export cells, and binary files refused by their content."""

from __future__ import annotations

import csv
import io

import pytest

from skills.csv_files import (
    binary_format,
    decode,
    delimiter_of,
    refuse_binary,
    spreadsheet_cell,
    spreadsheet_csv,
)
from skills.errors import SkillError


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        " =1+1",
        "\n@cmd",
        "-",
        "-12.5abc",
        "-1+1",
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(cell: str) -> None:
    assert spreadsheet_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    ["-12.5", "+3", "-1,234.50", "-.5", "-1e-3", "-5%", "Acme", "华星科技", "", "a=b", "user@example.com"],
)
def test_numbers_and_plain_text_are_written_as_they_are(cell: str) -> None:
    assert spreadsheet_cell(cell) == cell


@pytest.mark.parametrize("value", [-12.5, 3, 0.0])
def test_numbers_stay_numbers(value: float) -> None:
    assert spreadsheet_cell(value) == value


def test_none_is_an_empty_cell() -> None:
    assert spreadsheet_cell(None) == ""


def test_every_cell_of_an_export_is_safe_and_negative_numbers_read_back_as_numbers() -> None:
    text = spreadsheet_csv(["name", "delta"], [["=cmd", -12.5], ["Acme", "-3"], ['@x,"y"', "+1+1"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "delta"], ["'=cmd", "-12.5"], ["Acme", "-3"], ['\'@x,"y"', "'+1+1"]]


@pytest.mark.parametrize(
    ("data", "en", "zh"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document", "PDF 文档"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive", "ZIP 压缩包"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "old Office file", "旧版 Office"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image", "PNG 图片"),
        (b"\xef\xbb\xbf%PDF-1.4\n", "PDF", "PDF"),
    ],
)
def test_binary_formats_are_known_by_their_first_bytes(data: bytes, en: str, zh: str) -> None:
    kind = binary_format(data)
    assert kind is not None and en in kind[0] and zh in kind[1]


def test_text_is_not_binary() -> None:
    assert binary_format("客户,日期,金额\nAcme,2024-01-01,10\n".encode()) is None
    assert binary_format(b"customer,date,amount\n%PDF-1.4 is a column value,2024-01-01,1\n") is None
    refuse_binary(b"customer,date,amount\n")


def test_a_pdf_renamed_csv_is_refused_as_a_pdf_not_read_as_text() -> None:
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"  # no NUL byte: decodes as text
    with pytest.raises(SkillError) as caught:
        decode(pdf)
    assert "not a CSV text file: it is a PDF document" in caught.value.en
    assert "save it as CSV (UTF-8)" in caught.value.en
    assert "PDF 文档" in caught.value.zh and "另存为 CSV" in caught.value.zh


def test_the_refusal_names_the_file_when_it_is_known() -> None:
    with pytest.raises(SkillError) as caught:
        refuse_binary(b"PK\x03\x04rest", "orders.csv")
    assert caught.value.en.startswith("orders.csv is not a CSV text file")
    assert caught.value.zh.startswith("orders.csv不是 CSV 文本文件")


def test_unknown_binary_is_still_refused_by_its_nul_bytes() -> None:
    with pytest.raises(SkillError, match="binary data"):
        decode(b"abc\x00def")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("客户,日期,金额\n华星科技,2024-01-01,10\n明远,2024-01-02,20\n", "gb18030"),
        ("客戶,日期,金額\n華星科技,2024-01-01,10\n明遠,2024-01-02,20\n", "big5"),
        ("Kunde;Datum;Betrag\nMüller GmbH;2024-01-01;12,50\nCafé Zoë;2024-01-02;1.234,56\n", "cp1252"),
        ("name,amount\nJosé,10\n", "cp1252"),
        ("客户,金额\n甲,10\n", "gb18030"),
    ],
)
def test_files_teams_export_are_read_in_their_own_encoding(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)) == text


def test_utf8_wins_whenever_the_bytes_are_utf8() -> None:
    assert decode("\ufeffname\nZoë\n".encode()) == "name\nZoë\n"


def test_the_delimiter_is_the_one_the_rows_are_split_by() -> None:
    assert delimiter_of("a;b\n1,5;2\n3,5;4\n") == ";"
    assert delimiter_of("a,b\n1,2\n") == ","
    assert delimiter_of("just one column\n1\n") == ","
