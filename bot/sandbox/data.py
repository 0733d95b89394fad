"""Seed data for the Partners API sandbox.

The numbers describe one plausible agency partner and are internally consistent (balance equals
commission minus withdrawals, pending and blocked; the withdrawal history adds up to the totals), so
a digest or an earnings card rendered from the sandbox looks like the real thing. Every function
returns a fresh deep copy: each sandbox app owns its own mutable state and tests never leak into
each other.
"""

from __future__ import annotations

import copy
from typing import Any

PRODUCTS: tuple[str, ...] = ("livechat", "chatbot", "partner_program")
"""Products the Partner Program API knows, in the order the API lists them."""

AFFILIATE_ID = "AgP7x2Lq"
"""The partner's affiliate code, the ``a=`` parameter of every tracking link."""

SEED_EPOCH = 1_735_689_600.0
"""2025-01-01T00:00:00Z: a fixed origin for seeded timestamps so seed data is reproducible."""

_DAY = 86_400.0

_PROFILE: dict[str, Any] = {
    "partner_id": 104522,
    "login": "partners@brightdesk.example",
    "first_name": "Maya",
    "last_name": "Kowalski",
    "company": "BrightDesk Agency",
    "website": "https://brightdesk.example",
    "country": "PL",
    "tier": "gold",
    "affiliate_id": AFFILIATE_ID,
    "affiliate_links": {
        "livechat": f"https://www.livechat.com/?a={AFFILIATE_ID}&utm_source=PP",
        "chatbot": f"https://www.chatbot.com/?a={AFFILIATE_ID}&utm_source=PP",
        "partner_program": f"https://partners.livechat.com/?a={AFFILIATE_ID}&utm_source=PP",
    },
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

_WITHDRAWALS: list[dict[str, Any]] = [
    {
        "id": 5001,
        "amount": 1250.00,
        "status": "paid",
        "method": "paypal",
        "created_at": "2024-03-04T09:12:00Z",
    },
    {
        "id": 5002,
        "amount": 1802.50,
        "status": "paid",
        "method": "paypal",
        "created_at": "2024-05-06T10:03:00Z",
    },
    {
        "id": 5003,
        "amount": 2100.00,
        "status": "paid",
        "method": "paypal",
        "created_at": "2024-07-08T08:47:00Z",
    },
    {
        "id": 5004,
        "amount": 1849.50,
        "status": "paid",
        "method": "paypal",
        "created_at": "2024-09-09T11:30:00Z",
    },
    {
        "id": 5005,
        "amount": 2250.00,
        "status": "paid",
        "method": "paypal",
        "created_at": "2024-11-04T09:55:00Z",
    },
    {
        "id": 5006,
        "amount": 400.00,
        "status": "pending",
        "method": "paypal",
        "created_at": "2024-12-30T14:20:00Z",
    },
]

_COUPONS: list[dict[str, Any]] = [
    {"id": 1, "label": "30% off first payment"},
    {"id": 2, "label": "20% off annual plans"},
    {"id": 3, "label": "10% off for 3 months"},
]

COUPON_DISCOUNTS: dict[int, int] = {1: 30, 2: 20, 3: 10}
"""Percent discount behind each coupon id; a campaign's ``discount`` comes from here."""

_CAMPAIGNS: list[dict[str, Any]] = [
    {
        "product": "livechat",
        "name": "Spring webinar",
        "slug": "pp_spring_webinar",
        "url": f"https://www.livechat.com/?a={AFFILIATE_ID}&utm_campaign=pp_spring_webinar&utm_source=PP",
        "short_url": "https://lc.chat/k3Vw9a",
        "creation_timestamp": int(SEED_EPOCH - 280 * _DAY),
        "trial_duration": 30,
        "discount": 30,
        "active": True,
    },
    {
        "product": "livechat",
        "name": "Agency newsletter",
        "slug": "pp_agency_newsletter",
        "url": "https://brightdesk.example/livechat?a=AgP7x2Lq&utm_campaign=pp_agency_newsletter&utm_source=PP",
        "short_url": "https://lc.chat/Qm2Zt7",
        "creation_timestamp": int(SEED_EPOCH - 150 * _DAY),
        "trial_duration": 14,
        "discount": None,
        "active": True,
    },
    {
        "product": "chatbot",
        "name": "Chatbot launch 2024",
        "slug": "pp_chatbot_launch_2024",
        "url": f"https://www.chatbot.com/?a={AFFILIATE_ID}&utm_campaign=pp_chatbot_launch_2024&utm_source=PP",
        "short_url": "https://lc.chat/Hx81pR",
        "creation_timestamp": int(SEED_EPOCH - 90 * _DAY),
        "trial_duration": None,
        "discount": None,
        "active": True,
    },
    {
        "product": "livechat",
        "name": "Black Friday 2023",
        "slug": "pp_black_friday_2023",
        "url": f"https://www.livechat.com/?a={AFFILIATE_ID}&utm_campaign=pp_black_friday_2023&utm_source=PP",
        "short_url": "https://lc.chat/Bf23xx",
        "creation_timestamp": int(SEED_EPOCH - 410 * _DAY),
        "trial_duration": 60,
        "discount": 20,
        "active": False,
    },
]

_PERFORMANCE: dict[str, dict[str, Any]] = {
    "livechat/pp_spring_webinar": {"clicks": 1843, "trials": 97, "paid": 14, "commission": 2310.40},
    "livechat/pp_agency_newsletter": {"clicks": 612, "trials": 31, "paid": 5, "commission": 780.00},
    "chatbot/pp_chatbot_launch_2024": {"clicks": 402, "trials": 22, "paid": 3, "commission": 312.00},
    "livechat/pp_black_friday_2023": {"clicks": 2950, "trials": 141, "paid": 19, "commission": 3104.75},
}
"""Campaign report counters keyed by ``"<product>/<slug>"``."""

_LICENSES: list[dict[str, Any]] = [
    {
        "license": "11223301", "product": "livechat", "client_name": "Joe Doe Ltd",
        "client_email": "joe@joedoe.example", "cc_added": False, "paid": False,
        "payment_origin": "partner", "blocked": False, "active": True,
        "seats": 3, "plan": "team", "billing_cycle": None, "status": "trial",
        "created_at": "2024-12-20T10:00:00Z", "trial_ends_at": "2025-01-03T10:00:00Z", "trial_ends_in_days": 2,
    },
    {
        "license": "11223302", "product": "livechat", "client_name": "Acme Dental Group",
        "client_email": "it@acmedental.example", "cc_added": True, "paid": True,
        "payment_origin": "partner", "blocked": False, "active": True,
        "seats": 8, "plan": "business", "billing_cycle": "annual", "status": "active",
        "created_at": "2023-06-11T08:30:00Z", "trial_ends_at": None,
    },
    {
        "license": "11223303", "product": "livechat", "client_name": "Nordic Bikes AB",
        "client_email": "support@nordicbikes.example", "cc_added": True, "paid": True,
        "payment_origin": "client", "blocked": False, "active": True,
        "seats": 4, "plan": "team", "billing_cycle": "monthly", "status": "active",
        "created_at": "2024-02-02T12:15:00Z", "trial_ends_at": None,
    },
    {
        "license": "11223304", "product": "chatbot", "client_name": "Joe Doe Ltd",
        "client_email": "joe@joedoe.example", "cc_added": False, "paid": False,
        "payment_origin": "partner", "blocked": False, "active": True,
        "seats": 1, "plan": "starter", "billing_cycle": None, "status": "trial",
        "created_at": "2024-12-27T09:00:00Z", "trial_ends_at": "2025-01-10T09:00:00Z",
    },
    {
        "license": "11223305", "product": "livechat", "client_name": "Green Leaf Florists",
        "client_email": "hello@greenleaf.example", "cc_added": False, "paid": False,
        "payment_origin": "partner", "blocked": True, "active": False,
        "seats": 2, "plan": "starter", "billing_cycle": None, "status": "expired",
        "created_at": "2024-09-01T07:45:00Z", "trial_ends_at": "2024-09-15T07:45:00Z",
    },
    {
        "license": "11223306", "product": "livechat", "client_name": "Harbor Legal LLP",
        "client_email": "office@harborlegal.example", "cc_added": False, "paid": False,
        "payment_origin": "partner", "blocked": False, "active": True,
        "seats": 5, "plan": "business", "billing_cycle": None, "status": "trial",
        "created_at": "2024-12-29T16:20:00Z", "trial_ends_at": "2025-01-12T16:20:00Z", "trial_ends_in_days": 9,
    },
]  # fmt: skip

LICENSE_SUMMARY_FIELDS: tuple[str, ...] = (
    "license", "product", "client_name", "client_email", "cc_added", "paid", "payment_origin",
    "blocked", "active",
)  # fmt: skip
"""Fields the license list returns; the details endpoint returns everything.

The list also carries the documented `status` (trial | paid | expired) and `end_timestamp`
("YYYY-MM-DD HH:MM:SS", UTC), derived in partners_api.list_licenses. A seed license with
`trial_ends_in_days` has its trial end that many days after the sandbox starts (trial alerts)."""

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
    """Return the payout history; paid ones sum to ``withdrawals``, pending ones to ``pending``."""
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


def licenses() -> list[dict[str, Any]]:
    """Return solution licenses with their details."""
    return copy.deepcopy(_LICENSES)


def history(months: int = 12, *, end_year: int = 2024, end_month: int = 12) -> list[dict[str, Any]]:
    """Return a monthly affiliate report per product, oldest month first.

    Generated from a formula rather than stored so that the shape stays compact; the figures grow
    gently over the year, as an agency's referrals usually do.
    """
    rows: list[dict[str, Any]] = []
    base = {"livechat": (410, 22, 3, 395.0), "chatbot": (90, 6, 1, 82.0), "partner_program": (25, 2, 0, 30.0)}
    for back in range(months - 1, -1, -1):
        index = end_year * 12 + (end_month - 1) - back
        year, month = divmod(index, 12)
        growth = 1 + (months - 1 - back) * 0.04
        for product, (clicks, trials, paid, commission) in base.items():
            rows.append(
                {
                    "month": f"{year:04d}-{month + 1:02d}",
                    "product": product,
                    "clicks": round(clicks * growth),
                    "trials": round(trials * growth),
                    "paid": round(paid * growth),
                    "commission": round(commission * growth, 2),
                }
            )
    return rows
