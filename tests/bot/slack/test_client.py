"""The Web API client: which failures it retries itself, and where it sends its calls."""

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.client import create_web_client


def test_web_client_retries_rate_limits_connection_and_server_errors() -> None:
    client = create_web_client("xoxb-1", "http://127.0.0.1:9/api/")
    kinds = {type(handler) for handler in client.retry_handlers}
    assert kinds == {ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler}
    assert client.base_url == "http://127.0.0.1:9/api/"


def test_the_schedulers_client_leaves_server_errors_to_the_delivery_log() -> None:
    client = create_web_client("xoxb-1", None, scheduled=True)
    kinds = {type(handler) for handler in client.retry_handlers}
    assert kinds == {ConnectionErrorRetryHandler, RateLimitErrorRetryHandler}
    assert client.base_url == "https://slack.com/api/"
