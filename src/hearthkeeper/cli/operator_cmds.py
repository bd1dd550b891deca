"""`hearth operator …` and `hearth token …`: who may use the console and the REST API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.cli.context import ConfigOption, clock_of, open_store, settings_from
from hearthkeeper.cli.output import console, errors, fail
from hearthkeeper.cli.zones import local_day, local_time, server_zone, times_in
from hearthkeeper.store import Operator, Store, StoreError
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.store.operators import check_username
from hearthkeeper.web.auth import hash_password, new_token, token_hash

MIN_PASSWORD = 8
NO_PASSWORD = (
    "no password was given: standard input ended before it was typed twice at the prompt; "
    "without a terminal (a script, a container), give it on the first line of standard "
    "input with --password-stdin: printf '%s\\n' \"$PASSWORD\" | hearth operator {command} "
    "NAME --password-stdin"
)

operator_app = typer.Typer()  # `hearth operator` and `hearth token`, their help in root.py
token_app = typer.Typer()

NameArgument = Annotated[str, typer.Argument(help="The operator's username.")]
StdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def _password(from_stdin: bool, command: str) -> str:
    """A new password: the first line of stdin, or typed twice at a hidden prompt
    (`command`: `add` or `password`, for the hint when standard input ends first)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        except typer.Abort:  # standard input ended (no terminal: a script, a container) or ^C
            fail(NO_PASSWORD.format(command=command))
    if len(password) < MIN_PASSWORD:
        fail(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return password


def _operator(store: Store, username: str) -> Operator:
    found = store.operator_by_name(username)
    if found is None:
        fail(f"there is no operator named {username!r} (see `hearth operator list`)")
    return found


@operator_app.command("add")
def add(
    ctx: typer.Context,
    name: NameArgument,
    password_stdin: StdinOption = False,
    config: ConfigOption = None,
) -> None:
    """Create an operator; the password is asked for twice (hidden), or read from stdin."""
    try:
        check_username(name)  # before the password is typed twice
    except StoreError as exc:
        fail(str(exc))
    store = open_store(settings_from(config), clock_of(ctx))
    if store.operator_by_name(name) is not None:
        fail(f"an operator named {name!r} already exists; to change their password: "
             f"hearth operator password {name}")  # fmt: skip
    password = _password(password_stdin, "add")
    try:
        store.add_operator(name, hash_password(password))
    except StoreError as exc:
        fail(str(exc))
    console.print(f"Operator {escape(name)} added; they can sign in at /console/sign-in.")


@operator_app.command("list")
def list_operators(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Every operator, with when they last signed in."""
    store = open_store(settings_from(config), clock_of(ctx))
    operators = store.list_operators()
    zone, why = server_zone(store)
    if operators:
        console.print(times_in(zone, why))
    for op in operators:
        last = local_time(op.last_sign_in_at, zone) if op.last_sign_in_at else "never"
        state = "  DISABLED" if op.disabled else ""
        console.print(escape(f"{op.username}  added {local_day(op.created_at, zone)}  "
                             f"last sign-in {last}{state}"))  # fmt: skip
    if not operators:
        console.print("No operators yet: `hearth operator add NAME`.")


@operator_app.command("password")
def password(
    ctx: typer.Context,
    name: NameArgument,
    password_stdin: StdinOption = False,
    config: ConfigOption = None,
) -> None:
    """Set a new password; the operator is signed out of every browser."""
    store = open_store(settings_from(config), clock_of(ctx))
    _operator(store, name)
    new = _password(password_stdin, "password")
    store.set_operator_password(name, hash_password(new))
    console.print(f"Password of {escape(name)} changed; their console sessions have ended.")


@operator_app.command("disable")
def disable(ctx: typer.Context, name: NameArgument, config: ConfigOption = None) -> None:
    """Stop an operator signing in or using the API (their sessions end now)."""
    store = open_store(settings_from(config), clock_of(ctx))
    _operator(store, name)
    store.set_operator_disabled(name, True)
    console.print(f"Operator {escape(name)} disabled; their sessions and API tokens stop working.")


@operator_app.command("enable")
def enable(ctx: typer.Context, name: NameArgument, config: ConfigOption = None) -> None:
    """Let a disabled operator sign in and use their API tokens again."""
    store = open_store(settings_from(config), clock_of(ctx))
    _operator(store, name)
    store.set_operator_disabled(name, False)
    console.print(f"Operator {escape(name)} enabled.")


@token_app.command("create")
def create_token(
    ctx: typer.Context,
    operator: Annotated[str, typer.Option("--operator", help="Whose token it is.")],
    name: Annotated[str, typer.Option("--name", help="What it is for, e.g. 'weekly report'.")],
    config: ConfigOption = None,
) -> None:
    """Create an API token and print it, once."""
    store = open_store(settings_from(config), clock_of(ctx))
    owner = _operator(store, operator)
    token = new_token()
    try:
        made = store.add_api_token(owner.id, name, token_hash(token))
    except StoreError as exc:
        fail(str(exc))
    typer.echo(token)
    # The explanation goes to stderr, so that `TOKEN=$(hearth token create …)` gets the token.
    errors.print(
        f"API token {made.id} ({escape(made.name)}) of {escape(owner.username)}. Copy it now: "
        "it is not shown again (only its hash is kept). Send it as the header "
        "'Authorization: Bearer <token>'; revoke it with `hearth token revoke "
        f"{made.id}`."
    )


@token_app.command("list")
def list_tokens(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Every API token: whose, what for, when last used, revoked or not."""
    store = open_store(settings_from(config), clock_of(ctx))
    tokens = store.api_tokens()
    zone, why = server_zone(store)
    if tokens:
        console.print(times_in(zone, why))
    for token in tokens:
        used = local_time(token.last_used_at, zone) if token.last_used_at else "never"
        state = f"  REVOKED {local_time(token.revoked_at, zone)}" if token.revoked_at else ""
        line = (f"#{token.id}  {token.name}  of {token.operator.username}  "
                f"created {local_day(token.created_at, zone)}  last used {used}{state}")  # fmt: skip
        console.print(escape(line))
    if not tokens:
        console.print("No API tokens yet: `hearth token create --operator NAME --name LABEL`.")


@token_app.command("revoke")
def revoke_token(
    ctx: typer.Context,
    token_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The token's id (see `hearth token list`).")
    ],
    config: ConfigOption = None,
) -> None:
    """Make an API token useless from now on."""
    store = open_store(settings_from(config), clock_of(ctx))
    try:
        token = store.revoke_api_token(token_id, clock_of(ctx).now())
    except StoreError as exc:
        fail(str(exc))
    console.print(f"API token {token.id} ({escape(token.name)}) revoked.")
