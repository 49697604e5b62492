from __future__ import annotations

import pytest

from skills.errors import SkillError
from skills.feedback_categories import CATEGORIES, CATEGORY_INFO, parse_category, split_customer


def test_every_category_has_labels_and_a_playbook_step_in_both_languages() -> None:
    for category in CATEGORIES:
        info = CATEGORY_INFO[category]
        assert info.label["en"] and info.label["zh"] and info.handling["en"] and info.handling["zh"]


@pytest.mark.parametrize(
    ("text", "rest", "customer"),
    [
        ("export fails customer:Acme", "export fails", "Acme"),
        ('export fails customer:"Acme Ltd" today', "export fails today", "Acme Ltd"),
        ("导出报错 客户:华星科技", "导出报错", "华星科技"),
        ("导出报错 客户：华星科技", "导出报错", "华星科技"),
        ("导出报错500,客户:华星科技", "导出报错500,", "华星科技"),
        ("Customer: the export fails", "Customer: the export fails", None),
        ("no customer here", "no customer here", None),
    ],
)
def test_customer_is_taken_out_of_the_text(text: str, rest: str, customer: str | None) -> None:
    assert split_customer(text) == (rest, customer)


def test_categories_are_understood_as_people_type_them() -> None:
    assert parse_category("Bug") == "bug"
    assert parse_category("how-to") == "how_to"
    assert parse_category("客诉") == "complaint"
    assert parse_category("新需求") == "feature_request"
    with pytest.raises(SkillError, match="Unknown category"):
        parse_category("bugz")
