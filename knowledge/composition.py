"""Which parts of the best passages make the offline answer: coverage of the question, not one sentence.

A passage is cut into units: a sentence, a list item, or a sentence that introduces a list together
with its list (lines wrapped inside a paragraph are joined first). Units are then picked greedily:
how well a unit answers (its passage's rank, the question's terms it holds, a list when the question
asks for several things), minus how much it repeats what is already picked (maximal marginal
relevance, weighted by `redundancy_weight`), each after its passage's lead, within Slack-friendly
limits. No unit is embedded here: the passages' own search scores carry the meaning, so an answer
costs no model time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from knowledge.documents import same_topic
from knowledge.ranking import Hit
from knowledge.tables import introduces_table, is_table_row, table_items
from knowledge.text import (
    CJK_CHARACTER,
    LIST_MARKER,
    SENTENCE_ENDINGS,
    Lang,
    joined_lines,
    split_sentences,
    tokenize,
)

_STEP_MARKER = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+[步点条]|首先|其次|再次|然后|接着|最后|"
    r"step \d+\b|(?:first|second|third|fourth|fifth|then|next|finally|lastly)(?:ly)?,)",
    re.IGNORECASE,
)
"""How a sentence of steps written as prose starts: 第一步…, 首先…, Step 2…, Finally, …"""
_STANDS_ALONE = re.compile(r"^(?:#|\||>)")
_POINTS_BACK = re.compile(
    r"^(?:\S+\s+){0,2}(?:these|those|the above)\b|^.{0,4}(?:这些|这几|上述|以上)", re.IGNORECASE
)
"""A sentence that speaks of what was just listed: "Check these for every client…", 这些信号要…"""
_HEADING_LINE = re.compile(r"^#{1,6}\s+")

_ASKS_FOR_SEVERAL = re.compile(
    r"哪些|哪几|几个|几种|几类|几步|几点|什么步骤|怎么|如何|步骤|流程|阶段|分别|包括|包含|有什么|要做什么|"
    r"准备什么|写什么|记录什么|看什么|\bwhich\b|\bwhat (?:are|steps|should|goes|belongs|does|kinds?|types?)\b|"
    r"\bhow (?:do|does|should|to|can|is)\b|\bsteps?\b|\bstages?\b|\bkinds?\b|\btypes?\b|\blist\b|"
    r"\bwho\b|\bprinciples?\b|\bgoals?\b|\blevers?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CompositionConfig:
    """Limits for a Slack reply and the weights of the choice; the weights were chosen on the
    tuning half of the answer question set (benchmarks/answer_tuning.py)."""

    max_chars_zh: int = 700
    max_chars_en: int = 1200
    max_units: int = 8
    max_passages: int = 4
    passage_ratio: float = 0.6
    """A further passage is used when its search score is at least this share of the best one's, or
    when it is a sibling section of the best one (`same_topic`)."""
    term_weight: float = 0.5
    list_weight: float = 0.3
    position_weight: float = 0.03
    redundancy_weight: float = 0.0
    """How much repeating chosen units' terms costs a unit (maximal marginal relevance); chosen
    at 0 on the tuning half: a playbook section rarely repeats itself, and a sentence said twice
    is dropped before the choice anyway."""
    context_needs_terms: bool = False
    """A sentence past a passage's first that is no list and shares no term with the question is
    left out: it is the passage's context, not part of the answer."""
    leads_first: bool = True
    """A passage's later unit is shown only after its first sentence, which says what the passage
    is about (a list without its lead reads as a stray fragment)."""


@dataclass(frozen=True)
class Unit:
    passage: int
    position: int
    text: str
    terms: frozenset[str]
    steps_from: int | None = None
    """For a sentence among steps written as prose (第一步… 第二步…), the position of the first:
    such steps are said together while they fit (see `compose`)."""

    @property
    def is_list(self) -> bool:
        return "\n" in self.text or bool(LIST_MARKER.match(self.text)) or self.steps_from is not None


@dataclass(frozen=True)
class Composition:
    """The chosen units in reading order, and the passages some of whose units were left out."""

    units: list[Unit]
    partial: frozenset[int]


def answer_units(body: str) -> list[str]:
    """Sentences and list items; a sentence that introduces a list (ends with a colon) keeps its
    list, and a table is one unit, its rows said as list items (knowledge.tables). A heading
    inside the passage (`##### Partial refunds`, deeper than sections go) leads, in bold, the
    paragraph, list or table under it."""
    lines = _blocks(body)
    units: list[str] = []
    heading = ""
    """The bold words of the heading just read, for what comes under it."""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if _HEADING_LINE.match(line):
            heading = _bold_lead(_HEADING_LINE.sub("", line).strip())
            continue
        if LIST_MARKER.match(line):
            if heading:  # a list under a heading: the heading introduces it
                items, index = _list_items(lines, index - 1)
                units.append("\n".join([heading, *items]))
                heading = ""
            else:
                units.append(line)
            continue
        if is_table_row(line):
            rows = [line]
            while index < len(lines) and is_table_row(lines[index]):
                rows.append(lines[index])
                index += 1
            header, items = table_items(rows)
            if heading:
                units.append("\n".join([heading, *items]))
            elif units and "\n" not in units[-1] and introduces_table(units[-1]):
                units.append("\n".join([units.pop(), *items]))
            elif header:
                units.append("\n".join([header, *items]))
            else:  # rows without a header say what they are by themselves, like list items
                units.extend(items)
            heading = ""
            continue
        sentences = split_sentences(line)
        introduced = bool(heading) and len(sentences) == 1
        if heading:  # a space after the bold even in Chinese: Slack shows *bold* only between spaces
            sentences[0] = f"{heading} {sentences[0]}"
            heading = ""
        items, follow = _list_items(lines, index)
        if items and (introduced or sentences[-1].endswith((":", "："))):
            units.extend(sentences[:-1])
            units.append("\n".join([sentences[-1], *items]))
            index = follow
        else:
            units.extend(sentences)
    return units


def _list_items(lines: list[str], start: int) -> tuple[list[str], int]:
    """The list items from `start` on (blank lines between them allowed), and where they end."""
    items: list[str] = []
    follow = start
    while follow < len(lines) and (not lines[follow] or LIST_MARKER.match(lines[follow])):
        if lines[follow]:
            items.append(lines[follow])
        follow += 1
    return items, follow


def step_runs(units: Sequence[str]) -> list[int | None]:
    """For each unit, where the run of steps written as prose it belongs to starts (None when it is
    in none): two or more sentences in a row that each open like a step."""
    starts: list[int | None] = [None] * len(units)
    position = 0
    while position < len(units):
        end = position
        while end < len(units) and _STEP_MARKER.match(units[end]):
            end += 1
        if end - position >= 2:
            starts[position:end] = [position] * (end - position)
        position = max(end, position + 1)
    return starts


def _bold_lead(title: str) -> str:
    """A heading's words in bold, with a colon unless they end in punctuation of their own."""
    if not title or title.endswith(SENTENCE_ENDINGS):
        return f"**{title}**" if title else ""
    return f"**{title}**{'：' if CJK_CHARACTER.search(title) else ':'}"


def _blocks(body: str) -> list[str]:
    """The body's paragraphs and list items, each on one line ("" between them where the body has a
    blank line): Markdown is often wrapped at a fixed width, and a sentence cut at a line's end is
    still one sentence. A list item goes on over its indented lines; a heading, table row or quote
    stands alone."""
    blocks: list[str] = []
    for raw in body.splitlines():
        line = raw.strip()
        previous = blocks[-1] if blocks else ""
        continues = bool(
            line
            and previous
            and not LIST_MARKER.match(line)
            and not _STANDS_ALONE.match(line)
            and not _STANDS_ALONE.match(previous)
            and (not LIST_MARKER.match(previous) or raw[:1].isspace())
        )
        if continues:
            blocks[-1] = joined_lines(previous, line)
        else:
            blocks.append(line)
    return blocks


def asks_for_several(question: str) -> bool:
    """'Which…', 'what steps…', 'how do I…', '哪些', '怎么…': the answer is a list, not one fact."""
    return bool(_ASKS_FOR_SEVERAL.search(question))


def compose(question: str, hits: Sequence[Hit], lang: Lang, config: CompositionConfig) -> Composition:
    """Units of the best passages chosen for coverage, within the character and unit limits."""
    if not hits:
        return Composition([], frozenset())
    best = max(hits[0].score, 1e-9)
    passages = [
        (number, hit)
        for number, hit in enumerate(hits[: config.max_passages])
        if number == 0 or hit.score >= config.passage_ratio * best or same_topic(hit.chunk, hits[0].chunk)
    ]
    question_terms = frozenset(tokenize(question))
    wants_list = asks_for_several(question)
    candidates: list[tuple[float, Unit]] = []
    seen: set[str] = set()
    for number, hit in passages:
        weight = min(1.0, hit.score / best)
        texts = answer_units(hit.chunk.body)
        for position, (text, steps_from) in enumerate(zip(texts, step_runs(texts), strict=True)):
            if text in seen:  # a sentence repeated, or quoted by two passages, is said once
                continue
            seen.add(text)
            unit = Unit(number, position, text, _unit_terms(text), steps_from)
            shared = len(question_terms & unit.terms) / max(1, len(question_terms))
            if config.context_needs_terms and position and not shared and not unit.is_list:
                continue
            value = weight * (
                1.0
                + config.term_weight * shared
                + (config.list_weight if wants_list and unit.is_list else 0.0)
                - config.position_weight * position
            )
            candidates.append((value, unit))

    budget = config.max_chars_zh if lang == "zh" else config.max_chars_en
    pointing = _lists_pointed_at(candidates)
    chosen: list[Unit] = []
    used = 0
    remaining = list(candidates)

    def with_lead(units: list[Unit]) -> list[Unit]:
        """The units, after their passage's lead when that lead is still to be said."""
        if not config.leads_first or units[0].position == 0:
            return units
        lead = next((u for _, u in remaining if u.passage == units[0].passage and u.position == 0), None)
        return units if lead is None else [lead, *units]

    cut_runs: set[tuple[int, int]] = set()
    """Runs of steps some of which were said: whatever of them is left stays out."""

    def ways_to_say(unit: Unit) -> list[list[Unit]]:
        """A step written as prose is said with the other steps of its run, or alone when the whole
        run no longer fits (a question about one step is still answered by it); no further step
        of a run said in part joins, so the answer never reads as steps 1 and 3. A sentence
        pointing back at the list before it is said with that list, never without it."""
        if unit.steps_from is None:
            listed = pointing.get((unit.passage, unit.position))
            if listed is None:
                return [with_lead([unit])]
            if any(u is listed for u in chosen):
                return [[unit]]
            return [with_lead([listed, unit])] if any(u is listed for _, u in remaining) else []
        if (unit.passage, unit.steps_from) in cut_runs:
            return []
        run = [u for _, u in remaining if u.passage == unit.passage and u.steps_from == unit.steps_from]
        return [with_lead(run), with_lead([unit])]

    def fits(units: list[Unit]) -> bool:
        if not chosen:  # the first choice is an answer whatever its size
            return True
        return (
            used + sum(len(u.text) for u in units) <= budget and len(chosen) + len(units) <= config.max_units
        )

    while remaining and len(chosen) < config.max_units:
        scored = []
        for index, (value, unit) in enumerate(remaining):
            way = next((way for way in ways_to_say(unit) if fits(way)), None)
            if way is not None:
                scored.append((value - config.redundancy_weight * _overlap(unit, chosen), index, way))
        if not scored:
            break
        _, _, taken = max(scored, key=lambda choice: choice[:2])
        remaining = [item for item in remaining if item[1] not in taken]
        cut_runs.update((u.passage, u.steps_from) for u in taken if u.steps_from is not None)
        chosen.extend(taken)
        used += sum(len(unit.text) for unit in taken)
    chosen.sort(key=lambda unit: (unit.passage, unit.position))
    used_passages = {unit.passage for unit in chosen}
    partial = frozenset(unit.passage for _, unit in remaining if unit.passage in used_passages)
    return Composition(chosen, partial)


def _lists_pointed_at(candidates: Sequence[tuple[float, Unit]]) -> dict[tuple[int, int], Unit]:
    """(passage, position) of each unit that speaks of the list right before it ("Check these…"),
    with that list; looked up once per answer, not at every choice."""
    at = {(unit.passage, unit.position): unit for _, unit in candidates}
    return {
        place: before
        for place, unit in at.items()
        if not unit.is_list
        and _POINTS_BACK.match(unit.text)
        and (before := at.get((unit.passage, unit.position - 1))) is not None
        and before.is_list
    }


def _overlap(unit: Unit, chosen: list[Unit]) -> float:
    """The largest share of this unit's terms already said by one chosen unit."""
    if not unit.terms or not chosen:
        return 0.0
    return max(len(unit.terms & other.terms) / len(unit.terms) for other in chosen)


@lru_cache(maxsize=8192)
def _unit_terms(text: str) -> frozenset[str]:
    """A unit's index terms. The same passages answer question after question, and segmenting
    their sentences again each time was a fifth of an answer's time."""
    return frozenset(tokenize(_plain(text)))


def _plain(text: str) -> str:
    return LIST_MARKER.sub("", text).replace("**", "")
