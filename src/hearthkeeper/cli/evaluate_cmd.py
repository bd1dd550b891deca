"""`hearth moderate --evaluate CORPUS`: recall and false alarms of a playbook's moderation."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hearthkeeper.cli.output import fail, load_or_exit
from hearthkeeper.playbook import Playbook, PlaybookError, parse_playbook
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text import Scanner, is_advertising, prepare
from hearthkeeper.text.evaluation import Evaluation, Tally, evaluate, read_corpus

SPLITS = ("all", "tune", "held-out")
_DEFAULTS = {"community": {"slug": "defaults", "name": "Defaults", "purpose": "evaluate",
                           "interest": {"kind": "product", "description": "evaluate"}}}  # fmt: skip


def rules_for(playbook: Path | None, template: str | None) -> Rules:
    """The rules of a playbook file, of a template, or ("default") of the built-in defaults."""
    if playbook is not None:
        return load_or_exit(playbook).playbook.rules
    if template == "default":
        return Playbook.model_validate(_DEFAULTS).rules
    if template not in TEMPLATES:
        choices = ", ".join(["default", *TEMPLATES])
        fail(f"--template {template!r}: choose one of {choices}")
    try:
        return parse_playbook(template_text(template), template).playbook.rules
    except PlaybookError as exc:  # a shipped template is valid; say so plainly if not
        fail(f"template {template} does not load: {exc}")


def run_evaluation(
    corpus: Path,
    playbook: Path | None,
    template: str | None,
    split: str,
    as_json: bool,
    show: int,
) -> None:
    """Evaluate the playbook's scanner (rules and learned scorer) on a labelled corpus."""
    if (playbook is None) == (template is None):
        fail("--evaluate needs exactly one of --playbook or --template")
    if split not in SPLITS:
        fail(f"--split {split!r}: use {', '.join(SPLITS)}")
    try:
        with corpus.open(encoding="utf-8") as handle:
            rows = read_corpus(handle, str(corpus))
    except OSError as exc:
        fail(f"cannot read {corpus}: {exc.strerror or exc}")
    except ValueError as exc:
        fail(str(exc))
    if split != "all":
        rows = [row for row in rows if row.split == split]
    if not rows:
        fail(f"{corpus}: no rows{'' if split == 'all' else f' in split {split!r}'}")
    scanner = Scanner.from_rules(rules_for(playbook, template))
    result = evaluate(rows, lambda text: is_advertising(scanner.scan(prepare(text))), show)
    if as_json:
        document = {"corpus": str(corpus), "split": split, "playbook": str(playbook or template),
                    "learned_scorer": scanner.scorer is not None, **result.to_json()}  # fmt: skip
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print(result, f"{playbook or template}", split, scanner.scorer is not None)


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _line(name: str, tally: Tally) -> str:
    return (f"{name:<34} {tally.spam:>6} {tally.ham:>6} {_cell(tally.recall):>7} "
            f"{_cell(tally.false_positive_rate, 4):>8} {_cell(tally.precision):>9}")  # fmt: skip


def _print(result: Evaluation, playbook: str, split: str, learned: bool) -> None:
    scorer = "rules + learned scorer" if learned else "rules only"
    typer.echo(f"{playbook} ({scorer}), split {split}")
    typer.echo(f"{'':<34} {'spam':>6} {'ham':>6} {'recall':>7} {'FP rate':>8} {'precision':>9}")
    for name, tally in result.summary.items():
        typer.echo(_line(name, tally))
    typer.echo(_line("all", result.total))
    typer.echo("\nper family:")
    for name, tally in sorted(result.families.items()):
        typer.echo(_line(name, tally))
    for kind, family, text in result.examples:
        typer.echo(f"  {kind} [{family}] {text[:100]!r}")
