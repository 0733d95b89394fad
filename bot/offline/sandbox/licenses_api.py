"""Fake solution license routes: lists, counts, details (no ``product``), invoices, subscriptions.

Licenses carry ``status`` (trial, paid, expired; a trial past its ``end_timestamp`` on the sandbox
clock is expired). The subscription POST takes a JSON body on today's path and a form body on the
2018 path, and answers 201 with no body.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web

from bot.offline.sandbox import data
from bot.offline.sandbox.common import bad_request, date_range, in_range, parse_int, state_of
from bot.offline.sandbox.responses import error_response, result_response
from bot.offline.sandbox.state import SandboxState

PLANS: tuple[str, ...] = ("starter", "team", "business")
BILLING_CYCLES: tuple[str, ...] = ("monthly", "annual")
STATUSES: tuple[str, ...] = ("paid", "trial", "expired")
MAX_LIMIT = 15


def _licenses(request: web.Request, bounds: tuple[float, float]) -> list[dict[str, Any]]:
    state = state_of(request)
    state.refresh_licenses()
    return [lic for lic in state.licenses.values() if in_range(lic["creation_timestamp"], bounds)]


async def list_licenses(request: web.Request) -> web.Response:
    """Solution licenses created in the range (summary fields only)."""
    bounds = date_range(request, required=False)
    if isinstance(bounds, web.Response):
        return bounds
    return result_response(
        [{k: lic[k] for k in data.LICENSE_SUMMARY_FIELDS} for lic in _licenses(request, bounds)]
    )


def _cursor(offset: int) -> str:
    return base64.b64encode(f"{offset:04d}".encode()).decode()


def _offset(cursor: str) -> int | None:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except ValueError:
        return None


async def licenses_by_status(request: web.Request) -> web.Response:
    """Licenses in one status, ``limit`` (≤ 15) a page, with a ``next_cursor``."""
    bounds = date_range(request, required=False)
    if isinstance(bounds, web.Response):
        return bounds
    status = request.match_info["status"]
    limit = parse_int(request.query.get("limit", str(MAX_LIMIT)))
    offset = _offset(request.query["next_cursor"]) if "next_cursor" in request.query else 0
    errors = {}
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"must be an integer 1-{MAX_LIMIT}"
    if offset is None:
        errors["next_cursor"] = "unknown cursor"
    if errors or limit is None or offset is None:
        return bad_request(errors)
    found = [lic for lic in _licenses(request, bounds) if lic["status"] == status]
    page = found[offset : offset + limit]
    results = [
        {
            "license_id": lic["license"],
            "status": lic["status"],
            "product": lic["product"],
            "client_name": lic["client_name"],
            "client_email": lic["client_email"],
            "payment_origin": lic["payment_origin"],
            "creation_timestamp": lic["creation_timestamp"],
            "conversion_timestamp": lic.get("conversion_timestamp", lic["creation_timestamp"]),
            "expiration_timestamp": lic["end_timestamp"],
        }
        for lic in page
    ]
    more = offset + limit < len(found)
    return web.json_response({"results": results, "next_cursor": _cursor(offset + limit) if more else ""})


def _counts(licenses: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "trials": sum(lic["status"] == "trial" for lic in licenses),
        "paid": sum(lic["status"] == "paid" for lic in licenses),
        "expired": sum(lic["status"] == "expired" for lic in licenses),
    }


async def license_counts(request: web.Request) -> web.Response:
    bounds = date_range(request, required=False)
    if isinstance(bounds, web.Response):
        return bounds
    return web.json_response(_counts(_licenses(request, bounds)))


async def solution_summary(request: web.Request) -> web.Response:
    """The counts plus commission and discount — every value a string, as documented."""
    state = state_of(request)
    counts = _counts(_licenses(request, (0.0, state.now())))
    totals = state.earnings_totals()
    solution = state.earnings["solution"]
    commission = sum(p["commission_total"] for p in solution.values())
    summary = {k: str(v) for k, v in counts.items()}
    summary["commission"] = f"{commission:.2f}"
    summary["discount"] = f"{totals['discount']:.2f}"
    return web.json_response(summary)


async def get_license(request: web.Request) -> web.Response:
    """License details; no ``product`` field (it is in the path)."""
    state = state_of(request)
    state.refresh_licenses()
    lic = state.find_license(request.match_info["license_id"], request.match_info["product"])
    if lic is None:
        return error_response(404, "License not found")
    return web.json_response({k: v for k, v in lic.items() if k != "product"})


async def get_invoices(request: web.Request) -> web.Response:
    """Invoices of a paid license, newest first (none for a trial)."""
    state = state_of(request)
    lic = state.find_license(request.match_info["license_id"])
    if lic is None:
        return error_response(404, "License not found")
    if not lic["paid"]:
        return result_response([])
    price = data.PLAN_PRICES[lic["plan"]] * lic["seats"]
    year, month = 2024, 12
    invoices = []
    for n in range(3):
        invoices.append(
            {
                "invoice_no": int(lic["license"][-3:]) * 10 + 3 - n,
                "date": f"{year}-{month - n:02d}-03 09:38:33",
                "plan": lic["plan"],
                "seats": lic["seats"],
                "billing_cycle": lic["billing_cycle"],
                "amount": round(price, 2),
                "status": "paid",
            }
        )
    return result_response(invoices)


async def _fields(request: web.Request) -> dict[str, Any] | None:
    """The body's fields: JSON on today's path, a form on the 2018 path; None if unreadable."""
    if request.path.startswith("/v2/partners/resellers/"):
        return dict(await request.post())
    if request.content_type != "application/json":
        return None
    try:
        body = json.loads(await request.text())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _validate_subscription(
    state: SandboxState, fields: dict[str, Any], *, partial: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check plan/billing_cycle/seats (and token unless ``partial``); return values and problems."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not partial:
        token = str(fields.get("token", "")).strip()
        issued = state.issued_tokens.get(token)
        if not token:
            errors["token"] = "required"
        elif issued is None:
            errors["token"] = "unknown Recurly token"
        elif issued.used:
            errors["token"] = "token already used"
        else:
            values["token"] = issued
    for name, allowed in (("plan", PLANS), ("billing_cycle", BILLING_CYCLES)):
        raw = str(fields.get(name, "")).strip()
        if raw:
            if raw in allowed:
                values[name] = raw
            else:
                errors[name] = "must be one of " + ", ".join(allowed)
        elif not partial:
            errors[name] = "required"
    raw_seats = fields.get("seats")
    if raw_seats not in (None, ""):
        seats = raw_seats if isinstance(raw_seats, int) and not isinstance(raw_seats, bool) else None
        if seats is None and isinstance(raw_seats, str):
            seats = parse_int(raw_seats)
        if seats is None or seats < 1:
            errors["seats"] = "must be an integer >= 1"
        else:
            values["seats"] = seats
    elif not partial:
        errors["seats"] = "required"
    return values, errors


async def create_subscription(request: web.Request) -> web.Response:
    """Subscribe a partner-paid livechat trial: 400 → 404 → 409 → 201 with no body (token consumed)."""
    state = state_of(request)
    state.refresh_licenses()
    fields = await _fields(request)
    if fields is None:
        return bad_request({"body": "must be a JSON object"})
    lic = state.find_license(request.match_info["license_id"], "livechat")
    if lic is None:
        return error_response(404, "License not found")
    if lic["paid"] or lic["license"] in state.subscriptions:
        return error_response(409, "License already has a subscription")
    if lic["payment_origin"] != "partner" or lic["status"] != "trial":
        return error_response(409, "License cannot be subscribed by the partner")
    values, errors = _validate_subscription(state, fields, partial=False)
    if errors:
        return bad_request(errors)
    token = values["token"]
    token.used = True
    state.subscriptions[lic["license"]] = data.subscription_record(
        lic,
        plan=values["plan"],
        billing_cycle=values["billing_cycle"],
        seats=values["seats"],
        created_at=state.stamp(),
        card_last4=token.last4,
    )
    lic.update(
        paid=True,
        cc_added=True,
        status="paid",
        plan=values["plan"],
        billing_cycle=values["billing_cycle"],
        seats=values["seats"],
        conversion_timestamp=state.stamp(),
    )
    return web.Response(status=201)


async def update_subscription(request: web.Request) -> web.Response:
    """Change plan, seats or billing cycle of an existing subscription (204; 409 when none)."""
    state = state_of(request)
    fields = await _fields(request)
    if fields is None:
        return bad_request({"body": "must be a JSON object"})
    lic = state.find_license(request.match_info["license_id"], "livechat")
    if lic is None:
        return error_response(404, "License not found")
    current = state.subscriptions.get(lic["license"])
    if current is None:
        return error_response(409, "License has no subscription")
    values, errors = _validate_subscription(state, fields, partial=True)
    if errors:
        return bad_request(errors)
    if not values:
        return error_response(400, "Nothing to change: send plan, billing_cycle or seats")
    merged = {k: values.get(k, current[k]) for k in ("plan", "billing_cycle", "seats")}
    state.subscriptions[lic["license"]] = data.subscription_record(
        lic, **merged, created_at=current["created_at"], card_last4=current["card_last4"]
    )
    lic.update(merged)
    return web.Response(status=204)


async def delete_subscription(request: web.Request) -> web.Response:
    """Close a subscription; JSON ``{"password", "expire"}``."""
    state = state_of(request)
    fields = await _fields(request)
    if fields is None:
        return bad_request({"body": "must be a JSON object"})
    lic = state.find_license(request.match_info["license_id"], "livechat")
    if lic is None:
        return error_response(404, "License not found")
    password = str(fields.get("password", ""))
    if not password:
        return bad_request({"password": "required"})
    if password != state.partner_password:
        return error_response(403, "Invalid password")
    if state.subscriptions.pop(lic["license"], None) is None:
        return error_response(404, "License has no subscription")
    lic.update(paid=False, status="expired" if fields.get("expire") else "paid")
    return web.Response(status=204)


def license_routes(prefix: str) -> list[web.RouteDef]:
    base = f"{prefix}/solutions"
    status = "{status:paid|trial|expired}"
    routes = [
        web.get(f"{base}/summary", solution_summary),
        web.get(f"{base}/licenses", list_licenses),
        # Registered before the `<product>/<license_id>` route, which would also match these paths.
        web.get(f"{base}/licenses/count", license_counts),
        web.get(f"{base}/licenses/{status}", licenses_by_status),
        web.get(f"{base}/licenses/{{license_id:\\d+}}/invoices", get_invoices),
        web.get(f"{base}/licenses/{{product}}/{{license_id}}", get_license),
    ]
    for path in (
        f"{base}/licenses/livechat/{{license_id}}/subscription",
        f"{prefix}/resellers/licenses/{{license_id}}/subscription",
    ):
        routes += [
            web.post(path, create_subscription),
            web.put(path, update_subscription),
            web.delete(path, delete_subscription),
        ]
    return routes
