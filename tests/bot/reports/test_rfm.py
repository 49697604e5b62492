"""The RFM per-customer export: spreadsheet-safe names, numbers kept as numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

from bot.reports.rfm import CUSTOMER_COLUMNS, customers_csv
from skills.rfm import Transaction, segment_rfm


def test_customer_names_cannot_run_as_formulas_and_numeric_names_stay_numbers() -> None:
    names = ["=HYPERLINK(1)", "\t=cmd", " +1+1", "-12.5", "Acme"]
    result = segment_rfm(
        [Transaction(name, date(2024, 1, n + 1), 10.0 * (n + 1)) for n, name in enumerate(names)],
        as_of=date(2024, 1, 10),
    )
    rows = list(csv.reader(io.StringIO(customers_csv(result))))
    assert tuple(rows[0]) == CUSTOMER_COLUMNS
    customers = {row[0] for row in rows[1:]}
    assert customers == {"'=HYPERLINK(1)", "'\t=cmd", "' +1+1", "-12.5", "Acme"}
    assert all(row[3].replace(".", "").isdigit() for row in rows[1:])
