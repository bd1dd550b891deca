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

from typing import Any

import typer
from pydantic import ValidationError
from typer._click import Context
from typer._click.exceptions import BadParameter, UsageError
from typer.core import TyperArgument, TyperCommand, TyperOption

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


def conventional(app: typer.Typer) -> None:
    """Build `app`'s commands, and its groups' commands, as `HearthCommand`s (a command that
    names its own class keeps it)."""
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
