"""Slack files: links, safe downloads (the token goes to Slack only), size limits, sign-in pages."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.local.slack_api import LocalSlack
from bot.slack.client import create_web_client
from bot.slack.files import SharedFile, allowed_download_host, download, file_id_in, latest_csv
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


class _FileHost:
    """A loopback file host that records every request and can lie about a file's size."""

    def __init__(self, body: bytes, content_length: int | None) -> None:
        self.body = body
        self.content_length = content_length
        self.requests: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                host.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                if host.content_length is None:
                    self.send_header("Connection", "close")
                else:
                    self.send_header("Content-Length", str(host.content_length))
                self.end_headers()
                with contextlib.suppress(OSError):  # the reader may stop early and hang up
                    self.wfile.write(host.body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def shared(self, name: str, declared_size: int) -> SharedFile:
        return SharedFile(
            "F1", name, declared_size, name.rsplit(".", 1)[-1], f"{self.base_url}/files-pri/F1/{name}"
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def file_host() -> Iterator[Callable[[bytes, int | None], _FileHost]]:
    hosts: list[_FileHost] = []

    def start(body: bytes, content_length: int | None) -> _FileHost:
        hosts.append(_FileHost(body, content_length))
        return hosts[-1]

    yield start
    for host in hosts:
        host.close()


def test_a_file_slack_says_is_too_large_is_never_fetched(
    file_host: Callable[[bytes, int | None], _FileHost],
) -> None:
    host = file_host(b"x" * 10, 10)
    client = create_web_client("xoxb-test", f"{host.base_url}/api/")
    with pytest.raises(SkillError) as caught:
        download(client, host.shared("orders.csv", 5 * 1024 * 1024), max_bytes=1024 * 1024)
    assert host.requests == []
    assert "5.2 MB; files from Slack are limited to 1 MB" in caught.value.en
    assert "opsbot rfm FILE" in caught.value.en and "导出更短的时间段" in caught.value.zh


def test_a_lying_content_length_is_refused_before_the_body_is_read(
    file_host: Callable[[bytes, int | None], _FileHost],
) -> None:
    host = file_host(b"x" * 10, 50 * 1024 * 1024)
    client = create_web_client("xoxb-test", f"{host.base_url}/api/")
    with pytest.raises(SkillError, match="larger than 1 MB, the limit for files from Slack"):
        download(client, host.shared("orders.csv", 10), max_bytes=1024 * 1024)
    assert len(host.requests) == 1


def test_a_stream_without_a_length_stops_at_the_limit(
    file_host: Callable[[bytes, int | None], _FileHost],
) -> None:
    host = file_host(b"y" * (3 * 1024 * 1024), None)
    client = create_web_client("xoxb-test", f"{host.base_url}/api/")
    with pytest.raises(SkillError) as caught:
        download(client, host.shared("guide.docx", 0), max_bytes=1024 * 1024)
    assert "larger than 1 MB" in caught.value.en and "Split it into smaller files" in caught.value.en
    assert "请拆分成较小的文件" in caught.value.zh


def test_a_file_within_the_limit_without_a_length_is_read_whole(
    file_host: Callable[[bytes, int | None], _FileHost],
) -> None:
    host = file_host(b"z" * 700_000, None)
    client = create_web_client("xoxb-test", f"{host.base_url}/api/")
    assert download(client, host.shared("a.csv", 0), max_bytes=1024 * 1024) == b"z" * 700_000


@pytest.mark.parametrize("size", ["big", None, -5, [1]])
def test_a_missing_or_odd_size_from_slack_is_zero(size: object) -> None:
    assert SharedFile.from_slack({"id": "F1", "name": "a.csv", "size": size}).size == 0
