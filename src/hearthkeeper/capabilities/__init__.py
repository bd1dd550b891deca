"""Capabilities: one package each (its playbook reading, decisions, effects, repository, CLI
and console pages), listed once in `installed.CAPABILITIES`."""
