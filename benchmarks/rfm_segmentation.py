"""RFM on a synthetic transaction CSV (default 1,000,000 rows): parse + segment time and peak memory.

Usage: python benchmarks/rfm_segmentation.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import date, timedelta

from skills.rfm import segment_rfm
from skills.transactions_csv import parse_transactions


def synthetic_csv(rows: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    lines = ["customer_id,order_date,amount,order_id"]
    for n in range(rows):
        day = start + timedelta(days=rng.randrange(365))
        lines.append(f"C{rng.randrange(rows // 8):07d},{day.isoformat()},{rng.uniform(5, 2000):.2f},O{n}")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    data = synthetic_csv(args.rows)
    started = time.perf_counter()
    transactions = parse_transactions(data)
    parsed = time.perf_counter()
    result = segment_rfm(transactions)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.rows:,} rows ({len(data) / 1e6:.0f} MB), {len(result.customers):,} customers: "
        f"parse {parsed - started:.1f}s, segment {done - parsed:.1f}s, peak memory {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
