"""The report as one self-contained HTML page: the data, the chart library, the drawing
script and the styles are all inside it, so it opens from disk with no network.

The charts are the console dashboard's (`web/static/console/charts.js`, fed the same chart
data); the text parts (health components, lifecycle stage, heat-death warnings) are rendered
here with autoescaping, so names from a chat can never become markup.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from markupsafe import Markup

from hearthkeeper.analytics.report import Report
from hearthkeeper.analytics.report_charts import chart_data
from hearthkeeper.text.counts import counted

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent.parent / "web" / "static"
SCRIPTS: Final = (
    STATIC / "vendor" / "chart.umd.min.js",
    STATIC / "vendor" / "chartjs-chart-matrix.min.js",
    STATIC / "console" / "charts.js",
)
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local"] = _local
    env.filters["percent"] = _percent
    env.filters["counted"] = counted
    return env


def inline_script(path: Path) -> Markup:
    """A script file's text, safe to put between <script> tags (its source-map comment,
    which would point at a file that is not there, removed)."""
    text = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    if "</script" in text.lower():
        raise ValueError(f"{path} contains '</script' and cannot be inlined")
    return Markup(text)  # our own vendored files, checked above


def render_html(report: Report) -> str:
    """The report as a complete HTML document."""
    data = report.to_json()
    template = _environment().get_template("report.html")
    return template.render(
        r=data,
        tz=report.timezone,
        charts=chart_data(data),
        styles=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        scripts=[inline_script(path) for path in SCRIPTS],
    )


def _local(iso: str | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO 8601 instant shown in the community's time zone; a dash for none."""
    if not iso:
        return "—"
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromisoformat(iso).astimezone(zone).strftime(fmt)


def _percent(value: Any) -> str:
    """A share (0..1) as a whole percentage, rounded half up as by hand (0.125: "13%", not
    "12%" as `round` to even says); a dash when not measured."""
    if not isinstance(value, int | float):
        return "—"
    exact = Decimal(repr(float(value))) * 100  # the share as the JSON writes it
    return f"{exact.quantize(Decimal(1), rounding=ROUND_HALF_UP):f}%"
