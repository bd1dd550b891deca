"""`hearth moderate --evaluate CORPUS`: recall and false alarms of a playbook's moderation."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import typer

from hearthkeeper.cli.output import fail, load_or_exit
from hearthkeeper.playbook import Playbook, PlaybookError, parse_playbook
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text import Scanner, evaluation, is_advertising, prepare, train
from hearthkeeper.text.evaluation import (
    FOLDS,
    Evaluation,
    Labelled,
    Tally,
    evaluate,
    out_of_sample,
    read_corpus,
)
from hearthkeeper.text.scorer import SpamScorer

SPLITS = ("all", *evaluation.SPLITS)
_DEFAULTS = {"community": {"slug": "defaults", "name": "Defaults", "purpose": "evaluate",
                           "interest": {"kind": "product", "description": "evaluate"}}}  # fmt: skip


def rules_for(playbook: Path | None, template: str | None, now: datetime) -> Rules:
    """The rules of a playbook file (its warnings as of `now` said), of a template, or ("default")
    of the built-in defaults."""
    if playbook is not None:
        return load_or_exit(playbook, now=now).playbook.rules
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
    cross_validate: bool = True,
    *,
    now: datetime,
) -> None:
    """Evaluate the playbook's scanner (rules and learned scorer) on a labelled corpus; with
    `cross_validate`, also with every row the shipped scorer was trained on read by a scorer
    trained without that row's fold (the in-sample figure flatters the scorer)."""
    if (playbook is None) == (template is None):
        fail("--evaluate needs exactly one of --playbook or --template")
    if split not in SPLITS:
        fail(f"--split {split!r}: use {', '.join(SPLITS)}")
    try:
        with corpus.open("rb") as handle:  # decoded line by line: a bad byte's line is named
            rows = read_corpus(handle, str(corpus))
    except OSError as exc:
        fail(f"cannot read {corpus}: {exc.strerror or exc}")
    except ValueError as exc:
        fail(str(exc))
    if split != "all":
        rows = [row for row in rows if row.split == split]
    if not rows:
        fail(f"{corpus}: no rows{'' if split == 'all' else f' in split {split!r}'}")
    rules = rules_for(playbook, template, now)
    scanner = Scanner.from_rules(rules)
    result = evaluate(rows, lambda text: is_advertising(scanner.scan(prepare(text))), show)
    unseen = _out_of_sample(rows, rules, scanner) if cross_validate else None
    if as_json:
        document = {"corpus": str(corpus), "split": split, "playbook": str(playbook or template),
                    "learned_scorer": scanner.scorer is not None, **result.to_json(),
                    "out_of_sample": None if unseen is None else
                    {"folds": FOLDS, "trained_rows": unseen[1], **unseen[0].to_json()}}  # fmt: skip
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print(result, f"{playbook or template}", split, scanner.scorer is not None, unseen)


def _out_of_sample(
    rows: list[Labelled], rules: Rules, scanner: Scanner
) -> tuple[Evaluation, int] | None:
    """The rows evaluated again, each row the shipped scorer was trained on read by a scorer
    trained on the other folds of its training data; None when no such row is evaluated."""
    if scanner.scorer is None:
        return None
    try:
        examples = list(train.read_training(train.TRAINING_PATH))
        written = train.read_written()  # in every fold: no evaluated row is among them
    except (OSError, ValueError) as exc:
        fail(f"--cross-validate needs the scorer's training data: {exc}")

    def judge(trained_on: list[tuple[str, bool]]) -> Callable[[str], bool]:
        model: SpamScorer = train.prune(SpamScorer.trained([*trained_on, *written]))
        fold = Scanner.from_rules(rules, model)
        return lambda text: is_advertising(fold.scan(prepare(text)))

    flagged, trained = out_of_sample(
        examples, judge, lambda text: is_advertising(scanner.scan(prepare(text)))
    )
    count = sum(row.text in trained for row in rows)
    return (evaluate(rows, flagged), count) if count else None


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _line(name: str, tally: Tally, unseen: Tally | None = None) -> str:
    line = (f"{name:<34} {tally.spam:>6} {tally.ham:>6} {_cell(tally.recall):>7} "
            f"{_cell(tally.false_positive_rate, 4):>8} {_cell(tally.precision):>9}")  # fmt: skip
    if unseen is None:
        return line
    return (f"{line}  {_cell(unseen.recall):>7} {_cell(unseen.false_positive_rate, 4):>8} "
            f"{_cell(unseen.precision):>9}")  # fmt: skip


def _print(result: Evaluation, playbook: str, split: str, learned: bool,
           unseen: tuple[Evaluation, int] | None) -> None:  # fmt: skip
    scorer = "rules + learned scorer" if learned else "rules only"
    typer.echo(f"{playbook} ({scorer}), split {split}")
    header = f"{'':<34} {'spam':>6} {'ham':>6} {'recall':>7} {'FP rate':>8} {'precision':>9}"
    other = unseen[0] if unseen else None
    if other is not None:
        header += f"  {'recall':>7} {'FP rate':>8} {'precision':>9}  <- out of sample"
    typer.echo(header)
    for name, tally in result.summary.items():
        typer.echo(_line(name, tally, None if other is None else other.summary[name]))
    typer.echo(_line("all", result.total, None if other is None else other.total))
    typer.echo("\nper family:")
    for name, tally in sorted(result.families.items()):
        typer.echo(_line(name, tally, None if other is None else other.families[name]))
    for kind, family, text in result.examples:
        typer.echo(f"  {kind} [{family}] {text[:100]!r}")
    if unseen is not None:
        typer.echo(f"\nout of sample: the {unseen[1]} rows the shipped scorer was trained on, each "
                   f"read by a scorer trained without its fold ({FOLDS}-fold cross-validation); "
                   "judge a rule change on these figures, not the in-sample ones.")  # fmt: skip
