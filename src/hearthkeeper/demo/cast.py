"""The simulator's cast and lines, read from `simulator_lines.yaml` (shipped with the package)."""

from __future__ import annotations

from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["zh", "zh-hant", "en"]
LINES_FILE = "simulator_lines.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(_Model):
    """A member of the cast."""

    key: str
    nickname: str
    staff: Literal["starter", "moderator"] | None = None
    groups: tuple[int, ...]
    lang: Lang
    arrives: Literal["start", "later"] = "start"
    advertiser: bool = False


class Item(_Model):
    """An item of a group-buy."""

    label: str
    price: int
    stock: int


class GroupBuy(_Model):
    """A group-buy a staff member starts."""

    title: str
    items: tuple[Item, ...]

    def command(self) -> str:
        """The start command (`/团购 TITLE | ITEM ¥PRICE 限N份 | …`)."""
        items = " | ".join(f"{i.label} ¥{i.price} 限{i.stock}份" for i in self.items)
        return f"/团购 {self.title} | {items}"


class Lines(_Model):
    """Everything the simulated members say."""

    cast: tuple[Role, ...]
    intros: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    check_in_extras: dict[Lang, tuple[str, ...]]
    group_buys: tuple[GroupBuy, ...]
    group_buy_joins: dict[Lang, tuple[str, ...]]
    group_buy_cancel: tuple[str, ...]
    group_buy_chatter: tuple[str, ...]
    adverts: tuple[str, ...]
    extra_advertisers: tuple[str, ...] = Field(default=())
    quarrels: tuple[tuple[tuple[str, str], ...], ...]
    small_talk: dict[Lang, tuple[str, ...]]
    replies: dict[Lang, tuple[str, ...]]
    welcomes: dict[Lang, tuple[str, ...]]
    thanks: dict[Lang, tuple[str, ...]]
    farewells: dict[Lang, tuple[str, ...]] = Field(default_factory=dict)
    returns: dict[Lang, tuple[str, ...]] = Field(default_factory=dict)

    def role(self, key: str) -> Role:
        """The cast member `key`."""
        for role in self.cast:
            if role.key == key:
                return role
        raise KeyError(f"{LINES_FILE}: no cast member {key!r}")

    def said(self, table: dict[Lang, tuple[str, ...]], lang: Lang) -> tuple[str, ...]:
        """Lines of `table` in `lang`, else the simplified Chinese ones."""
        return table.get(lang) or table.get("zh") or ()


def load_lines() -> Lines:
    """The bundled lines."""
    text = files("hearthkeeper.demo").joinpath(LINES_FILE).read_text("utf-8")
    return Lines.model_validate(yaml.safe_load(text))
