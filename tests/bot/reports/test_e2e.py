"""Ops math through the real Bolt app: `/funnel`, `/ops rfm`, `/ops tier` and CSVs shared in a DM."""

from __future__ import annotations

import csv
import io
import json

from bot.local.slack_api import LocalSlack
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import file_share_message, send_command, send_event

TRANSACTIONS = (
    "customer_id,order_date,amount\n"
    "alice,2024-03-01,120\nalice,2024-03-20,80\nbob,2024-01-05,40\n"
    "carol,2024-03-30,500\ncarol,2024-02-11,260\ncarol,2024-03-02,90\n"
    "=cmd|calc,2024-02-01,15\n"
)
CLIENTS = (
    "客户编号,客户名称,订单金额,企业规模,毛利率,产品数,合作年限,转介绍数,品牌,逾期天数,增长率\n"
    "A01,华星科技,120万,3000,42%,4,6,3,上市,0,25%\n"
    "A02,北辰物流,500万,20000,38%,6,9,6,世界500强,45,35%\n"
    "A03,小蚂蚁工作室,3万,12,15%,1,1,0,无,0,-5%\n"
)


def _responses(slack: LocalSlack, count: int) -> list[dict]:  # type: ignore[type-arg]
    assert slack.wait_for(lambda s: len(s.responses) >= count, timeout=30), slack.responses
    return slack.responses


def _uploads(slack: LocalSlack, count: int) -> list:  # type: ignore[type-arg]
    assert slack.wait_for(lambda s: len(s.uploads()) >= count, timeout=30), slack.uploads()
    return slack.uploads()


def _text(payload: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(payload, ensure_ascii=False)


def test_funnel_shares_a_chart_in_the_channel(running: Running) -> None:
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/funnel", "500w sales / 5% customers / 80% downloads", ""
    )
    assert status == 200
    [chart] = _uploads(running.slack, 1)
    assert chart.content.startswith(b"\x89PNG")
    assert chart.channels == ["C123"] and chart.name == "funnel.png"


def test_ops_rfm_reads_the_csv_the_user_just_shared(running: Running) -> None:
    running.slack.add_file("orders.csv", TRANSACTIONS.encode("utf-8"), user="U123", channel="C123")
    status, body = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "rfm", running.slack.response_url("rfm")
    )
    assert status == 200 and "Reading your file" in body
    [report] = _responses(running.slack, 1)
    text = _text(report)
    assert "4 customers, as of 2024-03-31" in text
    assert "Important value" in text and "Champions" in text
    chart, export = _uploads(running.slack, 2)
    assert chart.content.startswith(b"\x89PNG") and chart.channels == ["C123"]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["customer", "recency_days", "frequency", "monetary"]
    customers = {row[0]: row for row in rows[1:]}
    assert customers["carol"][1:4] == ["1", "3", "850.0"]
    assert "'=cmd|calc" in customers, "formula-like customer ids are escaped for spreadsheets"


def test_ops_rfm_follows_a_file_link_and_as_of(running: Running) -> None:
    shared = running.slack.add_file("q1.csv", TRANSACTIONS.encode("utf-8"), user="U999", channel="C777")
    link = f"<https://acme.slack.com/files/U999/{shared['id']}/q1.csv>"
    send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        f"rfm {link} as-of 2024-04-30",
        running.slack.response_url("r"),
    )
    [report] = _responses(running.slack, 1)
    assert "as of 2024-04-30" in _text(report)


def test_ops_rfm_without_a_file_says_how_to_share_one(running: Running) -> None:
    send_command(running.events_url, SIGNING_SECRET, "/ops", "rfm", running.slack.response_url("none"))
    [reply] = _responses(running.slack, 1)
    assert "transaction CSV" in _text(reply)
    assert running.slack.uploads() == []


def test_ops_tier_scores_a_chinese_client_list_and_shows_the_veto(running: Running) -> None:
    running.slack.add_file("客户清单.csv", CLIENTS.encode("gb18030"), user="U123", channel="C123")
    send_command(running.events_url, SIGNING_SECRET, "/ops", "分层", running.slack.response_url("tier"))
    [report] = _responses(running.slack, 1)
    text = _text(report)
    assert "3 位客户" in text
    assert "北辰物流: 逾期 45 天,等级封顶为普通客户" in text
    assert "资深客户成功经理" in text
    chart, export = _uploads(running.slack, 2)
    assert chart.name == "客户清单-tiers.png" and chart.content.startswith(b"\x89PNG")
    rows = {row[0]: row for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert rows["A02"][3:5] == ["regular", "ka"], "overdue caps a KA-scoring client at regular"


def test_a_bad_file_is_explained_and_nothing_is_shared(running: Running) -> None:
    running.slack.add_file("wrong.csv", "姓名,城市\n张三,上海\n".encode(), user="U123", channel="C123")
    send_command(running.events_url, SIGNING_SECRET, "/ops", "rfm 分析", running.slack.response_url("bad"))
    [reply] = _responses(running.slack, 1)
    text = _text(reply)
    assert "找不到这些列" in text and "姓名, 城市" in text
    assert "Traceback" not in text
    assert running.slack.uploads() == []


def test_a_csv_sent_in_a_dm_is_analysed_in_its_thread(running: Running) -> None:
    file = running.slack.add_file("orders.csv", TRANSACTIONS.encode("utf-8"), user="U123", channel="D123")
    assert (
        send_event(running.events_url, SIGNING_SECRET, file_share_message(file, "rfm please"), "Ev-dm-1")
        == 200
    )
    chart, export = _uploads(running.slack, 2)
    assert chart.thread_ts == "1700000100.000100" and chart.channels == ["D123"]
    assert export.thread_ts == chart.thread_ts and export.name == "orders-rfm-customers.csv"
    posts = running.slack.calls_to("chat.postMessage")
    assert any("4 customers" in _text(call.params) for call in posts)


def test_a_client_list_without_words_is_recognised_by_its_columns(running: Running) -> None:
    file = running.slack.add_file("clients.csv", CLIENTS.encode("utf-8"), user="U123", channel="D123")
    send_event(running.events_url, SIGNING_SECRET, file_share_message(file), "Ev-dm-2")
    chart, export = _uploads(running.slack, 2)
    assert (chart.name, export.name) == ("clients-tiers.png", "clients-tiers.csv")


def test_a_spreadsheet_that_is_not_csv_is_refused_in_the_thread(running: Running) -> None:
    file = running.slack.add_file("orders.xlsx", b"PK\x03\x04 ...", user="U123", channel="D123")
    send_event(running.events_url, SIGNING_SECRET, file_share_message(file, "rfm"), "Ev-dm-3")
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 1, timeout=30)
    [reply] = running.slack.calls_to("chat.postMessage")
    assert "I can't use orders.xlsx" in _text(reply.params)
    assert running.slack.uploads() == []


def test_when_the_bot_cannot_post_in_the_channel_the_user_is_told_how_to_fix_it(running: Running) -> None:
    running.slack.add_file("orders.csv", TRANSACTIONS.encode("utf-8"), user="U123", channel="C123")
    running.slack.fail_next("files.completeUploadExternal", 200, error="not_in_channel")
    send_command(running.events_url, SIGNING_SECRET, "/ops", "rfm", running.slack.response_url("x"))
    report, note = _responses(running.slack, 2)
    assert "4 customers" in _text(report)
    assert "not_in_channel" in _text(note) and "/invite @opsbot" in _text(note)
