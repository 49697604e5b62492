"""`/ops health` (健康度) through the real Bolt app: the asker's clients, one client with its chart."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.storage.clients import ClientStore
from bot.storage.health import HealthStore
from bot.storage.metrics import MetricStore
from skills.client_roster import ClientRecord
from skills.health import ClientHealth
from skills.metrics_csv import MetricValue
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_command


def _health(running: Running, text: str, user: str = "U123") -> str:
    before = len(running.slack.responses)
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", text, running.slack.response_url("h"), user=user
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    return json.dumps(running.slack.responses[before], ensure_ascii=False)


def _roster(running: Running) -> date:
    today = date.today()
    engine = running.services.owners.engine
    ClientStore(engine).save(
        [
            ClientRecord("C1", "华星科技", 300000, today + timedelta(days=300), "U123", {}, True),
            ClientRecord("C2", "Acme <!channel>", 50000, today + timedelta(days=300), "U777"),
        ]
    )
    MetricStore(engine).save(
        [
            MetricValue(today - timedelta(days=back), "active_users", 40.0 if back <= 30 else 100.0, "C1")
            for back in range(1, 91)
        ]
    )
    return today


def test_the_askers_clients_worst_first_and_everyone_elses_for_a_non_owner(running: Running) -> None:
    _roster(running)
    mine = _health(running, "健康度")
    assert '"response_type": "ephemeral"' in mine
    assert "*你的客户*(从最差的开始)" in mine and "华星科技" in mine and "Acme" not in mine
    everyone = _health(running, "health", user="U555")
    assert "*All clients* (worst first)" in everyone and "Acme &lt;!channel&gt;" in everyone


def test_one_client_with_its_reasons_and_its_score_over_time_in_the_dm(running: Running) -> None:
    today = _roster(running)
    recorded = ClientHealth("C1", "华星科技", "U123", 90, "green", ())
    HealthStore(running.services.owners.engine).record(today - timedelta(days=7), [recorded])
    detail = _health(running, "health 华星科技有限公司")
    assert "华星科技" in detail and "关键联系人已更换" in detail and "活跃下降 60%" in detail
    assert running.slack.wait_for(lambda s: len(s.uploads()) == 1, timeout=30)
    assert running.slack.uploads()[0].channels == ["DU123"]
    assert "There is no client" in _health(running, "health Nobody Inc")
