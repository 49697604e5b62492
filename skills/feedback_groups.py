"""The same problem raised again, by another customer, in other words or another language.

A new report joins the group of earlier reports it most resembles, judged pair by pair by a small
logistic model over what the two texts share:

- their meaning: cosines of two multilingual sentence vectors (USE-m3, trained to align languages,
  and e5), with a term for pairs written in different languages, whose cosines run lower, and
  the same cosines read against how close each text sits to everyday feedback (`spread_among`);
- their words: the overlap of their fingerprints (English words, error codes, Chinese character
  pairs, minus filler such as "customer says" or 客户反馈);
- error codes: the same code is strong evidence; two reports naming only different codes are
  never the same problem;
- the kind of report and of trouble: a feature request and a bug about the same screen are
  different problems, and so are "it is slow" and "it fails".

The weights and the two joining thresholds were fitted on the tuning half of a labelled set of
realistic reports (tests/skills/feedback_group_set.jsonl) by benchmarks/feedback_grouping.py, which
prints pairwise precision and recall on both halves. A report joins a group when its best pair in
the group is likely enough (JOIN_BEST) and the group as a whole is too (JOIN_MEAN): one look-alike
member cannot pull a report into a group about something else.

A report filed without vectors (before they were stored, or while the models were loading) is
compared by its words alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skills.feedback_words import CJK_RUN, features, normalize

Vector = npt.NDArray[np.float32]

WEIGHTS = {
    "sentence": 5.397,
    "sentence_across_languages": 6.309,
    "passage": 1.362,
    "sentence_beyond_spread": 6.188,
    "passage_beyond_spread": 2.575,
    "words": 1.014,
    "codes": 0.825,
    "same_kind": 1.194,
    "other_trouble": -3.612,
}
"""Logistic weights of each pair feature (see benchmarks/feedback_grouping.py)."""
DIMENSIONS = (512, 384)
"""The sizes of the USE-m3 and e5 vectors the weights were fitted on; a stored meaning of other
sizes came from other models and is not compared."""
BIAS = -3.699
SPREAD_NEIGHBOURS = 5
DEFAULT_SPREAD = (0.353, 0.611)
"""The spread of a report whose spread is not known (filed before it was measured)."""
JOIN_BEST = 0.95
"""The joining report's most similar member of the group must be at least this likely the same."""
JOIN_MEAN = 0.7
"""And so must the group's members on average."""
NOT_WORTH_SCORING = 0.02
"""Pairs that could not be likelier than this even with every word, code and kind in common
count as 0 without computing their word overlap (what keeps 10,000 earlier reports fast)."""

SIMILAR_ENOUGH = 0.6
"""Words alone (a report without vectors): the weighted fingerprint cosine that makes a match."""
COMMON_SHARE = 0.05
"""A word in more than this share of the compared texts (and in more than three) weighs less:
sqrt(common count / its count)."""
_FILLER = frozenset(
    [
        "customer",
        "customers",
        "client",
        "clients",
        "says",
        "said",
        "say",
        "feedback",
        "hi",
        "hello",
        "team",
        "please",
        "pls",
        "thanks",
        "thank",
        "not",
        "since",
        "after",
        "last",
        "again",
        "today",
        "still",
        "keep",
        "now",
        "just",
        "also",
        "any",
        "some",
        "all",
        "when",
        "客户",
        "反馈",
        "户反",
        "户说",
        "客说",
        "请问",
        "麻烦",
        "谢谢",
        "一下",
        "你们",
        "我们",
        "他们",
        "这个",
        "那个",
    ]
)
_CODE = re.compile(r"(?<![a-z0-9])(?:[a-z]{1,4}-?\d{2,}|[1-5]\d{2}|\d{4,})(?![a-z0-9])")
"""Error codes: E1042, ERR-42, HTTP statuses 100–599, numbers of four digits or more."""
_SYMPTOMS = {
    "crash": r"闪退|崩溃|卡死|crash|freez",
    "slow": r"慢|卡顿|好久|很久|要等|半天|slow|lag|forever|takes? (?:\w+ )?(?:seconds|minutes)|timeout|timed out",
    "error": r"报错|错误|失败|出错|error|fail|exception|\b[1-5]\d{2}\b",
    "missing": r"收不到|没收到|没有收到|搜不出|找不到|没有.{0,4}(?:推送|通知|邮件)|空白|白屏|never arrives?|"
    r"not receiv|stopped arriving|no longer get|returns nothing|no results|missing|blank",
    "wrong": r"不对|错了|开错|差了|不一致|对不上|wrong|off by|incorrect|doesn't match|does not match",
    "expired": r"过期|失效|expired|no longer valid|invalid link",
    "duplicated": r"重复|两遍|两次|duplicate|twice|double",
    "wrong_time": r"时间不对|晚了|早了|时区|延迟|time ?zone|hours? (?:late|early|off)|minutes late|wrong time",
    "denied": r"没有权限|无权限|权限不足|forbidden|permission denied|access denied|not allowed",
    "layout": r"格式乱|错位|对不齐|显示不全|排版|layout|cut off|misaligned|overlap",
    "logged_out": r"掉线|自动退出|被踢|退出登录|logs? (?:me |us )?out|signed out",
    "billing": r"扣费|扣款|多扣|涨价|价格|charged|billed|refund|退款|price",
    "request": r"希望|能不能|能否|可否|想要|想用|建议|please add|can you support|any plans|we need|would like|should",
    "question": r"怎么|如何|在哪|哪里|how do|how can|how to|where can|where do",
}
"""What kind of trouble a report describes. Two reports whose kinds do not meet (a slow screen
and a failing one, a request and a crash) are less likely one problem, whatever they share."""
_SYMPTOM_PATTERNS = {name: re.compile(pattern) for name, pattern in _SYMPTOMS.items()}


def fingerprint(text: str) -> tuple[str, ...]:
    """The words that identify what a feedback text is about (order and repeats dropped)."""
    normalized = normalize(text)
    words = [word for word in features(normalized) if len(word) > 1 and word not in _FILLER]
    return tuple(sorted(set(words)))


def error_codes(text: str) -> frozenset[str]:
    return frozenset(code.replace("-", "") for code in _CODE.findall(normalize(text)))


def symptoms(text: str) -> frozenset[str]:
    """The kinds of trouble a report describes (see _SYMPTOMS); empty when none is recognised."""
    normalized = normalize(text)
    return frozenset(name for name, pattern in _SYMPTOM_PATTERNS.items() if pattern.search(normalized))


@dataclass(frozen=True)
class Meaning:
    """A report's two sentence vectors (USE-m3, e5; L2-normalised) and its spread against
    everyday feedback (`spread_among`): computed once when it is filed, then stored."""

    vectors: tuple[Vector, Vector]
    spread: tuple[float, float]

    def pack(self) -> bytes:
        """float16: the two lengths, the two spreads, then the vectors (1.8 KB a report)."""
        head = [len(self.vectors[0]), len(self.vectors[1]), *self.spread]
        return np.concatenate([np.array(head, dtype=np.float32), *self.vectors]).astype(np.float16).tobytes()

    @classmethod
    def unpack(cls, data: bytes | None, dimensions: tuple[int, int]) -> Meaning | None:
        """The stored meaning; None when missing or made by models of other `dimensions`."""
        if not data or len(data) != 2 * (4 + sum(dimensions)):
            return None
        values = np.frombuffer(data, dtype=np.float16).astype(np.float32)
        if (int(values[0]), int(values[1])) != dimensions:
            return None
        first, second = values[4 : 4 + dimensions[0]], values[4 + dimensions[0] :]
        return cls((first, second), (float(values[2]), float(values[3])))


@dataclass(frozen=True)
class Report:
    """What grouping knows of one report; the vectors are computed once, when it is filed."""

    key: int
    """The caller's id for it."""
    group: int
    words: tuple[str, ...]
    codes: frozenset[str] = frozenset()
    kind: str = ""
    """Its category (bug, feature_request…); "" when unknown."""
    trouble: frozenset[str] = frozenset()
    """Its symptoms (see `symptoms`)."""
    chinese: bool = False
    vectors: tuple[Vector, Vector] | None = None
    """(USE-m3, e5) sentence vectors, L2-normalised; None for a report filed without them."""
    spread: tuple[float, float] | None = None
    """How close it sits to everyday feedback on other topics (see `spread_among`)."""

    @classmethod
    def of(cls, key: int, group: int, text: str, kind: str = "", meaning: Meaning | None = None) -> Report:
        normalized = normalize(text)
        return cls(
            key,
            group,
            fingerprint(text),
            error_codes(text),
            kind,
            symptoms(text),
            bool(CJK_RUN.search(normalized)),
            meaning.vectors if meaning else None,
            meaning.spread if meaning else None,
        )


class Earlier:
    """The earlier reports a new one is compared with: their vectors in two growing matrices (one
    product each per new report), their groups beside them, so a regrouping needs no copy."""

    def __init__(self, reports: Sequence[Report] = ()) -> None:
        self.reports: list[Report] = []
        self.groups: list[int] = []
        self._sentence = np.zeros((0, 0), dtype=np.float32)
        self._passage = np.zeros((0, 0), dtype=np.float32)
        self._rows: list[int] = []
        """The positions of the reports that have vectors, in the matrices' order."""
        for report in reports:
            self.add(report)

    def __len__(self) -> int:
        return len(self.reports)

    def add(self, report: Report) -> None:
        if report.vectors is not None:
            self._append_vectors(report.vectors)
            self._rows.append(len(self.reports))
        self.reports.append(report)
        self.groups.append(report.group)

    def _append_vectors(self, vectors: tuple[Vector, Vector]) -> None:
        count = len(self._rows)
        if count == len(self._sentence):  # full: double the room
            room = max(64, 2 * count)
            self._sentence = _grown(self._sentence, room, len(vectors[0]))
            self._passage = _grown(self._passage, room, len(vectors[1]))
        self._sentence[count] = vectors[0]
        self._passage[count] = vectors[1]

    @property
    def rows(self) -> list[int]:
        """The positions (in `reports`) of the reports with vectors, in `stacked`'s order."""
        return self._rows

    def stacked(self) -> tuple[Vector, Vector] | None:
        """The vectors of the reports that have them as two matrices, or None when none has."""
        if not self._rows:
            return None
        return self._sentence[: len(self._rows)], self._passage[: len(self._rows)]


def _grown(matrix: Vector, rows: int, width: int) -> Vector:
    grown = np.zeros((rows, width), dtype=np.float32)
    if len(matrix):
        grown[: len(matrix)] = matrix
    return grown


def spread_among(vectors: tuple[Vector, Vector], background: Earlier) -> tuple[float, float]:
    """The mean cosine of a report's SPREAD_NEIGHBOURS nearest background reports, per model.

    Some texts sit close to everything (short ones, common words): their cosines say less. A
    pair's cosine is read against both reports' spreads, measured against everyday feedback on
    unrelated topics (as cross-lingual retrieval reads cosines against hubs); not against the
    team's own reports, where a problem raised often would look like a hub. Without background
    vectors, DEFAULT_SPREAD."""
    stacked = background.stacked()
    if stacked is None:
        return DEFAULT_SPREAD
    nearest = [np.sort(stacked[model] @ vectors[model])[-SPREAD_NEIGHBOURS:] for model in (0, 1)]
    return float(nearest[0].mean()), float(nearest[1].mean())


def _sigmoid(value: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-value))


def _word_weights(words: Sequence[str]) -> dict[str, float]:
    return dict.fromkeys(words, 1.0)


def cosine(first: dict[str, float], second: dict[str, float]) -> float:
    shared = first.keys() & second.keys()
    if not shared:
        return 0.0
    dot = sum(first[w] * second[w] for w in shared)
    norm = math.sqrt(sum(v * v for v in first.values())) * math.sqrt(sum(v * v for v in second.values()))
    return dot / norm if norm else 0.0


def conflicting_codes(first: Report, second: Report) -> bool:
    """Both name error codes and none in common: other problems, however alike the words."""
    return bool(first.codes and second.codes and not first.codes & second.codes)


def pair_features(new: Report, earlier: Report, sentence: float, passage: float) -> list[float]:
    """The features of one pair in WEIGHTS' order, given the two cosines."""
    codes = 1.0 if new.codes & earlier.codes else 0.0
    spreads = (new.spread or DEFAULT_SPREAD, earlier.spread or DEFAULT_SPREAD)
    return [
        sentence,
        sentence if new.chinese != earlier.chinese else 0.0,
        passage,
        sentence - (spreads[0][0] + spreads[1][0]) / 2,
        passage - (spreads[0][1] + spreads[1][1]) / 2,
        cosine(_word_weights(new.words), _word_weights(earlier.words)),
        codes,
        1.0 if new.kind and new.kind == earlier.kind else 0.0,
        1.0 if new.trouble and earlier.trouble and not new.trouble & earlier.trouble else 0.0,
    ]


def same_problem_likelihood(new: Report, earlier: Earlier) -> npt.NDArray[np.float64]:
    """For each earlier report, how likely it raises the same problem as `new` (0 to 1)."""
    likely = np.zeros(len(earlier))
    stacked = earlier.stacked()
    if new.vectors is None or stacked is None:
        return likely
    others = [earlier.reports[row] for row in earlier.rows]
    w = np.array(list(WEIGHTS.values()))
    sentence = stacked[0] @ new.vectors[0]
    passage = stacked[1] @ new.vectors[1]
    mine = new.spread or DEFAULT_SPREAD
    theirs = np.array([r.spread or DEFAULT_SPREAD for r in others], dtype=np.float32)
    across = np.array([r.chinese != new.chinese for r in others])
    # The vector part of pair_features for every pair at once, then a bound: with every word,
    # code and kind in common, how likely could the pair be? Only pairs that could matter get the
    # per-pair rest.
    dense = (
        BIAS
        + w[0] * sentence
        + w[1] * sentence * across
        + w[2] * passage
        + w[3] * (sentence - (mine[0] + theirs[:, 0]) / 2)
        + w[4] * (passage - (mine[1] + theirs[:, 1]) / 2)
    )
    bound = dense + np.maximum(w[5:], 0).sum()
    for index in np.flatnonzero(_sigmoid(bound) >= NOT_WORTH_SCORING):
        other = others[index]
        if conflicting_codes(new, other) or not other.words:
            continue
        rest = pair_features(new, other, float(sentence[index]), float(passage[index]))[5:]
        likely[earlier.rows[index]] = _sigmoid(np.array(dense[index] + float(np.dot(w[5:], rest))))
    return likely


def best_group(new: Report, earlier: Earlier) -> tuple[int, float] | None:
    """The group `new` joins, with its mean likelihood, or None (then it starts its own).

    Members not close enough to be scored count as unlikely, so a large group about something else
    is not joined through one look-alike member."""
    if not earlier.reports or not new.words:
        return None  # nothing but emoji or punctuation: nothing to tell a problem by
    if new.vectors is None or earlier.stacked() is None:
        return _best_group_by_words(new, earlier, range(len(earlier)))
    found = _best_group_by_meaning(new, earlier)
    if found is not None or len(earlier.rows) == len(earlier):
        return found
    with_vectors = set(earlier.rows)  # reports filed without vectors: by their words
    return _best_group_by_words(new, earlier, [i for i in range(len(earlier)) if i not in with_vectors])


def _best_group_by_meaning(new: Report, earlier: Earlier) -> tuple[int, float] | None:
    likely = same_problem_likelihood(new, earlier)
    candidates = {earlier.groups[i] for i in np.flatnonzero(likely >= JOIN_BEST)}
    if not candidates:
        return None
    members: dict[int, list[int]] = {group: [] for group in candidates}
    for index in earlier.rows:  # the mean over the members that can be compared by meaning
        if earlier.groups[index] in members:
            members[earlier.groups[index]].append(index)
    best: tuple[int, float] | None = None
    for group, indexes in members.items():
        mean = float(likely[indexes].mean())
        if mean >= JOIN_MEAN and (best is None or mean > best[1]):
            best = (group, mean)
    return best


def _best_group_by_words(new: Report, earlier: Earlier, among: Iterable[int]) -> tuple[int, float] | None:
    """Words only: the most similar of the reports at positions `among`, at SIMILAR_ENOUGH; words
    common among them weigh less."""
    if not new.words:
        return None
    chosen = list(among)
    document_frequency: Counter[str] = Counter(new.words)
    for index in chosen:
        document_frequency.update(set(earlier.reports[index].words))
    common = max(3.0, COMMON_SHARE * (len(chosen) + 1))
    idf = {word: min(1.0, math.sqrt(common / count)) for word, count in document_frequency.items()}
    mine = {word: idf[word] for word in new.words}
    best: tuple[int, float] | None = None
    for index in chosen:
        if conflicting_codes(new, earlier.reports[index]):
            continue
        score = cosine(mine, {word: idf[word] for word in earlier.reports[index].words})
        if score >= SIMILAR_ENOUGH and (best is None or score > best[1]):
            best = (earlier.groups[index], score)
    return best
