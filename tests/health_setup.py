"""Playbooks for the health, lifecycle and heat-death tests."""

from __future__ import annotations

from hearthkeeper.playbook import Playbook, parse_playbook

COMMERCIAL = """\
community:
  slug: skin
  name: Skin Club
  language: en
  timezone: Asia/Shanghai
  type: commercial
  purpose: Better skin together.
  interest:
    kind: product
    description: Skin care.
  goals: [Everyone finds a routine that works]
joining:
  threshold:
    kind: paid
    plan: half-year
monetisation:
  plans:
    - id: half-year
      name: Half-year membership
      price: 199
      period: 6 months
calendar:
  posts:
    - id: morning-pack
      schedule: every day 08:00
      content:
        library: content/morning
    - id: weekly-digest
      schedule: Sun 20:00
      mode: remind
      content:
        text: The week in review.
      groups: [Skin Club 2]
  live_sessions:
    - id: tutor-talk
      title: Ask the tutor
      speaker: Dr Lin
      schedule: Mon,Wed 20:00
"""

AUXILIARY = """\
community:
  slug: tea
  name: Tea Friends
  language: en
  timezone: Europe/London
  purpose: Share good tea and where to buy it.
  interest:
    kind: behaviour
    description: Drinking and brewing tea.
"""


def playbook(text: str = COMMERCIAL, extra: str = "") -> Playbook:
    """A parsed playbook; `extra` is appended YAML."""
    return parse_playbook(text + extra).playbook
