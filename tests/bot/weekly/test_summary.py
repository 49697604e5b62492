"""The weekly summary gathered from real stores: week boundaries in the summary's time zone, exact
numbers, the model's polish and its number check, and the Slack message."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.slack.blocks import BLOCKS_LIMIT, SECTION_LIMIT
from bot.storage.answer_log import HELPFUL, AnswerLog
from bot.storage.clients import ClientStore
from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackStore, NewFeedback
from bot.storage.metrics import MetricStore
from bot.storage.owners import TodoStore
from bot.weekly.summary import collect_weekly, compose, render_text, week_of_words, weekly_message
from knowledge.answer import ChatMessages
from skills.client_roster import ClientRecord
from skills.errors import SkillError
from skills.feedback_classifier import Classification
from skills.metrics_csv import MetricValue
from skills.schedule import parse_zone
from tests.conftest import db_url_for

SHANGHAI = parse_zone("Asia/Shanghai")
MONDAY = date(2026, 11, 16)
TODAY = date(2026, 11, 23)


def _values(metric: str, start: date, values: list[float | None], client: str = "") -> list[MetricValue]:
    return [
        MetricValue(start + timedelta(days=n), metric, float(v), client)
        for n, v in enumerate(values)
        if v is not None
    ]


def _file(
    store: FeedbackStore, key: str, text: str, category: str, at: datetime, customer: str | None
) -> None:
    store.file(
        NewFeedback(key, text, "UREP", "UREP", "cli", "en", customer=customer),
        Classification(category, 0.9, ()),  # type: ignore[arg-type]
        now=at,
    )


def seed_week(engine: Engine, monday: date, today: date) -> None:
    """A week of crafted data starting `monday`, as seen from a summary made on `today`."""
    last, month_ago = monday - timedelta(days=7), monday - timedelta(days=28)
    MetricStore(engine).save(
        [
            *_values("sales", monday, [100, 101, 102, 103, 104, 105, 106]),
            *_values("sales", last, [100] * 7),
            *_values("sales", month_ago, [50] * 7),
            *_values("active_users", monday, [200, 200, 200, None, None, None, None]),
            *_values("active_users", last, [250] * 7),
            *_values("signups", monday, [3] * 7),
            *_values("sales", monday, [999] * 7, client="Acme"),
        ]
    )
    feedback = FeedbackStore(engine)
    # Midnight in Shanghai is 16:00 UTC the day before.
    opens = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) - timedelta(hours=8)
    _file(feedback, "before", "The dashboard is slow", "bug", opens - timedelta(minutes=30), "Zeta")
    _file(
        feedback,
        "first",
        "Export to Excel fails with error 500",
        "bug",
        opens + timedelta(minutes=30),
        "Acme",
    )
    _file(
        feedback,
        "again",
        "Export to Excel fails with error 500 again",
        "bug",
        opens + timedelta(days=2),
        "Beta",
    )
    _file(
        feedback,
        "angry",
        "Nobody answered our ticket for a week",
        "complaint",
        opens + timedelta(days=3),
        None,
    )
    closes = opens + timedelta(days=7)
    _file(
        feedback,
        "last-minute",
        "How do I add a user & set roles?",
        "how_to",
        closes - timedelta(minutes=1),
        "Acme",
    )
    _file(feedback, "after", "Add a dark mode", "feature_request", closes + timedelta(minutes=1), "Acme")
    todos = TodoStore(engine)
    for owner, text, done_on in (
        ("UALICE", "send the QBR deck", monday + timedelta(days=1)),
        ("UALICE", "call Acme about the renewal", monday + timedelta(days=6)),
        ("UBOB", "fix the <!channel> export", monday + timedelta(days=4)),
        ("UALICE", "done after the week", monday + timedelta(days=7)),
        ("UCAROL", "done before the week", monday - timedelta(days=1)),
    ):
        todo = todos.add(owner, text, monday - timedelta(days=3))
        todos.mark_done(owner, todo.id, done_on)
    todos.add("UALICE", "still open", monday)
    ClientStore(engine).save(
        [
            ClientRecord("C1", "Acme & Co", 120000.0, today + timedelta(days=10), "UALICE"),
            ClientRecord("C2", "Beta", None, today + timedelta(days=40), "UBOB"),
            ClientRecord("C3", "Gamma", 8000.0, today, "Li Lei"),
        ]
    )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    built = create_db_engine(db_url_for(tmp_path))
    seed_week(built, MONDAY, TODAY)
    return built


def test_the_week_from_the_stores_with_exact_numbers(engine: Engine) -> None:
    data = compose(collect_weekly(engine, TODAY, None, SHANGHAI), "en", None).as_json()
    assert (data["week"], data["week_start"], data["week_end"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    assert [(m["metric"], m["this_week"], m["last_week"], m["change_pct"]) for m in data["metrics"]] == [
        ("sales", 721.0, 700.0, 3.0),
        ("active_users", 200.0, 250.0, -20.0),
        ("signups", 21.0, None, None),
    ], "business-wide only: Acme's own sales are not added in"
    assert (data["metrics"][0]["same_week_last_month"], data["metrics"][0]["vs_last_month_pct"]) == (
        350.0,
        106.0,
    )
    assert data["feedback"]["by_category"] == {"bug": 2, "complaint": 1, "how_to": 1}, (
        "Monday 00:30 and Sunday 23:59 in Shanghai are in; 23:30 the Sunday before and Monday after are out"
    )
    assert data["feedback"]["top"] == [
        {"text": "Export to Excel fails with error 500", "category": "bug", "items": 2, "customers": 2}
    ]
    assert data["todos_done"] == [
        {"owner": "UALICE", "count": 2, "texts": ["send the QBR deck", "call Acme about the renewal"]},
        {"owner": "UBOB", "count": 1, "texts": ["fix the <!channel> export"]},
    ]
    assert [(r["client_id"], r["name"], r["days"], r["owner"], r["arr"]) for r in data["renewals"]] == [
        ("C3", "Gamma", 0, "Li Lei", 8000.0),
        ("C1", "Acme & Co", 10, "UALICE", 120000.0),
    ]
    assert data["draft_method"] == "template" and data["draft"].startswith("Week 47 of 2026")


def test_the_week_has_a_line_on_how_answers_did(engine: Engine) -> None:
    log = AnswerLog(engine)
    monday = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    good = log.record("RFM 是什么?", "zh", True, "extractive", "…", [], "C1", "U1", asked_at=monday)
    log.vote(good, "U1", HELPFUL)
    log.record("直播带货的话术怎么写?", "zh", False, "none", "", [], "C1", "U2", asked_at=monday)
    log.record(
        "next week", "en", True, "extractive", "…", [], "C1", "U1", asked_at=monday + timedelta(days=7)
    )
    report = compose(collect_weekly(engine, TODAY, None, SHANGHAI), "en", None)
    assert report.as_json()["answers"] == {"answered": 1, "unanswered": 1, "helpful": 1, "not_helpful": 0}
    assert "1 question answered, 1 not answered; 👍 1 · 👎 0" in json.dumps(
        weekly_message(report), ensure_ascii=False
    )


def test_another_week_and_a_week_that_has_not_started(engine: Engine) -> None:
    earlier = collect_weekly(engine, TODAY, date(2026, 11, 11), SHANGHAI)
    assert earlier.week_start == date(2026, 11, 9)
    assert [(m.metric, m.this_week, m.change_pct) for m in earlier.metrics] == [
        ("sales", 700.0, None),
        ("active_users", 250.0, None),
    ]
    assert earlier.feedback.total == 1, "the item filed late on Sunday the 15th, Shanghai time"
    assert [o.owner for o in earlier.todos_done] == ["UCAROL"]
    with pytest.raises(SkillError, match="has not started"):
        collect_weekly(engine, TODAY, date(2026, 12, 1), SHANGHAI)


def test_a_polished_draft_is_used_only_when_its_numbers_hold(engine: Engine) -> None:
    summary = collect_weekly(engine, TODAY, None, SHANGHAI)
    seen: list[ChatMessages] = []

    def faithful(messages: ChatMessages) -> str:
        seen.append(messages)
        return "A steady week: sales reached 721, up 3.0% on last week's 700, and 4 feedback items came in."

    def inventive(messages: ChatMessages) -> str:
        return "A great week: sales reached 7,210, up 30% on last week."

    def broken(messages: ChatMessages) -> str:
        raise TimeoutError

    polished = compose(summary, "en", faithful)
    assert polished.method == "llm" and polished.draft.startswith("A steady week")
    assert '"this_week": 721.0' in str(seen[0][-1]["content"]), "the model gets the facts"
    assert compose(summary, "en", inventive).method == "template"
    assert compose(summary, "en", broken).draft == compose(summary, "en", None).draft
    blocks = weekly_message(polished)["blocks"]
    assert blocks[1] == {"type": "markdown", "text": polished.draft}, "a model's Markdown renders as written"
    assert weekly_message(compose(summary, "en", None))["blocks"][1]["type"] == "section"


def test_the_slack_message_escapes_what_came_from_outside_and_keeps_limits(engine: Engine) -> None:
    report = compose(collect_weekly(engine, TODAY, None, SHANGHAI), "en", None)
    payload = weekly_message(report)
    shown = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "Acme &amp; Co" in shown and "Acme & Co" not in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "<@UALICE>" in shown and "owner Li Lei" in shown, "member ids are mentions, other owners text"
    assert "*Sales* (week total): 721 · last week 700 (+3.0%) · 4 weeks ago 350 (+106.0%)" in shown
    assert "*Active users* (daily average): 200 · last week 250 (-20.0%) · 4 weeks ago —" in shown
    assert len(payload["blocks"]) <= BLOCKS_LIMIT
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in payload["blocks"] if b["type"] == "section")
    assert "Written from the numbers above." in shown


def test_the_chinese_message_and_the_terminal_text(engine: Engine) -> None:
    report = compose(collect_weekly(engine, TODAY, None, SHANGHAI), "zh", None)
    shown = json.dumps(weekly_message(report)["blocks"], ensure_ascii=False)
    assert "*周报* —— 2026-W47(11月16日–11月22日)" in shown
    assert "销售额合计 721,较上周(700)+3.0%" in shown and "未来 30 天有 2 份合同到期" in shown
    text = render_text(compose(collect_weekly(engine, TODAY, None, SHANGHAI), "en", None))
    assert text.startswith("Weekly summary — 2026-W47 (Mon Nov 16 – Sun Nov 22)")
    assert "Acme & Co (C1) — in 10 days (2026-12-03), ARR 120,000, owner @UALICE" in text


def test_what_slash_weekly_words_ask_for() -> None:
    assert week_of_words("", TODAY) is None
    assert week_of_words("上周", TODAY) is None and week_of_words("last week", TODAY) is None
    assert week_of_words("this week", TODAY) == TODAY and week_of_words("本周", TODAY) == TODAY
    assert week_of_words("--week-of 2026-11-18", TODAY) == date(2026, 11, 18)
    assert week_of_words("2026-W40", TODAY) == date(2026, 9, 28)
    with pytest.raises(SkillError) as refused:
        week_of_words("yesterday-ish", TODAY)
    assert "2026-11-18" in refused.value.en and "2026-11-18" in refused.value.zh


def test_the_week_under_way_is_titled_so_far(engine: Engine) -> None:
    wednesday = TODAY + timedelta(days=2)
    report = compose(collect_weekly(engine, wednesday, wednesday, SHANGHAI), "en", None)
    title = weekly_message(report)["blocks"][0]["text"]["text"]
    assert title == "*Weekly summary* — 2026-W48 so far (Mon Nov 23 – Tue Nov 24)"
