from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

pytestmark = pytest.mark.usefixtures("clean_environment")


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert settings.home == tmp_path / "xdg" / "opsbot"
    assert settings.embedder == "e5+usem3"
    assert not settings.llm_enabled


def test_secrets_are_hidden_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-value")
    settings = load_settings()
    assert "very-secret" not in repr(settings)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-very-secret-value"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPSBOT_LLM_MODEL=qwen-plus\nOPENAI_BASE_URL=http://127.0.0.1:9/v1\n")
    settings = load_settings()
    assert settings.llm_model == "qwen-plus"
    assert settings.llm_enabled


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN"),
        ("SLACK_APP_TOKEN", "abc", "SLACK_APP_TOKEN"),
        ("SLACK_API_BASE_URL", "ftp://example", "SLACK_API_BASE_URL"),
        ("OPSBOT_WORKERS", "many", "OPSBOT_WORKERS"),
        ("OPSBOT_EMBEDDER", "bert", "OPSBOT_EMBEDDER"),
    ],
)
def test_bad_settings_get_one_line_naming_them(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert expected in message
    assert "\n" not in message
    assert value not in message or name != "SLACK_BOT_TOKEN"


def test_empty_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert not settings.llm_enabled


def test_openai_embeddings_need_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOT_EMBEDDING", "openai")
    with pytest.raises(SettingsError, match="needs OPENAI_API_KEY or OPENAI_BASE_URL"):
        load_settings()
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    assert load_settings().embedding == "openai"


def test_admins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOT_ADMINS", " U1, U2;U3 ,")
    assert load_settings().admin_ids == {"U1", "U2", "U3"}
