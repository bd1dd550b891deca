"""Every `hearth` command's arguments named and checked the conventional way.

The installed Typer writes a required argument in the usage line as `{list_id}` and answers
a word where a number is wanted with its validator's sentence ("Input should be a valid
integer, unable to parse string as an integer"). Every command is built as `HearthCommand`
(`conventional`, called on the root application and on each lazy group as it loads), which
names arguments in capitals (`LIST_ID`, `[INPUT]`) and says "'abc' is not a number", and
refuses an option given twice or left without its value before another; the exit status of a
usage error stays 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from difflib import get_close_matches
from typing import Any, Final

import typer
from pydantic import ValidationError
from typer._click import Command, Context
from typer._click.exceptions import BadParameter, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import DefaultPlaceholder

from hearthkeeper.text.controls import quoted, shown_input


class HearthCommand(TyperCommand):
    """A command whose usage line and bad-value errors read as an operator expects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is None and param.name:
                param.metavar = param.name.upper()

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_usage_name(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:
            self._refuse_option_as_value(ctx, args)
            self._refuse_repeated(ctx, args)
        try:
            return super().parse_args(ctx, args)
        except BadParameter as exc:
            plain = _plain_reason(exc)
            if plain is None:
                raise
            raise BadParameter(plain, ctx=exc.ctx, param=exc.param) from None

    def _refuse_option_as_value(self, ctx: Context, args: list[str]) -> None:
        """A usage error for an option left without its value and followed by another:
        Click takes the next word as the value, so `hearth strikes list --member --all` read
        `--all` as the member (and did not list them all). `--member=--x` still says it."""
        params = self.get_params(ctx)
        names = {name for p in params for name in (*p.opts, *p.secondary_opts)}
        valued = {name: p for p in params if isinstance(p, TyperOption) and not p.is_flag
                  and not p.count and p.nargs == 1 for name in p.opts}  # fmt: skip
        words = iter(args)
        for word in words:
            if word == "--":
                return  # what follows is arguments, whatever it looks like
            param = valued.get(word)
            if param is None:
                continue
            value = next(words, None)
            if value is not None and value.partition("=")[0] in names:
                said = " / ".join(sorted(param.opts, key=len, reverse=True)) if word.startswith(
                    "--") else word  # fmt: skip
                # `-m=VALUE` is not a short option's form: Click keeps `=VALUE` as the value
                long = next((o for o in param.opts if o.startswith("--")), None)
                form = f"{long}=VALUE" if long else f"{word}VALUE"
                raise UsageError(f"{said} is missing its value: {value} after it is another "
                                 f"option (write {form} for a value that starts with '-')",
                                 ctx=ctx)  # fmt: skip

    def _refuse_repeated(self, ctx: Context, args: list[str]) -> None:
        """A usage error for an option taking one value given twice: `hearth init -p a -p b`
        used b alone, silently (Click keeps the last value and has no setting to refuse)."""
        try:
            _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except UsageError:
            return  # said as the command always says it, by the parse that follows
        seen: set[str] = set()
        for param in order:
            if (
                not isinstance(param, TyperOption)
                or param.multiple
                or param.count
                or (param.is_flag and not param.secondary_opts)  # --json twice says one thing
                or param.name is None
            ):
                continue  # fmt: skip
            if param.name in seen and param.secondary_opts:
                # `--cross-validate … --no-cross-validate`: the last one won, silently
                names = " / ".join([*param.opts, *param.secondary_opts])
                raise UsageError(f"{names} is given more than once: say one of them, once",
                                 ctx=ctx)  # fmt: skip
            if param.name in seen:
                names = " / ".join(sorted(param.opts, key=len, reverse=True))
                raise UsageError(f"{names} is given more than once: it takes one value; write "
                                 "it once", ctx=ctx)  # fmt: skip
            seen.add(param.name)


# Words operators type for a command that has another name here (`hearth playbook check`
# for `validate`): by likeness of spelling alone, `check` is nowhere near `validate`.
MEANT: Final[Mapping[str, tuple[str, ...]]] = {
    "check": ("validate",), "lint": ("validate",), "verify": ("validate",),
    "test": ("validate",), "ls": ("list", "show"), "list": ("show",), "show": ("list",),
    "view": ("show", "list"), "info": ("show", "list"), "get": ("show", "list"),
    "status": ("show", "list", "stats"), "print": ("show", "list"),
    "rm": ("revoke", "retire", "cancel", "remove"), "remove": ("revoke", "retire", "cancel"),
    "delete": ("revoke", "retire", "cancel", "disable"), "del": ("revoke", "retire", "cancel"),
    "add": ("create", "open", "set", "assign"), "new": ("create", "open"),
    "create": ("add", "open", "new"), "make": ("create", "open", "new"),
    "start": ("serve", "open"), "run": ("serve",), "up": ("serve",),
    "migrate": ("upgrade",), "unban": ("lift",), "unmute": ("lift",), "forgive": ("pardon",),
    "accept": ("approve",), "admit": ("approve",), "reject": ("refuse",),
    "deny": ("refuse",), "decline": ("refuse",), "csv": ("export",), "download": ("export",),
    "check-in": ("checkin",), "stats": ("report",), "health": ("report",),
    "uphold": ("decide",), "dismiss": ("decide",), "gift": ("give",), "extend": ("give",),
    "comp": ("give",),
}  # fmt: skip


# At the top, a group's command typed without its group (`hearth validate`): named in full.
# Looking through the groups instead would import every group's commands (cli/lazy.py),
# seconds of start-up for a typo; `tests/test_cli.py` checks each is a command.
TOP_MEANT: Final[Mapping[str, tuple[str, ...]]] = {
    "validate": ("playbook validate",), "check": ("playbook validate", "telegram check"),
    "lint": ("playbook validate",), "verify": ("playbook validate",),
    "show": ("playbook show", "grid show"), "new": ("playbook new",),
    "templates": ("playbook templates",), "migrate": ("db upgrade",),
    "upgrade": ("db upgrade",), "open": ("groups open",), "close": ("groups close",),
    "reopen": ("groups reopen",), "assign": ("grid assign",),
    "export": ("signups export", "billing export", "grid export"), "pardon": ("strikes pardon",),
    "lift": ("sanctions lift",), "unban": ("sanctions lift",), "approve": ("applications approve",),
    "refuse": ("applications refuse",), "pay": ("billing pay",), "refund": ("billing refund",),
    "give": ("billing give",), "gift": ("billing give",),
    "rooms": ("matrix rooms",), "episodes": ("crisis episodes",), "top": ("referrals top",),
    "rollups": ("db rollups",), "poll": ("grid poll",), "skip": ("grid skip",),
    "checkin": ("grid checkin", "events checkin"),
}  # fmt: skip


def meant(typed: str, names: Sequence[str], *, alike: bool = True) -> list[str]:
    """The commands among `names` that `typed` most likely meant: the same name but for
    letter case, then the commands its word is used for (`MEANT`), then (with `alike`)
    those spelt alike."""
    word = typed.strip().casefold()
    found = [n for n in names if n.casefold() == word]
    found += [n for n in MEANT.get(word, ()) if n in names]
    if alike:
        found += get_close_matches(word, list(names), n=3, cutoff=0.6)
    return list(dict.fromkeys(found))


class HearthGroup(TyperGroup):
    """A command group whose unknown command is answered with the ones meant (`meant`); at
    the top, also with a group's command typed without its group (`TOP_MEANT`: `hearth
    validate` → `hearth playbook validate`, `hearth migrate` → `hearth db upgrade`)."""

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            if args and not ctx.resilient_parsing:
                hint = ", ".join(repr(n) for n in self._meant(ctx, args[0]))
                if hint:
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {hint}?"
            raise

    def _meant(self, ctx: Context, typed: str) -> list[str]:
        names = list(self.commands)
        if ctx.parent is not None:
            return meant(typed, names)
        word = typed.strip().casefold()
        inner = [f"{ctx.command_path} {full}" for full in TOP_MEANT.get(word, ())]
        return list(dict.fromkeys(meant(typed, names, alike=False) + inner + meant(typed, names)))


def conventional(app: typer.Typer) -> None:
    """Build `app`'s commands, and its groups' commands, as `HearthCommand`s (a command that
    names its own class keeps it), and its groups as `HearthGroup`s."""
    if isinstance(app.info.cls, DefaultPlaceholder) or app.info.cls in (None, TyperGroup):
        app.info.cls = HearthGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = HearthCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            conventional(group.typer_instance)


def _usage_name(param: TyperArgument) -> str:
    name = param.metavar or (param.name or "").upper()
    if not param.required and not name.startswith("["):
        name = f"[{name}]"
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name


def _plain_reason(exc: BadParameter) -> str | None:
    """What was wrong with a number, in plain words (None: leave the message as it is)."""
    cause = exc.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return None
    error = cause.errors()[0]
    typed, limits = error.get("input"), error.get("ctx") or {}
    given = shown_input(typed)  # a number of thousands of digits is said by its start
    kind = error["type"]
    if kind in ("int_parsing", "int_from_float", "float_parsing"):
        whole = " whole" if kind != "float_parsing" else ""
        return f"{quoted(typed)} is not a{whole} number"
    if kind == "int_parsing_size" and isinstance(typed, str):
        return f"{given} is too large: a number of {len(typed.strip()):,} digits"
    if kind in ("greater_than_equal", "greater_than"):
        bound = limits.get("ge", limits.get("gt"))
        return f"{given} is too small: it must be at least {bound}" if kind.endswith(
            "equal") else f"{given} is too small: it must be more than {bound}"  # fmt: skip
    if kind in ("less_than_equal", "less_than"):
        bound = limits.get("le", limits.get("lt"))
        return f"{given} is too large: it must be at most {bound}" if kind.endswith(
            "equal") else f"{given} is too large: it must be less than {bound}"  # fmt: skip
    return None
