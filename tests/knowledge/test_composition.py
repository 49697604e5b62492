"""Choosing the units of an offline answer: whole lists, further passages, Slack-sized limits."""

from __future__ import annotations

from knowledge.composition import CompositionConfig, answer_units, asks_for_several, compose, step_runs
from knowledge.index import Chunk
from knowledge.ranking import Hit

METRICS = """Scan yesterday's figures and ask one question: is anything abnormal? The standard set is:

- sales;
- retention;
- campaign participants.

Compare each figure with the same weekday last week."""

VOICE = "Next to the numbers, read recent complaints from customers. Look for repetition."
FAR = "Weekly reports go to executives."


def _hit(section: str, body: str, score: float) -> Hit:
    chunk = Chunk(section, "playbook/en/x.md", "Daily", section, section.title(), "en", body, section, 0, "h")
    return Hit(chunk, score, (0.5,), 0.5)


def test_a_question_asking_for_several_things_gets_the_whole_list_and_a_close_passage() -> None:
    hits = [_hit("metrics", METRICS, 0.30), _hit("voice", VOICE, 0.24), _hit("far", FAR, 0.10)]
    composition = compose("Which numbers should I check every morning?", hits, "en", CompositionConfig())
    texts = [unit.text for unit in composition.units]
    assert "The standard set is:\n- sales;\n- retention;\n- campaign participants." in texts
    assert {unit.passage for unit in composition.units} == {0, 1}  # 0.10 is not close to 0.30
    assert composition.partial == frozenset()
    assert [(u.passage, u.position) for u in composition.units] == sorted(
        (u.passage, u.position) for u in composition.units
    )


def test_limits_keep_the_reply_slack_sized_and_mark_what_was_left_out() -> None:
    hits = [_hit("metrics", METRICS, 0.30), _hit("voice", VOICE, 0.29)]
    config = CompositionConfig(max_chars_en=150, max_units=2)
    composition = compose("Which numbers should I check?", hits, "en", config)
    assert len(composition.units) <= 2
    assert sum(len(unit.text) for unit in composition.units) <= 150
    assert composition.partial  # the citation will say more is in the source


def test_a_unit_longer_than_the_budget_is_still_an_answer_on_its_own() -> None:
    long = "Retention " * 200 + "matters."
    composition = compose("why retention?", [_hit("long", long, 0.3)], "en", CompositionConfig())
    assert [unit.text for unit in composition.units] == [long.strip()]


def test_a_sentence_said_twice_is_said_once() -> None:
    repeated = "Retention matters. " * 5 + "Churn hurts."
    composition = compose("why retention?", [_hit("twice", repeated, 0.3)], "en", CompositionConfig())
    assert [unit.text for unit in composition.units] == ["Retention matters.", "Churn hurts."]


def test_a_later_unit_comes_with_its_passage_lead() -> None:
    """The items answer the question, but without the lead nobody knows what list they are from."""
    todo = (
        "Before opening chat or email, write down today's to-dos. The list anchors the day.\n\n"
        "- Put items that move your goals at the top.\n- Keep it to three to five items."
    )
    hits = [_hit("todo", todo, 0.3), _hit("voice", VOICE, 0.29)]
    question = "Which items go at the top and how many items?"
    config = CompositionConfig(max_units=2)
    texts = [unit.text for unit in compose(question, hits, "en", config).units]
    assert texts[0] == "Before opening chat or email, write down today's to-dos."
    assert "- Put items that move your goals at the top." in texts and len(texts) == 2
    loose = compose(question, hits, "en", CompositionConfig(max_units=2, leads_first=False)).units
    assert "Before opening chat or email, write down today's to-dos." not in [u.text for u in loose]


def test_a_sentence_speaking_of_the_list_before_it_comes_with_that_list_or_not_at_all() -> None:
    signs = (
        "A client seldom leaves without warning. These signs show up first:\n\n"
        "- usage falls;\n- payments run late;\n- the key contact changes.\n\n"
        "Check these for every client regularly, not only in the renewal month."
    )
    alone = compose("Check every client regularly?", [_hit("signs", signs, 0.3)], "en", CompositionConfig())
    assert [unit.text[:11] for unit in alone.units] == ["A client se", "These signs", "Check these"]
    # After the daily numbers, the signs' list no longer fits, and "Check these" is not said alone.
    hits = [_hit("metrics", METRICS, 0.30), _hit("signs", signs, 0.29)]
    config = CompositionConfig(max_chars_en=250)
    texts = [
        unit.text for unit in compose("Which numbers should I check every morning?", hits, "en", config).units
    ]
    assert "A client seldom leaves without warning." in texts
    assert not any(text.startswith(("These signs", "Check these")) for text in texts), texts


def test_a_sentence_wrapped_over_lines_is_one_unit() -> None:
    """Team documents are often wrapped at 80 columns; a unit cut at a line end would quote half a sentence."""
    body = (
        "Refunds above 5,000 yuan need the finance lead's approval, and the customer\n"
        "gets a written confirmation. Keep the reference.\n\n"
        "退款需要财务\n负责人审批。\n\n"
        "The checks are:\n\n- the amount,\n  as written on the form;\n- the account.\n"
        "# Notes\nSee the ledger."
    )
    assert answer_units(body) == [
        "Refunds above 5,000 yuan need the finance lead's approval, and the customer gets a written confirmation.",
        "Keep the reference.",
        "退款需要财务负责人审批。",
        "The checks are:\n- the amount, as written on the form;\n- the account.",
        "**Notes**: See the ledger.",  # a heading stands apart from the list, and leads its text
    ]


def test_units_keep_a_list_with_the_sentence_that_introduces_it() -> None:
    assert answer_units("常看的指标包括：\n\n- 销售；\n- 留存。\n\n每个数字都要对比。") == [
        "常看的指标包括：\n- 销售；\n- 留存。",
        "每个数字都要对比。",
    ]


def test_what_asks_for_several_things() -> None:
    assert asks_for_several("复盘有哪几步?") and asks_for_several("续约前要准备什么?")
    assert asks_for_several("What steps do I follow when a metric drops?")
    assert not asks_for_several("Can we launch first and add tracking later?")
    assert not asks_for_several("1000w客户、80%注册率,需要多少下载量?")


RETRO_TEMPLATE = """复盘会在活动结束后三天内开。
第一步回顾目标：活动前定的拉新人数和预算。
第二步评估结果：实际完成多少。
第三步分析原因：做得好和不好的各列三条。
第四步总结经验：写进下一次活动的检查清单。
只讨论事情，不追究个人责任。"""


def test_steps_written_as_prose_are_found_as_one_run() -> None:
    units = answer_units(RETRO_TEMPLATE)
    assert step_runs(units) == [None, 1, 1, 1, 1, None]
    assert step_runs(["First, check the data.", "Done."]) == [None, None]  # one step is no run
    assert step_runs(["First, check the data.", "Then, size the change.", "Finally, act."]) == [0, 0, 0]


def test_steps_written_as_prose_are_said_together_while_they_fit() -> None:
    """Step 3 answers best, but steps 1, 2 and 4 are the rest of the answer; before, they were
    weighed one by one and the middle steps could be left out."""
    composition = compose(
        "复盘怎么分析原因?", [_hit("retro", RETRO_TEMPLATE, 0.3)], "zh", CompositionConfig()
    )
    texts = [unit.text for unit in composition.units]
    assert [text[:3] for text in texts if text.startswith("第")] == ["第一步", "第二步", "第三步", "第四步"]
    assert texts[0] == "复盘会在活动结束后三天内开。"  # the passage's lead still comes first
    first = _hit("first", "分析原因要区分可控因素和外部因素。", 0.35)
    tight = compose(
        "复盘怎么分析原因?", [first, _hit("retro", RETRO_TEMPLATE, 0.3)], "zh", CompositionConfig(max_units=4)
    )
    assert tight.units[0].passage == 0
    # No room for the whole run: the step the question is about, alone.
    assert [unit.text[:3] for unit in tight.units if unit.text.startswith("第")] == ["第三步"]


def test_a_run_of_more_steps_than_the_unit_limit_is_still_an_answer() -> None:
    steps = "".join(f"第{n}步检查第{n}项数据。" for n in range(1, 11))
    composition = compose("检查怎么做?", [_hit("steps", steps, 0.3)], "zh", CompositionConfig())
    assert len(composition.units) == 10


def test_a_table_is_one_unit_under_the_sentence_that_introduces_it() -> None:
    body = "各级客户的响应时限如下表。\n\n| 层级 | 首次响应 |\n| --- | --- |\n| KA | 15 分钟 |\n| 小微 | 当天 |\n\n节假日照常。"
    assert answer_units(body) == [
        "各级客户的响应时限如下表。\n- KA — 首次响应：15 分钟\n- 小微 — 首次响应：当天",
        "节假日照常。",
    ]
    assert answer_units("节假日照常。\n\n| 层级 | 首次响应 |\n| --- | --- |\n| KA | 15 分钟 |") == [
        "节假日照常。",
        "层级 · 首次响应\n- KA — 首次响应：15 分钟",  # no sentence introduces it: its header leads
    ]
    assert answer_units("| 客户名称 | 某某公司 |\n| 合同金额 | 50 万 |") == [
        "- 客户名称 · 某某公司",
        "- 合同金额 · 50 万",
    ]


def test_a_heading_inside_a_passage_leads_what_is_under_it() -> None:
    body = (
        "Refunds take 5 days.\n\n##### Partial refunds\n\nA partial refund needs a note. Use the form.\n\n"
        "##### 部分退款清单\n\n- 备注\n- 表单\n\n##### Nothing under it\n"
    )
    assert answer_units(body) == [
        "Refunds take 5 days.",
        "**Partial refunds**: A partial refund needs a note.",
        "Use the form.",
        "**部分退款清单**：\n- 备注\n- 表单",
    ]


def test_a_heading_that_asks_a_question_leads_without_breaking_its_bold() -> None:
    body = "##### 怎么退款？\n\n先提交申请。再等审批。\n\n##### Who approves?\n\n- the finance lead\n- the CS lead"
    assert answer_units(body) == [
        "**怎么退款？** 先提交申请。",
        "再等审批。",
        "**Who approves?**\n- the finance lead\n- the CS lead",
    ]


def test_a_sentence_that_opens_in_bold_is_no_list_item() -> None:
    assert answer_units("**注意**：周五前提交。\n* 一项\n* 两项") == [
        "**注意**：周五前提交。",
        "* 一项",
        "* 两项",
    ]
