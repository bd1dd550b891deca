"""Small playbooks for tests."""

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
