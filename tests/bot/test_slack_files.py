"""Slack files: links, safe downloads (the token goes to Slack only), size limits, sign-in pages."""

from __future__ import annotations

import pytest

from bot.app import create_web_client
from bot.local_slack import LocalSlack
from bot.slack_files import SharedFile, allowed_download_host, download, file_id_in, latest_csv
from skills.errors import SkillError


def test_file_ids_come_from_links_or_bare_ids() -> None:
    assert file_id_in("rfm <https://acme.slack.com/files/U1/F0ABCDEF12/q1.csv>") == "F0ABCDEF12"
    assert file_id_in("rfm F0ABCDEF12 as-of 2024-01-01") == "F0ABCDEF12"
    assert file_id_in("rfm as-of 2024-01-01") is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.csv", True),
        ("https://slack.com/x", True),
        ("http://files.slack.com/files-pri/a.csv", False),
        ("https://files.slack.com.evil.example/a.csv", False),
        ("https://evil.example/slack.com/a.csv", False),
        ("http://127.0.0.1:9/files-pri/F1/a.csv", True),
    ],
)
def test_the_token_is_only_sent_to_slack(url: str, allowed: bool) -> None:
    assert allowed_download_host(url, "http://127.0.0.1:9/api/") is allowed


def test_download_refuses_other_hosts_without_contacting_them() -> None:
    client = create_web_client("xoxb-test", "http://127.0.0.1:9/api/")
    shared = SharedFile("F1", "a.csv", 10, "csv", "https://evil.example/a.csv")
    with pytest.raises(SkillError, match="no Slack download link"):
        download(client, shared)


def test_download_reads_the_file_with_the_bot_token(slack: LocalSlack) -> None:
    data = slack.add_file("订单.csv", "客户,日期,金额\n".encode())
    client = create_web_client("xoxb-test", slack.base_url)
    assert download(client, SharedFile.from_slack(data)) == "客户,日期,金额\n".encode()


def test_oversized_files_are_refused_before_and_while_downloading(slack: LocalSlack) -> None:
    data = slack.add_file("big.csv", b"x" * 2048)
    client = create_web_client("xoxb-test", slack.base_url)
    with pytest.raises(SkillError, match="files from Slack are limited to"):
        download(client, SharedFile.from_slack(data), max_bytes=1024)
    understated = SharedFile.from_slack({**data, "size": 10})
    with pytest.raises(SkillError, match="larger than"):
        download(client, understated, max_bytes=1024)


def test_a_sign_in_page_instead_of_the_file_is_explained(slack: LocalSlack) -> None:
    data = slack.add_file("a.csv", b"customer,date,amount\n")
    client = create_web_client("not-a-bot-token", slack.base_url)
    with pytest.raises(SkillError, match="files:read"):
        download(client, SharedFile.from_slack(data))


def test_latest_csv_is_the_newest_csv_the_user_shared_in_the_channel(slack: LocalSlack) -> None:
    slack.add_file("old.csv", b"a", user="U1", channel="C1")
    slack.add_file("new.csv", b"b", user="U1", channel="C1")
    slack.add_file("deck.pdf", b"c", user="U1", channel="C1")
    slack.add_file("other.csv", b"d", user="U2", channel="C1")
    client = create_web_client("xoxb-test", slack.base_url)
    found = latest_csv(client, "C1", "U1")
    assert found is not None and found.name == "new.csv"
    assert latest_csv(client, "C9", "U1") is None
