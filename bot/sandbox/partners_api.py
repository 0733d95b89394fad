"""Fake LiveChat Partner Program API (``/v2/partners``), faithful to /work/shared/partners-api.md.

Validation and status codes follow the documentation so the bot's error handling is exercised for
real: form-encoded bodies, 400 with per-field problems, 403/404/409 where the API uses them.
Authentication, latency and fault injection happen in the middleware, not here.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from typing import Any

from aiohttp import web
from yarl import URL

from bot.sandbox import data
from bot.sandbox.responses import error_response, result_response
from bot.sandbox.state import EARNINGS_SHAPES, SANDBOX_STATE, SandboxState, subscription_record

PLANS: tuple[str, ...] = ("starter", "team", "business")
BILLING_CYCLES: tuple[str, ...] = ("monthly", "annual")
CAMPAIGN_STATES: tuple[str, ...] = ("active", "disabled")
TRIAL_MIN, TRIAL_MAX, TRIAL_DEFAULT = 14, 60, 14
NAME_MIN, NAME_MAX = 5, 100

_PRODUCT_SITES = {
    "livechat": "https://www.livechat.com/",
    "chatbot": "https://www.chatbot.com/",
    "partner_program": "https://partners.livechat.com/",
}
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _state(request: web.Request) -> SandboxState:
    return request.app[SANDBOX_STATE]


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _bad_request(fields: dict[str, str]) -> web.Response:
    """400 naming every bad field at once, as the API does."""
    return error_response(400, "Invalid parameters: " + ", ".join(sorted(fields)), fields)


def _parse_int(raw: str) -> int | None:
    """Strict integer parsing: "3" yes, "3.0", " ", "+3x" no."""
    raw = raw.strip()
    return int(raw) if re.fullmatch(r"-?\d{1,9}", raw) else None


def slugify(name: str) -> str:
    """Campaign slug: ``pp_`` + ASCII-folded, lower-cased name with runs of other chars as ``_``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    core = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    if not core:
        core = "campaign_" + hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"pp_{core}"


def _short_url(product: str, slug: str) -> str:
    digest = int.from_bytes(hashlib.sha256(f"{product}/{slug}".encode()).digest()[:8], "big")
    code = ""
    for _ in range(6):
        digest, rem = divmod(digest, 62)
        code += _BASE62[rem]
    return f"https://lc.chat/{code}"


# --- account -------------------------------------------------------------------------------------


async def get_status(request: web.Request) -> web.Response:
    """Health check."""
    return web.json_response({"status": "ok"})


async def get_profile(request: web.Request) -> web.Response:
    """Partner profile."""
    return web.json_response(_state(request).profile)


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
    for side in ("affiliate", "solution"):
        products = {product: dict(state.earnings[side][product]) for product in data.PRODUCTS}
        payload[side] = {
            "commission_total": round(sum(p["commission_total"] for p in products.values()), 2),
            "commission_last_30_days": round(sum(p["commission_last_30_days"] for p in products.values()), 2),
            **products,
        }
    return payload


async def get_earnings(request: web.Request) -> web.Response:
    """Earnings in the 2018 or today's shape."""
    return web.json_response(earnings_payload(_state(request)))


async def get_coupons(request: web.Request) -> web.Response:
    """Coupons usable in livechat campaigns."""
    return result_response(_state(request).coupons)


# --- campaigns -----------------------------------------------------------------------------------


def _product_param(request: web.Request, *, required: bool) -> tuple[str | None, dict[str, str]]:
    product = request.query.get("product")
    if product is None or product == "":
        return None, ({"product": "required"} if required else {})
    if product not in data.PRODUCTS:
        return None, {"product": "must be one of " + ", ".join(data.PRODUCTS)}
    return product, {}


async def create_campaign(request: web.Request) -> web.Response:
    """Create an affiliate campaign: 400 → 403 (coupon) → 409 (name taken) → 201."""
    state = _state(request)
    form = await request.post()
    product, errors = _product_param(request, required=True)

    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = "required"
    elif not NAME_MIN <= len(name) <= NAME_MAX:
        errors["name"] = f"must be {NAME_MIN}-{NAME_MAX} characters"

    link = str(form.get("link", "")).strip()
    if link:
        try:
            parsed = URL(link)
            ok = parsed.scheme in ("http", "https") and bool(parsed.host)
        except ValueError:
            ok = False
        if not ok:
            errors["link"] = "must be an http(s) URL"

    trial_duration: int | None = TRIAL_DEFAULT if product == "livechat" else None
    raw_trial = str(form.get("trial_duration", "")).strip()
    if raw_trial:
        value = _parse_int(raw_trial)
        if product is not None and product != "livechat":
            errors["trial_duration"] = "allowed for livechat only"
        elif value is None or not TRIAL_MIN <= value <= TRIAL_MAX:
            errors["trial_duration"] = f"must be an integer {TRIAL_MIN}-{TRIAL_MAX}"
        else:
            trial_duration = value

    coupon_id: int | None = None
    raw_coupon = str(form.get("coupon_id", "")).strip()
    if raw_coupon:
        coupon_id = _parse_int(raw_coupon)
        if coupon_id is None:
            errors["coupon_id"] = "must be an integer"

    if errors or product is None:
        return _bad_request(errors)
    if coupon_id is not None:
        if product != "livechat":
            return error_response(403, "Coupons are allowed for livechat campaigns only")
        if all(c["id"] != coupon_id for c in state.coupons):
            return error_response(403, f"Coupon {coupon_id} is not available to this partner")

    slug = slugify(name)
    for existing in state.campaigns:
        if existing["product"] == product and (
            existing["slug"] == slug or existing["name"].casefold() == name.casefold()
        ):
            return error_response(409, f"A {product} campaign named {existing['name']!r} already exists")

    target = URL(link) if link else URL(_PRODUCT_SITES[product])
    url = target.update_query({"a": data.AFFILIATE_ID, "utm_campaign": slug, "utm_source": "PP"})
    campaign = {
        "product": product,
        "name": name,
        "slug": slug,
        "url": str(url),
        "short_url": _short_url(product, slug),
        "creation_timestamp": int(state.now()),
        "trial_duration": trial_duration,
        "discount": data.COUPON_DISCOUNTS.get(coupon_id) if coupon_id is not None else None,
        "active": True,
    }
    state.campaigns.append(campaign)
    state.performance[f"{product}/{slug}"] = {"clicks": 0, "trials": 0, "paid": 0, "commission": 0.0}
    body = {k: v for k, v in campaign.items() if k != "active"}
    return web.json_response(body, status=201)


async def list_campaigns(request: web.Request) -> web.Response:
    """Campaigns, optionally filtered by ``state`` and ``product``."""
    state = _state(request)
    wanted = request.query.get("state")
    product, errors = _product_param(request, required=False)
    if wanted and wanted not in CAMPAIGN_STATES:
        errors["state"] = "must be active or disabled"
    if errors:
        return _bad_request(errors)
    items = [
        dict(c)
        for c in state.campaigns
        if (not wanted or c["active"] == (wanted == "active"))
        and (product is None or c["product"] == product)
    ]
    return result_response(items)


async def disable_campaign(request: web.Request) -> web.Response:
    """Disable an active campaign by product and slug; 403 if unknown or already disabled."""
    state = _state(request)
    product, errors = _product_param(request, required=True)
    slug = request.query.get("slug", "").strip()
    if not slug:
        errors["slug"] = "required"
    if errors or product is None:
        return _bad_request(errors)
    for campaign in state.campaigns:
        if campaign["product"] == product and campaign["slug"] == slug and campaign["active"]:
            campaign["active"] = False
            return web.Response(status=204)
    return error_response(403, f"No active {product} campaign {slug!r}")


async def get_history(request: web.Request) -> web.Response:
    """Monthly figures per product for the last 12 complete months."""
    now = time.gmtime(_state(request).now())
    year, month = (now.tm_year, now.tm_mon - 1) if now.tm_mon > 1 else (now.tm_year - 1, 12)
    return result_response(data.history(12, end_year=year, end_month=month))


# --- licenses and subscriptions ------------------------------------------------------------------


async def list_licenses(request: web.Request) -> web.Response:
    """Solution licenses (summary fields only)."""
    state = _state(request)
    return result_response(
        [{k: lic[k] for k in data.LICENSE_SUMMARY_FIELDS} for lic in state.licenses.values()]
    )


async def get_license(request: web.Request) -> web.Response:
    """License details including seats, plan, billing cycle, status and the subscription."""
    state = _state(request)
    lic = state.find_license(request.match_info["license_id"], request.match_info["product"])
    if lic is None:
        return error_response(404, "License not found")
    return web.json_response({**lic, "subscription": state.subscriptions.get(lic["license"])})


def _validate_subscription(
    state: SandboxState, form: Any, *, partial: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check plan/billing_cycle/seats (and token unless ``partial``); return values and problems."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not partial:
        token = str(form.get("token", "")).strip()
        issued = state.issued_tokens.get(token)
        if not token:
            errors["token"] = "required"
        elif issued is None:
            errors["token"] = "unknown Recurly token"
        elif issued.used:
            errors["token"] = "token already used"
        else:
            values["token"] = issued
    plan = str(form.get("plan", "")).strip()
    if plan:
        if plan in PLANS:
            values["plan"] = plan
        else:
            errors["plan"] = "must be one of " + ", ".join(PLANS)
    elif not partial:
        errors["plan"] = "required"
    cycle = str(form.get("billing_cycle", "")).strip()
    if cycle:
        if cycle in BILLING_CYCLES:
            values["billing_cycle"] = cycle
        else:
            errors["billing_cycle"] = "must be monthly or annual"
    elif not partial:
        errors["billing_cycle"] = "required"
    raw_seats = str(form.get("seats", "")).strip()
    if raw_seats:
        seats = _parse_int(raw_seats)
        if seats is None or seats < 1:
            errors["seats"] = "must be an integer >= 1"
        else:
            values["seats"] = seats
    elif not partial:
        errors["seats"] = "required"
    return values, errors


async def create_subscription(request: web.Request) -> web.Response:
    """Subscribe a partner-paid livechat license: 404 → 409 → 400 → 201 (token consumed)."""
    state = _state(request)
    form = await request.post()
    lic = state.find_license(request.match_info["license_id"], "livechat")
    if lic is None:
        return error_response(404, "License not found")
    if lic["paid"] or lic["license"] in state.subscriptions:
        return error_response(409, "License already has a subscription")
    if lic["payment_origin"] != "partner":
        return error_response(409, "License is paid by the client")
    if lic["blocked"] or not lic["active"]:
        return error_response(409, "License is inactive or blocked")
    values, errors = _validate_subscription(state, form, partial=False)
    if errors:
        return _bad_request(errors)
    token = values["token"]
    token.used = True
    record = subscription_record(
        lic,
        plan=values["plan"],
        billing_cycle=values["billing_cycle"],
        seats=values["seats"],
        created_at=_iso(state.now()),
        card_last4=token.last4,
    )
    state.subscriptions[lic["license"]] = record
    lic.update(
        paid=True,
        cc_added=True,
        status="active",
        plan=values["plan"],
        billing_cycle=values["billing_cycle"],
        seats=values["seats"],
        trial_ends_at=None,
    )
    return web.json_response(record, status=201)


async def update_subscription(request: web.Request) -> web.Response:
    """Change plan, seats or billing cycle of an existing subscription (204)."""
    state = _state(request)
    form = await request.post()
    lic = state.find_license(request.match_info["license_id"], "livechat")
    if lic is None:
        return error_response(404, "License not found")
    current = state.subscriptions.get(lic["license"])
    if current is None:
        return error_response(404, "License has no subscription")
    values, errors = _validate_subscription(state, form, partial=True)
    if errors:
        return _bad_request(errors)
    if not values:
        return error_response(400, "Nothing to change: send plan, billing_cycle or seats")
    merged = {k: values.get(k, current[k]) for k in ("plan", "billing_cycle", "seats")}
    state.subscriptions[lic["license"]] = subscription_record(
        lic, **merged, created_at=current["created_at"], card_last4=current["card_last4"]
    )
    lic.update(merged)
    return web.Response(status=204)


async def delete_subscription(request: web.Request) -> web.Response:
    """Close a subscription; requires the partner ``password`` form field."""
    state = _state(request)
    form = await request.post()
    lic = state.find_license(request.match_info["license_id"], "livechat")
    if lic is None:
        return error_response(404, "License not found")
    password = str(form.get("password", ""))
    if not password:
        return _bad_request({"password": "required"})
    if password != state.partner_password:
        return error_response(403, "Invalid password")
    if state.subscriptions.pop(lic["license"], None) is None:
        return error_response(404, "License has no subscription")
    lic.update(paid=False, status="cancelled", billing_cycle=None)
    return web.Response(status=204)


def add_partners_routes(app: web.Application) -> None:
    """Mount the Partners API routes on ``app`` (money-over-time routes: bot/sandbox/reports.py)."""
    p = "/v2/partners"
    sub_paths = (
        f"{p}/solutions/licenses/livechat/{{license_id}}/subscription",
        f"{p}/resellers/licenses/{{license_id}}/subscription",
    )
    routes = [
        web.get(f"{p}/status", get_status),
        web.get(p, get_profile),
        web.get(f"{p}/earnings", get_earnings),
        web.get(f"{p}/coupons", get_coupons),
        web.post(f"{p}/affiliates/campaigns", create_campaign),
        web.get(f"{p}/affiliates/campaigns", list_campaigns),
        web.delete(f"{p}/affiliates/campaigns", disable_campaign),
        web.get(f"{p}/affiliates/history", get_history),
        web.get(f"{p}/solutions/licenses", list_licenses),
        web.get(f"{p}/solutions/licenses/{{product}}/{{license_id}}", get_license),
    ]
    for path in sub_paths:
        routes += [
            web.post(path, create_subscription),
            web.put(path, update_subscription),
            web.delete(path, delete_subscription),
        ]
    app.add_routes(routes)
