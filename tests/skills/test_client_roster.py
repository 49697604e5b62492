"""The client roster CSV: aliases in both languages, optional columns, and refusals with line numbers."""

from __future__ import annotations

from datetime import date

import pytest

from skills.client_roster import parse_roster
from skills.errors import SkillError
from skills.tier_config import default_tier_config

CONFIG = default_tier_config()


def test_english_headers_with_every_column() -> None:
    data = (
        b"id,name,arr,contract_end,owner,company_size,gross_margin,product_lines,years,referrals,brand,"
        b"overdue_days,growth_pct,key_contact_changed,competitor_pressure\n"
        b"C1,Acme,500000,2027-02-25,U0ACME1,2000,45%,4,3,2,listed,0,15%,yes,Rival offered 20% off\n"
    )
    [client] = parse_roster(data, CONFIG).clients
    assert (client.id, client.name, client.arr, client.contract_end, client.owner) == (
        "C1",
        "Acme",
        500000.0,
        date(2027, 2, 25),
        "U0ACME1",
    )
    assert client.values["order_amount"] == 500000.0, "the annual value stands in for the order amount"
    assert client.values["product_breadth"] == 4 and client.values["growth"] == 15
    assert client.key_contact_changed is True and client.has_competitor_pressure


def test_chinese_headers_in_gbk_and_missing_optional_columns() -> None:
    data = "客户编号,客户名称,合同到期日,负责人,关键联系人变更\nK1,华星科技,2027年3月1日,U0HUA,否\n".encode(
        "gb18030"
    )
    roster = parse_roster(data, CONFIG)
    [client] = roster.clients
    assert client.contract_end == date(2027, 3, 1) and client.key_contact_changed is False
    assert client.arr is None and client.values["order_amount"] is None
    assert roster.warnings == ()


def test_owners_that_reminders_cannot_reach_are_noted() -> None:
    roster = parse_roster(b"name,contract_end,owner\nAcme,2027-01-01,Alice\nBeta,,U0BETA\n", CONFIG)
    notes = " ".join(en for en, _ in roster.warnings)
    assert "No contract end date for Beta" in notes and "check Acme" in notes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"id,contract_end\nC1,2027-01-01\nC2,next spring\n",
            "contract end date (write it like 2027-03-31) on line(s) 3",
        ),
        (b"id,key_contact_changed\nC1,maybe\n", "key_contact_changed (write yes or no) on line(s) 2"),
        (b"id,arr\nC1,-5\n", "annual contract value (arr) on line(s) 2"),
        (b"id,name\nC1,A\nC1,B\n", "repeat a client id"),
        (b"arr,owner\n1,U1\n", "needs an id or name column"),
        (b"id,name\n", "no clients"),
    ],
)
def test_bad_files_are_refused_whole(data: bytes, expected: str) -> None:
    with pytest.raises(SkillError) as refused:
        parse_roster(data, CONFIG)
    assert expected in refused.value.en


def test_every_kind_of_problem_is_reported_in_one_run_with_its_lines() -> None:
    data = (
        b"id,name,arr,contract_end,brand,growth_pct\n"
        b"C1,Acme,lots,2027-02-25,listed,5%\n"
        b"C2,Beta,1000,someday,listed,5%\n"
        b"C3,Gamma,1000,2027-02-25,famous,5%\n"
        b"C4,Delta,1000,2027-02-25,listed,fast\n"
        b"C5,Eps,1000,2027-02-25,listed,5%,extra\n"
    )
    with pytest.raises(SkillError) as refused:
        parse_roster(data, CONFIG)
    assert refused.value.en.splitlines() == [
        "Unreadable annual contract value (arr) on line(s) 2.",
        "Unreadable contract end date (write it like 2027-03-31) on line(s) 3.",
        "Unknown brand on line(s) 4; use global500/世界500强, listed/上市, high_valuation/高估值, none/无.",
        "Unreadable growth on line(s) 5; write a number (-5% or 12.5).",
        "…and 1 more kind(s) of problem: fix these, then import again to see them.",
    ]
    assert refused.value.zh.splitlines()[-1] == "……还有 1 类问题:先改好以上几处,再导入即可看到。"


def test_a_few_kinds_of_problem_are_all_spelled_out() -> None:
    data = b"id,name,arr,contract_end,growth_pct\nC1,Acme,lots,2027-02-25,5%\nC2,Beta,1000,2027-02-25,fast\n"
    with pytest.raises(SkillError) as refused:
        parse_roster(data, CONFIG)
    assert refused.value.en.splitlines() == [
        "Unreadable annual contract value (arr) on line(s) 2.",
        "Unreadable growth on line(s) 3; write a number (-5% or 12.5).",
    ]
    assert "第 3 行" in refused.value.zh and "-5% 或 12.5" in refused.value.zh


def test_a_roster_with_fractions_reads_them_as_percent_and_says_so() -> None:
    roster = parse_roster(b"id,name,gross_margin,growth_pct\nC1,Acme,0.45,12\nC2,Beta,0.3,5\n", CONFIG)
    assert [c.values["gross_margin"] for c in roster.clients] == [45, 30]
    assert [c.values["growth"] for c in roster.clients] == [12, 5]
    notes = [en for en, _ in roster.warnings]
    assert any("gross margin column (gross_margin) was read as fractions" in note for note in notes)
    assert not any("growth" in note for note in notes), "percent as written is not worth a warning"
