"""`opsbot metrics import FILE.csv` and `opsbot metrics check [--date D]`: the daily numbers the
morning digest reviews, and which of them look abnormal."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta

from bot.cli.output import read, refuse
from bot.core.config import Settings, load_holidays
from bot.storage.engine import create_db_engine
from bot.storage.metrics import MetricStore
from skills.anomalies import HISTORY_DAYS, check_day
from skills.errors import SkillError
from skills.metrics_csv import format_metric_value, parse_metrics
from skills.transactions_csv import parse_as_of


def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    store = MetricStore(create_db_engine(settings.db_url))
    try:
        if args.metrics_command == "import":
            report = store.save(parse_metrics(read(args.file)))
            summary = {
                "values": report.values,
                "replaced": report.replaced,
                "metrics": list(report.metrics),
                "from": report.first_day.isoformat(),
                "to": report.last_day.isoformat(),
            }
            if args.json:
                print(json.dumps(summary, ensure_ascii=False))
            else:
                print(
                    f"Imported {report.values:,} values of {len(report.metrics)} metrics "
                    f"({report.first_day} to {report.last_day}); {report.replaced:,} replaced earlier values."
                )
            return 0
        day = parse_as_of(args.date, "--date") if args.date else date.today() - timedelta(days=1)
        holidays = load_holidays(settings)
        for metric in store.metrics(args.client):
            series = store.series(metric, day - timedelta(days=HISTORY_DAYS), day, args.client)
            result = check_day(series, day, holidays=holidays)
            record = {
                "metric": metric,
                "value": result.value,
                "baseline": result.baseline,
                "change_pct": result.change_pct,
                "anomaly": result.anomaly,
                "direction": result.direction,
                "holiday": result.holiday,
            }
            print(
                json.dumps(record, ensure_ascii=False) if args.json else _line(record, result.enough_history)
            )
        return 0
    except SkillError as error:
        return refuse(error.en, getattr(args, "json", False))


def _line(record: dict[str, object], enough_history: bool) -> str:
    def shown(value: object) -> str:
        return format_metric_value(str(record["metric"]), value if isinstance(value, float | int) else None)

    if record["value"] is None:
        return f"{record['metric']}\tno value"
    if record["holiday"]:
        return f"{record['metric']}\t{shown(record['value'])}\tholiday, not judged"
    if not enough_history:
        return f"{record['metric']}\t{shown(record['value'])}\tnot enough history"
    flag = f"\tANOMALY ({record['direction']})" if record["anomaly"] else ""
    return f"{record['metric']}\t{shown(record['value'])}\tbaseline {shown(record['baseline'])}\t{record['change_pct']:+.1f}%{flag}"
