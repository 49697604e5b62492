"""CSV requests through the real Bolt app: a file is checked by its content, not only by its name."""

from __future__ import annotations

import json

import pytest

from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.documents import make_pdf
from tests.fakes.slack_requests import file_share_message, send_command, send_event


def _file_message(file: dict, text: str = "") -> dict:  # type: ignore[type-arg]
    return file_share_message(file, text, ts="1700000300.000100")


@pytest.mark.parametrize(
    ("content", "words", "en"),
    [
        (make_pdf([["customer,date,amount"]]), "", "orders.csv is not a CSV text file: it is a PDF document"),
        (
            b"PK\x03\x04\x14\x00\x06\x00workbook",
            "rfm",
            "orders.csv is not a CSV text file: it is a ZIP archive",
        ),
    ],
)
def test_a_binary_file_named_csv_is_refused_as_what_it_is_in_the_thread(
    running: Running, content: bytes, words: str, en: str
) -> None:
    file = running.slack.add_file("orders.csv", content, user="U123", channel="D123")
    assert send_event(running.events_url, SIGNING_SECRET, _file_message(file, words), "Ev-bin-1") == 200
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 1, timeout=30)
    running.services.jobs.drain(timeout=10)
    [reply] = running.slack.calls_to("chat.postMessage")
    text = json.dumps(reply.params, ensure_ascii=False)
    assert en in text and "save it as CSV (UTF-8)" in text
    assert reply.params["thread_ts"] == "1700000300.000100"
    assert running.slack.uploads() == []


def test_ops_rfm_on_a_pdf_renamed_csv_says_so_in_chinese(running: Running) -> None:
    running.slack.add_file("订单.csv", make_pdf([["x"]]), user="U123", channel="C123")
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "rfm 分析", running.slack.response_url("pdf")
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) >= 1, timeout=30)
    text = json.dumps(running.slack.responses[0], ensure_ascii=False)
    assert "订单.csv不是 CSV 文本文件,而是PDF 文档" in text and "另存为 CSV" in text
    assert running.slack.uploads() == []
