"""Metrics pulled from the team's database (a real SQLite database here) before the digests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import create_engine, text

from bot.core.metrics_sql import load_source
from bot.digest.scheduler import DigestScheduler
from bot.local.slack_api import LocalSlack
from bot.storage.engine import create_db_engine
from bot.storage.metrics import MetricStore
from bot.storage.metrics_source import pull
from bot.storage.owners import OwnerStore
from skills.errors import SkillError
from tests.conftest import BOT_TOKEN, db_url_for


def _team_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE orders (day TEXT, amount REAL, region TEXT)"))
        for back in range(1, 30):
            day = (date(2026, 11, 23) - timedelta(days=back)).isoformat()
            connection.execute(
                text("INSERT INTO orders VALUES (:d, 100, 'north'), (:d, 50, 'south')"), {"d": day}
            )
    engine.dispose()
    return url


def test_queries_fill_the_store_and_a_bad_query_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_DB", _team_database(tmp_path / "team.db"))
    config = tmp_path / "metrics.yaml"
    config.write_text(
        "url: ${TEAM_DB}\n"
        "queries:\n"
        "  销售额: SELECT day, SUM(amount) FROM orders WHERE day >= :since GROUP BY day\n"
        "  active_users: SELECT day, COUNT(*), region FROM orders WHERE day >= :since GROUP BY day, region\n"
        "  retention: SELECT nothing FROM nowhere\n",
        encoding="utf-8",
    )
    source = load_source(config)
    store = MetricStore(create_db_engine(db_url_for(tmp_path)))
    assert pull(source, store, date(2026, 11, 16)) == 7 + 14
    assert store.series("sales", date(2026, 11, 16), date(2026, 11, 22))[date(2026, 11, 22)] == 150
    assert store.series("active_users", date(2026, 11, 22), date(2026, 11, 22), client="north") == {
        date(2026, 11, 22): 1.0
    }


def test_a_bad_file_is_refused_without_repeating_the_url(tmp_path: Path) -> None:
    config = tmp_path / "metrics.yaml"
    config.write_text("url: postgresql://user:secret@db/x\n", encoding="utf-8")
    with pytest.raises(SkillError) as refused:
        load_source(config)
    assert "needs `url:`" in refused.value.en and "secret" not in refused.value.en


def test_the_scan_pulls_before_sending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAM_DB", _team_database(tmp_path / "team.db"))
    config = tmp_path / "metrics.yaml"
    config.write_text(
        "url: ${TEAM_DB}\nqueries:\n  sales: SELECT day, SUM(amount) FROM orders WHERE day >= :since GROUP BY day\n",
        encoding="utf-8",
    )
    engine = create_db_engine(db_url_for(tmp_path))
    OwnerStore(engine).ensure("USH", "Asia/Shanghai")
    slack = LocalSlack()
    client = WebClient(token=BOT_TOKEN, base_url=slack.start())
    try:
        scheduler = DigestScheduler(engine, client, "UTC", source=load_source(config))
        assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 1
        [digest] = slack.calls_to("chat.postMessage")
        assert "Sales: 150" in str(digest.params["blocks"])
    finally:
        slack.stop()
