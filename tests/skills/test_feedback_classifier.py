"""The categorizer: accuracy on the labeled set it never trained on, and how it explains itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skills.errors import SkillError
from skills.feedback_categories import CATEGORIES, MAX_FEEDBACK_CHARS
from skills.feedback_classifier import FeedbackClassifier, LabeledExample, default_examples, normalize
from skills.feedback_eval import cross_validate, evaluate, stratified_folds

LABELED = Path(__file__).parent / "data" / "feedback_labeled.jsonl"


def _labeled() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in LABELED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _examples() -> list[LabeledExample]:
    return [LabeledExample(record["text"], record["category"]) for record in _labeled()]


def test_the_labeled_set_is_big_bilingual_and_has_hard_cases() -> None:
    records = _labeled()
    assert len(records) >= 200
    for category in CATEGORIES:
        for lang in ("zh", "en"):
            assert sum(r["category"] == category and r["lang"] == lang for r in records) >= 15
    assert sum(r["hard"] for r in records) >= 60
    shipped = {example.text for example in default_examples()}
    assert not shipped & {r["text"] for r in records}, "the held-out messages must not be training examples"


def test_the_shipped_categorizer_is_accurate_on_messages_it_never_saw(
    feedback_classifier: FeedbackClassifier,
) -> None:
    records = _labeled()
    result = evaluate(lambda text: feedback_classifier.classify(text).category, _examples())
    assert result.accuracy >= 0.9, result.table()
    hard = [LabeledExample(r["text"], r["category"]) for r in records if r["hard"]]
    assert evaluate(lambda text: feedback_classifier.classify(text).category, hard).accuracy >= 0.85


def test_with_the_teams_own_examples_it_stays_accurate_on_held_out_parts() -> None:
    def train(rest: list[LabeledExample]):  # type: ignore[no-untyped-def]
        classifier = FeedbackClassifier.default(rest)
        return lambda text: classifier.classify(text).category

    result = cross_validate(train, _examples(), count=5)
    assert result.total == len(_examples())
    assert result.accuracy >= 0.9, result.table()


def test_folds_are_stratified_and_disjoint() -> None:
    examples = _examples()
    parts = stratified_folds(examples, 5)
    assert sum(len(part) for part in parts) == len(examples)
    assert len({e.text for part in parts for e in part}) == len(examples)
    for part in parts:
        assert {e.category for e in part} == set(CATEGORIES)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("导出报表一直报错500", "bug"),
        ("Why does the export give error 500 every time?!", "bug"),
        ("How can I give a sales rep permission to delete leads?", "ops_admin"),
        ("如何把小李的角色改成主管", "ops_admin"),
        (
            "We reported the sync bug two weeks ago and nobody got back to us. Considering cancelling.",
            "complaint",
        ),
        ("希望能支持导出PDF", "feature_request"),
        ("在哪里可以修改短信签名？", "how_to"),
        ("謝謝，問題已經解決了", "other"),
    ],
)
def test_typical_and_hard_messages(feedback_classifier: FeedbackClassifier, text: str, category: str) -> None:
    result = feedback_classifier.classify(text)
    assert result.category == category
    assert 0 < result.confidence <= 1


def test_the_deciding_words_come_from_the_message(feedback_classifier: FeedbackClassifier) -> None:
    text = "Export to Excel fails with error 500 since the update"
    result = feedback_classifier.classify(text)
    assert result.deciding_words
    for word in result.deciding_words:
        assert word in normalize(text) or word.rstrip("e") in normalize(text)
    assert "500" in result.deciding_words


def test_traditional_chinese_reads_like_simplified(feedback_classifier: FeedbackClassifier) -> None:
    assert normalize("報錯") == "报错"
    assert feedback_classifier.classify("系統一直報錯，打不開").category == "bug"


def test_empty_and_huge_texts_are_refused_in_both_languages(feedback_classifier: FeedbackClassifier) -> None:
    with pytest.raises(SkillError) as empty:
        feedback_classifier.classify("   ")
    assert "no feedback text" in empty.value.en and "没有" in empty.value.zh
    with pytest.raises(SkillError) as huge:
        feedback_classifier.classify("x" * (MAX_FEEDBACK_CHARS + 1))
    assert f"{MAX_FEEDBACK_CHARS:,}" in huge.value.en


def test_corrections_teach_it_the_teams_own_words() -> None:
    classifier = FeedbackClassifier.default()
    jargon = "the zorblax widget needs a frobnicate toggle"
    before = classifier.classify(jargon)
    target = "complaint" if before.category != "complaint" else "other"
    for variant in ("zorblax frobnicate", "zorblax frobnicate again", "frobnicate the zorblax", "zorblax!!"):
        classifier.learn(LabeledExample(variant, target))  # type: ignore[arg-type]
    assert classifier.classify(jargon).category == before.category, "examples count only after a refresh"
    classifier.refresh()
    after = classifier.classify(jargon)
    assert after.category == target
    assert "zorblax" in after.deciding_words or "frobnicate" in after.deciding_words


def test_examples_must_cover_every_category() -> None:
    with pytest.raises(ValueError, match="every category"):
        FeedbackClassifier([LabeledExample("报错了", "bug")])
