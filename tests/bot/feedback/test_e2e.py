"""Filing feedback through the real Bolt app: shortcut, command, mention, correction and status
buttons, routing, grouping, stats and export."""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest
from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError

from bot.feedback import commands as feedback_commands
from bot.feedback.blocks import SAME_AS_BLOCK
from bot.feedback.flows import resume_unfinished
from bot.feedback.service import PENDING, FeedbackService
from bot.local.slack_api import LocalSlack
from bot.storage.feedback import Filed, NewFeedback, as_utc
from skills.feedback_classifier import FeedbackClassifier
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import (
    button_click,
    message_shortcut,
    send_command,
    send_event,
    send_interaction,
    view_submission,
)

BUG = "Export to Excel fails with error 500 since this morning"


def _responses(slack: LocalSlack, count: int) -> list[dict]:  # type: ignore[type-arg]
    assert slack.wait_for(lambda s: len(s.responses) >= count, timeout=30), slack.responses
    return slack.responses


def _posts(slack: LocalSlack, count: int, channel: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    def posts(s: LocalSlack) -> list[dict]:  # type: ignore[type-arg]
        return [
            c.params
            for c in s.calls_to("chat.postMessage")
            if channel is None or c.params["channel"] == channel
        ]

    assert slack.wait_for(lambda s: len(posts(s)) >= count, timeout=30), slack.calls_to("chat.postMessage")
    return posts(slack)


def _text(payload: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(payload, ensure_ascii=False)


def _buttons(payload: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """action_id → value of every button in the payload."""
    found = {}
    for block in payload.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


def _file_by_command(running: Running, text: str, trigger: str, user: str = "U123") -> dict:  # type: ignore[type-arg]
    status, body = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        f"feedback {text}",
        running.slack.response_url(trigger),
        user=user,
        trigger_id=trigger,
    )
    assert status == 200
    return json.loads(body)


def test_command_files_before_it_answers_and_offers_corrections(running: Running) -> None:
    card = _file_by_command(running, f"{BUG} customer:Acme", "t-cmd-1")
    [item] = running.services.feedback.store.items()
    assert (item.category, item.customer, item.reporter, item.source, item.status) == (
        "bug",
        "Acme",
        "U123",
        "command",
        "new",
    )
    text = _text(card)
    assert f"Filed as :beetle: Production bug (#{item.id})" in text
    assert "Customer: Acme" in text and "send it to product" in text
    buttons = _buttons(card)
    assert set(buttons) == {
        f"feedback_category:{c}" for c in ("how_to", "ops_admin", "feature_request", "complaint", "other")
    } | {"feedback_group:same_as"}


def _stall_filing(running: Running, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> threading.Event:
    """Saving waits until the returned event is set (a database that hangs), then saves or fails."""
    monkeypatch.setattr(feedback_commands, "FILING_BUDGET", 0.2)
    released = threading.Event()
    file = running.services.feedback.file

    def stalled(new: NewFeedback) -> Filed:
        assert released.wait(timeout=30)
        if fail:
            raise OperationalError("INSERT INTO feedback_items", {}, TimeoutError("timed out"))
        return file(new)

    monkeypatch.setattr(running.services.feedback, "file", stalled)
    return released


def test_a_stalled_database_gets_an_answer_in_time_and_the_card_once_saved(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    released = _stall_filing(running, monkeypatch)
    first = _file_by_command(running, f"{BUG} customer:Acme", "t-slow")
    assert "taking longer than usual" in _text(first) and "no need to send it again" in _text(first)
    assert running.services.feedback.store.items() == []
    released.set()
    [card] = _responses(running.slack, 1)
    [item] = running.services.feedback.store.items()
    assert f"(#{item.id})" in _text(card) and card["replace_original"] is True
    assert item.customer == "Acme"


def test_a_stalled_database_that_fails_says_nothing_was_saved(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    released = _stall_filing(running, monkeypatch, fail=True)
    first = _file_by_command(running, "数据导出一直失败", "t-slow-fail")
    assert "比平时慢" in _text(first)
    released.set()
    [refusal] = _responses(running.slack, 1)
    assert "没能登记" in _text(refusal) and "编号" in _text(refusal)
    assert running.services.feedback.store.items() == []


def test_a_database_that_refuses_gets_nothing_was_saved_in_the_ack(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(new: NewFeedback) -> Filed:
        raise OperationalError("INSERT INTO feedback_items", {}, ConnectionRefusedError("refused"))

    monkeypatch.setattr(running.services.feedback, "file", refused)
    ack = _file_by_command(running, BUG, "t-refused")
    assert "could not file this feedback: nothing was saved" in _text(ack)
    assert "try again in a minute" in _text(ack)


def test_empty_and_huge_feedback_get_a_clear_message_and_file_nothing(running: Running) -> None:
    usage = _file_by_command(running, "", "t-empty")
    assert "/ops feedback TEXT customer:NAME" in _text(usage)
    huge = _file_by_command(running, "很长的反馈" * 1000, "t-huge")
    assert "上限是 4,000" in _text(huge)
    only_customer = _file_by_command(running, "customer:Acme", "t-only-customer")
    assert "There is no feedback text" in _text(only_customer)
    assert running.services.feedback.store.items() == []


def test_shortcut_keeps_author_channel_time_and_link_and_files_once(running: Running) -> None:
    running.slack.user_locales["U999"] = "zh-CN"
    message = {
        "type": "message",
        "user": "U777",
        "text": "客户说导出报表一直报错500",
        "ts": "1700000500.000200",
    }
    payload = message_shortcut(message, running.slack.response_url("shortcut-1"), user="U999")
    status, _ = send_interaction(running.events_url, SIGNING_SECRET, payload)
    assert status == 200
    [card] = _responses(running.slack, 1)
    [item] = running.services.feedback.store.items()
    assert (item.reporter, item.filed_by, item.channel, item.source) == ("U777", "U999", "C123", "shortcut")
    assert item.permalink == "https://local.slack.test/archives/C123/p1700000500000200"
    assert int(as_utc(item.said_at).timestamp()) == 1700000500
    assert card["response_type"] == "ephemeral" and "已登记为「:beetle: 生产 bug」" in _text(card)
    assert "原消息" in _text(card)

    again = message_shortcut(message, running.slack.response_url("shortcut-2"), user="U888")
    send_interaction(running.events_url, SIGNING_SECRET, again)
    second = _responses(running.slack, 2)[1]
    assert "Already filed as :beetle: Production bug (#1) by <@U999>" in _text(second), (
        "in the filer's language"
    )
    assert len(running.services.feedback.store.items()) == 1


def test_shortcut_on_a_message_without_text_says_why(running: Running) -> None:
    message = {"type": "message", "user": "U777", "text": "", "ts": "1700000600.000100"}
    send_interaction(
        running.events_url, SIGNING_SECRET, message_shortcut(message, running.slack.response_url("s"))
    )
    [reply] = _responses(running.slack, 1)
    assert "no text to file" in _text(reply)
    assert running.services.feedback.store.items() == []


def test_mention_files_in_the_thread_and_a_retry_files_nothing_more(running: Running) -> None:
    event = {
        "type": "app_mention",
        "channel": "C123",
        "user": "U555",
        "text": "<@UOPSBOT> feedback: 希望报表能支持按周汇总 客户:华星科技",
        "ts": "1700000700.000100",
    }
    send_event(running.events_url, SIGNING_SECRET, event, "Ev-fb-1")
    [reply] = _posts(running.slack, 1)
    assert reply["thread_ts"] == "1700000700.000100"
    assert "新需求" in _text(reply) and "客户:华星科技" in _text(reply)
    send_event(running.events_url, SIGNING_SECRET, event, "Ev-fb-1", retry=1)
    running.services.jobs.drain(timeout=10)
    [item] = running.services.feedback.store.items()
    assert (item.category, item.customer, item.text) == (
        "feature_request",
        "华星科技",
        "希望报表能支持按周汇总",
    )
    assert len(running.slack.calls_to("chat.postMessage")) == 1


def test_a_mention_without_the_feedback_prefix_is_still_a_question(running: Running) -> None:
    event = {
        "type": "app_mention",
        "channel": "C123",
        "user": "U1",
        "text": "<@UOPSBOT> 复盘怎么做?",
        "ts": "1.2",
    }
    send_event(running.events_url, SIGNING_SECRET, event, "Ev-q-1")
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 1, timeout=60)
    assert running.services.feedback.store.items() == []


def test_correction_button_moves_the_item_and_becomes_a_labeled_example(running: Running) -> None:
    card = _file_by_command(running, "The app feels slow when I open the customer list", "t-fix")
    [item] = running.services.feedback.store.items()
    target = "complaint" if item.category != "complaint" else "other"
    value = _buttons(card)[f"feedback_category:{target}"]
    running.services.jobs.drain(timeout=30)
    sent = len(running.slack.responses)
    click = button_click(f"feedback_category:{target}", value, running.slack.response_url("fix"), user="U321")
    status, _ = send_interaction(running.events_url, SIGNING_SECRET, click)
    assert status == 200
    updated = _responses(running.slack, sent + 1)[sent]
    assert updated["replace_original"] is True and "by <@U321>" in _text(updated)
    stored = running.services.feedback.store.get(item.id)
    assert stored is not None
    assert (stored.category, stored.original_category, stored.corrected_by) == (target, item.category, "U321")
    assert [(e.text, e.category) for e in running.services.feedback.store.corrections()] == [
        (item.text, target)
    ]


def test_a_forged_button_value_changes_nothing(running: Running) -> None:
    _file_by_command(running, BUG, "t-forge")
    [item] = running.services.feedback.store.items()
    for value in ("abc", f"{item.id}:nonsense", "99999:bug"):
        click = button_click("feedback_category:bug", value, running.slack.response_url("forge"))
        assert send_interaction(running.events_url, SIGNING_SECRET, click)[0] == 200
    stored = running.services.feedback.store.get(item.id)
    assert stored is not None and stored.corrected_by is None
    notices = _responses(running.slack, 3)
    assert all("no longer exists" in _text(notice) for notice in notices)


def test_routing_posts_new_bugs_to_the_triage_channel_with_status_buttons(running: Running) -> None:
    running.slack.admins.add("UADMIN")
    status, _ = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        "feedback route bug <#CBUGS|product-bugs>",
        running.slack.response_url("route"),
        user="UADMIN",
    )
    assert status == 200
    [confirmation] = _responses(running.slack, 1)
    assert "posted in <#CBUGS>" in _text(confirmation)

    card = _file_by_command(running, f"{BUG} customer:Acme", "t-route-1")
    assert "Production bug" in _text(card)
    [triage] = _posts(running.slack, 1, channel="CBUGS")
    assert "Export to Excel fails" in _text(triage) and "Customer: Acme" in _text(triage)
    updated_card = _responses(running.slack, 2)[1]
    assert "Posted to <#CBUGS> for triage" in _text(updated_card)
    [item] = running.services.feedback.store.items()
    assert item.routed_channel == "CBUGS"

    done = _buttons(triage)["feedback_status:done"]
    click = button_click("feedback_status:done", done, running.slack.response_url("status"), user="U444")
    send_interaction(running.events_url, SIGNING_SECRET, click)
    status_update = _responses(running.slack, 3)[2]
    assert "done by <@U444>" in _text(status_update)
    stored = running.services.feedback.store.get(item.id)
    assert stored is not None and (stored.status, stored.status_by) == ("done", "U444")


def test_routing_by_name_and_refusals(running: Running) -> None:
    running.slack.channels["CPRODUCT"] = "product-requests"
    send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        "feedback route 新需求 #product-requests",
        running.slack.response_url("r1"),
        user="U1",
    )
    [refused] = _responses(running.slack, 1)
    assert "Only workspace admins" in _text(refused) or "只有工作区管理员" in _text(refused)
    running.slack.admins.add("U1")
    send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        "feedback route feature_request #product-requests",
        running.slack.response_url("r2"),
        user="U1",
    )
    assert "<#CPRODUCT>" in _text(_responses(running.slack, 2)[1])
    send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        "feedback route bug #no-such-channel",
        running.slack.response_url("r3"),
        user="U1",
    )
    assert "can't find the channel #no-such-channel" in _text(_responses(running.slack, 3)[2])
    assert running.services.feedback.store.routes() == {"feature_request": "CPRODUCT"}


def test_near_duplicates_are_grouped_and_counted_by_customer(running: Running) -> None:
    _file_by_command(running, "Export to Excel fails with error 500 customer:Acme", "t-g1")
    second = _file_by_command(running, "exporting to excel gives error 500 again customer:Beta", "t-g2")
    assert "Raised 2 times by 2 customers" in _text(second)
    _file_by_command(running, "How do I add a colleague to our workspace? customer:Acme", "t-g3")
    first, _ = sorted(running.services.feedback.store.items()[1:], key=lambda i: i.id)
    items = {item.id: item for item in running.services.feedback.store.items()}
    groups = {item.group_id for item in items.values()}
    assert len(groups) == 2 and first.group_id == first.id


def _group_command(running: Running, text: str, trigger: str, user: str = "U1") -> str:
    count = len(running.slack.responses)
    send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        f"feedback {text}",
        running.slack.response_url(trigger),
        user=user,
    )
    return _text(_responses(running.slack, count + 1)[count])


def test_an_admin_merges_and_splits_groups_and_counts_follow_at_once(running: Running) -> None:
    _file_by_command(running, "Export to Excel fails with error 500 customer:Acme", "t-m1")
    _file_by_command(running, "希望能支持导出PDF 客户:华星", "t-m2")
    _file_by_command(running, "The report download button does nothing customer:Beta", "t-m3")
    store = running.services.feedback.store
    export, pdf, download = sorted(item.id for item in store.items())
    assert "Only workspace admins" in _group_command(running, f"merge {export} {download}", "g0", user="U9")
    assert store.get(download).group_id == download  # type: ignore[union-attr]
    running.slack.admins.add("U1")
    merged = _group_command(running, f"merge #{export} #{download}", "g1")
    assert f"#{download} now counted with #{export}: 2 reports of the same problem, from 2" in merged
    [top] = store.top_groups()
    assert (top.group_id, top.items, top.customers) == (export, 2, 2)
    assert "counts as a problem of its own" in _group_command(running, f"split {download}", "g2")
    assert store.top_groups() == [] and store.get(download).grouped_by == "U1"  # type: ignore[union-attr]
    assert "There is no feedback #999" in _group_command(running, f"merge {export} 999", "g3")
    assert "/ops feedback merge TARGET ITEM" in _text(_file_by_command(running, "split", "g4"))
    assert pdf not in {g.group_id for g in store.top_groups()}


def _opened_view(running: Running, count: int) -> dict:  # type: ignore[type-arg]
    assert running.slack.wait_for(lambda s: len(s.calls_to("views.open")) >= count, timeout=30)
    view = running.slack.calls_to("views.open")[count - 1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_the_cards_buttons_merge_and_split_and_the_form_says_what_is_wrong(running: Running) -> None:
    _file_by_command(running, "Export to Excel fails with error 500 customer:Acme", "t-c1")
    card = _file_by_command(running, "The invoice has the wrong company name customer:Beta", "t-c2")
    store = running.services.feedback.store
    export, invoice = sorted(item.id for item in store.items())
    assert set(_buttons(card)) >= {"feedback_group:same_as"} and "feedback_group:split" not in _buttons(card)
    running.services.jobs.drain(timeout=30)
    running.slack.admins.add("U1")
    click = button_click(
        "feedback_group:same_as", f"{invoice}:same_as", running.slack.response_url("c2"), user="U1"
    )
    assert send_interaction(running.events_url, SIGNING_SECRET, click)[0] == 200
    view = _opened_view(running, 1)
    status, body = send_interaction(
        running.events_url, SIGNING_SECRET, view_submission(view, {SAME_AS_BLOCK: "twelve"}, user="U1")
    )
    assert status == 200 and "Type the number of the earlier report" in body
    status, body = send_interaction(
        running.events_url, SIGNING_SECRET, view_submission(view, {SAME_AS_BLOCK: "#999"}, user="U1")
    )
    assert "There is no feedback #999" in body
    sent = len(running.slack.responses)
    status, body = send_interaction(
        running.events_url, SIGNING_SECRET, view_submission(view, {SAME_AS_BLOCK: f"#{export}"}, user="U1")
    )
    assert status == 200 and "errors" not in body
    merged = _responses(running.slack, sent + 1)[sent]
    assert merged["replace_original"] is True and "feedback_group:split" in _buttons(merged)
    assert store.get(invoice).group_id == export and store.get(invoice).grouped_by == "U1"  # type: ignore[union-attr]

    refused = button_click(
        "feedback_group:split", f"{invoice}:split", running.slack.response_url("c3"), user="U9"
    )
    send_interaction(running.events_url, SIGNING_SECRET, refused)
    assert "Only workspace admins" in _text(_responses(running.slack, sent + 2)[sent + 1])
    split = button_click(
        "feedback_group:split", f"{invoice}:split", running.slack.response_url("c4"), user="U1"
    )
    send_interaction(running.events_url, SIGNING_SECRET, split)
    card = _responses(running.slack, sent + 3)[sent + 2]
    assert card["replace_original"] is True and "feedback_group:split" not in _buttons(card)
    assert store.get(invoice).group_id == invoice  # type: ignore[union-attr]


def test_stats_count_by_category_and_show_the_most_repeated(running: Running) -> None:
    _file_by_command(running, "Export to Excel fails with error 500 customer:Acme", "t-s1")
    _file_by_command(running, "exporting to excel gives error 500 again customer:Beta", "t-s2")
    _file_by_command(running, "希望能支持导出PDF 客户:华星", "t-s3")
    send_command(
        running.events_url, SIGNING_SECRET, "/ops", "feedback stats 30d", running.slack.response_url("st")
    )
    report = _text(_responses(running.slack, 1)[0])
    assert "Feedback, last 30 days: 3 items" in report
    assert "Production bug: *2* (new 2, triaged 0, done 0)" in report
    assert "2 customers, 2 times" in report


def test_export_sends_a_spreadsheet_safe_csv_to_an_admin(running: Running) -> None:
    _file_by_command(running, '=HYPERLINK("http://x") export fails with error 500 customer:@evil', "t-e1")
    send_command(
        running.events_url, SIGNING_SECRET, "/ops", "feedback export", running.slack.response_url("e0")
    )
    [refused] = _responses(running.slack, 1)
    assert "only workspace admins can export" in _text(refused)
    running.slack.admins.add("U123")
    send_command(
        running.events_url, SIGNING_SECRET, "/ops", "feedback export", running.slack.response_url("ex")
    )
    notice = _responses(running.slack, 2)[1]
    assert "sent you the CSV (1 item)" in _text(notice)
    [upload] = running.slack.uploads()
    assert upload.channels == ["DU123"] and upload.name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(upload.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["id", "said_at_utc", "category", "status", "customer", "text"]
    assert rows[1][4] == "'@evil" and rows[1][5].startswith("'=HYPERLINK")


def test_feedback_text_that_starts_with_a_subcommand_word_is_still_filed(running: Running) -> None:
    card = _file_by_command(running, "export to Excel is broken, error 500", "t-word")
    assert "Filed as" in _text(card)
    assert len(running.services.feedback.store.items()) == 1


def test_a_mistyped_period_gets_usage_and_files_nothing(running: Running) -> None:
    for text in ("stats 90", "stats month", "export last"):
        reply = _file_by_command(running, text, f"t-{text}")
        assert "Give the period as days" in _text(reply)
    assert running.services.feedback.store.items() == []


def test_feedback_with_a_screenshot_is_filed_not_analysed(running: Running) -> None:
    screenshot = running.slack.add_file("screen.png", b"\x89PNG fake", user="U1", channel="C123")
    event = {
        "type": "app_mention",
        "channel": "C123",
        "user": "U1",
        "text": "<@UOPSBOT> feedback: the export button does nothing, see screenshot <@U42>",
        "ts": "1700000800.000100",
        "files": [screenshot],
    }
    send_event(running.events_url, SIGNING_SECRET, event, "Ev-fb-shot")
    [reply] = _posts(running.slack, 1)
    assert "Filed as" in _text(reply)
    [item] = running.services.feedback.store.items()
    assert item.text == "the export button does nothing, see screenshot <@U42>"
    assert "&lt;@U42&gt;" in _text(reply), "people mentioned in feedback are shown, not pinged"


def test_before_the_model_is_ready_the_item_is_filed_pending_then_categorized(
    running: Running, feedback_classifier: FeedbackClassifier
) -> None:
    store = running.services.feedback.store
    running.services.feedback = FeedbackService(store, base=feedback_classifier.fork)
    reply = _file_by_command(running, BUG, "t-pending")
    assert "Filed as #1; categorizing" in _text(reply)
    [card] = _responses(running.slack, 1)
    assert "Filed as :beetle: Production bug (#1)" in _text(card)
    stored = store.get(1)
    assert stored is not None and (stored.category, stored.method) == ("bug", "offline")


def test_a_restart_finishes_what_a_crash_cut_short(running: Running) -> None:
    store = running.services.feedback.store
    running.services.feedback.store.set_route("bug", "CBUGS", "UADMIN")
    crashed = [
        NewFeedback("message:C1:1", BUG, "U1", "U1", "mention", "en", channel="C1", message_ts="1.1"),
        NewFeedback(
            "message:C1:2", "导出报表一直报错500", "U2", "U2", "mention", "zh", channel="C1", message_ts="1.2"
        ),
    ]
    store.file(crashed[0], PENDING)
    second = store.file(crashed[1], running.services.feedback.classify_offline(crashed[1].text)).item
    assert store.claim_route(second.id, "CBUGS"), "claimed, then the process died before posting"
    client = WebClient(token="xoxb-test", base_url=running.slack.base_url)
    assert resume_unfinished(running.services, client) == 2
    assert len(_posts(running.slack, 2, channel="CBUGS")) == 2
    assert all(item.method == "offline" and item.routed_ts for item in store.items())
    assert resume_unfinished(running.services, client) == 0, "nothing is posted twice"


def test_a_how_to_question_gets_the_playbooks_answer_on_its_card(running: Running) -> None:
    event = {
        "type": "app_mention",
        "channel": "C123",
        "user": "U5",
        "text": "<@UOPSBOT> feedback: 客户问复盘具体怎么做,有哪几个步骤?",
        "ts": "1700000900.000100",
    }
    send_event(running.events_url, SIGNING_SECRET, event, "Ev-fb-howto")
    [card] = _posts(running.slack, 1)
    text = _text(card)
    assert "操作问题" in text and "手册和团队文档中的解答" in text
    assert "回顾目标" in text, "the retrospective's first step, from the playbook"


def test_stats_propose_how_to_questions_asked_again_and_again_for_the_manual(running: Running) -> None:
    for n, customer in enumerate(("Acme", "Beta", "Gamma")):
        _file_by_command(
            running, f"How do I export the leads report to Excel? customer:{customer}", f"t-m{n}"
        )
    running.services.jobs.drain(timeout=30)  # the cards (with any answer) are out first
    sent = len(running.slack.responses)
    send_command(
        running.events_url, SIGNING_SECRET, "/ops", "feedback stats", running.slack.response_url("m")
    )
    report = _responses(running.slack, sent + 1)[sent]
    assert "candidates for the Q&A manual" in _text(report)
    assert "3 customers, 3 times: How do I export the leads report to Excel?" in _text(report)
