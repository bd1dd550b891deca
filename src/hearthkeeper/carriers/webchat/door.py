"""The join page's door: before a new member is seated, the community's joining threshold is
asked (`Admission`, engine/admission.py) with what the form brought — an invite code (from
the field, or `?code=` on the link), answers to the application questions, the link's
`source`. Members already seated are never screened again."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from hearthkeeper.carriers.webchat.base import ChatBase
from hearthkeeper.engine.admission import ADMIT, Entry, JoinRequest, Verdict
from hearthkeeper.playbook.joining import MAX_QUESTIONS  # answers read: answer_1 … answer_20
from hearthkeeper.web.clientaddr import UNKNOWN

MAX_CODE = 64
MAX_ANSWER = 2000


@dataclass(frozen=True)
class Asked:
    """What a join form brought besides the nickname."""

    code: str = ""
    answers: tuple[str, ...] = ()


NOTHING_ASKED = Asked()


def asked_of(form: FormData) -> Asked:
    """The invite code and the answers (`answer_1`, `answer_2` … in order) of a join form."""
    code = form.get("invite_code")
    answers: list[str] = []
    for n in range(1, MAX_QUESTIONS + 1):
        answer = form.get(f"answer_{n}")
        if not isinstance(answer, str):
            break
        answers.append(answer[:MAX_ANSWER])
    # one character over MAX_CODE: a longer code must not be cut to a real one
    return Asked(code=code.strip()[: MAX_CODE + 1] if isinstance(code, str) else "",
                 answers=tuple(answers))  # fmt: skip


async def screen(chat: ChatBase, group_id: int, user_id: str, display_name: str,
                 asked: Asked = NOTHING_ASKED, source: str | None = None,
                 probe: bool = False, network: str | None = None) -> Verdict:  # fmt: skip
    """The threshold's verdict on someone joining the group (admitted when the chat has no
    `Admission`; `probe`: the page only looks); the store work runs in a worker thread."""
    if chat.admission is None:
        return ADMIT
    request = join_request(chat, group_id, user_id, display_name, asked, source, probe=probe,
                           network=network)  # fmt: skip
    return await run_in_threadpool(chat.admission.screen, request)


def join_request(chat: ChatBase, group_id: int, user_id: str, display_name: str,
                 asked: Asked = NOTHING_ASKED, source: str | None = None, *,
                 probe: bool = False, network: str | None = None,
                 client: str | None = None) -> JoinRequest:  # fmt: skip
    """What the door is asked about someone joining the group with what the form brought,
    from the client `network` (`web.clientaddr.client_network`: one free trial per network;
    None where the operator exempted it) and `client` (that network, exempted or not: one
    network's applications hold few seats)."""
    return JoinRequest(carrier=chat.name, group_id=group_id, user_id=user_id,
                       display_name=display_name, code=asked.code or None,
                       source=source or None, answers=asked.answers, field_per_question=True,
                       probe=probe, network=None if network == UNKNOWN else network,
                       client=None if client == UNKNOWN else client)  # fmt: skip


def status_of(verdict: Verdict) -> int:
    """The HTTP status of a join page that did not seat: 202 while pending, else 403."""
    return 202 if verdict.entry is Entry.PENDING else 403
