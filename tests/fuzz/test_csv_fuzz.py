"""CSV importers (transactions, client lists, the roster, daily metrics) and the holiday calendar:
random bytes, random text in any encoding, and plausible files built from the real header names."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st

from skills.client_roster import ROSTER_ALIASES, parse_roster
from skills.clients_csv import ALIASES as CLIENT_ALIASES
from skills.clients_csv import parse_clients
from skills.metrics_csv import _HEADERS as METRIC_HEADERS
from skills.metrics_csv import parse_metrics
from skills.schedule import parse_holidays
from skills.tier_config import default_tier_config
from skills.transactions_csv import ALIASES as TRANSACTION_ALIASES
from skills.transactions_csv import parse_transactions
from tests.fuzz.support import csv_files, fuzz, hostile_text, raw_csv, result_or_refusal

CONFIG = default_tier_config()


def _names(*tables: dict[str, tuple[str, ...]]) -> list[str]:
    return sorted({name for table in tables for names in table.values() for name in names})


TRANSACTION_HEADERS = _names(TRANSACTION_ALIASES)
CLIENT_HEADERS = _names(CLIENT_ALIASES)
ROSTER_HEADERS = _names(CLIENT_ALIASES, ROSTER_ALIASES)
METRICS_HEADERS = _names(METRIC_HEADERS)
column_option = st.one_of(st.none(), st.sampled_from(TRANSACTION_HEADERS), hostile_text)


@fuzz()
@given(st.one_of(raw_csv, csv_files(TRANSACTION_HEADERS)), column_option, column_option)
@example(b"customer_id,order_date,amount\nc1,2024-01-02,inf\n", None, None)
@example(b"customer_id,order_date,amount\nc1,2024-01-02,nan\n", None, None)
def test_transaction_files(data: bytes, customer: str | None, order: str | None) -> None:
    transactions = result_or_refusal(lambda: parse_transactions(data, customer=customer, order=order))
    for transaction in transactions or []:
        assert transaction.customer and isinstance(transaction.day, date)
        assert math.isfinite(transaction.amount)


@fuzz()
@given(st.one_of(raw_csv, csv_files(CLIENT_HEADERS)))
@example(b'id,name\n1,"a\n\nb"\r2,b\n')
def test_client_lists(data: bytes) -> None:
    clients = result_or_refusal(lambda: parse_clients(data, CONFIG))
    for client in clients or []:
        assert client.id
        for value in client.values.values():
            assert not isinstance(value, float) or math.isfinite(value)


@fuzz()
@given(st.one_of(raw_csv, csv_files(ROSTER_HEADERS)))
def test_client_rosters(data: bytes) -> None:
    roster = result_or_refusal(lambda: parse_roster(data, CONFIG))
    if roster is not None:
        assert roster.clients
        for record in roster.clients:
            assert record.id and (record.arr is None or math.isfinite(record.arr))
        for en, zh in roster.warnings:
            assert en and zh


@fuzz()
@given(st.one_of(raw_csv, csv_files(METRICS_HEADERS)))
@example(b"date,metric,value\n2024-01-01,sa\rles,1\n")  # a lone CR was a csv.Error
@example(b'date,metric,value\n"' + b"x" * 200_000)  # a never-closed quote: field over the csv limit
@example(b"9" * 1000 + b"\n1\n")  # the whole header was repeated in the refusal
def test_metric_files(data: bytes) -> None:
    values = result_or_refusal(lambda: parse_metrics(data))
    for value in values or []:
        assert value.metric and math.isfinite(value.value)


holiday_lines = st.lists(
    st.one_of(st.dates().map(str), hostile_text, st.dates().map(lambda d: f"{d}  # {d:%A}")), max_size=8
)


@fuzz()
@given(st.one_of(hostile_text, holiday_lines.map("\n".join)))
def test_holiday_calendars(text: str) -> None:
    days = result_or_refusal(lambda: parse_holidays(text))
    assert days is None or all(isinstance(day, date) for day in days)
