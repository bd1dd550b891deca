"""What an operator meant by a time zone the tz database does not know, or knows differently.

Pure. People write an offset (`UTC+8`, `GMT+08:00`, `+8`), an abbreviation (`CST`, `IST`),
or a city that has no zone of its own (`Asia/Beijing`); spelling closeness finds the wrong
zone for each (`UTC`, `UCT`, `Asia/Brunei`). These tables name the zones such a name
usually means. Some names the database does know are misleading too: `EST` is a fixed
UTC−5 with no daylight saving, and `Etc/GMT+8` is UTC−8 (those names count west as plus).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# Zones most communities at an offset mean, by the offset in minutes.
COMMON_AT: dict[int, tuple[str, ...]] = {
    -600: ("Pacific/Honolulu",),
    -540: ("America/Anchorage",),
    -480: ("America/Los_Angeles", "America/Vancouver", "America/Tijuana"),
    -420: ("America/Denver", "America/Phoenix", "America/Edmonton"),
    -360: ("America/Chicago", "America/Mexico_City", "America/Winnipeg"),
    -300: ("America/New_York", "America/Toronto", "America/Bogota", "America/Lima"),
    -240: ("America/Halifax", "America/Caracas", "America/Santiago"),
    -180: ("America/Sao_Paulo", "America/Argentina/Buenos_Aires"),
    0: ("UTC", "Europe/London", "Europe/Lisbon", "Africa/Abidjan"),
    60: ("Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Africa/Lagos"),
    120: ("Europe/Athens", "Europe/Kyiv", "Africa/Cairo", "Africa/Johannesburg"),
    180: ("Europe/Moscow", "Europe/Istanbul", "Asia/Riyadh", "Africa/Nairobi"),
    210: ("Asia/Tehran",),
    240: ("Asia/Dubai", "Asia/Baku"),
    270: ("Asia/Kabul",),
    300: ("Asia/Karachi", "Asia/Tashkent"),
    330: ("Asia/Kolkata", "Asia/Colombo"),
    345: ("Asia/Kathmandu",),
    360: ("Asia/Dhaka", "Asia/Almaty"),
    390: ("Asia/Yangon",),
    420: ("Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh"),
    480: ("Asia/Shanghai", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Taipei", "Australia/Perth"),
    540: ("Asia/Tokyo", "Asia/Seoul"),
    570: ("Australia/Adelaide", "Australia/Darwin"),
    600: ("Australia/Sydney", "Australia/Brisbane", "Pacific/Guam"),
    720: ("Pacific/Auckland", "Pacific/Fiji"),
}  # fmt: skip

# Abbreviations and words people write for a zone, folded to lower case, and what they
# usually mean; an ambiguous one lists each reading.
MEANT_BY: dict[str, tuple[str, ...]] = {
    "cst": ("Asia/Shanghai", "America/Chicago", "America/Havana"),
    "cdt": ("America/Chicago",), "ct": ("America/Chicago",),
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "est": ("America/New_York",), "edt": ("America/New_York",), "et": ("America/New_York",),
    "pst": ("America/Los_Angeles", "Asia/Manila"), "pdt": ("America/Los_Angeles",),
    "pt": ("America/Los_Angeles",),
    "mst": ("America/Denver", "America/Phoenix"), "mdt": ("America/Denver",),
    "mt": ("America/Denver",),
    "akst": ("America/Anchorage",), "hst": ("Pacific/Honolulu",),
    "bst": ("Europe/London", "Asia/Dhaka"), "wet": ("Europe/Lisbon",),
    "cet": ("Europe/Paris", "Europe/Berlin"), "cest": ("Europe/Paris", "Europe/Berlin"),
    "eet": ("Europe/Athens", "Europe/Kyiv"), "eest": ("Europe/Athens", "Europe/Kyiv"),
    "msk": ("Europe/Moscow",), "gst": ("Asia/Dubai",), "pkt": ("Asia/Karachi",),
    "ict": ("Asia/Bangkok", "Asia/Ho_Chi_Minh"), "wib": ("Asia/Jakarta",),
    "sgt": ("Asia/Singapore",), "hkt": ("Asia/Hong_Kong",), "pht": ("Asia/Manila",),
    "bjt": ("Asia/Shanghai",), "awst": ("Australia/Perth",),
    "jst": ("Asia/Tokyo",), "kst": ("Asia/Seoul",),
    "acst": ("Australia/Adelaide",), "aest": ("Australia/Sydney", "Australia/Brisbane"),
    "aedt": ("Australia/Sydney",), "nzst": ("Pacific/Auckland",), "nzdt": ("Pacific/Auckland",),
    "china": ("Asia/Shanghai",), "beijing time": ("Asia/Shanghai",),
    "北京时间": ("Asia/Shanghai",), "中国": ("Asia/Shanghai",), "东八区": ("Asia/Shanghai",),
}  # fmt: skip

# Cities with no zone of their own, by the city's name (lower case, `_` or spaces), and the
# zone they keep time by.
CITY_ZONES: dict[str, str] = {
    **dict.fromkeys(("beijing", "peking", "guangzhou", "shenzhen", "hangzhou", "chengdu",
                     "wuhan", "nanjing", "tianjin", "xian", "xi'an", "suzhou", "chongqing",
                     "qingdao", "xiamen", "dalian", "changsha", "zhengzhou", "shenyang",
                     "kunming", "harbin", "北京", "上海", "广州", "深圳", "杭州", "成都"),
                    "Asia/Shanghai"),
    "hongkong": "Asia/Hong_Kong", "hong kong": "Asia/Hong_Kong", "香港": "Asia/Hong_Kong",
    "taibei": "Asia/Taipei", "台北": "Asia/Taipei", "macao": "Asia/Macau",
    **dict.fromkeys(("mumbai", "bombay", "delhi", "new delhi", "bangalore", "bengaluru",
                     "chennai", "hyderabad", "pune", "calcutta"), "Asia/Kolkata"),
    **dict.fromkeys(("osaka", "kyoto", "yokohama"), "Asia/Tokyo"),
    **dict.fromkeys(("busan", "incheon"), "Asia/Seoul"),
    **dict.fromkeys(("hanoi", "saigon"), "Asia/Ho_Chi_Minh"),
    "abu dhabi": "Asia/Dubai",
    **dict.fromkeys(("washington", "boston", "miami", "atlanta", "philadelphia"),
                    "America/New_York"),
    **dict.fromkeys(("san francisco", "seattle", "san jose", "san diego", "portland"),
                    "America/Los_Angeles"),
    **dict.fromkeys(("houston", "dallas", "austin"), "America/Chicago"),
    **dict.fromkeys(("montreal", "ottawa"), "America/Toronto"),
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne"), "Europe/Berlin"),
    **dict.fromkeys(("milan", "florence", "venice", "naples"), "Europe/Rome"),
    **dict.fromkeys(("barcelona", "valencia", "seville"), "Europe/Madrid"),
    **dict.fromkeys(("manchester", "edinburgh", "birmingham", "glasgow"), "Europe/London"),
    **dict.fromkeys(("geneva", "basel"), "Europe/Zurich"),
    **dict.fromkeys(("saint petersburg", "st petersburg"), "Europe/Moscow"),
    **dict.fromkeys(("melbourne", "canberra"), "Australia/Melbourne"),
    "sao paulo": "America/Sao_Paulo", "rio de janeiro": "America/Sao_Paulo",
}  # fmt: skip

_OFFSET = re.compile(
    r"^(?:utc|gmt|z|ut)?\s*([+\-−])\s*(\d{1,2})(?:\s*[:.h]?\s*(\d{2}))?$", re.IGNORECASE
)
_ETC = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
_FIXED_NO_DST = {"EST": "America/New_York", "MST": "America/Denver (or America/Phoenix, "
                 "which keeps UTC−07:00 all year)"}  # fmt: skip
_SAMPLES = (datetime(2025, 1, 15), datetime(2025, 7, 15))  # winter and summer (north)


def offset_text(minutes: int) -> str:
    """`UTC+08:00`, `UTC−05:00`."""
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def read_offset(name: str) -> int | None:
    """The offset in minutes that `UTC+8`, `GMT+08:00`, `+0800` or `-5` names; None if it
    names none."""
    found = _OFFSET.match(name.strip())
    if found is None:
        return None
    hours, minutes = int(found.group(2)), int(found.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    total = hours * 60 + minutes
    return -total if found.group(1) in "-−" else total


def zones_at(minutes: int) -> tuple[str, ...]:
    """Zones of places at that offset: the common ones, else a few from the database."""
    if minutes in COMMON_AT:
        return COMMON_AT[minutes]
    return tuple(_places_at().get(minutes, ())[:4])


@cache
def _places_at() -> dict[int, list[str]]:
    """Every place's zone by its offset in winter and in summer."""
    places: dict[int, list[str]] = {}
    for name in sorted(available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "posix/", "right/", "SystemV/", "US/")):
            continue
        zone = ZoneInfo(name)
        seen = {(zone.utcoffset(moment) or timedelta()) for moment in _SAMPLES}
        for offset in seen:
            places.setdefault(int(offset.total_seconds()) // 60, []).append(name)
    return places


def meant(name: str) -> str | None:
    """For a zone name the database does not know, what the operator most likely meant, as
    words to follow "unknown time zone 'X': " naming real zones; None when nothing is known
    about the name."""
    offset = read_offset(name)
    if offset is not None:
        at = offset_text(offset)
        return (f"that is an offset ({at}), not a place's zone, which also knows the place's "
                f"daylight saving; at {at} name e.g. {_listed(offset)}")  # fmt: skip
    folded = " ".join(name.strip().lower().replace("_", " ").split())
    if folded in MEANT_BY:
        zones = MEANT_BY[folded]
        if len(zones) == 1:
            return f"that is not a zone's name in the tz database; it means {zones[0]}: name that"
        return (f"that abbreviation means different zones in different places; name the one you "
                f"mean: {', '.join(zones)}")  # fmt: skip
    city = folded.rsplit("/", 1)[-1]
    if city in CITY_ZONES:
        zone = CITY_ZONES[city]
        return f"{city.title()} has no zone of its own and keeps {zone}'s time; name {zone}"
    return None


def misleading(name: str) -> str | None:
    """For a zone name the database knows, what it does that the operator probably did not
    mean (a fixed offset ignoring daylight saving, a sign the reverse of its offset); None
    when nothing."""
    if name in _FIXED_NO_DST:
        zone = ZoneInfo(name)
        offset = int((zone.utcoffset(_SAMPLES[0]) or timedelta()).total_seconds()) // 60
        return (f"{name!r} is a fixed {offset_text(offset)} that ignores daylight saving: for "
                f"half the year the community's times are an hour off its members' clocks; "
                f"name {_FIXED_NO_DST[name]}")  # fmt: skip
    found = _ETC.match(name)
    if found is not None and int(found.group(2)) != 0:
        real = (-1 if found.group(1) == "+" else 1) * int(found.group(2)) * 60
        return (f"{name!r} is {offset_text(real)}, not {offset_text(-real)} (Etc/GMT names count "
                f"west of Greenwich as plus), a fixed offset without daylight saving; name the "
                f"place's zone: at {offset_text(real)} e.g. {_listed(real)}; at "
                f"{offset_text(-real)} e.g. {_listed(-real)}")  # fmt: skip
    return None


def _listed(minutes: int) -> str:
    return ", ".join(zones_at(minutes)) or "your city's zone"


def looks_like_zone(word: str) -> bool:
    """Whether a word at the end of a schedule is a time zone someone added to it."""
    folded = word.strip().lower()
    return (
        "/" in word
        or read_offset(word) is not None
        or folded in MEANT_BY
        or folded in ("utc", "gmt", "z")
        or word in _FIXED_NO_DST
    )
