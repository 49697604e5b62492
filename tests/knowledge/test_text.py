from knowledge.text import detect_language, split_sentences, tokenize


def test_language_follows_the_dominant_script() -> None:
    assert detect_language("RFM 是什么") == "zh"
    assert detect_language("客户分层怎么做?") == "zh"
    assert detect_language("how do I tier clients?") == "en"
    assert detect_language("what does 复盘 mean in practice") == "en"
    assert detect_language("") == "en"


def test_a_mixed_question_is_in_the_language_of_its_sentence_not_of_its_terms() -> None:
    for chinese in (
        "daily routine 早上干啥",
        "renewal 前要 prepare 什么",
        "这个 case 帮忙 follow 一下",
        "onboarding 的流程是什么",
        "客诉 SLA",  # terms only: an acronym is no English
    ):
        assert detect_language(chinese) == "zh", chinese
    for english in (
        "what is 客户运营体系?",
        "How is 在线人数 computed?",
        "can't find the 续约 checklist",
        "周报 template",  # terms only, as many English words as Chinese characters
    ):
        assert detect_language(english) == "en", english


def test_a_long_text_is_decided_by_its_scripts_weight() -> None:
    chinese = "我们这周的复盘会讨论了三个问题。" * 20 + " What is the plan for Q3?"
    assert detect_language(chinese) == "zh"
    english = "The weekly review covered churn and renewals in detail. " * 8 + "复盘是什么?"
    assert detect_language(english) == "en"


def test_domain_terms_stay_whole_in_chinese() -> None:
    tokens = tokenize("我们下周要做复盘,重点看拉新和留存,以及客诉")
    for term in ("复盘", "拉新", "留存", "客诉"):
        assert term in tokens
    assert "的" not in tokenize("运营的工作")


def test_english_is_lowercased_stemmed_and_stopworded() -> None:
    assert tokenize("What are the Renewals?") == ["renewal"]
    assert "ka" in tokenize("KA clients")
    assert "client" in tokenize("KA clients")


def test_chinese_do_verbs_are_stopwords_as_do_is_in_english() -> None:
    """ "复盘怎么做?" asks about 复盘: a passage must not win on holding 做."""
    assert tokenize("复盘怎么做?") == ["复盘"]
    assert tokenize("How do I do a retrospective?") == ["retrospective"]


def test_mixed_text_yields_both_kinds_of_terms() -> None:
    tokens = tokenize("RFM分层和KA客户")
    assert "rfm" in tokens
    assert "ka" in tokens
    assert "客户" in tokens


def test_sentences_split_on_chinese_and_english_ends() -> None:
    assert split_sentences("先写待办。再看数据!有异常吗?") == ["先写待办。", "再看数据!", "有异常吗?"]
    assert split_sentences("Open https://x.example/a?b=1 now.") == ["Open https://x.example/a?b=1 now."]
    assert split_sentences("First the list. Then the data.\n- item one") == [
        "First the list.",
        "Then the data.",
        "- item one",
    ]


def test_telling_the_language_does_not_load_jieba() -> None:
    """The serving process tells each question's language; jieba's dictionary costs it a second."""
    import subprocess
    import sys

    code = (
        "from knowledge.text import _segmenter, detect_language\n"
        "assert detect_language('RFM 是什么?') == 'zh'\n"
        "print(_segmenter.cache_info().currsize)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
