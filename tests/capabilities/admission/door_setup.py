"""A web chat whose community screens joiners: `build_chat` with the server's `Admission`
running a playbook whose `joining.threshold` the test chooses."""

from __future__ import annotations

from hearthkeeper.assembly import runtime_for
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.playbook import parse_playbook
from tests.playbook_samples import MINIMAL
from tests.webchat_setup import Chat

CODE = "joining:\n  threshold:\n    kind: invite_code\n"
APPLICATION = """\
joining:
  threshold:
    kind: application
    questions:
      - Who invited you?
      - What do you brew?
"""
MIN_LEVEL = "joining:\n  threshold:\n    kind: min_level\n    min_level: member\n"


def screening(chat: Chat, threshold: str, *, chinese: bool = False,
              timezone: str | None = None) -> Runtime:  # fmt: skip
    """Let `chat`'s community (slug tea) run a playbook with `threshold` (in `timezone`, if
    given); its join pages ask the server's Admission from now on."""
    text = MINIMAL + threshold
    if chinese:
        text = text.replace("language: en", "language: zh-CN")
    if timezone is not None:
        text = text.replace("timezone: Europe/London", f"timezone: {timezone}")
    runtime = runtime_for(chat.store, parse_playbook(text).playbook)
    assert runtime.community_id == chat.community_id
    chat.carrier.admission = Admission(chat.store, chat.clock, {runtime.community_id: runtime}.get)
    return runtime


def fill_every_group(chat: Chat) -> None:
    """Seat members until every group of `build_chat`'s community is full: the Tea room
    holds 3, the Garden 5."""
    for n in range(3):
        chat.member(f"tea {n}")
    for n in range(5):
        chat.member(f"garden {n}", group=1)
