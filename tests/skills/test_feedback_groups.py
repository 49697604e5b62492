from __future__ import annotations

import numpy as np
import pytest

from skills.feedback_groups import (
    DEFAULT_SPREAD,
    JOIN_BEST,
    Earlier,
    Meaning,
    Report,
    best_group,
    conflicting_codes,
    error_codes,
    fingerprint,
    same_problem_likelihood,
    symptoms,
)

EARLIER = [
    "Export to Excel fails with error 500",
    "客户A反馈:导出报表时报错500",
    "Customer says the dashboard keeps loading forever",
    "希望能支持导出PDF",
    "Webhook notifications stopped firing after the release",
    "The invoice has the wrong company name",
]


def _match_by_words(text: str) -> str | None:
    earlier = Earlier([Report.of(n, n, t) for n, t in enumerate(EARLIER)])
    found = best_group(Report.of(99, 99, text), earlier)
    return EARLIER[found[0]] if found else None


def test_without_vectors_the_same_problem_in_other_words_is_found() -> None:
    assert _match_by_words("Exporting to excel gives error 500 since today") == EARLIER[0]
    assert _match_by_words("客户B:导出报表一直报错 500") == EARLIER[1]
    assert _match_by_words("能不能支持导出成PDF") == EARLIER[3]
    assert _match_by_words("Webhooks not firing since the last release") == EARLIER[4]


def test_without_vectors_different_problems_start_their_own_group() -> None:
    assert _match_by_words("The export button is blue") is None
    assert _match_by_words("导出报表很慢") is None
    assert _match_by_words("How do I add a user?") is None


def test_filler_does_not_make_texts_alike() -> None:
    assert fingerprint("Customer says: thanks team") == ()
    assert (
        best_group(Report.of(2, 2, "Customer says: thanks team"), Earlier([Report.of(1, 1, "x y")])) is None
    )


def test_codes_and_symptoms_are_read_from_the_text() -> None:
    assert error_codes("保存订单时报错E2001") == {"e2001"}
    assert error_codes("Report export throws HTTP 500 since this morning") == {"500"}
    assert error_codes("报表里的时间差了8个小时") == frozenset()
    assert symptoms("数据看板打开特别慢") == {"slow"}
    assert "error" in symptoms("导出报表报错500")
    assert "request" in symptoms("希望增加夜间模式")


def _unit(seed: int, near: np.ndarray | None = None, noise: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vector = rng.normal(size=16) if near is None else near + rng.normal(0, noise, 16)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _report(key: int, group: int, text: str, vector: np.ndarray, kind: str = "bug") -> Report:
    return Report.of(key, group, text, kind, Meaning((vector, vector), DEFAULT_SPREAD))


def test_alike_reports_join_and_unlike_ones_do_not() -> None:
    export = _unit(1)
    earlier = Earlier([_report(1, 1, "导出报表报错500", export), _report(2, 2, "希望增加夜间模式", _unit(2))])
    joined = best_group(_report(3, 3, "Exporting the report fails with error 500", _unit(3, export)), earlier)
    assert joined is not None and joined[0] == 1
    assert best_group(_report(4, 4, "The Android app crashes on launch", _unit(4)), earlier) is None


def test_different_error_codes_are_never_one_problem() -> None:
    save = _unit(5)
    earlier = Earlier([_report(1, 1, "保存订单时报错E1042", save)])
    twin = _report(2, 2, "保存订单时报错E2001", _unit(6, save, noise=0.01))
    assert conflicting_codes(twin, earlier.reports[0])
    assert same_problem_likelihood(twin, earlier)[0] == 0.0
    assert best_group(twin, earlier) is None


def test_a_request_is_not_the_bug_it_resembles() -> None:
    export = _unit(7)
    bug = _report(1, 1, "导出报表报错500", export, kind="bug")
    request = _report(2, 2, "希望导出报表能选择日期范围", _unit(8, export, noise=0.3), kind="feature_request")
    same_kind = _report(3, 3, "导出报表一直报错500", _unit(8, export, noise=0.3), kind="bug")
    earlier = Earlier([bug])
    assert same_problem_likelihood(request, earlier)[0] < same_problem_likelihood(same_kind, earlier)[0]


def test_one_look_alike_member_does_not_pull_a_report_into_a_group() -> None:
    """The group's mean decides: a group about one thing with a single member resembling the new
    report is not joined; a group most of whose members resemble it is."""
    topic, other = _unit(9), _unit(10)
    login = [
        _report(1, 1, "登录后页面一直转圈", topic),
        _report(2, 1, "登录以后一直加载", _unit(11, topic)),
        _report(3, 1, "手机验证码收不到", _unit(12, other, noise=0.02)),
    ]
    newcomer = _report(9, 9, "短信验证码一直收不到", _unit(13, other, noise=0.02))
    likely = same_problem_likelihood(newcomer, Earlier(login))
    assert likely[2] >= JOIN_BEST and likely[:2].max() < 0.1
    assert best_group(newcomer, Earlier(login)) is None

    mostly_sms = [
        *(_report(n, 5, "收不到短信验证码", _unit(20 + n, other, noise=0.02)) for n in range(4, 7)),
        _report(7, 5, "登录后页面一直转圈", topic),
    ]
    found = best_group(newcomer, Earlier(mostly_sms))
    assert found is not None and found[0] == 5


def test_reports_filed_without_vectors_are_compared_by_their_words() -> None:
    earlier = Earlier(
        [
            Report.of(1, 1, "Export to Excel fails with error 500"),
            _report(2, 2, "希望增加夜间模式", _unit(30)),
        ]
    )
    found = best_group(_report(3, 3, "Exporting to excel gives error 500 since today", _unit(31)), earlier)
    assert found is not None and found[0] == 1


def test_a_meaning_survives_storage_and_other_models_are_ignored() -> None:
    meaning = Meaning((_unit(40), _unit(41)[:8]), (0.31, 0.62))
    data = meaning.pack()
    back = Meaning.unpack(data, (16, 8))
    assert back is not None and back.spread == pytest.approx((0.31, 0.62), abs=1e-3)
    assert float(back.vectors[0] @ meaning.vectors[0]) == pytest.approx(1.0, abs=1e-3)
    assert Meaning.unpack(data, (512, 384)) is None
    assert Meaning.unpack(None, (16, 8)) is None
