from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.app import create_web_client


def test_web_client_retries_rate_limits_connection_and_server_errors() -> None:
    client = create_web_client("xoxb-1", "http://127.0.0.1:9/api/")
    kinds = {type(handler) for handler in client.retry_handlers}
    assert kinds == {ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler}
    assert client.base_url == "http://127.0.0.1:9/api/"
