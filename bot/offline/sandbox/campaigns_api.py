"""Fake affiliate campaign routes: create, list (active by default), search (ids), delete by id.

Form-encoded bodies, 400 with per-field problems, 403 (coupon, unknown/disabled campaign) and
409 (name taken) where the API uses them; `discount` is the coupon's label or `""`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from aiohttp import web
from yarl import URL

from bot.offline.sandbox import data
from bot.offline.sandbox.common import bad_request, parse_int, product_param, state_of
from bot.offline.sandbox.responses import error_response, result_response

CAMPAIGN_STATES: tuple[str, ...] = ("active", "disabled")
SEARCH_STATES: tuple[str, ...] = ("active", "archived")
TRIAL_MIN, TRIAL_MAX, TRIAL_DEFAULT = 14, 30, 14  # since April 2024
NAME_MIN, NAME_MAX = 5, 100
SEARCH_PAGE_SIZE = 15
LIST_FIELDS = (
    "active",
    "product",
    "name",
    "slug",
    "url",
    "short_url",
    "creation_timestamp",
    "trial_duration",
)

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


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


def _valid_url(link: str) -> bool:
    try:
        parsed = URL(link)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


async def create_campaign(request: web.Request) -> web.Response:
    """Create an affiliate campaign: 400 → 403 (coupon) → 409 (name taken) → 201."""
    state = state_of(request)
    form = await request.post()
    product, errors = product_param(request, required=True)

    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = "required"
    elif not NAME_MIN <= len(name) <= NAME_MAX:
        errors["name"] = f"must be {NAME_MIN}-{NAME_MAX} characters"

    link = str(form.get("link", "")).strip()
    if not link:
        errors["link"] = "required"
    elif not _valid_url(link):
        errors["link"] = "must be an http(s) URL"

    trial_duration = TRIAL_DEFAULT
    raw_trial = str(form.get("trial_duration", "")).strip()
    if raw_trial:
        value = parse_int(raw_trial)
        if value is None or not TRIAL_MIN <= value <= TRIAL_MAX:
            errors["trial_duration"] = f"must be an integer {TRIAL_MIN}-{TRIAL_MAX}"
        else:
            trial_duration = value

    coupon_id: int | None = None
    raw_coupon = str(form.get("coupon_id", "")).strip()
    if raw_coupon:
        coupon_id = parse_int(raw_coupon)
        if coupon_id is None:
            errors["coupon_id"] = "must be an integer"

    if errors or product is None:
        return bad_request(errors)
    label = ""
    if coupon_id is not None:
        coupon = next((c for c in state.coupons if c["id"] == coupon_id), None)
        if product != "livechat":
            return error_response(403, "Coupons are allowed for livechat campaigns only")
        if coupon is None:
            return error_response(403, f"Coupon {coupon_id} is not available to this partner")
        label = coupon["label"]

    slug = slugify(name)
    for existing in state.campaigns:
        if existing["product"] == product and (
            existing["slug"] == slug or existing["name"].casefold() == name.casefold()
        ):
            return error_response(409, f"A {product} campaign named {existing['name']!r} already exists")

    url = URL(link).update_query({"a": data.AFFILIATE_ID, "utm_campaign": slug, "utm_source": "PP"})
    campaign = {
        "id": max((c["id"] for c in state.campaigns), default=9100) + 1,
        "product": product,
        "name": name,
        "slug": slug,
        "url": str(url),
        "short_url": _short_url(product, slug),
        "creation_timestamp": state.stamp(),
        "trial_duration": trial_duration,
        "discount": label,
        "active": True,
        "landing_page_url": link,
    }
    state.campaigns.append(campaign)
    state.performance[f"{product}/{slug}"] = {"clicks": 0, "trials": 0, "paid": 0, "commission": 0.0}
    body = {k: campaign[k] for k in (*LIST_FIELDS[1:], "discount")}
    return web.json_response(body, status=201)


def _listed(campaign: dict) -> dict:
    item = {k: campaign[k] for k in LIST_FIELDS}
    if campaign["discount"]:
        item["discount"] = campaign["discount"]  # only where a coupon applies
    return item


async def list_campaigns(request: web.Request) -> web.Response:
    """Campaigns in ``state`` (``active`` when not given), optionally of one ``product``."""
    state = state_of(request)
    wanted = request.query.get("state", "active")
    product, errors = product_param(request, required=False)
    if wanted not in CAMPAIGN_STATES:
        errors["state"] = "must be active or disabled"
    if errors:
        return bad_request(errors)
    items = [
        _listed(c)
        for c in state.campaigns
        if c["active"] == (wanted == "active") and (product is None or c["product"] == product)
    ]
    return result_response(items)


async def search_campaigns(request: web.Request) -> web.Response:
    """Campaigns with their ids, 15 a page, newest first by default."""
    state = state_of(request)
    product, errors = product_param(request, required=False)
    wanted = request.query.get("state")
    if wanted is not None and wanted not in SEARCH_STATES:
        errors["state"] = "must be active or archived"
    page = parse_int(request.query.get("page", "1"))
    if page is None or page < 1:
        errors["page"] = "must be an integer >= 1"
    if request.query.get("sort_order", "desc") not in ("asc", "desc"):
        errors["sort_order"] = "must be asc or desc"
    if errors or page is None:
        return bad_request(errors)
    found = [
        c
        for c in state.campaigns
        if (product is None or c["product"] == product)
        and (wanted is None or c["active"] == (wanted == "active"))
    ]
    found.sort(
        key=lambda c: (c["creation_timestamp"], c["id"]),
        reverse=request.query.get("sort_order", "desc") == "desc",
    )
    chunk = found[(page - 1) * SEARCH_PAGE_SIZE : page * SEARCH_PAGE_SIZE]
    results = [
        {
            "id": c["id"],
            "name": c["name"],
            "product": c["product"],
            "created_at": c["creation_timestamp"],
            "landing_page_url": c["landing_page_url"],
            "slug": c["slug"],
            "is_default": False,
            "region": "dal",
            "offer": None,
        }
        for c in chunk
    ]
    # The documented example also carries a top-level number `value` whose meaning the docs never
    # give; it is sent (as the total) so that clients written against the example keep working.
    body = {"value": float(len(found)), "results": results, "total": len(found), "limit": SEARCH_PAGE_SIZE}
    return web.json_response(body)


async def delete_campaign(request: web.Request) -> web.Response:
    """Disable a campaign by id: 204, or 403 when unknown or already disabled (2021 docs)."""
    state = state_of(request)
    campaign_id = parse_int(request.match_info["campaign_id"])
    for campaign in state.campaigns:
        if campaign["id"] == campaign_id and campaign["active"]:
            campaign["active"] = False
            return web.Response(status=204)
    return error_response(403, "Campaign does not exist or is already disabled")


async def get_affiliate_summary(request: web.Request) -> web.Response:
    """Referred licenses: trials, paid, expired."""
    stats = state_of(request).performance.values()
    trials = sum(s["trials"] for s in stats)
    paid = sum(s["paid"] for s in stats)
    return web.json_response({"trials": trials, "paid": paid, "expired": max(0, trials - paid) // 2})


def campaign_routes(prefix: str) -> list[web.RouteDef]:
    base = f"{prefix}/affiliates"
    return [
        web.post(f"{base}/campaigns", create_campaign),
        web.get(f"{base}/campaigns", list_campaigns),
        web.get(f"{base}/campaigns/search", search_campaigns),
        web.delete(f"{base}/campaigns/{{campaign_id}}", delete_campaign),
        web.get(f"{base}/summary", get_affiliate_summary),
    ]
