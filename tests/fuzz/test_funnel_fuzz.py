"""Funnel expressions, what-ifs and amounts: any text gives a funnel or a clear refusal, quickly."""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st

from skills.funnel import MAX_STAGES, compute_funnel, split_what_if
from skills.units import MAX_AMOUNT, parse_amount
from tests.fuzz.support import TOKENS, fuzz, hostile_text, result_or_refusal

stage_name = st.one_of(st.sampled_from(["sales", "客户", "下载", "注册 用户", ""]), st.text(max_size=6))
amount = st.one_of(
    st.sampled_from(["500w", "1,250,000", "1.25亿", "3.5M", "200k", "0", "9" * 30, "1e5", ".5万", "5 万"]),
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3).map("".join),
)
rate = st.one_of(
    st.sampled_from(["5%", "80%", "100%", "0%", "150%", "0.0001%", "1,000%", "%"]),
    st.floats(min_value=-10, max_value=1000, allow_nan=False).map(lambda r: f"{r:g}%"),
)


@st.composite
def expressions(draw: st.DrawFn) -> str:
    """A plausible funnel: an amount, then operators with rates, optional amounts and splits."""
    parts = [draw(st.sampled_from(["", "check ", "检查:"])), draw(amount), " ", draw(stage_name)]
    for _ in range(draw(st.integers(min_value=0, max_value=MAX_STAGES + 1))):
        parts += [" ", draw(st.sampled_from(["/", "*", "÷", "×", "//"])), " ", draw(rate), " "]
        if draw(st.booleans()):
            parts += [draw(amount), " "]
        parts.append(draw(stage_name))
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            shares = draw(st.lists(st.tuples(rate, stage_name), max_size=3))
            parts.append(" (" + ", ".join(f"{r} {n}" for r, n in shares) + ")")
    return "".join(parts)


what_ifs = st.one_of(
    st.none(),
    hostile_text,
    st.tuples(rate, st.sampled_from(["->", "→", "=>", " to ", "到", "-"]), rate).map("".join),
)


def _check_result(expression: str, what_if: str | None) -> None:
    result = result_or_refusal(lambda: compute_funnel(expression, what_if))
    if result is None:
        return
    assert result.stages
    for stage in result.stages:
        assert math.isfinite(stage.value) and 0 < stage.value <= MAX_AMOUNT * 1000
    assert result.as_json()["stages"]


@fuzz()
@given(hostile_text, what_ifs)
@example("9" * 400 + " sales", None)  # the 400 digits were repeated in the refusal
@example("1000000000000000 a / 0.0001% " + "x" * 2000, None)  # the stage name was repeated whole
def test_any_text_is_a_funnel_or_a_clear_refusal(expression: str, what_if: str | None) -> None:
    _check_result(expression, what_if)


@fuzz()
@given(expressions(), what_ifs)
def test_plausible_funnels_compute_or_are_refused_clearly(expression: str, what_if: str | None) -> None:
    _check_result(expression, what_if)


@fuzz()
@given(
    st.one_of(
        hostile_text,
        st.tuples(expressions(), st.sampled_from([" what-if ", " 假如 "]), hostile_text).map("".join),
    )
)
def test_split_what_if_never_fails_and_feeds_compute(text: str) -> None:
    expression, change = split_what_if(text)
    assert isinstance(expression, str)
    _check_result(expression, change)


@fuzz()
@given(hostile_text)
def test_amounts_parse_or_are_refused_clearly(text: str) -> None:
    parsed = result_or_refusal(lambda: parse_amount(text))
    if parsed is not None:
        value, rest = parsed
        assert math.isfinite(value) and 0 < value <= MAX_AMOUNT
        assert isinstance(rest, str)
