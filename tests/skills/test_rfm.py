from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.errors import SkillError
from skills.rfm import SEGMENTS, Transaction, grid_segment, quintile_scores, segment_rfm
from skills.transactions_csv import parse_transactions

SAMPLE = (
    "customer_id,order_date,amount,order_id\n"
    "A,2024-01-01,100,o1\n"
    "A,2024-01-05,50,o2\n"
    "B,2024-01-03,500,o3\n"
    "C,2023-12-01,20,o4\n"
    'D,2024-01-04,"¥1,200.00",o5\n'
)


def test_exact_segments_for_a_small_file() -> None:
    result = segment_rfm(parse_transactions(SAMPLE.encode()))
    assert result.as_of == date(2024, 1, 6)
    by_id = {c.customer: c for c in result.customers}
    assert [(c.recency, c.frequency, c.monetary) for c in by_id.values()] == [
        (1, 2, 150),
        (3, 1, 500),
        (36, 1, 20),
        (2, 1, 1200),
    ]
    # B, C and D bought once each: equal frequency, equal F whatever their ids.
    assert {k: (c.r, c.f) for k, c in by_id.items()} == {"A": (5, 5), "B": (2, 2), "C": (1, 2), "D": (4, 2)}
    assert {k: c.segment8 for k, c in by_id.items()} == {
        "A": "general_value",
        "B": "important_develop",
        "C": "general_retain",
        "D": "important_develop",
    }
    assert {k: c.segment for k, c in by_id.items()} == {
        "A": "champions",
        "B": "hibernating",
        "C": "hibernating",
        "D": "potential_loyalist",
    }
    payload = result.as_json()
    assert payload["customers"] == 4
    assert payload["segments8"]["important_develop"] == {"count": 2, "share": 0.5}  # type: ignore[index]


def test_frequency_counts_distinct_orders_when_present() -> None:
    rows = [Transaction("A", date(2024, 1, 1), 10, "o1"), Transaction("A", date(2024, 1, 1), 5, "o1")]
    assert segment_rfm(rows).customers[0].frequency == 1
    rows = [Transaction("A", date(2024, 1, 1), 10), Transaction("A", date(2024, 1, 1), 5)]
    assert segment_rfm(rows).customers[0].frequency == 2


def test_values_equal_to_the_mean_are_not_above_it() -> None:
    rows = [Transaction(c, date(2024, 1, 1), 10) for c in "ABC"]
    assert {c.segment8 for c in segment_rfm(rows).customers} == {"general_retain"}


def test_quintiles_follow_the_documented_formula() -> None:
    scores = quintile_scores({f"c{i:02d}": i for i in range(10)})
    assert list(scores.values()) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores({"b": 1, "a": 1, "c": 1}) == {"a": 3, "b": 3, "c": 3}
    assert quintile_scores({"a": 1, "b": 1, "c": 2, "d": 9}) == {"a": 2, "b": 2, "c": 4, "d": 5}


def test_five_identical_customers_share_one_segment() -> None:
    same = [Transaction(f"c{i}", date(2024, 3, 1), 100.0) for i in range(5)]
    result = segment_rfm(same, as_of=date(2024, 3, 10))
    assert {(c.r, c.f, c.m) for c in result.customers} == {(3, 3, 3)}
    assert len({c.segment for c in result.customers}) == 1


@given(st.dictionaries(st.text(max_size=3), st.integers(-5, 5), min_size=1, max_size=40))
def test_equal_values_score_equally_and_better_never_scores_lower(keys: dict[str, int]) -> None:
    scores = quintile_scores(keys)
    assert set(scores.values()) <= {1, 2, 3, 4, 5}
    for a in keys:
        for b in keys:
            if keys[a] == keys[b]:
                assert scores[a] == scores[b]
            elif keys[a] > keys[b]:
                assert scores[a] >= scores[b]


def test_grid_covers_every_cell_once() -> None:
    assert {grid_segment(r, f) for r in range(1, 6) for f in range(1, 6)} == set(SEGMENTS)
    assert grid_segment(5, 5) == "champions" and grid_segment(1, 5) == "cant_lose_them"


def test_chinese_headers_and_gbk_encoding() -> None:
    text = "客户,下单日期,实付\n张三,2024/03/01,¥88\n李四,2024年3月2日,12.5元\n"
    rows = parse_transactions(text.encode("gb18030"))
    assert [(t.customer, t.day, t.amount) for t in rows] == [
        ("张三", date(2024, 3, 1), 88.0),
        ("李四", date(2024, 3, 2), 12.5),
    ]
    assert parse_transactions(("\ufeff" + text).encode("utf-8"))[0].customer == "张三"


def test_a_european_semicolon_export_reads_decimal_commas_at_their_scale() -> None:
    text = "Kunde;Datum;Betrag\nMüller GmbH;2024.03.01;12,50\nCafé Zoë;2024-03-02;1.234,56\n"
    rows = parse_transactions(text.encode("cp1252"), customer="Kunde", day="Datum", amount="Betrag")
    assert [(t.customer, t.amount) for t in rows] == [("Müller GmbH", 12.5), ("Café Zoë", 1234.56)]


def test_decimals_written_both_ways_are_refused_not_read_100_times_too_big() -> None:
    data = b"customer;date;amount\nA;2024-01-01;12,50\nB;2024-01-02;8.75\n"
    with pytest.raises(SkillError) as refused:
        parse_transactions(data)
    assert "line(s) 3" in refused.value.en and "line(s) 2" in refused.value.en


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV"),
        (b"name,when,price\nA,2024-01-01,1\n", "Columns found: name, when, price"),
        (b"customer,date,amount\nA,yesterday,1\nB,2024-01-01,2\nC,soon,3\n", "line(s) 2, 4"),
        (b"customer,date,amount\nA,2024-01-01,lots\n", "line(s) 2"),
        (b"customer,date,amount\nA,2024-01-01,1,200\n", "more or fewer cells"),
        (b"customer,date,amount\n", "no transactions"),
    ],
)
def test_bad_files_are_refused_clearly(data: bytes, fragment: str) -> None:
    with pytest.raises(SkillError) as error:
        segment_rfm(parse_transactions(data))
    assert fragment in error.value.en
    assert error.value.zh


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABCDEFG"), st.integers(0, 400), st.floats(0.01, 1e6)),
        min_size=1,
        max_size=60,
    )
)
def test_segments_partition_the_customers(rows: list[tuple[str, int, float]]) -> None:
    transactions = [Transaction(c, date.fromordinal(738000 + d), amount) for c, d, amount in rows]
    result = segment_rfm(transactions)
    assert sum(result.counts8().values()) == len(result.customers) == len({c for c, _, _ in rows})
    assert sum(result.counts().values()) == len(result.customers)
    assert all(1 <= c.r <= 5 and 1 <= c.f <= 5 and 1 <= c.m <= 5 and c.recency >= 1 for c in result.customers)
