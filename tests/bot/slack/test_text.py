import pytest

from bot.slack.text import (
    escape,
    markdown_to_mrkdwn,
    mention,
    safe_url,
    strip_bot_mentions,
    truncate,
    unescape,
)


def test_escape_neutralises_control_sequences_and_broadcasts() -> None:
    text = escape("<!channel> & <https://evil.example|docs> @here @everyone @Channel")
    assert "<" not in text and ">" not in text
    assert "&amp;" in text
    assert "@here" not in text and "@everyone" not in text and "@Channel" not in text


def test_strip_bot_mentions() -> None:
    assert strip_bot_mentions("<@UOPSBOT> how do I tier clients?") == "how do I tier clients?"
    assert strip_bot_mentions("<@UOPSBOT|opsbot>") == ""


def test_truncate_never_cuts_an_escape_in_half() -> None:
    assert truncate("abc", 10) == "abc"
    cut = truncate("x" * 8 + "&amp;" + "y" * 10, 11)
    assert cut.endswith("…")
    assert "&am" not in cut
    assert len(cut) <= 11


@pytest.mark.parametrize("text", ["请@here看一下", "@channel注意", "@everyone:", "@here.", "(@Here)"])
def test_broadcast_words_are_defused_next_to_chinese_and_punctuation(text: str) -> None:
    escaped = escape(text).lower()
    assert "@here" not in escaped and "@channel" not in escaped and "@everyone" not in escaped


def test_words_that_only_start_like_a_broadcast_are_left_alone() -> None:
    assert escape("@heresy @channels") == "@heresy @channels"


def test_only_member_ids_become_mentions() -> None:
    assert mention("U0123ABCD") == "<@U0123ABCD>" and mention("W0123ABCD") == "<@W0123ABCD>"
    assert mention("alice") == "alice"  # a command-line user name
    assert mention("B0123ABCD") == "B0123ABCD"  # a bot id
    forged = mention("U1> <!channel> <https://evil.example|docs")
    assert "<" not in forged and ">" not in forged


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        "https://",
        "https:///path",
        "https://evil.example|trusted",
        "https://a.example/x>y",
        "https://a.example/\tx",
        "https://a.example/\rx",
        "https://a.example/\x00x",
        "https://a.example/a b",
        "ftp://a.example/x",
    ],
)
def test_only_clean_http_urls_may_be_link_targets(url: str | None) -> None:
    assert safe_url(url) is None


def test_a_clean_url_is_kept_as_it_is() -> None:
    assert safe_url("https://wiki.example/sop?x=1&y=2#part") == "https://wiki.example/sop?x=1&y=2#part"


def test_unescape_reads_back_what_escape_wrote() -> None:
    text = "a < b && c > d, see <https://x.example|docs>"
    assert unescape(escape(text)) == text


def test_a_documents_markdown_links_become_slack_links_only_to_web_addresses() -> None:
    text = escape("See the [refund form](https://wiki.example.com/a?x=1&y=2) and **bold**.")
    assert (
        markdown_to_mrkdwn(text) == "See the <https://wiki.example.com/a?x=1&amp;y=2|refund form> and *bold*."
    )
    for kept in ("[run](javascript:alert(1))", "[a|b](https://example.com)", "[](https://example.com)"):
        assert markdown_to_mrkdwn(escape(kept)) == escape(kept)
