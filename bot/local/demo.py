"""`opsbot demo`: a fresh home filled with a realistic sample (owners, ten weeks of the brief's
metrics with two anomalies yesterday, to-dos, filed feedback, three clients with contracts ending
soon and their usage), then the first owner's digest, so a newcomer sees a real digest in the console
without Slack or data of their own, and can try `opsbot renewal` and `opsbot weekly` on it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.digest.collect import collect, render_text
from bot.feedback.service import FeedbackService
from bot.storage.clients import ClientStore
from bot.storage.feedback import NewFeedback
from bot.storage.metrics import MetricStore
from bot.storage.owners import OwnerChanges, OwnerStore, TodoStore
from skills.client_roster import ClientRecord
from skills.errors import SkillError
from skills.metrics_csv import MetricValue
from skills.schedule import local_day, parse_zone

OWNERS = (("UDEMOZH", "Asia/Shanghai"), ("UDEMOEN", "America/New_York"), ("UDEMOUK", "Europe/London"))
WEEKLY = (1.25, 1.10, 1.00, 1.00, 1.05, 0.70, 0.60)
LEVELS = {
    "sales": 420_000.0,
    "customers": 3_800.0,
    "new_customers": 260.0,
    "retention": 0.41,
    "active_users": 12_500.0,
    "campaign_participants": 900.0,
}
ANOMALIES = {"new_customers": 0.45, "campaign_participants": 1.9}
"""Yesterday's planted surprises: acquisition halved, a campaign far above its usual turnout."""
FEEDBACK = (
    ("导出报表一直报错500,客户急着要月报", "华星科技"),
    ("Export to Excel fails with error 500 since this morning", "Acme"),
    ("客户投诉:问题提了一周了还没人回复,说要换供应商", "北辰物流"),
    ("Please add a filter by customer tier on the leads page", "Acme"),
    ("怎么给新来的运营开导入客户的权限?", "小蚂蚁工作室"),
    ("How do I schedule a campaign for the customer's time zone?", "Beta Retail"),
    ("Thanks, the sync works again!", "Beta Retail"),
)
CLIENTS = (
    # id, name, annual value, days to the contract end, owner, usage now vs before, tier values, extras
    (
        "K001",
        "华星科技",
        1_200_000,
        88,
        "UDEMOZH",
        0.62,
        (3000, 45, 5, 4, 3, "listed", 0, 12),
        {"key_contact_changed": True},
    ),
    (
        "A002",
        "Acme",
        150_000,
        58,
        "UDEMOEN",
        1.18,
        (400, 35, 2, 2, 1, "none", 0, 20),
        {"competitor_pressure": "A rival offers 20% less"},
    ),
    ("B003", "Beta Retail", 36_000, 27, "UDEMOEN", 0.95, (40, 25, 1, 1, 0, "none", 45, -5), {}),
)
_TIER_VALUES = (
    "company_size",
    "gross_margin",
    "product_breadth",
    "cooperation_years",
    "influence",
    "brand",
    "payment",
    "growth",
)
"""Usage is 'active users' a day: 华星科技's fell by a third in the last 30 days, Acme's grew."""
TODOS = {
    "UDEMOZH": ("给华星科技打电话谈续约", "整理上周的客诉"),
    "UDEMOEN": ("Prepare the Acme renewal brief",),
}


def fill(engine: Engine, today: date, feedback: FeedbackService, seed: int = 5) -> None:
    """Write the sample; refuses a home that already has owners or metrics (nothing is mixed in)."""
    owners = OwnerStore(engine)
    metrics = MetricStore(engine)
    if owners.all() or metrics.metrics():
        raise SkillError(
            "This home already has data; run the demo with an empty OPSBOT_HOME, e.g. "
            "`OPSBOT_HOME=/tmp/opsbot-demo opsbot demo`.",
            "这个数据目录里已经有数据;请用空目录运行演示,例如 `OPSBOT_HOME=/tmp/opsbot-demo opsbot demo`。",
        )
    for user, zone in OWNERS:
        owners.ensure(user, zone)
        owners.change(user, OwnerChanges(tz=zone))
    rng = random.Random(seed)
    values = []
    yesterday = today - timedelta(days=1)
    for back in range(70):
        day = yesterday - timedelta(days=back)
        for metric, level in LEVELS.items():
            value = level * WEEKLY[day.weekday()] * (1 + 0.001 * (70 - back)) * (1 + rng.gauss(0, 0.03))
            if back == 0:
                value *= ANOMALIES.get(metric, 1.0)
            values.append(MetricValue(day, metric, round(value, 3 if metric == "retention" else 0)))
    metrics.save(values)
    todos = TodoStore(engine)
    for user, items in TODOS.items():
        for offset, text in enumerate(items):
            todos.add(user, text, today - timedelta(days=offset))
    _clients(engine, today, rng)
    feedback.offline()
    for number, (text, customer) in enumerate(FEEDBACK):
        feedback.file(NewFeedback(f"demo:{number}", text, "UDEMOZH", "UDEMOZH", "cli", "en", customer))


def _clients(engine: Engine, today: date, rng: random.Random) -> None:
    records, usage = [], []
    for client_id, name, arr, days, owner, trend, tier_values, extras in CLIENTS:
        values = {"order_amount": arr, **dict(zip(_TIER_VALUES, tier_values, strict=True))}
        records.append(
            ClientRecord(client_id, name, arr, today + timedelta(days=days), owner, values, **extras)
        )
        for back in range(1, 91):
            level = 300 * (trend if back <= 30 else 1.0) * WEEKLY[(today - timedelta(days=back)).weekday()]
            usage.append(
                MetricValue(
                    today - timedelta(days=back),
                    "active_users",
                    round(level * (1 + rng.gauss(0, 0.04))),
                    client_id,
                )
            )
    ClientStore(engine).save(records)
    MetricStore(engine).save(usage)


def run_demo(engine: Engine, feedback: FeedbackService, lang: str) -> str:
    user, zone = OWNERS[0]
    today = local_day(datetime.now(UTC), parse_zone(zone))
    fill(engine, today, feedback)
    return render_text(collect(engine, user, today, zone), "zh" if lang == "zh" else "en")
