"""Fake LiveChat Partner Program API (``/v2/partners``): account, money and reports.

Every answer has the documented shape of /work/shared/partners-api-examples (more fields are fine,
never other types). Campaign and license routes live in ``campaigns_api`` and ``licenses_api``.
Authentication, latency and fault injection happen in the middleware, not here.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.offline.sandbox import data
from bot.offline.sandbox.campaigns_api import campaign_routes
from bot.offline.sandbox.common import bad_request, date_range, in_range, state_of
from bot.offline.sandbox.licenses_api import license_routes
from bot.offline.sandbox.responses import error_response, result_response
from bot.offline.sandbox.state import EARNINGS_SHAPES, SandboxState

MIN_WITHDRAWAL = 50.0
METRIC_PRODUCTS = ("livechat", "chatbot", "helpdesk", "all")
METRIC_PROGRAMS = ("solution", "affiliate", "all")
_DAY = 86_400.0


# --- account -------------------------------------------------------------------------------------


async def get_status(request: web.Request) -> web.Response:
    """Health check."""
    return web.json_response({"status": "ok"})


async def get_profile(request: web.Request) -> web.Response:
    """Partner profile."""
    return web.json_response(state_of(request).profile)


async def get_billing(request: web.Request) -> web.Response:
    """Billing (payout) details; 404 when none were given."""
    info = state_of(request).billing_info
    return web.json_response(info) if info else error_response(404, "No billing information")


def earnings_payload(state: SandboxState) -> dict[str, Any]:
    """Render earnings in the shape selected by ``state.earnings_shape``."""
    totals = state.earnings_totals()
    if state.earnings_shape == "2018":
        return {
            "balance": totals["balance"],
            "commission": totals["commission_total"],
            "blocked": totals["blocked"],
            "withdrawals": totals["withdrawals"],
            "pending": totals["pending"],
            "discount": totals["discount"],
        }
    if state.earnings_shape not in EARNINGS_SHAPES:
        raise ValueError(f"unknown earnings shape {state.earnings_shape!r}")
    payload: dict[str, Any] = {
        key: totals[key]
        for key in (
            "balance",
            "blocked",
            "commission_total",
            "commission_last_30_days",
            "withdrawals",
            "pending",
        )
    }
    for side, products in (("affiliate", data.PRODUCTS), ("solution", ("livechat", "chatbot"))):
        entries = {product: dict(state.earnings[side][product]) for product in products}
        payload[side] = {
            "commission_total": round(sum(p["commission_total"] for p in entries.values()), 2),
            "commission_last_30_days": round(sum(p["commission_last_30_days"] for p in entries.values()), 2),
            **entries,
        }
    return payload


async def get_earnings(request: web.Request) -> web.Response:
    """Earnings in the 2018 or today's shape."""
    return web.json_response(earnings_payload(state_of(request)))


async def get_balance(request: web.Request) -> web.Response:
    """Balance split; ``total`` is a numeric string, as documented."""
    totals = state_of(request).earnings_totals()
    available, pending, withdrawn = totals["balance"], totals["pending"], totals["withdrawals"]
    return web.json_response(
        {
            "pending": pending,
            "withdrawn": withdrawn,
            "available": available,
            "total": f"{available + pending + withdrawn:.2f}",
        }
    )


async def get_coupons(request: web.Request) -> web.Response:
    """Coupons usable in livechat campaigns."""
    return result_response(state_of(request).coupons)


async def get_withdrawals(request: web.Request) -> web.Response:
    """Payout history, newest first, optionally within ``date_from``…``date_to`` (request time)."""
    bounds = date_range(request, required=False)
    if isinstance(bounds, web.Response):
        return bounds
    items = [w for w in state_of(request).withdrawals if in_range(w["request_timestamp"], bounds)]
    return result_response(items)


async def post_withdrawal(request: web.Request) -> web.Response:
    """Request a payout of the whole available balance (the API takes no body)."""
    state = state_of(request)
    balance = state.balance()
    if balance < MIN_WITHDRAWAL:
        return error_response(403, f"Balance below the ${MIN_WITHDRAWAL:.0f} withdrawal minimum")
    if not state.billing_info:
        return error_response(409, "Billing information missing; PUT /v2/partners/billing first")
    created = state.request_withdrawal(balance)
    if state.lose_withdrawal_answers > 0:
        # Applied, then the answer is lost (the connection hangs until the client gives up): the
        # "did it go through?" case a timeout leaves.
        state.lose_withdrawal_answers -= 1
        await state.sleep(3600)  # cut short when the sandbox closes
    return web.json_response(created, status=201)


# --- reports -------------------------------------------------------------------------------------


def _daily_commission(state: SandboxState, day_epoch: float) -> float:
    """A deterministic, gently growing daily commission (seeded by the day, not by call order)."""
    day = int(day_epoch // _DAY)
    base = 28.0 + (day % 17) * 3.1 + (day % 5) * 1.7
    return round(base * (1 + state.seed % 3 * 0.05), 2)


def _product_share(filters: list[Any]) -> float:
    """How much of the commission a ``product equals …`` filter keeps."""
    shares = {"livechat": 0.7, "chatbot": 0.2, "helpdesk": 0.1}
    for item in filters:
        if isinstance(item, dict) and item.get("field") == "product":
            return shares.get(str(item.get("value")), 0.0)
    return 1.0


async def get_commission_metric(request: web.Request) -> web.Response:
    """``{"value": number}``: commission in the range for a product and program."""
    state = state_of(request)
    bounds = date_range(request, required=True)
    if isinstance(bounds, web.Response):
        return bounds
    product = request.query.get("product", "all")
    program = request.query.get("program", "all")
    errors: dict[str, str] = {}
    if product not in METRIC_PRODUCTS:
        errors["product"] = "must be one of " + ", ".join(METRIC_PRODUCTS)
    if program not in METRIC_PROGRAMS:
        errors["program"] = "must be one of " + ", ".join(METRIC_PROGRAMS)
    if errors:
        return bad_request(errors)
    days = range(int(bounds[0] // _DAY), int(bounds[1] // _DAY) + 1)
    total = sum(_daily_commission(state, d * _DAY) for d in days)
    total *= _product_share([{"field": "product", "value": product}]) if product != "all" else 1.0
    total *= {"all": 1.0, "solution": 0.55, "affiliate": 0.45}[program]
    return web.json_response({"value": round(total, 2)})


async def get_stats(request: web.Request) -> web.Response:
    """License counts per program and product."""
    state = state_of(request)
    state.refresh_licenses()
    solution: dict[str, dict[str, int]] = {}
    for product in ("livechat", "chatbot", "helpdesk"):
        mine = [lic for lic in state.licenses.values() if lic["product"] == product]
        solution[product] = {
            "trials": sum(lic["status"] == "trial" for lic in mine),
            "trials_cc": sum(lic["status"] == "trial" and lic["cc_added"] for lic in mine),
            "paid": sum(lic["status"] == "paid" for lic in mine),
        }
    affiliate: dict[str, dict[str, int]] = {}
    for product in ("livechat", "chatbot", "helpdesk", "partner_program"):
        trials = sum(s["trials"] for key, s in state.performance.items() if key.startswith(f"{product}/"))
        paid = sum(s["paid"] for key, s in state.performance.items() if key.startswith(f"{product}/"))
        affiliate[product] = {"trials": trials, "trials_cc": trials // 3, "paid": paid}
    affiliate["partner_program"]["partners_referred"] = 4
    return web.json_response({"affiliate": affiliate, "solution": solution})


def add_partners_routes(app: web.Application) -> None:
    """Mount every Partners API route on ``app``."""
    p = "/v2/partners"
    app.add_routes(
        [
            web.get(f"{p}/status", get_status),
            web.get(p, get_profile),
            web.get(f"{p}/billing", get_billing),
            web.get(f"{p}/earnings", get_earnings),
            web.get(f"{p}/balance", get_balance),
            web.get(f"{p}/coupons", get_coupons),
            web.get(f"{p}/withdrawals", get_withdrawals),
            web.post(f"{p}/withdrawals", post_withdrawal),
            web.get(f"{p}/metrics/commission", get_commission_metric),
            web.get(f"{p}/stats", get_stats),
            *campaign_routes(p),
            *license_routes(p),
        ]
    )
