"""What people type for a time zone, a time of day or a web address → a value, or a message saying what to fix.

Pure functions, no I/O beyond reading the zoneinfo database. The digest schedule (bot/digest/schedule.py)
and the campaign form (bot/campaigns/form.py) use them so a typo gets a precise hint instead of a crash.
"""

from __future__ import annotations

import difflib
import re
from datetime import time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from yarl import URL

from bot.slack.blocks import truncate

# Longer than any IANA name: anything this long is a typo (and ZoneInfo raises OSError on it).
MAX_ZONE_LENGTH = 64
_ZONE_CHARS = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")
_HH_MM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_AM_PM = re.compile(r"^(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\.?$", re.IGNORECASE)
_HOUR = re.compile(r"^([01]?\d|2[0-3])$")


_AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
# What an area alone (`Europe`) suggests: its best-known cities rather than the first in the alphabet.
_AREA_EXAMPLES = {
    "africa": ("Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos"),
    "america": ("America/New_York", "America/Chicago", "America/Los_Angeles"),
    "asia": ("Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata"),
    "australia": ("Australia/Sydney", "Australia/Melbourne", "Australia/Perth"),
    "europe": ("Europe/London", "Europe/Berlin", "Europe/Warsaw"),
    "pacific": ("Pacific/Auckland", "Pacific/Honolulu", "Pacific/Fiji"),
}


@cache
def _zones() -> dict[str, str]:
    """Every zone the system knows, keyed by its lower-case name."""
    return {name.lower(): name for name in sorted(available_timezones())}


@cache
def _suggestable() -> dict[str, str]:
    """Current Area/City zones (no legacy aliases such as `Brazil/West`), keyed by lower-case name."""
    return {key: name for key, name in _zones().items() if name.startswith(_AREAS) or name == "UTC"}


def _city(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ").lower()


def zone_suggestions(text: str, limit: int = 3) -> list[str]:
    """The zones closest to `text`: same city (`warsaw`), same area (`Europe`), or a near spelling."""
    wanted = text.strip().lower().replace(" ", "_")
    if not wanted:
        return []
    zones = _suggestable()
    city = wanted.replace("_", " ")
    found = [name for name in zones.values() if _city(name) == city]
    area = wanted.rstrip("/")
    if not found and area in _AREA_EXAMPLES:
        found = list(_AREA_EXAMPLES[area])
    if not found:
        found = [name for key, name in zones.items() if key.startswith(area + "/")][:limit]
    if not found:
        by_city = {_city(name): name for name in zones.values()}
        found = [by_city[c] for c in difflib.get_close_matches(city, by_city, n=limit, cutoff=0.7)]
    if not found:
        found = [zones[k] for k in difflib.get_close_matches(wanted, zones, n=limit, cutoff=0.6)]
    return found[:limit]


def find_zone(text: str) -> ZoneInfo | None:
    """The IANA zone named by `text`, case-insensitively (`europe/warsaw` → Europe/Warsaw), or None.

    Never raises: directories (`Europe`), over-long names, paths (`../etc`) and unknown names are None.
    """
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_ZONE_LENGTH or not _ZONE_CHARS.match(cleaned):
        return None
    name = _zones().get(cleaned.lower())
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found, bad key, a directory or an unreadable file
        return None


def zone_hint(text: str) -> str:
    """`Did you mean Europe/Warsaw?` for a near miss, or '' when nothing is close."""
    suggestions = zone_suggestions(text[:MAX_ZONE_LENGTH])
    if not suggestions:
        return ""
    return "Did you mean " + " or ".join(f"`{name}`" for name in suggestions) + "?"


def parse_time_of_day(text: str) -> time | None:
    """`9`, `09`, `9am`, `9:30pm`, `9.30 p.m.`, `21:00`, `21.30`, `7h05` → a time; anything else None."""
    cleaned = text.strip()
    found = _HH_MM.match(cleaned)
    if found:
        return time(int(found.group(1)), int(found.group(2)))
    found = _AM_PM.match(cleaned)
    if found:
        hour = int(found.group(1)) % 12 + (12 if found.group(3).lower() == "p" else 0)
        return time(hour, int(found.group(2) or 0))
    found = _HOUR.match(cleaned)
    if found:
        return time(int(found.group(1)), 0)
    return None


def web_address_problem(text: str) -> str | None:
    """Why `text` is not a usable landing page (a message saying what to fix), or None when it is."""
    cleaned = text.strip()
    if not cleaned:
        return "The landing page is empty: type a web address such as https://example.com/offer."
    if any(ch.isspace() for ch in cleaned):
        return (
            "The landing page must be one web address starting with http:// or https://, "
            "without spaces, e.g. https://example.com/offer."
        )
    try:
        url = URL(cleaned)
    except ValueError:
        return f"`{truncate(cleaned, 80)}` is not a web address: type one such as https://example.com/offer."
    if url.scheme not in ("http", "https"):
        return "The landing page must start with http:// or https://, e.g. https://example.com/offer."
    host = url.host or ""
    if not host:
        return "The landing page has no site name after http(s)://, e.g. https://example.com/offer."
    if "." not in host.strip(".") or host.endswith(".") or host.startswith("."):
        return (
            f"`{truncate(host, 80)}` is not a full site name: add its domain ending, "
            "e.g. https://example.com/offer rather than http://example."
        )
    return None
