"""Slash commands: `/ops` (an umbrella with subcommands) and `/funnel`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.answers.answering import answer_by_response_url
from bot.answers.commands import answers_command
from bot.answers.learning import learn_command, sources_command
from bot.core.messages import say
from bot.digest.commands import digest_command
from bot.digest.todos import todo_command
from bot.feedback.commands import feedback_command
from bot.goals.commands import add_funnel_goals, goal_command
from bot.health.commands import health_command
from bot.renewal.commands import clients_command, renewal_command
from bot.reports.file_analysis import Kind
from bot.reports.file_requests import run_command
from bot.reports.funnel import funnel_message
from bot.reports.funnel_chart import share_funnel_chart
from bot.retro.commands import retro_command
from bot.services import Services
from bot.slack.blocks import help_message, notice_message
from bot.slack.requests import SlashRequest, file_request_language
from bot.weekly.channel import weekly_or_channel
from bot.workspaces import Workspaces
from knowledge.text import detect_language
from skills.goals import split_goals

Subcommand = Callable[[Services, SlashRequest], None]


def _help(services: Services, request: SlashRequest) -> None:
    request.ack(**help_message(detect_language(request.text)))


def _ask(services: Services, request: SlashRequest) -> None:
    question = request.rest
    lang = detect_language(question)
    if not question:
        request.ack(**notice_message(say("empty_question", lang)))
        return
    request.ack(**notice_message(say("working", lang)))
    services.jobs.submit(
        lambda: answer_by_response_url(
            services, request.respond, question, request.channel or None, request.user
        ),
        name="ops-ask",
    )


def _file_command(kind: Kind) -> Subcommand:
    def handle(services: Services, request: SlashRequest) -> None:
        request.ack(**notice_message(say("working_file", file_request_language(request.text))))
        services.jobs.submit(
            lambda: run_command(
                services,
                request.client,
                request.respond,
                kind,
                request.text,
                request.channel,
                request.user,
            ),
            name=f"ops-{kind}",
        )

    return handle


def _learn(services: Services, request: SlashRequest) -> None:
    lang = file_request_language(request.text)
    request.ack(**notice_message(say("working_file", lang)))
    services.jobs.submit(
        lambda: learn_command(
            services, request.client, request.respond, request.rest, request.channel, request.user, lang
        ),
        name="ops-learn",
    )


def _sources(services: Services, request: SlashRequest) -> None:
    lang = detect_language(request.text)
    request.ack(**notice_message(say("one_moment", lang)))
    services.jobs.submit(
        lambda: sources_command(services, request.respond, lang, request.channel), name="ops-sources"
    )


_QUESTION = re.compile(
    r"[?？]|怎么|如何|什么|哪|吗|为什么|\b(?:how|what|why|which|when|should)\b", re.IGNORECASE
)


def _retro_or_question(services: Services, request: SlashRequest) -> None:
    """`/ops 复盘 怎么做?` asks about retrospectives; `/ops 复盘` (with a metric and period) writes one."""
    if _QUESTION.search(request.rest):
        _ask(services, replace(request, rest=request.text))
    else:
        retro_command(services, request)


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": _help,
    "帮助": _help,
    "ask": _ask,
    "问": _ask,
    "rfm": _file_command("rfm"),
    "tier": _file_command("tier"),
    "tiers": _file_command("tier"),
    "分层": _file_command("tier"),
    "learn": _learn,
    "学习": _learn,
    "sources": _sources,
    "来源": _sources,
    "answers": answers_command,
    "回答": answers_command,
    "feedback": feedback_command,
    "反馈": feedback_command,
    "todo": todo_command,
    "待办": todo_command,
    "digest": digest_command,
    "摘要": digest_command,
    "weekly": weekly_or_channel,
    "周报": weekly_or_channel,
    "renewal": renewal_command,
    "续约": renewal_command,
    "clients": clients_command,
    "客户清单": clients_command,
    "goal": goal_command,
    "goals": goal_command,
    "目标": goal_command,
    "health": health_command,
    "健康度": health_command,
    "retro": _retro_or_question,
    "复盘": _retro_or_question,
}


SLASH_COMMANDS = ("/ops", "/funnel")
"""The slash commands the app handles, as manifest.yml declares them to Slack."""


def register(app: App, workspaces: Workspaces) -> None:
    @app.command("/ops")
    def on_ops(
        ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        services = workspaces.for_context(context)
        text = (command.get("text") or "").strip()
        name, _, rest = text.partition(" ")
        handler = SUBCOMMANDS.get(name.lower())
        request = SlashRequest(
            ack,
            respond,
            client,
            rest.strip(),
            text,
            command.get("channel_id", ""),
            command.get("user_id", ""),
            command.get("trigger_id", ""),
        )
        if not text:
            _help(services, request)
        elif handler is not None:
            handler(services, request)
        else:
            _ask(services, SlashRequest(ack, respond, client, text, text, request.channel, request.user))

    @app.command("/funnel")
    def on_funnel(
        ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        services = workspaces.for_context(context)
        full_text = (command.get("text") or "").strip()
        text, goals_spec = split_goals(full_text)
        lang = detect_language(full_text)
        payload, result = funnel_message(text, lang)
        ack(**payload)
        if result is not None:
            channel = command.get("channel_id", "")
            services.jobs.submit(
                lambda: share_funnel_chart(client, respond, channel, result, text, lang), name="funnel-chart"
            )
            if goals_spec is not None:
                stages = [(stage.name, stage.value) for stage in result.stages]
                user = command.get("user_id", "")
                services.jobs.submit(
                    lambda: add_funnel_goals(services, client, respond, user, stages, goals_spec, lang),
                    name="funnel-goals",
                )
