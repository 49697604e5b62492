"""Who is asking and in which language, against the local Slack's users.info."""

from __future__ import annotations

from pathlib import Path

from slack_sdk import WebClient

from bot.local.slack_api import LocalSlack
from bot.slack.files import SharedFile
from bot.slack.requests import (
    as_of_in,
    file_request_language,
    owner_for,
    reply_language,
    slack_locale_language,
)
from bot.storage.engine import create_db_engine
from bot.storage.owners import OwnerStore
from tests.conftest import BOT_TOKEN, db_url_for


def _client(slack: LocalSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.base_url)


def test_chinese_words_answer_in_chinese_whatever_the_locale(slack: LocalSlack) -> None:
    assert reply_language(_client(slack), "UEN", "关掉", "en") == "zh"
    assert slack.calls_to("users.info") == []


def test_keywords_leave_the_choice_to_the_slack_locale(slack: LocalSlack) -> None:
    slack.user_locales["UZH"] = "zh-TW"
    client = _client(slack)
    assert reply_language(client, "UZH", "done 2", "en") == "zh"
    assert reply_language(client, "UEN", "done 2", "zh") == "en"


def test_a_failed_lookup_keeps_the_fallback(slack: LocalSlack) -> None:
    slack.fail_next("users.info", 200, error="user_not_found")
    assert slack_locale_language(_client(slack), "UGONE", "zh") == "zh"


def test_file_requests_ignore_command_words_links_and_dates() -> None:
    assert file_request_language("rfm as-of 2026-11-30 <https://x.example/f.csv>") == "en"
    assert file_request_language("tier 请按公司规模分层") == "zh"
    assert file_request_language("rfm", SharedFile("F1", "订单.csv", 10, "csv", "u")) == "zh"
    assert (
        file_request_language("", SharedFile("F1", "orders.csv", 10, "csv", "u"), "客户,日期,金额\n".encode())
        == "zh"
    )


def test_the_as_of_day_is_read_in_either_language() -> None:
    assert as_of_in("rfm as-of 2026-11-30") == "2026-11-30"
    assert as_of_in("rfm 截至:2026-11-30") == "2026-11-30"
    assert as_of_in("rfm") is None


def test_a_new_owner_gets_their_profile_zone_and_no_digest(slack: LocalSlack, tmp_path: Path) -> None:
    slack.user_timezones["USH"] = "Asia/Shanghai"
    store = OwnerStore(create_db_engine(db_url_for(tmp_path)))
    owner = owner_for(store, _client(slack), "USH", "UTC")
    assert (owner.tz, owner.paused) == ("Asia/Shanghai", True)
    assert owner_for(store, _client(slack), "USH", "UTC").tz == "Asia/Shanghai"
    assert len(slack.calls_to("users.info")) == 1


def test_an_unknown_profile_zone_falls_back_to_the_default(slack: LocalSlack, tmp_path: Path) -> None:
    slack.user_timezones["UXX"] = "Mars/Olympus"
    store = OwnerStore(create_db_engine(db_url_for(tmp_path)))
    assert owner_for(store, _client(slack), "UXX", "Europe/Berlin").tz == "Europe/Berlin"
