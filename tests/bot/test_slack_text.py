from bot.slack_text import escape, strip_bot_mentions, truncate


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
