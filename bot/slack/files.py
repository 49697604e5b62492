"""Files in Slack: finding the CSV a user shared, downloading it safely, and sharing charts and exports.

The bot token is sent only to Slack's own file hosts (or to the configured API host, for local
Slack stand-ins): a file URL taken from a message must never leak the token elsewhere.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from skills.errors import SkillError

MAX_SLACK_FILE_BYTES = 20 * 1024 * 1024
"""20 MB from Slack (about 400,000 transactions); larger files: use `opsbot rfm` on the command line."""
RECENT_FILE_SECONDS = 24 * 3600
_CHUNK_BYTES = 256 * 1024
_FILE_LINK = re.compile(r"/files/[A-Z0-9]+/(F[A-Z0-9]+)")
_FILE_ID = re.compile(r"\b(F[A-Z0-9]{8,})\b")
_SLACK_FILE_HOSTS = ("slack.com", "slack-files.com", "slack-edge.com")


@dataclass(frozen=True)
class SharedFile:
    id: str
    name: str
    size: int
    filetype: str
    url: str
    permalink: str | None = None

    @classmethod
    def from_slack(cls, data: dict[str, Any]) -> SharedFile:
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name") or data.get("title") or "file"),
            size=_size(data.get("size")),
            filetype=str(data.get("filetype") or "").lower(),
            url=str(data.get("url_private_download") or data.get("url_private") or ""),
            permalink=str(data["permalink"]) if data.get("permalink") else None,
        )

    @property
    def is_csv(self) -> bool:
        return self.filetype in ("csv", "tsv") or self.name.lower().endswith((".csv", ".tsv", ".txt"))


def _size(value: object) -> int:
    """Slack's declared size, 0 when missing or not a number (the download cap still applies)."""
    try:
        return max(int(value), 0) if isinstance(value, (int, float, str)) else 0
    except ValueError:
        return 0


def file_id_in(text: str) -> str | None:
    """The file id of a Slack file link (or a bare F… id) in a command's text, if any."""
    match = _FILE_LINK.search(text) or _FILE_ID.search(text)
    return match.group(1) if match else None


def file_info(client: WebClient, file_id: str) -> SharedFile:
    try:
        return SharedFile.from_slack(client.files_info(file=file_id)["file"])
    except SlackApiError as error:
        raise SkillError(
            f"I can't open that file ({error.response.get('error')}). Share it in this conversation first.",
            f"打不开这个文件({error.response.get('error')}),请先把它分享到当前会话。",
        ) from None


def latest_csv(client: WebClient, channel: str, user: str) -> SharedFile | None:
    """The newest CSV `user` shared in `channel` in the last day: what `/ops rfm` means by 'this file'."""
    return latest_file(client, channel, user, lambda shared: shared.is_csv)


def latest_file(
    client: WebClient, channel: str, user: str, accept: Callable[[SharedFile], bool]
) -> SharedFile | None:
    """The newest file `user` shared in `channel` in the last day that `accept` takes."""
    since = int(time.time()) - RECENT_FILE_SECONDS
    try:
        listing = client.files_list(channel=channel, user=user, ts_from=since, count=20)
    except SlackApiError:
        return None
    for data in listing.get("files") or []:
        shared = SharedFile.from_slack(data)
        if accept(shared):
            return shared
    return None


def allowed_download_host(url: str, api_base_url: str) -> bool:
    host = urlparse(url).hostname or ""
    if urlparse(url).scheme == "https" and any(
        host == known or host.endswith("." + known) for known in _SLACK_FILE_HOSTS
    ):
        return True
    api_host = urlparse(api_base_url).hostname
    return api_host is not None and host == api_host


def download(client: WebClient, shared: SharedFile, max_bytes: int = MAX_SLACK_FILE_BYTES) -> bytes:
    """The file's bytes, or SkillError saying why not (too large, not reachable, not a file).

    The size is checked three times, and only the last check counts on its own: Slack's `size` in
    the file object (refused before any byte is fetched), the Content-Length of the answer, and the
    bytes actually read, which stop at `max_bytes` whatever the other two said."""
    if shared.size > max_bytes:
        raise _too_large(shared, max_bytes, shared.size)
    if not shared.url or not allowed_download_host(shared.url, client.base_url):
        raise SkillError(
            f"{shared.name} has no Slack download link I can use.",
            f"{shared.name} 没有可用的 Slack 下载链接。",
        )
    url = quote(shared.url, safe=":/?&=%#+@;,~")  # Slack's URLs are ASCII already; be safe if not
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            content_type = response.headers.get("Content-Type", "")
            declared = _content_length(response.headers.get("Content-Length"))
            if declared is not None and declared > max_bytes:
                raise _too_large(shared, max_bytes, None)
            data = _read_capped(response, max_bytes)
    except (urllib.error.URLError, TimeoutError, OSError):
        raise SkillError(
            f"Downloading {shared.name} from Slack failed; please try again in a minute.",
            f"从 Slack 下载 {shared.name} 失败,请稍后再试。",
        ) from None
    if data is None:
        raise _too_large(shared, max_bytes, None)
    if content_type.startswith("text/html") and not shared.name.lower().endswith((".html", ".htm")):
        # Slack answers a request it does not accept with its sign-in page, not with an error status.
        raise SkillError(
            f"Slack did not let me download {shared.name}: the app needs the files:read scope.",
            f"Slack 不允许我下载 {shared.name}:应用需要 files:read 权限。",
        )
    return data


def _content_length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _read_capped(response: Any, max_bytes: int) -> bytes | None:
    """Read in chunks and stop once past `max_bytes` (None): a file larger than it claimed is never
    held in memory whole."""
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read(_CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(shared: SharedFile, max_bytes: int, size: int | None) -> SkillError:
    """The refusal for an oversized file: the limit, and what to do instead (CSV exports and
    documents each have their own way out). `size`: what Slack's file object said; None when the
    download itself ran past the limit (a size that was missing or wrong)."""
    limit_mb = max_bytes // 1024 // 1024
    if shared.filetype in ("csv", "tsv") or shared.name.lower().endswith((".csv", ".tsv")):
        advice_en = (
            "Export a shorter period (or fewer columns) and share that, or run the command on the "
            "command line (`opsbot rfm FILE`, `opsbot tier FILE`, `opsbot clients import FILE`), which "
            "reads larger files."
        )
        advice_zh = (
            "请导出更短的时间段(或更少的列)再分享,或在命令行运行(`opsbot rfm 文件`、`opsbot tier 文件`、"
            "`opsbot clients import 文件`),命令行可读取更大的文件。"
        )
    else:
        advice_en = "Split it into smaller files and share those."
        advice_zh = "请拆分成较小的文件后再分享。"
    if size is not None:
        return SkillError(
            f"{shared.name} is {size / 1e6:.1f} MB; files from Slack are limited to {limit_mb} MB. {advice_en}",
            f"{shared.name} 有 {size / 1e6:.1f} MB,从 Slack 读取的文件上限为 {limit_mb} MB。{advice_zh}",
        )
    return SkillError(
        f"{shared.name} is larger than {limit_mb} MB, the limit for files from Slack. {advice_en}",
        f"{shared.name} 超过从 Slack 读取文件的上限 {limit_mb} MB。{advice_zh}",
    )


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    title: str


def share_files(
    client: WebClient,
    channel: str,
    uploads: Sequence[Upload],
    comment: str,
    thread_ts: str | None = None,
) -> str | None:
    """Share files in a channel (or thread); None on success, else Slack's error code, so the caller
    can tell the user why the chart is missing instead of failing the whole reply."""
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            initial_comment=comment,
            file_uploads=[
                {"content": upload.content, "filename": upload.filename, "title": upload.title}
                for upload in uploads
            ],
        )
    except SlackApiError as error:
        return str(error.response.get("error") or "error")
    return None


def share_in_dm(client: WebClient, user: str, upload: Upload, comment: str) -> str | None:
    """Share a file in the person's DM with opsbot (a chart that is theirs alone); None on success,
    else Slack's error code (the DM could not be opened, or the upload failed)."""
    try:
        dm = client.conversations_open(users=user)["channel"]["id"]
    except SlackApiError as error:
        return str(error.response.get("error") or "error")
    return share_files(client, dm, [upload], comment)
