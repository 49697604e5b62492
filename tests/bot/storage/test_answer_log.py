"""The answer log: every question, its answer, and people's votes, for evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.answer_log import HELPFUL, NOT_HELPFUL, AnswerLog
from bot.storage.engine import create_db_engine
from tests.conftest import db_url_for


def _log(tmp_path: Path) -> AnswerLog:
    return AnswerLog(create_db_engine(db_url_for(tmp_path)))


def test_votes_are_counted_once_per_person_and_can_change(tmp_path: Path) -> None:
    log = _log(tmp_path)
    first = log.record(
        "复盘有哪几步?", "zh", True, "extractive", "复盘分四步", ["手册 › 复盘四步"], "C1", "U1"
    )
    assert log.vote(first, "U1", HELPFUL)
    assert log.vote(first, "U2", NOT_HELPFUL)
    assert log.vote(first, "U2", HELPFUL)  # changed their mind
    assert log.vote(first, "U3", NOT_HELPFUL, "没说每一步要看什么")
    assert log.vote(first, "U3", NOT_HELPFUL)  # clicking again keeps the reason
    stats = log.stats()
    assert (stats.answered, stats.unanswered, stats.helpful, stats.not_helpful) == (1, 0, 2, 1)
    assert stats.worst == []
    assert not log.vote(first + 100, "U1", HELPFUL), "no such answer"


def test_the_worst_questions_are_unhelpful_or_never_answered(tmp_path: Path) -> None:
    log = _log(tmp_path)
    bad = log.record("How do I compute LTV?", "en", True, "extractive", "RFM …", ["RFM"], "C1", "U1")
    log.vote(bad, "U1", NOT_HELPFUL, "This is about RFM, not lifetime value")
    log.vote(bad, "U2", NOT_HELPFUL)
    for _ in range(2):
        log.record("直播带货的话术怎么写?", "zh", False, "none", "", [], "C1", "U2")
    log.record("  how do I compute ltv? ", "en", False, "none", "", [], "C1", "U3")
    good = log.record("RFM 是什么?", "zh", True, "extractive", "RFM …", ["RFM"], "C1", "U1")
    log.vote(good, "U1", HELPFUL)
    stats = log.stats()
    assert (stats.answered, stats.unanswered) == (2, 3)
    ltv, live = stats.worst
    assert (ltv.asked, ltv.unanswered, ltv.not_helpful) == (2, 1, 2), "one question, asked twice"
    assert ltv.reasons == ("This is about RFM, not lifetime value",)
    assert (live.question, live.asked, live.unanswered) == ("直播带货的话术怎么写?", 2, 2)
    assert stats.as_json()["worst"][0]["not_helpful"] == 2
    assert [q.question for q in log.to_evaluate()] == [ltv.question, live.question]


def test_old_answers_are_deleted_with_their_votes(tmp_path: Path) -> None:
    log = _log(tmp_path)
    answer = log.record("RFM 是什么?", "zh", True, "extractive", "RFM …", [], "C1", "U1")
    log.vote(answer, "U1", HELPFUL)
    assert log.delete_before(datetime.now(UTC) - timedelta(days=1)) == 0
    assert log.delete_before(datetime.now(UTC) + timedelta(seconds=1)) == 1
    stats = log.stats()
    assert (stats.answered, stats.helpful) == (0, 0)
    assert log.stats(since=datetime.now(UTC) - timedelta(days=7)).answered == 0
