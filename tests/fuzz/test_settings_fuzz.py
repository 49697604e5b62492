"""Settings files teams write by hand: tier settings, the renewal policy, the metrics SQL source and
the `opsbot eval` question set. Broken YAML/JSON, wrong types and wild values must be refused clearly."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.metrics_sql import load_source
from knowledge.evaluation import QuestionSetError, load_questions
from skills.renewal_policy import OFFERS, default_policy_yaml, load_renewal_policy
from skills.tier_config import default_tiers_yaml, load_tier_config
from skills.tiers import DIMENSIONS
from tests.fuzz.support import check_message, check_refusal, fuzz, hostile_text, result_or_refusal

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["5万", "35%", "ka", "regular", "small_micro", "global500", "上市", "1e400", ".inf"]),
    st.dates(),
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(), st.sampled_from(list(DIMENSIONS))),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True)


def _mutations(original: str) -> st.SearchStrategy[str]:
    """The shipped file with one line replaced, dropped, or cut short: a typical hand edit gone wrong."""
    lines = original.splitlines()

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        edited = list(lines)
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            index = draw(st.integers(min_value=0, max_value=len(edited) - 1))
            kind = draw(st.sampled_from(["replace", "drop", "cut", "append"]))
            if kind == "replace":
                edited[index] = draw(hostile_text)
            elif kind == "drop":
                del edited[index]
                if not edited:
                    edited = [""]
            elif kind == "cut":
                edited[index] = edited[index][: draw(st.integers(min_value=0, max_value=len(edited[index])))]
            else:
                edited[index] += draw(hostile_text)
        return "\n".join(edited)

    return mutate()


TIER_SECTIONS = st.fixed_dictionaries(
    {},
    optional={
        "weights": st.dictionaries(st.sampled_from(list(DIMENSIONS)), scalars, max_size=9),
        "bands": st.dictionaries(st.sampled_from(list(DIMENSIONS)), yaml_values, max_size=3),
        "tiers": st.dictionaries(st.sampled_from(["ka", "regular", "vip"]), scalars, max_size=3),
        "overdue": st.dictionaries(st.sampled_from(["grace_days", "caps_tier_at", "x"]), scalars, max_size=3),
    },
)


@fuzz()
@given(
    st.one_of(
        hostile_text, yaml_values.map(_yaml), TIER_SECTIONS.map(_yaml), _mutations(default_tiers_yaml())
    )
)
@example("weights: {order_amount: 100}\nbands: {order_amount: {0: 0, 1e400: 50}}\n")
@example("\x00")
@example("0000-00-00")
@example("weights: !!int x")
@example("[" * 5000)
def test_tier_settings(text: str) -> None:
    config = result_or_refusal(lambda: load_tier_config(text))
    if config is not None:
        assert math.isclose(sum(config.weights.values()), 100, abs_tol=0.011)
        assert 0 < config.regular < config.ka <= 100


RUNG = st.fixed_dictionaries(
    {"offer": st.one_of(st.sampled_from(OFFERS), scalars), "share": scalars},
    optional={"min_risks": scalars},
)
POLICY_SECTIONS = st.fixed_dictionaries(
    {},
    optional={
        "ceilings": st.dictionaries(
            st.sampled_from(["ka", "regular", "small_micro", "vip"]), scalars, max_size=3
        ),
        "ladder": st.one_of(st.lists(RUNG, max_size=4), scalars),
        "overdue_max_share": scalars,
        "risks": st.dictionaries(
            st.sampled_from(["usage_decline_pct", "low_engagement_active_share", "other"]),
            scalars,
            max_size=3,
        ),
        "reminder_days": st.one_of(st.lists(scalars, max_size=4), scalars),
    },
)


@fuzz()
@given(
    st.one_of(
        hostile_text, yaml_values.map(_yaml), POLICY_SECTIONS.map(_yaml), _mutations(default_policy_yaml())
    )
)
@example("\x00")
@example("ceilings: {ka: 2024-02-30}")
@example("[" * 5000)
def test_renewal_policies(text: str) -> None:
    policy = result_or_refusal(lambda: load_renewal_policy(text))
    if policy is not None:
        assert policy.ladder and policy.reminder_days


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-settings")


SOURCE = st.fixed_dictionaries(
    {},
    optional={
        "url": st.one_of(
            scalars, st.sampled_from(["sqlite://", "postgresql://u@h/db", "${OPSBOT_FUZZ_NO_SUCH}"])
        ),
        "queries": st.one_of(
            scalars, st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), yaml_values, max_size=3)
        ),
    },
)


@fuzz()
@given(
    st.one_of(
        st.binary(max_size=200),
        hostile_text.map(str.encode),
        yaml_values.map(_yaml).map(str.encode),
        SOURCE.map(_yaml).map(str.encode),
    )
)
@example(b"\xff\xfe")
@example(b"url: [\n")
@example(b"0000-00-00")
@example(b"[" * 5000)
def test_metrics_sql_sources(folder: Path, data: bytes) -> None:
    path = folder / "metrics.yaml"
    path.write_bytes(data)
    source = result_or_refusal(lambda: load_source(path))
    if source is not None:
        assert isinstance(source.url, str)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in source.queries.items())


question_lines = st.one_of(
    hostile_text,
    yaml_values.map(lambda value: json.dumps(value, default=str)),
    st.fixed_dictionaries(
        {"q": st.one_of(hostile_text, scalars)},
        optional={
            "lang": st.one_of(st.sampled_from(["zh", "en"]), scalars),
            "any": yaml_values,
            "sections": yaml_values,
        },
    ).map(lambda value: json.dumps(value, default=str)),
)


@fuzz()
@given(
    st.one_of(st.binary(max_size=200), st.lists(question_lines, max_size=5).map("\n".join).map(str.encode))
)
@example(b'{"q": "x", "any": 5}')
@example(b"\xff")
@example(b"[" * 100_000)
def test_question_sets(folder: Path, data: bytes) -> None:
    path = folder / "questions.jsonl"
    path.write_bytes(data)
    try:
        questions = load_questions(path)
    except QuestionSetError as error:
        check_message(str(error), "en")
        if hasattr(error, "zh"):
            check_refusal(error)  # type: ignore[arg-type]
        return
    for question in questions:
        assert question.q and question.lang in ("zh", "en")
        assert all(isinstance(phrase, str) for phrase in question.any)
        assert all(isinstance(section, str) for section in question.sections)
