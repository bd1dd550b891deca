"""The simulator's scenes: what simulated members do in a group, one beat at a time.

A scene is a generator of `Beat`s. The simulator performs each beat through the web chat's
member API before asking for the next one; a member the chat refuses (muted, removed,
banned) is silenced in that group, so a scene can react (an advertiser who is muted tries
the next group). Beats of other groups' scenes may come in between. Scenes decide from the
`World`, never from the engine: the simulated members see only what a member would.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hearthkeeper.demo.cast import Lang, Role
from hearthkeeper.demo.world import QUARREL_EVERY, Beat, Scene, World

# Steps before someone who left may come back.
RETURN_AFTER = 60
ACCEPT = {"zh": ("同意", "同意群规", "我同意"), "zh-hant": ("同意",), "en": ("I agree", "agree")}


def arrivals(w: World, g: int) -> Scene:
    """The opening: the group's first members join, accept the rules, introduce themselves."""
    cast = [r for r in w.lines.cast if g in r.groups and r.arrives == "start" and not r.advertiser]
    staff = [r for r in cast if r.staff is not None]
    members = [r for r in cast if r.staff is None]
    w.rng.shuffle(members)
    for role in staff + members:
        yield Beat(role.key, g, "join", quick=True)
    for role in members:
        if (role.key, g) in w.silenced:
            continue
        yield from _accept(w, role, g, quick=True)
        if role.groups[0] == g and role.key in w.lines.intros:
            yield Beat(role.key, g, text=w.lines.intros[role.key], quick=True)


def newcomer(w: World, g: int) -> Scene:
    """Someone new joins, accepts the rules and introduces themselves; others say welcome."""
    waiting = [
        r
        for r in w.lines.cast
        if r.arrives == "later" and not r.advertiser and r.groups[0] == g
        and not any(r.key in there for there in w.present.values())
    ]  # fmt: skip
    back = [k for k, step in sorted(w.departed.items()) if w.steps - step >= RETURN_AFTER
            and w.roles[k].groups[0] == g]  # fmt: skip
    if not waiting and not back:
        yield from small_talk(w, g)
        return
    role = waiting[0] if waiting else w.roles[back[0]]
    yield Beat(role.key, g, "join")
    if w.stopped(role.key, g):
        return
    if role.key in w.departed:
        del w.departed[role.key]
        yield Beat(role.key, g, text=w.fresh(w.lines.said(w.lines.returns, role.lang)))
    else:
        yield from _accept(w, role, g)
        yield Beat(role.key, g, text=w.lines.intros.get(role.key, "大家好～"))
    others = w.regulars(g, but=(role.key,))
    for key in w.rng.sample(others, k=min(2, len(others))):
        lang = w.roles[key].lang
        text = w.fresh(w.lines.said(w.lines.welcomes, lang)).format(name=w.mention(role.key))
        yield Beat(key, g, text=text)


def question(w: World, g: int) -> Scene:
    """A member asks something the FAQ answers, and sometimes says thanks."""
    speakers = w.regulars(g)
    if not speakers or not w.faq_questions:
        return
    key = w.rng.choice(speakers)
    english = w.roles[key].lang == "en"
    asked = {
        entry: tuple(p for p in w.lines.questions.get(entry, (entry,)) if _english(p) == english)
        for entry in w.faq_questions
    }
    entries = [entry for entry, phrasings in asked.items() if phrasings] or list(asked)
    entry = w.rng.choice(entries)
    text = w.fresh(asked[entry] or w.lines.questions.get(entry, (entry,)))
    yield Beat(key, g, text=text)
    answerable = re.search(r"[\u4e00-\u9fff]", text) is not None  # the FAQ is in Chinese
    if answerable and w.rng.random() < 0.5 and not w.stopped(key, g):
        yield Beat(key, g, text=w.fresh(w.lines.said(w.lines.thanks, w.roles[key].lang)))


def check_ins(w: World, g: int) -> Scene:
    """A few members check in for the day with the playbook's keyword."""
    waiting = [k for k in w.regulars(g) if k not in w.checked_in]
    if not waiting or not w.check_in_keywords:
        yield from small_talk(w, g)
        return
    for key in w.rng.sample(waiting, k=min(len(waiting), w.rng.randint(1, 3))):
        keyword = (
            w.check_in_keywords[0] if w.rng.random() < 0.6 else w.rng.choice(w.check_in_keywords)
        )
        extras = w.lines.said(w.lines.check_in_extras, w.roles[key].lang)
        text = f"{keyword} {w.fresh(extras)}" if extras and w.rng.random() < 0.4 else keyword
        w.checked_in.add(key)
        yield Beat(key, g, text=text)


def group_buy(w: World, g: int) -> Scene:
    """Staff start a group-buy (接龙) and members join it by replying; one changes their mind."""
    host = w.staff(g, "starter")
    if host is None or not w.group_buys_allowed or g in w.open_buys or not w.lines.group_buys:
        yield from small_talk(w, g)
        return
    buy = w.lines.group_buys[w.buys_started % len(w.lines.group_buys)]
    w.buys_started += 1
    yield Beat(host, g, text=buy.command())
    if w.stopped(host, g):
        return
    w.open_buys[g] = buy
    joined: list[str] = []
    buyers = w.regulars(g)
    for key in w.rng.sample(buyers, k=min(len(buyers), w.rng.randint(3, 6))):
        item = w.rng.choice(buy.items).label
        forms = w.lines.said(w.lines.group_buy_joins, w.roles[key].lang)
        yield Beat(key, g, text=w.rng.choice(forms).format(item=item))
        joined.append(key)
        if w.rng.random() < 0.25:
            yield Beat(key, g, text=w.fresh(w.lines.group_buy_chatter))
    if joined and w.rng.random() < 0.5:
        yield Beat(w.rng.choice(joined), g, text=w.rng.choice(w.lines.group_buy_cancel))


def advert(w: World, key: str) -> Scene:
    """An advertiser goes from group to group with evasive adverts until stopped everywhere."""
    role = w.roles[key]
    ads = list(w.lines.adverts)
    if role.key != "ad":  # later advertisers try a couple of adverts each
        w.rng.shuffle(ads)
        ads = ads[:2]
    for g in role.groups:
        if not ads:
            return
        if key not in w.present[g]:
            yield Beat(key, g, "join")
            if w.stopped(key, g):
                continue
        if g == role.groups[0]:  # plays by the rules at first, then does not bother
            yield from _accept(w, role, g)
            if key in w.lines.intros:
                yield Beat(key, g, text=w.lines.intros[key])
        while ads and not w.stopped(key, g):
            yield Beat(key, g, text=ads[0])
            if not w.stopped(key, g):
                ads.pop(0)


def new_advertiser(w: World, g: int) -> Scene:
    """Now and then a new account shows up with an advert."""
    names = w.lines.extra_advertisers
    if w.advertisers >= len(names):
        yield from small_talk(w, g)
        return
    key = f"ad{w.advertisers + 2}"
    others = [n for n in range(1, w.groups + 1) if n != g]
    w.rng.shuffle(others)
    w.roles[key] = Role(key=key, nickname=names[w.advertisers], groups=(g, *others), lang="zh",
                        arrives="later", advertiser=True)  # fmt: skip
    w.advertisers += 1
    yield from advert(w, key)


def quarrel(w: World, g: int) -> Scene:
    """Two members argue until one insults the other; staff step in."""
    for script in w.lines.quarrels:
        speakers = {key for key, _ in script}
        if speakers <= w.present[g] and not any((k, g) in w.silenced for k in speakers):
            w.last_quarrel = w.steps
            for key, text in script:
                yield Beat(key, g, text=text)
            return
    yield from small_talk(w, g)


def small_talk(w: World, g: int) -> Scene:
    """Chat: a remark and a reply or two, with @mentions."""
    speakers = w.regulars(g)
    if not speakers:
        return
    key = w.rng.choice(speakers)
    yield Beat(key, g, text=w.fresh(w.lines.said(w.lines.small_talk, w.roles[key].lang)))
    others = w.regulars(g, but=(key,))
    for other in w.rng.sample(others, k=min(len(others), w.rng.randint(0, 2))):
        lang = w.roles[other].lang
        text = w.fresh(w.lines.said(w.lines.replies, lang)).format(name=w.mention(key))
        yield Beat(other, g, text=text, reply_to=key)


def farewell(w: World, g: int) -> Scene:
    """A member says goodbye and leaves the group (a newcomer scene may bring them back)."""
    leaving = [k for k in w.regulars(g) if w.roles[k].groups == (g,)]
    farewells = w.lines.said(w.lines.farewells, "zh")
    if len(leaving) < 4 or not farewells:  # a group that small keeps its members
        yield from small_talk(w, g)
        return
    key = w.rng.choice(leaving)
    yield Beat(key, g, text=w.fresh(w.lines.said(w.lines.farewells, w.roles[key].lang)))
    yield Beat(key, g, "leave")
    w.departed[key] = w.steps


def random_scene(w: World, g: int) -> Scene:
    """What happens next in a group once the opening programme is done."""
    choices: list[tuple[float, Callable[[World, int], Scene]]] = [
        (45, small_talk), (15, check_ins), (15, question), (6, newcomer), (6, group_buy),
        (2, new_advertiser), (1, farewell),
    ]  # fmt: skip
    if w.steps - w.last_quarrel >= QUARREL_EVERY:
        choices.append((2, quarrel))
    weights = [weight for weight, _ in choices]
    [(_, scene)] = w.rng.choices(choices, weights=weights)
    return scene(w, g)


def programme(g: int) -> list[Callable[[World, int], Scene]]:
    """The first scenes of group `g`: the demo shows every mechanism early on."""
    first: dict[int, list[Callable[[World, int], Scene]]] = {
        1: [arrivals, check_ins, question, quarrel, newcomer, small_talk],
        2: [arrivals, _the_advertiser, group_buy, question, newcomer, check_ins],
        3: [arrivals, question, check_ins, small_talk, newcomer, question],
    }
    return first.get(g, [arrivals, small_talk])


def _the_advertiser(w: World, g: int) -> Scene:
    return advert(w, "ad") if "ad" in w.roles else small_talk(w, g)


def _accept(w: World, role: Role, g: int, *, quick: bool = False) -> Scene:
    """Accept the rules in group `g`. The engine remembers the acceptance for the member, but
    members reply "同意" in each group they join, as they are asked to there."""
    if (role.key, g) in w.accepted:
        return
    lang: Lang = role.lang
    w.accepted.add((role.key, g))  # the beat is performed before any other is asked for
    yield Beat(role.key, g, text=w.rng.choice(ACCEPT[lang]), quick=quick)
    if w.stopped(role.key, g):
        w.accepted.discard((role.key, g))


def _english(text: str) -> bool:
    return re.search(r"[A-Za-z]{3,}", text) is not None
