"""Which request answers with which documented example (shared by the two contract tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

P = "/v2/partners"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    status: int = 200


CARD = {
    "key": "ewr1-QCXZap10wOSm13fxI4u5Jt",
    "first_name": "Joe",
    "last_name": "Doe",
    "number": "4111111111111111",
    "month": "12",
    "year": "2099",
    "verification_value": "123",
    "address1": "1 Main St",
    "city": "Boston",
    "state": "MA",
    "zip": "02110",
    "country": "US",
}
DAYS = {"date_from": "2024-01-01", "date_to": "2030-12-31"}
MOMENTS = {"date_from": "2024-01-01T00:00:00Z", "date_to": "2024-03-31T23:59:59Z"}
CAMPAIGN_FORM = {"name": "Contract campaign", "link": "https://www.livechat.com/features/", "coupon_id": "2"}

CALLS: dict[str, Call] = {
    "get-profile": Call("GET", P),
    "get-earnings": Call("GET", f"{P}/earnings"),
    "get-earnings-2018": Call("GET", f"{P}/earnings"),
    "get-balance": Call("GET", f"{P}/balance"),
    "get-coupons": Call("GET", f"{P}/coupons"),
    "get-withdrawals": Call("GET", f"{P}/withdrawals", DAYS),
    "request-withdrawal": Call("POST", f"{P}/withdrawals", status=201),
    "get-commission-report": Call("GET", f"{P}/reports/commission", {**MOMENTS, "aggregation": "month"}),
    "get-commission-metric": Call("GET", f"{P}/metrics/commission", {**MOMENTS, "product": "all"}),
    "get-stats": Call("GET", f"{P}/stats"),
    "create-campaign": Call(
        "POST", f"{P}/affiliates/campaigns", {"product": "livechat"}, CAMPAIGN_FORM, status=201
    ),
    "create-campaign-2018": Call(
        "POST", f"{P}/affiliates/campaigns", {"product": "livechat"}, CAMPAIGN_FORM, status=201
    ),
    "get-campaigns": Call("GET", f"{P}/affiliates/campaigns"),
    "search-campaigns": Call("GET", f"{P}/affiliates/campaigns/search", {"page": "1"}),
    "get-performance-report": Call("GET", f"{P}/affiliates/performance", DAYS),
    "get-affiliate-summary": Call("GET", f"{P}/affiliates/summary"),
    "get-solution-licenses": Call("GET", f"{P}/solutions/licenses"),
    "get-solution-licenses-by-status": Call("GET", f"{P}/solutions/licenses/paid", {"limit": "1"}),
    "get-license-metrics": Call("GET", f"{P}/solutions/licenses/count"),
    "get-solution-summary": Call("GET", f"{P}/solutions/summary"),
    "get-license-details": Call("GET", f"{P}/solutions/licenses/livechat/11223305"),
    "get-license-invoices": Call("GET", f"{P}/solutions/licenses/11223302/invoices"),
    "recurly-token": Call("GET", "/js/v1/token", CARD),
    "recurly-token-error": Call("GET", "/js/v1/token", {**CARD, "number": "4111111111111112"}),
}


def json_type(value: Any) -> str:
    """JSON's own types: an int and a float are both a number."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return {str: "string", dict: "object", list: "array"}[type(value)]


def drift(example: Any, actual: Any, where: str = "$") -> list[str]:
    """Every field of `example` missing from `actual` or of another JSON type (extra fields are fine).

    For a list, each actual element must have the fields that every example element has.
    """
    if json_type(example) != json_type(actual):
        return [f"{where}: {json_type(actual)} instead of {json_type(example)}"]
    if isinstance(example, dict):
        problems = []
        for key, value in example.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            elif value is not None:
                problems += drift(value, actual[key], f"{where}.{key}")
        return problems
    if isinstance(example, list) and example:
        if not actual:
            return [f"{where}: empty list, so its shape cannot be checked"]
        shared = _common(example)
        return [p for i, item in enumerate(actual) for p in drift(shared, item, f"{where}[{i}]")]
    return []


def _common(items: list[Any]) -> Any:
    if not all(isinstance(i, dict) for i in items):
        return items[0]
    keys = set.intersection(*(set(i) for i in items))
    return {k: v for k, v in items[0].items() if k in keys}
