"""Tier reports in words: flags that say what the veto did, aligned tables, safe exports."""

from __future__ import annotations

import csv
import io
import json

from bot.reports.blocks import tier_message
from bot.reports.tiers import client_rows, clients_csv, flag_text, render_text
from skills.clients_csv import parse_clients
from skills.tier_config import default_tier_config, load_tier_config
from skills.tiers import Client, score_client, score_clients

CONFIG = default_tier_config()
STRONG = {
    "order_amount": 5e6,
    "company_size": 20000,
    "gross_margin": 50,
    "product_breadth": 6,
    "cooperation_years": 9,
    "influence": 6,
    "brand": "global500",
    "payment": 0,
    "growth": 60,
}


def test_flags_name_the_days_and_the_cap_in_both_languages() -> None:
    late = score_client(Client("x", "x", {**STRONG, "payment": 12, "growth": None}), CONFIG)
    assert flag_text(late, "en") == ["overdue 12 days, tier capped at Regular", "no growth"]
    assert flag_text(late, "zh") == ["逾期 12 天,等级封顶为普通客户", "缺少成长潜力"]


def test_the_ranking_lines_up_chinese_and_latin_names() -> None:
    result = score_clients([Client("1", "华星科技", STRONG), Client("2", "Acme Ltd", STRONG)], CONFIG)
    lines = client_rows(list(result.clients), "en").splitlines()
    score_columns = {line.index("100.0") + (line.count("华星科技") * 4) for line in lines[1:]}
    assert len(score_columns) == 1, lines


def test_the_export_escapes_formulas_and_has_a_column_per_weighted_dimension() -> None:
    result = score_clients([Client("=1+1", "+cmd", STRONG)], CONFIG)
    header, row = clients_csv(result, "en").splitlines()
    assert header.split(",")[-9:] == list(CONFIG.weights)
    assert row.startswith("'=1+1,'+cmd,100.0,ka,ka,")


def test_the_export_keeps_negative_number_ids_as_numbers_and_escapes_tabs() -> None:
    result = score_clients([Client("-42", "\t=cmd", STRONG)], CONFIG)
    rows = list(csv.reader(io.StringIO(clients_csv(result, "en"))))
    assert rows[1][:2] == ["-42", "'\t=cmd"]


def test_the_report_says_how_each_percent_column_was_read() -> None:
    config = load_tier_config("weights: {gross_margin: 50, growth: 50}")
    clients = parse_clients(b"name,gross_margin,growth\nAcme,0.45,12%\n", config)
    result = score_clients(clients, config, clients.notes)
    text = render_text(result, "en")
    assert "ℹ The gross margin column (gross_margin) was read as fractions (0.45 = 45%)" in text
    assert "ℹ The growth column (growth) was read as percent (45 = 45%)." in text
    assert "毛利率列(gross_margin)按小数读取" in render_text(result, "zh")
    assert "was read as fractions" in json.dumps(tier_message(result, "en", "c.csv"))
