"""`/ops clients` and `/ops renewal` through the real Bolt app, against the loopback Slack API."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.local.slack_api import LocalSlack
from bot.storage.metrics import MetricStore
from skills.metrics_csv import MetricValue
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_command

ROSTER = (
    "客户编号,客户名称,年合同额,合同到期日,负责人,关键联系人变更,竞品压力\n"
    "C1,华星科技,300000,2027-01-15,U123,是,友商报价低 20%\n"
    "C2,Acme <!channel>,50000,2027-06-30,U123,no,\n"
)


def _reply(slack: LocalSlack, count: int) -> str:
    assert slack.wait_for(lambda s: len(s.responses) >= count, timeout=30), slack.responses
    return json.dumps(slack.responses[count - 1], ensure_ascii=False)


def _import(running: Running) -> str:
    running.slack.admins.add("U123")
    running.slack.add_file("clients.csv", ROSTER.encode("gb18030"), user="U123", channel="C123")
    send_command(running.events_url, SIGNING_SECRET, "/ops", "clients", running.slack.response_url("c"))
    return _reply(running.slack, 1)


def test_an_admin_imports_the_roster_from_a_shared_csv(running: Running) -> None:
    assert "已导入 2 个客户:新增 2,更新 0" in _import(running)


def test_only_admins_import(running: Running) -> None:
    running.slack.add_file("clients.csv", ROSTER.encode("utf-8"), user="U555", channel="C123")
    send_command(
        running.events_url, SIGNING_SECRET, "/ops", "clients", running.slack.response_url("c"), user="U555"
    )
    assert "can import the client list" in _reply(running.slack, 1)


def test_the_renewal_brief_is_private_and_its_chart_goes_to_the_dm(running: Running) -> None:
    _import(running)
    today = date.today()
    MetricStore(running.services.owners.engine).save(
        [
            MetricValue(today - timedelta(days=back), "active_users", 40.0 if back <= 30 else 100.0, "C1")
            for back in range(1, 91)
        ]
    )
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "续约 华星", running.slack.response_url("r")
    )
    assert status == 200
    brief = _reply(running.slack, 2)
    assert '"response_type": "ephemeral"' in brief
    assert "续约简报: 华星科技" in brief and "`usage_decline`" in brief and "`key_contact_changed`" in brief
    assert "友商报价低 20%" in brief and "给决策人的消息草稿" in brief
    assert running.slack.wait_for(lambda s: len(s.uploads()) == 1, timeout=30)
    assert running.slack.uploads()[0].channels == ["DU123"]


def test_client_text_is_escaped_and_an_unknown_client_gets_suggestions(running: Running) -> None:
    _import(running)
    send_command(running.events_url, SIGNING_SECRET, "/ops", "renewal Acme", running.slack.response_url("a"))
    brief = _reply(running.slack, 2)
    assert "<!channel>" not in brief and "&lt;!channel&gt;" in brief
    send_command(running.events_url, SIGNING_SECRET, "/ops", "renewal Acne", running.slack.response_url("b"))
    assert "There is no client 'Acne'. Did you mean: Acme &lt;!channel&gt;?" in _reply(running.slack, 3)
