"""Helpers the sandbox's route modules share: state access, strict parsing, 400s, dates."""

from __future__ import annotations

import calendar
import re
import time
from typing import Any

from aiohttp import web

from bot.offline.sandbox import data
from bot.offline.sandbox.responses import error_response
from bot.offline.sandbox.state import SANDBOX_STATE, SandboxState

CAMPAIGN_PRODUCTS: tuple[str, ...] = (*data.PRODUCTS, "helpdesk")
"""Products affiliate campaigns may promote (today's docs add helpdesk)."""


def state_of(request: web.Request) -> SandboxState:
    return request.app[SANDBOX_STATE]


def bad_request(fields: dict[str, str]) -> web.Response:
    """400 naming every bad field at once, as the API does."""
    return error_response(400, "Invalid parameters: " + ", ".join(sorted(fields)), fields)


def parse_int(raw: str) -> int | None:
    """Strict integer parsing: "3" yes, "3.0", " ", "+3x" no."""
    raw = raw.strip()
    return int(raw) if re.fullmatch(r"-?\d{1,9}", raw) else None


def product_param(request: web.Request, *, required: bool) -> tuple[str | None, dict[str, str]]:
    product = request.query.get("product")
    if product is None or product == "":
        return None, ({"product": "required"} if required else {})
    if product not in CAMPAIGN_PRODUCTS:
        return None, {"product": "must be one of " + ", ".join(CAMPAIGN_PRODUCTS)}
    return product, {}


_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d")


def parse_date(raw: str | None) -> float | None:
    """A ``date_from``/``date_to`` value (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:mm:ssZ``) as epoch UTC."""
    for fmt in _FORMATS:
        try:
            return float(calendar.timegm(time.strptime(raw or "", fmt)))
        except ValueError:
            continue
    return None


def date_range(request: web.Request, *, required: bool) -> tuple[float, float] | web.Response:
    """The request's date range; a 400 when a date is malformed (or missing and ``required``)."""
    state = state_of(request)
    errors: dict[str, str] = {}
    bounds: list[float] = []
    for name, default in (("date_from", 0.0), ("date_to", state.now())):
        raw = request.query.get(name)
        if raw is None:
            if required:
                errors[name] = "required"
            bounds.append(default)
            continue
        value = parse_date(raw)
        if value is None:
            errors[name] = "must be YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ"
        else:
            # A bare day as date_to means the whole day.
            bounds.append(value + (86_399 if name == "date_to" and len(raw) == 10 else 0))
    if errors:
        return bad_request(errors)
    return bounds[0], bounds[1]


def in_range(stamp: str, bounds: tuple[float, float]) -> bool:
    """Whether an API timestamp (``YYYY-MM-DD HH:MM:SS``, UTC) lies within ``bounds``."""
    epoch = calendar.timegm(time.strptime(stamp, "%Y-%m-%d %H:%M:%S"))
    return bounds[0] <= epoch <= bounds[1]


def body_fields(raw: Any) -> Any:
    """Form or JSON fields, readable with ``.get``."""
    return raw if hasattr(raw, "get") else {}
