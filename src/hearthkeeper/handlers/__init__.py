"""Handlers of the capabilities not yet moved into `capabilities/`; each module registers
itself explicitly into a `Registry` (through its capability in `capabilities/installed.py`).

Stages (lower runs first; within a stage the first handler whose check passes handles):
GATE 0 blacklist · 1 planning a group's calendar (posts, live sessions, anniversary) the first
time this process sees the group · MODERATION 10 · CEREMONY 20-21 welcome, rules ·
MECHANISMS 30 commands · 31 check-ins · 32 sign-ups · 33 polls · 35 FAQ answers, experts and
the question queue · 36 points for sharing · 37 planning the daily level round on joins ·
39 scheduling the welcome-week digest on joins.
"""
