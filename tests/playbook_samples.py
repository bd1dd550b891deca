"""Small playbooks for tests."""

import re

MINIMAL = """\
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


def open_to_everyone(text: str) -> str:
    """A template's playbook with `joining.threshold.kind: open` (the skincare template is
    `paid`): for tests where strangers join through the join page without paying."""
    opened, count = re.subn(
        r"(?m)^    kind: paid[^\n]*\n    plan: [^\n]*\n", "    kind: open\n", text
    )
    return opened if count else text
