"""`/ops retro` through the real Bolt app: the signed command opens the prefilled modal, the signed
submission is saved, posted in the channel and found in the knowledge index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from bot.storage.metrics import MetricStore
from bot.storage.retros import SOURCE_PREFIX, RetroStore
from knowledge.documents import Chunk
from knowledge.ingest import IngestReport
from knowledge.loaders import DocumentRefused
from skills.metrics_csv import MetricValue
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_command, send_interaction, view_submission

LESSON = "Freeze the coupon email template one week before the campaign and test it with real accounts"


@pytest.fixture
def retro_app(running: Running) -> Iterator[Running]:
    """The session index is shared: retros indexed here are forgotten afterwards."""
    start = date(2026, 10, 17)
    values = [(start + timedelta(days=n), 10_000.0 + 1_000 * n) for n in range(30)]
    MetricStore(running.services.owners.engine).save([MetricValue(day, "sales", v) for day, v in values])
    try:
        yield running
    finally:
        running.services.jobs.drain(timeout=60)
        for record in running.services.knowledge.sources():
            if record.source.startswith(SOURCE_PREFIX):
                running.services.knowledge.forget(record.source)


def _command(running: Running, text: str, trigger_id: str = "t-retro") -> None:
    status, body = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        text,
        running.slack.response_url("retro"),
        trigger_id=trigger_id,
    )
    assert status == 200 and body == "", "the command is acked with nothing to show"


def _opened_view(running: Running) -> dict[str, Any]:
    assert running.slack.wait_for(lambda s: len(s.calls_to("views.open")) >= 1, timeout=30)
    [call] = running.slack.calls_to("views.open")
    assert call.params["trigger_id"] == "t-retro"
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def _initial(view: dict[str, Any]) -> dict[str, str | None]:
    return {
        block["block_id"]: block["element"].get("initial_value")
        for block in view["blocks"]
        if block["type"] == "input"
    }


def _submit(running: Running, view: dict[str, Any], values: dict[str, str | None]) -> tuple[int, str]:
    return send_interaction(running.events_url, SIGNING_SECRET, view_submission(view, values))


def _search_hit(running: Running, query: str) -> Chunk | None:
    hits = running.services.knowledge.answerer.index.search(query, top_k=3)  # type: ignore[attr-defined]
    return next((hit.chunk for hit in hits if hit.chunk.source.startswith(SOURCE_PREFIX)), None)


def test_a_retro_from_the_numbers_is_saved_posted_and_searchable(retro_app: Running) -> None:
    _command(retro_app, "retro sales 2026-11-01..2026-11-15")
    view = _opened_view(retro_app)
    initial = _initial(view)
    assert initial["retro_title"] == "Retro: Sales 2026-11-01–2026-11-15"
    assert initial["retro_goal"] == "Goal: Sales over 2026-11-01–2026-11-15 — write the target number here"
    assert initial["retro_result"] is not None
    assert initial["retro_result"].startswith(
        "Actual: Sales total 480,000 over 2026-11-01–2026-11-15 (15 days)."
    )
    assert "The 15 days before (2026-10-17–2026-10-31): 255,000, change +88.2%." in initial["retro_result"]
    assert initial["retro_causes"] is None and initial["retro_lessons"] is None

    typed = {
        **initial,
        "retro_goal": "Reach 500,000 in sales over the campaign",
        "retro_causes": "The coupon emails went out two days late <!channel>",
        "retro_lessons": LESSON,
    }
    status, body = _submit(retro_app, view, typed)
    assert status == 200 and body == ""
    assert retro_app.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 1, timeout=30)
    [post] = retro_app.slack.calls_to("chat.postMessage")
    assert post.params["channel"] == "C123"
    blocks = post.params["blocks"]
    assert blocks[0]["text"]["text"] == "Retro: Sales 2026-11-01–2026-11-15"
    posted = json.dumps(blocks, ensure_ascii=False)
    causes = "*3. Analyse the causes*\nThe coupon emails went out two days late &lt;!channel&gt;"
    assert blocks[3]["text"]["text"] == causes
    assert "By <@U123> · Sales · 2026-11-01–2026-11-15 · retro #1" in posted

    assert retro_app.services.jobs.drain(timeout=60)
    [saved] = RetroStore(retro_app.services.owners.engine).newest_first()
    [stored] = [m for m in retro_app.slack.messages.values() if m.channel == "C123"]
    assert saved.indexed and saved.posted_ts == stored.ts
    assert saved.author == "U123" and saved.channel == "C123" and saved.metric == "sales"
    assert saved.text.goal == "Reach 500,000 in sales over the campaign"

    chunk = _search_hit(retro_app, "freeze the coupon email template before the campaign")
    assert chunk is not None and chunk.source == "retro/1.md"
    assert (chunk.doc_title, chunk.section_title) == (
        "Retro: Sales 2026-11-01–2026-11-15",
        "Summarize the lessons",
    )


def test_a_chinese_retro_keeps_what_was_typed_when_a_step_is_missing(retro_app: Running) -> None:
    _command(retro_app, "复盘 销售额 2026-11-01 至 2026-11-15")
    view = _opened_view(retro_app)
    assert view["title"]["text"] == "复盘"
    initial = _initial(view)
    assert initial["retro_title"] == "复盘:销售额 2026-11-01–2026-11-15"
    assert initial["retro_result"] is not None and "销售额合计 48万(15 天)" in initial["retro_result"]

    status, body = _submit(
        retro_app, view, {**initial, "retro_causes": "  ", "retro_lessons": "提前一周定稿"}
    )
    assert status == 200
    refused = json.loads(body)
    assert refused == {
        "response_action": "errors",
        "errors": {"retro_causes": "请填写“分析原因”:四个步骤都需要。"},
    }
    assert RetroStore(retro_app.services.owners.engine).newest_first() == []

    status, body = _submit(
        retro_app, view, {**initial, "retro_causes": "优惠券邮件晚发两天", "retro_lessons": "提前一周定稿"}
    )
    assert status == 200 and body == ""
    assert retro_app.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 1, timeout=30)
    posted = json.dumps(retro_app.slack.calls_to("chat.postMessage")[0].params, ensure_ascii=False)
    assert "*1. 回顾目标*" in posted and "*4. 总结规律*\\n提前一周定稿" in posted


def test_bad_arguments_are_told_only_to_the_person_and_open_nothing(retro_app: Running) -> None:
    _command(retro_app, "retro salse 2026-11-01..2026-11-15")
    _command(retro_app, "retro sales")
    assert retro_app.slack.wait_for(lambda s: len(s.responses) >= 2, timeout=30)
    unknown, usage = (json.dumps(r, ensure_ascii=False) for r in retro_app.slack.responses[:2])
    assert "There is no metric called “salse”. Did you mean: sales?" in unknown
    assert "/ops retro METRIC FROM..TO" in usage
    assert all(r["response_type"] == "ephemeral" for r in retro_app.slack.responses)
    assert retro_app.slack.calls_to("views.open") == []


def test_a_blank_retro_and_a_form_that_will_not_open(retro_app: Running) -> None:
    _command(retro_app, "retro")
    view = _opened_view(retro_app)
    assert not any(_initial(view).values()), "nothing to prefill without a metric"
    retro_app.slack.fail_next("views.open", 200, error="expired_trigger_id")
    _command(retro_app, "retro", trigger_id="t-late")
    assert retro_app.slack.wait_for(lambda s: len(s.responses) >= 1, timeout=30)
    told = json.dumps(retro_app.slack.responses[0], ensure_ascii=False)
    assert "could not open the retro form (Slack said expired_trigger_id)" in told


def test_a_channel_without_the_bot_still_saves_and_indexes_and_says_how_to_fix_it(
    retro_app: Running,
) -> None:
    _command(retro_app, "retro")
    view = _opened_view(retro_app)
    retro_app.slack.fail_next("chat.postMessage", 200, error="not_in_channel")
    values: dict[str, str | None] = {
        "retro_title": None,
        "retro_goal": "Renew 20 KA clients in Q4",
        "retro_result": "18 renewed",
        "retro_causes": "Two clients were handed over mid-quarter without notes",
        "retro_lessons": "Write handover notes for every KA client before a change of owner",
    }
    assert _submit(retro_app, view, values) == (200, "")
    assert retro_app.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 2, timeout=30)
    assert retro_app.services.jobs.drain(timeout=60)
    dm = retro_app.slack.calls_to("chat.postMessage")[1]
    assert dm.params["channel"] == "DU123"
    notice = dm.params["blocks"][0]["text"]["text"]
    assert "saved as retro #1 and added to the team's knowledge" in notice
    assert "could not post it in <#C123> (not_in_channel)" in notice and "/invite @opsbot" in notice
    [saved] = RetroStore(retro_app.services.owners.engine).newest_first()
    assert saved.indexed and saved.posted_ts is None and saved.text.title.startswith("Retro 20")
    chunk = _search_hit(retro_app, "handover notes for KA clients before a change of owner")
    assert chunk is not None and chunk.section_title == "Summarize the lessons"


def test_a_retro_the_index_refused_is_posted_told_and_indexed_with_the_next_one(
    retro_app: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = retro_app.services.knowledge
    real_ingest = knowledge.ingest

    def refusing(source: str, name: str, data: bytes, url: str | None = None) -> IngestReport:
        report = IngestReport()
        report.refused.append((name, DocumentRefused("embedder unavailable", "向量模型不可用")))
        return report

    values: dict[str, str | None] = {
        "retro_title": "Q4 renewals",
        "retro_goal": "Renew 20 KA clients",
        "retro_result": "18 renewed",
        "retro_causes": "Late handovers",
        "retro_lessons": "Write handover notes",
    }
    _command(retro_app, "retro")
    view = _opened_view(retro_app)
    monkeypatch.setattr(knowledge, "ingest", refusing)
    assert _submit(retro_app, view, values) == (200, "")
    assert retro_app.slack.wait_for(lambda s: len(s.calls_to("chat.postEphemeral")) >= 1, timeout=30)
    [notice] = retro_app.slack.calls_to("chat.postEphemeral")
    assert notice.params["user"] == "U123" and notice.params["channel"] == "C123"
    assert "Retro #1 is saved and posted, but it could not be added" in notice.params["text"]
    assert retro_app.services.jobs.drain(timeout=60)

    monkeypatch.setattr(knowledge, "ingest", real_ingest)
    assert _submit(retro_app, view, {**values, "retro_title": "Q4 renewals, second look"}) == (200, "")
    assert retro_app.services.jobs.drain(timeout=60)
    store = RetroStore(retro_app.services.owners.engine)
    assert store.not_indexed() == [] and len(store.newest_first()) == 2
    assert {"retro/1.md", "retro/2.md"} <= {record.source for record in knowledge.sources()}


def test_a_question_about_retrospectives_is_answered_not_a_form(running: Running) -> None:
    status, body = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "复盘 分哪几步?", running.slack.response_url("q")
    )
    assert status == 200 and "正在查找运营手册" in json.loads(body)["text"]
    assert running.slack.wait_for(lambda s: len(s.responses) >= 1, timeout=60)
    assert "回顾目标" in json.dumps(running.slack.responses[0], ensure_ascii=False)
    assert running.slack.calls_to("views.open") == []


def test_an_ended_goals_button_opens_the_form_prefilled_with_the_goal_and_its_result(
    retro_app: Running,
) -> None:
    from bot.storage.goals import GoalStore
    from skills.goals import Goal
    from tests.fakes.slack_requests import button_click

    goal = Goal("October sales", "sales", 400_000.0, date(2026, 10, 17), date(2026, 10, 31), "U123")
    GoalStore(retro_app.services.owners.engine).add(goal)
    click = button_click("goal_retro", "October sales", retro_app.slack.response_url("b"), channel="DU123")
    click["trigger_id"] = "t-retro"
    status, _ = send_interaction(retro_app.events_url, SIGNING_SECRET, click)
    assert status == 200
    view = _opened_view(retro_app)
    initial = _initial(view)
    assert initial["retro_title"] == "Retro: October sales"
    assert initial["retro_goal"] == "Sales of 400,000 in total, 2026-10-17 to 2026-10-31."
    assert initial["retro_result"] == "Sales came to 255,000 in total: 64% of the target."
    assert json.loads(view["private_metadata"])["channel"] == "DU123"
