"""Streamed LLM answers: how soon the first words reach Slack, and the whole answer, against a local
OpenAI-compatible server that streams (SSE) at a set token rate, next to the same answers unstreamed.

The real services (playbook index, answer log) answer questions in a thread through the loopback
Slack API; times are taken from the moment the question is handed over to the first
chat.startStream call (the first words people see) and to the final chat.update (the checked answer
with its sources). Unstreamed, nothing shows until the whole reply is in.
Usage: python benchmarks/llm_streaming.py [--tokens-per-second 30] [--questions 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' fake model server

from slack_sdk import WebClient

from bot.answers.answering import answer_in_thread
from bot.core.config import Settings
from bot.core.llm import create_llm_stream
from bot.local.slack_api import LocalSlack
from bot.services import create_services
from tests.fakes.openai_server import FakeOpenAI

QUESTIONS = [
    "How do I run a retrospective?",
    "复盘有哪几步?",
    "How do I prepare for a renewal?",
    "客户分层怎么做?",
    "What should an ops owner check every morning?",
]
REPLY = (
    "A retrospective has four steps [1]: review the goal in numbers, evaluate what actually happened "
    "against it, analyse the causes (separating what you control from what you do not), and sum up the "
    "lessons to carry into the next campaign. Hold it soon after the event, while details are fresh, "
    "and keep the conclusions where the next owner will find them [1]."
)


def measure(slack: LocalSlack, ask: callable, question: str) -> tuple[float, float]:  # type: ignore[valid-type]
    slack.calls.clear()
    start = time.monotonic()
    ask(question)
    done = time.monotonic()
    first = next((c.at for c in slack.calls if c.method in ("chat.startStream", "chat.update")), done)
    return first - start, done - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens-per-second", type=float, default=30.0, help="a token is 4 characters")
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args()
    fake = FakeOpenAI(reply=REPLY, tokens_per_second=args.tokens_per_second)
    base_url = fake.start()
    slack = LocalSlack()
    slack_url = slack.start()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            SLACK_BOT_TOKEN="xoxb-bench",
            OPSBOT_HOME=home,
            OPENAI_BASE_URL=base_url,
            SLACK_API_BASE_URL=slack_url,
        )
        services = create_services(settings)
        print("indexing the playbook …", file=sys.stderr)
        services.knowledge.answer("warm up")
        client = WebClient(token="xoxb-bench", base_url=slack_url)
        questions = (QUESTIONS * args.questions)[: args.questions]
        rows = {}
        for label, stream in (("streamed", create_llm_stream(settings)), ("whole", None)):
            services.llm_stream = stream
            times = [
                measure(
                    slack,
                    lambda q: answer_in_thread(
                        services, client, "C123", "1700000000.000100", q, asker="U1", team="T1"
                    ),
                    question,
                )
                for question in questions
            ]
            rows[label] = (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))
        services.close()
    slack.stop()
    fake.stop()
    tokens = len(REPLY) / 4
    print(
        f"reply of {len(REPLY)} characters ({tokens:.0f} tokens) at {args.tokens_per_second:g} tokens/s, "
        f"{len(questions)} questions, medians:"
    )
    for label, (first, whole) in rows.items():
        print(f"  {label:8}  first words in Slack {first:5.2f} s   whole answer {whole:5.2f} s")


if __name__ == "__main__":
    main()
