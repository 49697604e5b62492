import json
from dataclasses import replace

from bot.slack.blocks import BLOCKS_LIMIT, SECTION_LIMIT, answer_message, help_message
from knowledge.answer import Answer, Citation
from knowledge.spelling import Correction


def _citation(number: int, url: str | None = None, title: str = "Section") -> Citation:
    return Citation(number, "Doc", title, "playbook/en/x.md", url)


def test_answer_has_text_and_numbered_sources() -> None:
    message = answer_message(Answer("q", "en", "Do this **first** [1]", [_citation(1)]))
    assert message["text"].startswith("Do this")
    section, sources = message["blocks"]
    assert section["text"]["text"] == "Do this *first* [1]"
    assert [e["text"] for e in sources["elements"]] == ["*Sources*", "[1] Doc › Section"]


def test_sources_link_only_to_clean_http_urls_and_escape_titles() -> None:
    good = answer_message(Answer("q", "en", "a [1]", [_citation(1, "https://wiki.example/x")]))
    assert "<https://wiki.example/x|Doc › Section>" in json.dumps(good, ensure_ascii=False)
    forged = answer_message(Answer("q", "en", "a [1]", [_citation(1, "javascript:alert(1)", "<!here>")]))
    dumped = json.dumps(forged, ensure_ascii=False)
    assert "javascript:" not in dumped and "<!here>" not in dumped


def test_limits_are_respected() -> None:
    many = [_citation(n) for n in range(1, 30)]
    message = answer_message(Answer("q", "en", "x" * 10_000, many))
    assert len(message["blocks"]) <= BLOCKS_LIMIT
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in message["blocks"] if b["type"] == "section")
    assert all(len(b["elements"]) <= 10 for b in message["blocks"] if b["type"] == "context")


def test_no_answer_messages_in_both_languages() -> None:
    zh = answer_message(Answer("q", "zh", "", found=False, method="none"))
    assert "没有找到" in zh["text"] and "/ops help" in zh["text"]
    en = answer_message(Answer("q", "en", "", [_citation(1)], found=False, method="llm", note="not_covered"))
    assert "don't cover" in en["text"]
    assert len(en["blocks"]) == 2


def test_a_missing_formula_or_normal_figure_is_said_as_such_in_the_askers_language() -> None:
    for lang, note, words in (
        ("en", "no_formula", "won't make up a formula"),
        ("zh", "no_formula", "不自己编公式"),
        ("en", "no_benchmark", "no figure for what is normal"),
        ("zh", "no_benchmark", "多少算正常"),
    ):
        message = answer_message(Answer("q", lang, "", [_citation(1)], found=False, method="none", note=note))
        assert words in message["text"], message["text"]
        assert [e["text"] for e in message["blocks"][1]["elements"]] == ["[1] Doc › Section"]


def test_an_answer_quoted_from_the_other_language_says_why() -> None:
    for lang, words in (("en", "written in Chinese"), ("zh", "英文写的")):
        message = answer_message(
            Answer("q", lang, "紧急工单 15 分钟内响应 [1]", [_citation(1)], note="other_language_sources")
        )
        assert any(words in str(block) for block in message["blocks"]), message["blocks"]


def test_a_question_nothing_answers_is_pointed_to_the_closest_sections_in_the_askers_words() -> None:
    zh = answer_message(Answer("q", "zh", "", [_citation(1, title="新人第一周")], False, "none", "closest"))
    assert "没有能直接回答" in zh["text"] and "最接近的章节" in zh["text"]
    assert [e["text"] for e in zh["blocks"][1]["elements"]] == ["[1] Doc › 新人第一周"]
    en = answer_message(Answer("q", "en", "", [_citation(1)], found=False, method="none", note="closest"))
    assert "closest sections are below" in en["text"]
    elsewhere = Answer(
        "q", "en", "", [_citation(1, title="新人第一周")], False, "none", "closest_other_language"
    )
    assert "closest sections are below, written in Chinese" in answer_message(elsewhere)["text"]
    elsewhere = replace(elsewhere, lang="zh")
    assert "最接近的章节是英文写的" in answer_message(elsewhere)["text"]


def test_help_follows_the_language() -> None:
    assert "/ops ask" in help_message("en")["text"]
    assert "问题" in help_message("zh")["text"]


def test_a_citation_url_with_a_control_character_is_not_linked() -> None:
    message = answer_message(Answer("q", "en", "a [1]", [_citation(1, "https://wiki.example/x\rTrusted")]))
    assert "<https://" not in json.dumps(message, ensure_ascii=False)


def test_a_source_quoted_in_part_says_more_is_there_in_the_asker_language() -> None:
    partial = Citation(1, "Doc", "Section", "playbook/zh/x.md", None, more=True)
    zh = answer_message(Answer("q", "zh", "a [1]", [partial, _citation(2)]))
    sources = zh["blocks"][-1]["elements"]
    assert sources[1]["text"] == "[1] Doc › Section (原文还有更多)"
    assert sources[2]["text"] == "[2] Doc › Section"
    en = answer_message(Answer("q", "en", "a [1]", [partial]))
    assert en["blocks"][-1]["elements"][1]["text"].endswith("(more there)")


def test_an_empty_or_emoji_question_is_asked_for_in_both_languages_and_a_paste_is_told_the_limit() -> None:
    emoji = answer_message(Answer("🙂", "en", "", found=False, method="none", note="empty_question"))
    assert "Ask me an ops question" in emoji["text"] and "请直接提问" in emoji["text"]
    typed = answer_message(Answer("?", "zh", "", found=False, method="none", note="empty_question"))
    assert "Ask me" in typed["text"]  # still nothing to tell the language by
    long = answer_message(
        Answer("复盘" * 3000, "zh", "", found=False, method="none", note="question_too_long")
    )
    assert "6,000 个字符" in long["text"] and "2,000" in long["text"] and "/ops learn" in long["text"]


def test_a_models_markdown_goes_into_a_markdown_block_as_written_but_never_pings() -> None:
    written = "## Renewal prep\n- usage report [1]\n- **key contact** risks [1]\n\n```\na < b\n```\nSee [the wiki](https://wiki.example/r). <!channel>"
    message = answer_message(Answer("q", "en", written, [_citation(1)], method="llm"))
    block = message["blocks"][0]
    assert block["type"] == "markdown"
    assert block["text"].startswith("## Renewal prep\n- usage report [1]\n- **key contact** risks")
    assert "[the wiki](https://wiki.example/r)" in block["text"]
    assert "<!channel>" not in json.dumps(message) and "a &lt; b" in block["text"]
    long = answer_message(Answer("q", "en", "x" * 20_000, [_citation(1)], method="llm"))
    assert len(long["blocks"][0]["text"]) <= 12_000


def test_an_answer_in_traditional_script_gets_its_labels_in_it_too() -> None:
    citation = Citation(1, "拓客階段的產品運營", "復盤四步", "playbook/zh/05.md", None, more=True)
    message = answer_message(Answer("復盤怎麼做?", "zh", "復盤分四步 [1]", [citation], traditional=True))
    sources = [element["text"] for element in message["blocks"][-1]["elements"]]
    assert sources == ["*來源*", "[1] 拓客階段的產品運營 › 復盤四步 (原文還有更多)"]
    refused = answer_message(Answer("天氣如何", "zh", "", found=False, method="none", traditional=True))
    assert "沒有找到" in refused["text"]


def test_an_answer_says_how_it_read_a_typo_in_the_askers_words() -> None:
    citation = Citation(1, "Client tiers", "How tiering works", "playbook/en/09.md", None)
    read = (Correction("cleints", "clients"),)
    message = answer_message(Answer("tier cleints", "en", "Four steps [1]", [citation], read_as=read))
    assert message["blocks"][0]["elements"][0]["text"] == "Searched for “clients” (typed “cleints”)."
    chinese = answer_message(
        Answer("付盘", "zh", "复盘 [1]", [citation], read_as=(Correction("付盘", "复盘"),))
    )
    assert chinese["blocks"][0]["elements"][0]["text"] == "已按“复盘”(输入的是“付盘”)查找。"
    plain = answer_message(Answer("tier clients", "en", "Four steps [1]", [citation]))
    assert plain["blocks"][0]["type"] == "section"
    escaped = answer_message(Answer("q", "en", "x [1]", [citation], read_as=(Correction("<!here>", "here"),)))
    assert "<!here>" not in json.dumps(escaped)
