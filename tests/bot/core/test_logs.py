import logging

import pytest

from bot.core.config import Settings
from bot.core.logs import REDACTED, configure_logging


def test_tokens_and_configured_secrets_never_reach_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN="xoxb-111-222-abc",
        SLACK_SIGNING_SECRET="plain-signing-secret-42",
        OPENAI_API_KEY="sk-live-abcdefghijkl",
    )
    configure_logging(settings)
    log = logging.getLogger("opsbot.test")
    log.warning("token %s and secret %s", "xoxb-111-222-abc", "plain-signing-secret-42")
    log.warning("header Authorization: Bearer xoxb-999-other and key sk-live-abcdefghijkl")
    try:
        raise RuntimeError("failed with xapp-1-A0-secret")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    for secret in ("xoxb-111", "plain-signing-secret-42", "xoxb-999", "sk-live", "xapp-1-A0"):
        assert secret not in err
    assert err.count(REDACTED) >= 5
