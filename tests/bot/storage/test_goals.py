"""Goals kept in the database: unique names, closing, the retrospective asked once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.storage.engine import create_db_engine
from bot.storage.goals import GoalStore
from skills.errors import SkillError
from skills.goals import Goal
from tests.conftest import db_url_for

Q1 = Goal("Q1 sales", "sales", 1.2e8, date(2027, 1, 1), date(2027, 3, 31), "U1")
JAN = Goal("January sign-ups", "new_customers", 5000, date(2027, 1, 1), date(2027, 1, 31), "U2", "C9")


def test_goals_are_kept_listed_and_closed(tmp_path: Path) -> None:
    store = GoalStore(create_db_engine(db_url_for(tmp_path)))
    store.add(Q1)
    store.add(JAN)
    assert [stored.goal for stored in store.goals()] == [JAN, Q1], "soonest end first"
    with pytest.raises(SkillError, match="already a goal"):
        store.add(Goal("q1 SALES", "sales", 1, date(2027, 1, 1), date(2027, 1, 2)))
    assert store.find("q1  sales").goal == Q1
    with pytest.raises(SkillError, match="Did you mean: Q1 sales"):
        store.find("Q1 sale")
    assert store.close("Q1 sales") == Q1
    with pytest.raises(SkillError, match="already closed"):
        store.close("Q1 sales")
    assert [stored.goal for stored in store.goals()] == [JAN]
    assert [stored.closed for stored in store.goals(include_closed=True)] == [False, True]


def test_an_ended_goal_asks_for_its_retrospective_once(tmp_path: Path) -> None:
    store = GoalStore(create_db_engine(db_url_for(tmp_path)))
    store.add(Q1)
    store.add(JAN)
    assert store.ended_without_retro(date(2027, 1, 31)) == []
    assert store.ended_without_retro(date(2027, 2, 1)) == [JAN]
    store.mark_retro_asked("January sign-ups")
    assert store.ended_without_retro(date(2027, 4, 2)) == [Q1]


def test_finding_a_goal_before_any_exists_says_how_to_add_one(tmp_path: Path) -> None:
    with pytest.raises(SkillError, match="goal add"):
        GoalStore(create_db_engine(db_url_for(tmp_path))).find("Q1")
