import logging
from pathlib import Path

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


def test_at_a_terminal_the_log_goes_to_the_file_and_warnings_show_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-111-222-abc")  # type: ignore[call-arg]
    log_file = tmp_path / "logs" / "opsbot.log"
    configure_logging(settings, log_file)
    log = logging.getLogger("opsbot.test")
    log.info("indexing the playbook")
    try:
        raise RuntimeError("failed with xoxb-111-222-abc")
    except RuntimeError:
        log.error("the import failed (reference abc123)", exc_info=True)
    assert capsys.readouterr().err == "opsbot: the import failed (reference abc123)\n"
    logged = log_file.read_text(encoding="utf-8")
    assert "indexing the playbook" in logged and "Traceback" in logged
    assert "xoxb-111" not in logged and REDACTED in logged
