"""FAQ answers, the expert finder and the queue of unanswered questions (seed 001 step 6:
automatic answers, and a human for what the bot cannot answer; seed 002: @ the right expert).

`handlers` decides per message; `match` and `words` are the pure matching, `experts` the
expert finder, `queue` the staff question queue and `/questions`, `helpful` `/helpful`; each
effect takes a typed request from `requests`; `repository` holds the queue's storage and
`console` the inbox's "mark answered" route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.web.console.pages import Pages


class Faq(CapabilityBase):
    name = "faq"

    def register(self, registry: Registry, setup: Setup) -> None:
        from hearthkeeper.capabilities.faq import experts, helpful, queue, requests
        from hearthkeeper.capabilities.faq.handlers import FaqAnswers
        from hearthkeeper.engine.registry import Stage

        answers = FaqAnswers(setup.playbook, prepare=not setup.inspecting)
        registry.add(answers, Stage.MECHANISMS + 5)
        registry.add_lock_ahead(answers.read_ahead)  # reads a batch's groups' answers back
        registry.add_effect(requests.QueueQuestion, queue.queue_question)
        registry.add_effect(requests.MarkAnswered, queue.mark_answered)
        registry.add_effect(requests.AlertStaff, queue.alert_staff)
        registry.add_effect(requests.ListQuestions, queue.list_questions)
        registry.add_effect(requests.CloseQuestion, queue.close_question)
        registry.add_effect(requests.FindExperts, experts.find_experts)
        registry.add_effect(requests.MarkHelpful, helpful.mark_helpful)
        setup.book.add(queue.QUESTIONS)
        setup.book.add(helpful.HELPFUL_COMMAND)

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.faq import console

        return console.router(pages)


CAPABILITY = Faq()
