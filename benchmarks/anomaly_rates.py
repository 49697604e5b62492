"""False-alarm and miss rates of the same-weekday anomaly check (skills/anomalies.py) on synthetic
daily series: a weekly pattern (busy Mondays, quiet weekends), a trend, and noise; anomalies of
several sizes planted on the last week.

Usage: python benchmarks/anomaly_rates.py [--series 500]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from skills.anomalies import check_day

START = date(2026, 1, 5)
WEEKLY = (1.30, 1.10, 1.00, 1.00, 1.05, 0.55, 0.45)


def series_for(rng: random.Random, noise: float, days: int = 98) -> dict[date, float]:
    level = rng.uniform(50, 50_000)
    trend = rng.uniform(-0.002, 0.002)
    return {
        START + timedelta(days=n): level * WEEKLY[n % 7] * (1 + trend * n) * (1 + rng.gauss(0, noise))
        for n in range(days)
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(11)
    began = time.perf_counter()
    checks = 0
    print("noise | false alarms (normal days) | missed: -50% / -30% / -20% / +20% / +30% / +50%")
    for noise in (0.02, 0.05, 0.08):
        normal = alarms = 0
        missed = dict.fromkeys((0.5, 0.7, 0.8, 1.2, 1.3, 1.5), 0)
        for _ in range(args.series):
            series = series_for(rng, noise)
            for offset in range(63, 91):
                normal += 1
                alarms += check_day(series, START + timedelta(days=offset)).anomaly
            day = START + timedelta(days=rng.randrange(91, 98))
            original = series[day]
            for factor in missed:
                series[day] = original * factor
                missed[factor] += not check_day(series, day).anomaly
            checks += 28 + len(missed)
        rates = " / ".join(f"{missed[f] / args.series:.1%}" for f in missed)
        print(f"{noise:.0%} | {alarms / normal:.2%} of {normal:,} | {rates}")
    elapsed = time.perf_counter() - began
    print(f"{checks:,} checks in {elapsed:.1f} s ({elapsed / checks * 1e6:.0f} µs each)")


if __name__ == "__main__":
    main()
