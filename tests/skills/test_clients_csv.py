"""Client lists for tiering: column names in both languages, encodings, and every refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills.clients_csv import parse_clients
from skills.errors import SkillError
from skills.tier_config import default_tier_config, load_tier_config
from skills.tiers import DIMENSIONS, score_clients

CONFIG = default_tier_config()
HEADER_ZH = "客户编号,客户名称,订单金额,企业规模,毛利率,产品数,合作年限,转介绍数,品牌,逾期天数,增长率"
HEADER_EN = (
    "client_id,name,order_amount,employees,gross_margin,products,cooperation_years,referrals,brand,"
    "overdue_days,growth"
)


def test_chinese_headers_in_gbk_with_units_and_percentages() -> None:
    data = f"{HEADER_ZH}\nA01,华星科技,120万,3000,42%,4,6,3,上市,0,-5%\n".encode("gb18030")
    [client] = parse_clients(data, CONFIG)
    assert (client.id, client.name, client.line) == ("A01", "华星科技", 2)
    assert client.values == {
        "order_amount": 1_200_000,
        "gross_margin": 42,
        "company_size": 3000,
        "product_breadth": 4,
        "cooperation_years": 6,
        "brand": "listed",
        "growth": -5,
        "influence": 3,
        "payment": 0,
    }


def test_the_playbooks_own_names_for_the_dimensions_are_headers_too() -> None:
    header = "客户名称,订单金额,公司规模,毛利率,产品线,合作年限,行业影响力,品牌形象,回款记录,增长潜力"
    [client] = parse_clients(f"{header}\n华星科技,120万,3000,42%,4,6,3,上市,0,10%\n".encode(), CONFIG)
    assert set(client.values) == set(DIMENSIONS)
    assert (client.values["company_size"], client.values["product_breadth"], client.values["growth"]) == (
        3000,
        4,
        10,
    )


def test_english_headers_blank_cells_yes_no_and_several_brand_words() -> None:
    data = (
        f"\ufeff{HEADER_EN}\n"
        'C1,Acme,"1,200,000",500,30,2,3,0,"listed, Fortune 500",yes,10\n'
        "C2,Beta,80000,,25,1,1,1,,no,0\n"
    ).encode()
    acme, beta = parse_clients(data, CONFIG)
    assert acme.values["brand"] == "global500", "the best of several brand words counts"
    config = load_tier_config("weights: {brand: 100}")
    [chinese] = parse_clients("客户,品牌\n甲,上市，世界500强\n".encode(), config)
    assert chinese.values["brand"] == "global500", "a full-width comma separates brand words too"
    assert acme.values["payment"] == 1.0 and beta.values["payment"] == 0.0
    assert beta.values["company_size"] is None and beta.values["brand"] is None


def test_only_the_weighted_dimensions_are_needed() -> None:
    config = load_tier_config("weights: {order_amount: 100}")
    [client] = parse_clients("name,金额\nAcme,50万\n".encode(), config)
    assert client.id == "Acme" and client.values == {"order_amount": 500_000}


def test_missing_columns_are_listed_with_what_was_found() -> None:
    with pytest.raises(SkillError) as caught:
        parse_clients(b"name,amount\nAcme,5\n", CONFIG)
    assert "gross_margin" in caught.value.en and "Columns found: name, amount" in caught.value.en
    assert "--print-config" in caught.value.en and "找不到这些列" in caught.value.zh


@pytest.mark.parametrize(
    ("row", "en", "zh"),
    [
        ("A01,x,lots,1,1,1,1,1,无,0,0", "Unreadable order amount on line(s) 3", "第 3 行的订单金额无法识别"),
        ("A01,x,5,1,1,1,1,1,famous,0,0", "Unknown brand on line(s) 3", "品牌无法识别"),
        ("A01,x,-5,1,1,1,1,1,无,0,0", "Unreadable order amount", "订单金额"),
        ("A01,x,5,1,1,1,1,1,无,0", "more or fewer cells than the header", "列数与表头不一致"),
        (",,5,1,1,1,1,1,无,0,0", "no client id or name", "没有客户编号或名称"),
        ("A00,x,5,1,1,1,1,1,无,0,0", "repeat a client id", "客户编号与前面重复"),
    ],
)
def test_bad_rows_are_refused_with_their_line_numbers(row: str, en: str, zh: str) -> None:
    data = f"{HEADER_ZH}\nA00,ok,5,1,1,1,1,1,无,0,0\n{row}\n".encode()
    with pytest.raises(SkillError) as caught:
        parse_clients(data, CONFIG)
    assert en in caught.value.en and zh in caught.value.zh


@pytest.mark.parametrize(
    ("data", "en"),
    [
        (b"", "empty"),
        (f"{HEADER_ZH}\n".encode(), "no clients"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
    ],
)
def test_empty_and_binary_files_are_refused(data: bytes, en: str) -> None:
    with pytest.raises(SkillError, match=en):
        parse_clients(data, CONFIG)


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30))
def test_every_row_becomes_one_client_in_order(amounts: list[int]) -> None:
    config = load_tier_config("weights: {order_amount: 100}")
    rows = [f'c{i},"{amount:,}"' for i, amount in enumerate(amounts)]  # thousands separators, quoted
    data = "\n".join(["id,amount", *rows]).encode()
    clients = parse_clients(data, config)
    assert [c.values["order_amount"] for c in clients] == amounts


def _tier_of(margin: str, growth: str) -> tuple[str, tuple[str, ...]]:
    data = f"{HEADER_EN}\nC1,Listed Co,1.2M,5000,{margin},4,3,2,listed,0,{growth}\n".encode()
    clients = parse_clients(data, CONFIG)
    [scored] = score_clients(clients, CONFIG, clients.notes).clients
    return scored.tier, tuple(en for en, _ in clients.notes)


def test_percent_columns_written_as_fractions_score_as_the_same_percent() -> None:
    as_percent, percent_notes = _tier_of("45%", "12%")
    as_points, _ = _tier_of("45", "12")
    as_fractions, fraction_notes = _tier_of("0.45", "0.12")
    assert as_percent == as_points == as_fractions == "ka"
    assert fraction_notes == (
        "The gross margin column (gross_margin) was read as fractions (0.45 = 45%): every value lies between -1 and 1.",
        "The growth column (growth) was read as fractions (0.45 = 45%): every value lies between -1 and 1.",
    )
    assert percent_notes[0] == "The gross margin column (gross_margin) was read as percent (45 = 45%)."


def test_a_column_is_read_one_way_as_a_whole() -> None:
    header = "name,gross_margin"
    clients = parse_clients(
        f"{header}\nA,0.45\nB,0.29\nC,\n".encode(), load_tier_config("weights: {gross_margin: 100}")
    )
    assert [c.values["gross_margin"] for c in clients] == [45, 29, None]
    mixed = parse_clients(
        f"{header}\nA,0.45\nB,30%\n".encode(), load_tier_config("weights: {gross_margin: 100}")
    )
    assert [c.values["gross_margin"] for c in mixed] == [0.45, 30], "a % anywhere: the column is in percent"
    whole = parse_clients(f"{header}\nA,1\nB,0\n".encode(), load_tier_config("weights: {gross_margin: 100}"))
    assert [c.values["gross_margin"] for c in whole] == [1, 0], "0s and 1s alone read as percent"
