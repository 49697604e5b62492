"""The retro modal, the posted retro and its Markdown as plain data; the store's marks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from bot.retro.blocks import (
    RetroMeta,
    retro_markdown,
    retro_message,
    retro_modal,
    submission_errors,
    submitted_text,
)
from bot.slack.blocks import SECTION_LIMIT
from bot.storage.engine import create_db_engine
from bot.storage.retros import NewRetro, Retro, RetroStore
from knowledge.loaders import load_document
from skills.retro import RetroDraft, RetroText, retro_problems
from tests.conftest import db_url_for

TEXT = RetroText(
    "Double 11 <!channel>",
    "Reach ¥1M in sales & 500 new customers",
    "¥0.9M, 520 new customers",
    "## Traffic\nSource: https://evil.example.com\nAds started two days late",
    "Book ads a week ahead @here",
)


def _retro(text: RetroText = TEXT, lang: str = "en", author: str = "U123") -> Retro:
    return Retro(
        7,
        text,
        "zh" if lang == "zh" else "en",
        "sales",
        date(2026, 11, 1),
        date(2026, 11, 15),
        author,
        "C123",
        datetime(2026, 11, 20, tzinfo=UTC),
        None,
        False,
    )


def test_the_modal_prefills_goal_and_result_and_prompts_the_rest() -> None:
    draft = RetroDraft("Retro: Sales 2026-11-01–2026-11-15", "Goal: Sales …", "Actual: …")
    meta = RetroMeta("C123", "en", "sales", "2026-11-01", "2026-11-15")
    view = retro_modal(draft, meta)
    assert view["callback_id"] == "retro_modal" and view["title"]["text"] == "Retrospective"
    assert json.loads(view["private_metadata"]) == {
        "channel": "C123",
        "lang": "en",
        "metric": "sales",
        "start": "2026-11-01",
        "end": "2026-11-15",
    }
    inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    assert list(inputs) == ["retro_title", "retro_goal", "retro_result", "retro_causes", "retro_lessons"]
    assert inputs["retro_title"]["element"]["initial_value"] == "Retro: Sales 2026-11-01–2026-11-15"
    assert inputs["retro_title"]["optional"] is True
    assert inputs["retro_goal"]["element"]["initial_value"] == "Goal: Sales …"
    assert inputs["retro_goal"]["label"]["text"] == "1. Review the goal"
    for step in ("causes", "lessons"):
        element = inputs[f"retro_{step}"]["element"]
        assert "initial_value" not in element and element["multiline"] is True
        assert 0 < len(element["placeholder"]["text"]) <= 150
    assert all(block["element"]["max_length"] <= 2900 for block in inputs.values())


def test_a_blank_chinese_modal() -> None:
    view = retro_modal(None, RetroMeta("C123", "zh"))
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert labels == ["标题", "1. 回顾目标", "2. 评估结果", "3. 分析原因", "4. 总结规律"]
    assert view["submit"]["text"] == "保存并发布"
    assert not any("initial_value" in block.get("element", {}) for block in view["blocks"])


def test_a_submission_is_read_back_and_its_problems_go_to_their_blocks() -> None:
    view = {
        "state": {
            "values": {
                "retro_title": {"value": {"value": None}},
                "retro_goal": {"value": {"value": "goal"}},
                "retro_result": {"value": {"value": "result"}},
                "retro_causes": {"value": {"value": "  "}},
            }
        }
    }
    text = submitted_text(view)
    assert text == RetroText("", "goal", "result", "  ", "")
    errors = submission_errors(retro_problems(text), "zh")
    assert sorted(errors) == ["retro_causes", "retro_lessons"]
    assert errors["retro_causes"] == "请填写“分析原因”:四个步骤都需要。"


def test_metadata_that_is_not_ours_is_tolerated() -> None:
    assert RetroMeta.from_json("not json") == RetroMeta("", "en")
    assert RetroMeta.from_json('{"lang": "zh", "start": "x", "end": "y"}').period() == (None, None)


def test_the_posted_retro_escapes_what_people_typed() -> None:
    payload = retro_message(_retro())
    text = json.dumps(payload, ensure_ascii=False)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "@here" not in text and "&amp; 500 new customers" in text
    header, *sections, context = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Double 11 &lt;!channel&gt;"}}
    assert [s["text"]["text"].split("\n")[0] for s in sections] == [
        "*1. Review the goal*",
        "*2. Evaluate the result*",
        "*3. Analyse the causes*",
        "*4. Summarize the lessons*",
    ]
    assert context["elements"][0]["text"] == "By <@U123> · Sales · 2026-11-01–2026-11-15 · retro #7"
    assert payload["text"] == "Retro: Double 11 &lt;!channel&gt;"


def test_a_long_step_full_of_escapes_is_split_not_cut() -> None:
    long = RetroText("t", "&" * 2900, "r", "c", "l")
    blocks = retro_message(_retro(long, author=""))["blocks"]
    goal_parts = [b["text"]["text"] for b in blocks[1:-4]]
    assert all(len(part) <= SECTION_LIMIT for part in goal_parts) and len(goal_parts) == 5
    assert "".join(goal_parts).count("&amp;") == 2900
    assert blocks[-1]["elements"][0]["text"].startswith("Written on the command line")


def test_the_markdown_keeps_four_sections_cited_as_title_and_step() -> None:
    markdown = retro_markdown(_retro(lang="zh"))
    document = load_document("retro-7.md", markdown.encode())
    assert document.title == "Double 11 <!channel>"
    assert document.url is None, "a link typed in a step is not the document's link"
    assert [s.title for s in document.sections] == ["回顾目标", "评估结果", "分析原因", "总结规律"]
    assert "(销售额, 2026-11-01 至 2026-11-15)" in document.sections[0].text
    assert "> ## Traffic" in document.sections[2].text


def test_the_store_saves_whole_retros_and_marks_them(tmp_path: Path) -> None:
    store = RetroStore(create_db_engine(db_url_for(tmp_path)))
    first = store.save(NewRetro(TEXT, "en", author="U1"), now=datetime(2026, 11, 1, tzinfo=UTC))
    second = store.save(
        NewRetro(TEXT, "zh", "sales", date(2026, 11, 1), date(2026, 11, 3), "U2", "C9"),
        now=datetime(2026, 11, 2, tzinfo=UTC),
    )
    assert [r.id for r in store.newest_first()] == [second.id, first.id]
    assert second.source == f"retro/{second.id}.md" and second.lang == "zh"
    store.mark_posted(second.id, "1700000000.000100")
    store.mark_indexed(second.id)
    saved = store.get(second.id)
    assert saved is not None and saved.posted_ts == "1700000000.000100" and saved.indexed
    assert (saved.metric, saved.start, saved.end, saved.text) == (
        "sales",
        date(2026, 11, 1),
        date(2026, 11, 3),
        TEXT,
    )
    assert [r.id for r in store.not_indexed()] == [first.id]
