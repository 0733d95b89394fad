"""Small pieces of the Partners API wire format: write outcomes, error field names, params, slugs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from bot.partners.models import CampaignSearchHit

_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,59}")


class WriteOutcome(StrEnum):
    """What a 2xx answer to a write proves."""

    CREATED = "created"  # 201, whatever the body
    APPLIED = "applied"  # any other 2xx, including one whose body cannot be read


@dataclass(frozen=True)
class WriteResult:
    outcome: WriteOutcome
    status: int
    body: Any = None


def flagged_fields(body: Any) -> list[str]:
    """Names of the parameters an error body flags (its shape is undocumented); never their text."""
    if not isinstance(body, dict):
        return []
    error = body.get("error", body)
    raw = (error.get("fields") if isinstance(error, dict) else None) or body.get("fields") or []
    names = list(raw) if isinstance(raw, list | dict) else []
    return [str(n) for n in names if isinstance(n, str) and _FIELD_NAME.fullmatch(n)]


def day_param(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def api_instant(value: datetime | str) -> str:
    """A report bound as the API takes it: `YYYY-MM-DDTHH:mm:ssZ` in UTC."""
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def query_params(**values: Any) -> dict[str, str]:
    return {k: str(day_param(v)) for k, v in values.items() if v is not None}


def match_slug(hits: list[CampaignSearchHit], product: str, slug: str) -> CampaignSearchHit | None:
    """The hit for `slug`: exact first; search may spell `pp_` as `pp-`, so then compare loosely."""
    mine = [hit for hit in hits if not hit.product or hit.product == product]
    for hit in mine:
        if hit.slug == slug:
            return hit

    def loose(value: str) -> str:
        return value.strip().lower().replace("_", "-")

    for hit in mine:
        if loose(hit.slug) == loose(slug):
            return hit
    return None
