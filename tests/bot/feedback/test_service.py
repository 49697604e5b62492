"""Filing through the service: categorized and grouped by meaning at once, or finished later."""

from __future__ import annotations

from pathlib import Path

from bot.feedback.meaning import FeedbackMeaning, shared_meaning
from bot.feedback.service import FeedbackService
from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackStore, NewFeedback
from skills.errors import SkillError
from skills.feedback_classifier import FeedbackClassifier
from tests.conftest import db_url_for

NINE_REPORTS = [
    ("导出报表报错500", "华星科技"),
    ("登录后页面一直转圈，进不去", "华星科技"),
    ("希望能批量导入客户名单", "Acme"),
    ("导出报表一直报错500，客户很着急", "Acme"),
    ("登录以后一直加载，进不去系统", "Beta"),
    ("Exporting the report fails with error 500", "Globex"),
    ("能不能支持批量导入客户？一个个加太慢了", "Beta"),
    ("After login the page keeps spinning and never loads", "Globex"),
    ("发票抬头开错了，需要重开", "Initech"),
]


def _service(tmp_path: Path, classifier: FeedbackClassifier, meaning: FeedbackMeaning) -> FeedbackService:
    service = FeedbackService(
        FeedbackStore(create_db_engine(db_url_for(tmp_path))), base=classifier.fork, meaning=meaning
    )
    service.offline()
    return service


def _file(service: FeedbackService, number: int, text: str, customer: str) -> int:
    new = NewFeedback(f"cli:{number}", text, "U1", "U1", "cli", "zh", customer)
    return service.complete(service.file(new).item).id


def test_the_same_problem_in_other_words_and_languages_is_one_group(
    tmp_path: Path, feedback_classifier: FeedbackClassifier
) -> None:
    service = _service(tmp_path, feedback_classifier, shared_meaning())
    service.warm_up()
    ids = [_file(service, n, text, customer) for n, (text, customer) in enumerate(NINE_REPORTS)]
    store = service.store
    groups = [store.get(item_id).group_id for item_id in ids]  # type: ignore[union-attr]
    export, login, bulk, invoice = groups[0], groups[1], groups[2], groups[8]
    assert groups == [export, login, bulk, export, login, export, bulk, login, invoice]
    assert len({export, login, bulk, invoice}) == 4
    [top, second, third] = store.top_groups()
    assert (top.group_id, top.items, top.customers) in {(export, 3, 3), (login, 3, 3)}
    assert (third.group_id, third.items, third.customers) == (bulk, 2, 2)
    assert second.items == 3


def test_a_report_filed_before_the_models_are_ready_is_grouped_by_its_words_then_finished(
    tmp_path: Path, feedback_classifier: FeedbackClassifier
) -> None:
    cold = FeedbackMeaning()  # not loaded: filing must not wait for it
    service = _service(tmp_path, feedback_classifier, cold)
    new = NewFeedback("k1", "Export to Excel fails with error 500", "U1", "U1", "cli", "en")
    item = service.file(new).item
    assert not cold.ready and not service.store.has_meaning(item.id)
    service.complete(item)  # the job after filing: loads the models, stores the vectors
    assert cold.ready and service.store.has_meaning(item.id)
    again = NewFeedback("k2", "导出Excel一直报错500", "U2", "U2", "cli", "zh")
    assert service.file(again).item.group_id == item.id


def test_regroup_finds_what_words_missed_and_keeps_what_people_decided(
    tmp_path: Path, feedback_classifier: FeedbackClassifier
) -> None:
    cold = FeedbackMeaning()  # as items filed before vectors were stored: grouped by words
    service = _service(tmp_path, feedback_classifier, cold)
    texts = [
        "导出报表报错500",
        "Exporting the report fails with error 500",
        "希望增加夜间模式",
        "Any plans for a dark mode?",
        "能不能出个深色主题，晚上看着眼睛累",
    ]
    ids = [
        service.file(NewFeedback(f"k{n}", text, "U1", "U1", "cli", "zh")).item.id
        for n, text in enumerate(texts)
    ]
    store = service.store
    assert len({store.get(i).group_id for i in ids}) == 5  # type: ignore[union-attr]
    store.split(ids[3], "U1")  # a person says the English dark-mode request stands alone
    planned = service.regroup(dry_run=True)
    assert {(move.item_id, move.group) for move in planned} >= {(ids[1], ids[0])}
    assert ids[3] not in {move.item_id for move in planned}
    assert store.get(ids[1]).group_id == ids[1] and not store.has_meaning(ids[1])  # type: ignore[union-attr]
    moves = service.regroup()
    assert [(m.item_id, m.group) for m in moves] == [(m.item_id, m.group) for m in planned]
    assert store.get(ids[1]).group_id == ids[0] and store.has_meaning(ids[1])  # type: ignore[union-attr]
    assert store.get(ids[3]).group_id == ids[3]  # type: ignore[union-attr]
    assert service.regroup(dry_run=True) == []


def test_odd_reports_are_filed_or_refused_clearly_and_never_grouped_wrongly(
    tmp_path: Path, feedback_classifier: FeedbackClassifier
) -> None:
    service = _service(tmp_path, feedback_classifier, shared_meaning())
    service.warm_up()

    def file(key: str, text: str) -> int:
        return service.file(NewFeedback(key, text, "U1", "U1", "cli", "zh")).item.id

    emoji = [file("e1", "👍👍👍"), file("e2", "🙏🙏"), file("e3", "👍")]
    assert [service.store.get(i).group_id for i in emoji] == emoji  # type: ignore[union-attr]
    mixed = file("m1", "Login 失败 after 更新 🙏")
    again = file("m2", "更新之后 login 一直失败")
    assert service.store.get(again).group_id == mixed  # type: ignore[union-attr]
    for text, reason in (("   ", "no feedback text"), ("导出" * 5000, "limit is 4,000")):
        try:
            file("bad", text)
        except SkillError as error:
            assert reason in error.message("en") and error.message("zh")
        else:
            raise AssertionError(f"{text[:10]!r} must be refused")
    assert service.store.by_key("bad") is None
