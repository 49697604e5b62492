"""Answers from a child process: the serving set-up of `opsbot serve`."""

from __future__ import annotations

import time
from pathlib import Path

from bot.answers.process import AnswerProcess
from bot.services import KnowledgeService
from tests.conftest import make_settings


def test_child_process_answers_and_reports_ready(playbook_home: Path, knowledge: KnowledgeService) -> None:
    answers = AnswerProcess(make_settings(playbook_home))
    try:
        assert not answers.ready
        answers.start_warm_up()
        deadline = time.monotonic() + 120
        while not answers.ready and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answers.ready
        answer = answers.answer("复盘分哪几步?")
        assert answer.found
        assert answer.lang == "zh"
        assert answer.citations[0].source.startswith("playbook/zh/")
    finally:
        answers.close()
