"""The console's templates: Jinja2 with autoescaping, filters for times, and `render`.

Times are stored in UTC; pages show them in the community's time zone (`{{ at|local(tz) }}`)
and as "3 min ago" (`{{ at|ago }}`, measured from the `now` that `render` puts in every
context from the application's clock).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hearthkeeper.playbook.business import every_period
from hearthkeeper.text.counts import counted, percent
from hearthkeeper.web.assets import static_url
from hearthkeeper.web.auth import csrf_token, signed_in

TEMPLATES = Path(__file__).parent / "templates"
NOTHING = "—"


def zone_of(tz: tzinfo | str | None) -> tzinfo:
    """A time zone from a name (an unknown name or None: UTC)."""
    if isinstance(tz, tzinfo):
        return tz
    if not tz:
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(at: datetime | None, tz: tzinfo | str | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """`at` in the time zone `tz` (a name or a tzinfo), formatted; a dash for None."""
    if at is None:
        return NOTHING
    return at.astimezone(zone_of(tz)).strftime(fmt)


def zone_name(tz: tzinfo | str | None) -> str:
    """The name of the time zone `tz` stands for, as pages name it: "Asia/Shanghai"."""
    return str(zone_of(tz))


def span(delta: timedelta) -> str:
    """A duration the way people say it: "45 s", "3 min", "2 h 5 min", "4 days"."""
    seconds = int(abs(delta).total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days = hours // 24
    return "1 day" if days == 1 else f"{days} days"


def ago(at: datetime | None, now: datetime) -> str:
    """`at` relative to `now`: "just now", "3 min ago", "in 2 h"."""
    if at is None:
        return NOTHING
    delta = now - at
    if abs(delta) < timedelta(seconds=30):
        return "just now"
    return f"{span(delta)} ago" if delta > timedelta(0) else f"in {span(delta)}"


@jinja2.pass_context
def _ago(context: jinja2.runtime.Context, at: datetime | None) -> str:
    now = context.get("now")
    return ago(at, now if isinstance(now, datetime) else datetime.now(UTC))


@jinja2.pass_context
def _waited(context: jinja2.runtime.Context, at: datetime | None) -> str:
    now = context.get("now")
    if at is None:
        return NOTHING
    return span((now if isinstance(now, datetime) else datetime.now(UTC)) - at)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = local
    env.filters["ago"] = _ago
    env.filters["waited"] = _waited
    env.filters["span"] = span
    env.filters["zone"] = zone_name  # {{ tz|zone }}: "Asia/Shanghai"
    # {{ 0.125|percent }}: "13%", {{ 0.1225|percent(1) }}: "12.3%" (half up, as by hand)
    env.filters["percent"] = percent
    env.filters["counted"] = counted  # {{ n|counted("message") }}: "1 message", "3 messages"
    env.filters["every_period"] = every_period  # {{ "1 month"|every_period }}: "a month"
    env.globals["static"] = static_url  # {{ static("console/console.js") }}: versioned
    return env


templates = Jinja2Templates(env=_environment())


def _now(request: Request) -> datetime:
    web = getattr(request.app.state, "web", None)
    clock = getattr(web, "clock", None)
    return clock.now() if clock is not None else datetime.now(UTC)


def render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template `name` with `context`, plus `request`, `now` (the application's clock)
    and, when signed in, `operator` and `csrf_token` (for forms and htmx requests)."""
    values: dict[str, Any] = {"request": request, "now": _now(request)}
    operator = context.get("operator") or signed_in(request)
    if operator is not None:
        values["operator"] = operator
        values["csrf_token"] = csrf_token(request)
    values.update(context)
    return templates.TemplateResponse(request, name, values, status_code=status_code)
