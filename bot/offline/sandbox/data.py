"""Seed data for the Partners API sandbox.

The numbers describe one plausible agency partner and are internally consistent (balance equals
commission minus withdrawals, pending and blocked; the withdrawal history adds up to the totals), so
a digest or an earnings card rendered from the sandbox looks like the real thing. Every function
returns a fresh deep copy: each sandbox app owns its own mutable state and tests never leak into
each other.
"""

from __future__ import annotations

import copy
import time
from typing import Any

PRODUCTS: tuple[str, ...] = ("livechat", "chatbot", "partner_program")
"""Products the Partner Program API knows, in the order the API lists them."""

AFFILIATE_ID = "AgP7x2Lq"
"""The partner's affiliate code, the ``a=`` parameter of every tracking link."""

SEED_EPOCH = 1_735_689_600.0
"""2025-01-01T00:00:00Z: a fixed origin for seeded timestamps so seed data is reproducible."""

_DAY = 86_400.0

_PROFILE: dict[str, Any] = {
    "partner_id": "brightdesk",
    "login": "partners@brightdesk.example",
    "first_name": "Maya",
    "last_name": "Kowalski",
    "contact_name": "Maya Kowalski",
    "contact_email": "finance@brightdesk.example",
    "solution_status": "accepted",
    "properties": {"sales_kit_popup_closed": True, "pitch_deck_downloaded": False},
}

_BILLING_INFO: dict[str, Any] = {
    "method": "paypal",
    "paypal_email": "finance@brightdesk.example",
    "company": "BrightDesk Agency sp. z o.o.",
    "vat_id": "PL5252525252",
}

# Earnings are stored per product; the totals and ``balance`` are derived (see state.py), which is
# what keeps both response shapes and advance_day() consistent.
_EARNINGS: dict[str, Any] = {
    "affiliate": {
        "livechat": {"commission_total": 9120.40, "commission_last_30_days": 412.30},
        "chatbot": {"commission_total": 1480.00, "commission_last_30_days": 96.00},
        "partner_program": {"commission_total": 600.00, "commission_last_30_days": 50.00},
    },
    "solution": {
        "livechat": {"commission_total": 12840.72, "commission_last_30_days": 842.10, "discount": 21569.80},
        "chatbot": {"commission_total": 2130.00, "commission_last_30_days": 140.00, "discount": 3550.00},
        "partner_program": {"commission_total": 0, "commission_last_30_days": 0, "discount": 0},
    },
    "blocked": 0,
}
# commission_total 26171.12 - withdrawals 9252.00 - pending 400.00 - blocked 0 = balance 16519.12


def _withdrawal(number: int, amount: float, requested: str, acted: str, status: str) -> dict[str, Any]:
    return {
        "withdrawal_id": number,
        "request_timestamp": requested,
        "action_timestamp": acted,
        "status": status,
        "amount": amount,
        "invoice_id": f"{requested[:4]}/{number}/brightdesk",
        "paypal": "finance@brightdesk.example",
    }


_WITHDRAWALS: list[dict[str, Any]] = [
    _withdrawal(6, 400.00, "2024-12-30 14:20:00", "", "pending"),
    _withdrawal(5, 2250.00, "2024-11-04 09:55:00", "2024-11-06 12:00:00", "paid"),
    _withdrawal(4, 1849.50, "2024-09-09 11:30:00", "2024-09-11 10:15:00", "paid"),
    _withdrawal(3, 2100.00, "2024-07-08 08:47:00", "2024-07-09 16:40:00", "paid"),
    _withdrawal(2, 1802.50, "2024-05-06 10:03:00", "2024-05-08 09:00:00", "paid"),
    _withdrawal(1, 1250.00, "2024-03-04 09:12:00", "2024-03-05 13:30:00", "paid"),
]
"""Newest first, as the API lists them; paid ones sum to ``withdrawals``, pending ones to ``pending``."""

_COUPONS: list[dict[str, Any]] = [
    {"id": 1, "label": "30% off first payment"},
    {"id": 2, "label": "$25 discount"},
    {"id": 3, "label": "10% off for 3 months"},
]


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def _campaign(
    cid: int,
    product: str,
    name: str,
    slug: str,
    short: str,
    days_ago: int,
    trial: int,
    discount: str,
    active: bool,
) -> dict[str, Any]:
    site = {"livechat": "https://www.livechat.com/", "chatbot": "https://www.chatbot.com/"}[product]
    return {
        "id": cid,
        "product": product,
        "name": name,
        "slug": slug,
        "url": f"{site}?a={AFFILIATE_ID}&utm_campaign={slug}&utm_source=PP",
        "short_url": f"https://lc.chat/{short}",
        "creation_timestamp": _stamp(SEED_EPOCH - days_ago * _DAY),
        "trial_duration": trial,
        "discount": discount,
        "active": active,
        "landing_page_url": site,
    }


_CAMPAIGNS: list[dict[str, Any]] = [
    _campaign(9101, "livechat", "Spring webinar", "pp_spring_webinar", "k3Vw9a", 280, 30, "30% off first payment", True),
    _campaign(9102, "livechat", "Agency newsletter", "pp_agency_newsletter", "Qm2Zt7", 150, 14, "", True),
    _campaign(9103, "chatbot", "Chatbot launch 2024", "pp_chatbot_launch_2024", "Hx81pR", 90, 14, "", True),
    _campaign(9104, "livechat", "Black Friday 2023", "pp_black_friday_2023", "Bf23xx", 410, 30, "$25 discount", False),
]  # fmt: skip
"""``id`` is what ``campaigns/search`` shows; ``discount`` is the coupon label or ``""``."""

_PERFORMANCE: dict[str, dict[str, Any]] = {
    "livechat/pp_spring_webinar": {"clicks": 1843, "trials": 97, "paid": 14, "commission": 2310.40},
    "livechat/pp_agency_newsletter": {"clicks": 612, "trials": 31, "paid": 5, "commission": 780.00},
    "chatbot/pp_chatbot_launch_2024": {"clicks": 402, "trials": 22, "paid": 3, "commission": 312.00},
    "livechat/pp_black_friday_2023": {"clicks": 2950, "trials": 141, "paid": 19, "commission": 3104.75},
}
"""Campaign report counters keyed by ``"<product>/<slug>"``."""

# (id, product, client, email, payment_origin, status, days from now to end_timestamp, plan, seats, cycle)
# Trials end relative to the sandbox clock, so "ends tomorrow" stays true whenever the sandbox runs.
_LICENSE_ROWS: list[tuple[str, str, str, str, str, str, float, str, int, str]] = [
    ("11223301", "livechat", "Joe Doe Ltd", "joe@joedoe.example", "partner", "trial", 2.5, "team", 3, "monthly"),
    ("11223302", "livechat", "Acme Dental Group", "it@acmedental.example", "partner", "paid", 200, "business", 8, "annual"),
    ("11223303", "livechat", "Nordic Bikes AB", "support@nordicbikes.example", "client", "paid", 20, "team", 4, "monthly"),
    ("11223304", "chatbot", "Joe Doe Ltd", "joe@joedoe.example", "partner", "trial", 9, "starter", 1, "monthly"),
    ("11223305", "livechat", "Green Leaf Florists", "hello@greenleaf.example", "partner", "trial", -20, "starter", 2, "monthly"),
    ("11223306", "livechat", "Harbor Legal LLP", "office@harborlegal.example", "partner", "trial", 12, "business", 5, "monthly"),
    ("11223307", "livechat", "Sunrise Bakery", "orders@sunrise.example", "partner", "trial", 1.2, "starter", 2, "monthly"),
    ("11223308", "livechat", "Pixel Forge Studio", "ops@pixelforge.example", "partner", "trial", 3, "team", 6, "annual"),
    ("11223309", "livechat", "Old Town Dental", "desk@oldtown.example", "client", "trial", 5, "team", 3, "monthly"),
    ("11223310", "livechat", "Blue Fin Travel", "hi@bluefin.example", "partner", "trial", -1.5, "team", 4, "monthly"),
]  # fmt: skip
"""11223305 and 11223310 are trials that already ended (the API reports them ``expired``); 11223309's
trial is client-paid; 11223302 is partner-paid and subscribed, 11223303 client-paid."""

LICENSE_SUMMARY_FIELDS: tuple[str, ...] = (
    "license", "product", "client_name", "client_email", "creation_timestamp", "end_timestamp",
    "cc_added", "paid", "payment_origin", "status",
)  # fmt: skip
"""Fields the license list returns; the details endpoint returns everything but ``product``."""

PLAN_PRICES: dict[str, float] = {"starter": 20.0, "team": 41.0, "business": 59.0}
"""Monthly USD price per seat; annual billing is 15% cheaper."""

PARTNER_PASSWORD = "sandbox-password"
"""The partner password that ``DELETE …/subscription`` expects by default."""


def profile() -> dict[str, Any]:
    """Return the partner profile served by ``GET /v2/partners``."""
    return copy.deepcopy(_PROFILE)


def billing_info() -> dict[str, Any]:
    """Return payout details; without them a withdrawal request fails with 409."""
    return copy.deepcopy(_BILLING_INFO)


def earnings() -> dict[str, Any]:
    """Return per-product commission ledgers (totals and balance are derived from them)."""
    return copy.deepcopy(_EARNINGS)


def withdrawals() -> list[dict[str, Any]]:
    """Return the payout history, newest first."""
    return copy.deepcopy(_WITHDRAWALS)


def coupons() -> list[dict[str, Any]]:
    """Return the coupons a livechat campaign may use."""
    return copy.deepcopy(_COUPONS)


def campaigns() -> list[dict[str, Any]]:
    """Return existing affiliate campaigns (the last one is disabled)."""
    return copy.deepcopy(_CAMPAIGNS)


def performance() -> dict[str, dict[str, Any]]:
    """Return campaign counters keyed by ``"<product>/<slug>"``."""
    return copy.deepcopy(_PERFORMANCE)


def licenses(now: float) -> list[dict[str, Any]]:
    """Solution licenses with every detail field; ``end_timestamp`` relative to ``now``."""
    rows = []
    for number, (lid, product, client, email, origin, status, ends, plan, seats, cycle) in enumerate(
        _LICENSE_ROWS
    ):
        end = now + ends * _DAY
        created = end - (30 if status == "trial" else 400) * _DAY
        paid = status == "paid"
        rows.append(
            {
                "license": lid,
                "product": product,
                "client_name": client,
                "client_email": email,
                "purchase_order": f"PO-{2024 + number % 2}-{lid[-3:]}",
                "payment_origin": origin,
                "creation_timestamp": _stamp(created),
                "end_timestamp": _stamp(end),
                "conversations": 120 * seats if paid else 7 * number,
                "conversations_last_30_days": 30 * seats if paid else number,
                "cc_added": paid,
                "paid": paid,
                "ql": paid or number % 3 == 0,
                "seats": seats,
                "plan": plan,
                "billing_cycle": cycle,
                "total_discount": round(PLAN_PRICES[plan] * seats * 0.2, 2) if paid else 0,
                "discount_percent": 20,
                "total_commission": round(PLAN_PRICES[plan] * seats * 0.3, 2) if paid else 0,
                "commission_percent": 30 if origin == "partner" else 20,
                "data_center": "dal" if number % 2 else "fra",
                "status": status,
                "invited_agents": [
                    {"email": f"agent{n}@{email.split('@')[1]}"} for n in range(min(seats, 3))
                ],
            }
        )
    return rows


def money(value: float) -> float:
    """Round to cents: sums of floats must not leak artefacts such as 16519.120000000003."""
    return round(value + 0.0, 2)


def subscription_record(
    lic: dict[str, Any], *, plan: str, billing_cycle: str, seats: int, created_at: str, card_last4: str
) -> dict[str, Any]:
    """Describe a subscription with its price: annual billing is 15% cheaper per seat-month."""
    per_seat = PLAN_PRICES[plan] * (0.85 if billing_cycle == "annual" else 1.0)
    months = 12 if billing_cycle == "annual" else 1
    return {
        "license": lic["license"],
        "product": lic["product"],
        "plan": plan,
        "billing_cycle": billing_cycle,
        "seats": seats,
        "price_per_seat_monthly": money(per_seat),
        "amount": money(per_seat * seats * months),
        "currency": "USD",
        "card_last4": card_last4,
        "created_at": created_at,
    }
