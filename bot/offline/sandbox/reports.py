"""Sandbox routes for money over time, in the documented shapes (`../shared/partners-api-examples`).

`GET /balance`, `GET`/`POST /withdrawals`, `GET /reports/commission` and `GET /affiliates/performance`.
Withdrawals live in `SandboxState.withdrawals` (the ledger the earnings totals are derived from) and
are rendered here as the API shows them: `withdrawal_id`, UTC `"YYYY-MM-DD HH:MM:SS"` timestamps
with `action_timestamp` `""` until paid, `invoice_id`, `paypal`. The monthly commission and any
funnel override live in `ReportsState` (`app[REPORTS_STATE]`) so tests can set exact figures; it is
the sandbox state's own `reports`, so a saved sandbox world keeps the figures already reported.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.offline.sandbox.responses import error_response, result_response
from bot.offline.sandbox.state import SANDBOX_STATE, ReportsState, SandboxState

MIN_WITHDRAWAL = 50.0
API_TIME = "%Y-%m-%d %H:%M:%S"
PAID_AFTER = timedelta(days=2)  # how long the sandbox's payouts take to be paid
NO_COMMISSION_MONTHS = (3,)  # month offsets (from the current month, backwards) with nothing earned


def default_monthly(today: date, months: int = 36) -> dict[str, float]:
    """Commission per `YYYY-MM` for the last `months` months: gently growing, one month at zero."""
    found: dict[str, float] = {}
    for back in range(months):
        index = today.year * 12 + today.month - 1 - back
        year, month = divmod(index, 12)
        amount = (
            0.0
            if back in NO_COMMISSION_MONTHS
            else round(1800 + (months - back) * 37.5 + (back % 4) * 210.25, 2)
        )
        found[f"{year:04d}-{month + 1:02d}"] = amount
    return found


REPORTS_STATE: web.AppKey[ReportsState] = web.AppKey("reports_state", ReportsState)


def _state(request: web.Request) -> SandboxState:
    return request.app[SANDBOX_STATE]


def _reports(request: web.Request) -> ReportsState:
    reports = request.app[REPORTS_STATE]
    if not reports.monthly:
        reports.monthly = default_monthly(datetime.fromtimestamp(_state(request).now(), UTC).date())
    return reports


def _api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(API_TIME)


def _date_param(request: web.Request, name: str, problems: dict[str, str]) -> date | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems[name] = "must be YYYY-MM-DD"
        return None


def _instant_param(request: web.Request, name: str, problems: dict[str, str]) -> datetime | None:
    raw = request.query.get(name, "")
    try:
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        problems[name] = "required, as YYYY-MM-DDTHH:mm:ssZ"
        return None


def _day_amount(monthly: dict[str, float], day: date) -> float:
    total = monthly.get(f"{day.year:04d}-{day.month:02d}", 0.0)
    return total / calendar.monthrange(day.year, day.month)[1]


def commission_items(
    monthly: dict[str, float], start: datetime, end: datetime, aggregation: str
) -> list[dict[str, Any]]:
    """Report rows: a month's total as stored; weeks and days share it out evenly by day."""
    items = []
    day = start.date()
    last = end.date()
    while day <= last:
        if aggregation == "month":
            period_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        elif aggregation == "week":
            period_end = day + timedelta(days=6 - day.weekday())
        else:
            period_end = day
        period_end = min(period_end, last)
        if (
            aggregation == "month"
            and day.day == 1
            and period_end.day == calendar.monthrange(day.year, day.month)[1]
        ):
            total = monthly.get(f"{day.year:04d}-{day.month:02d}", 0.0)
        else:
            total = sum(
                _day_amount(monthly, day + timedelta(days=i)) for i in range((period_end - day).days + 1)
            )
        items.append(
            {
                "date_range": {
                    "from": f"{day.isoformat()} 00:00:00",
                    "to": f"{period_end.isoformat()} 23:59:59",
                },
                "total": round(total, 2),
            }
        )
        day = period_end + timedelta(days=1)
    return items


async def get_commission_report(request: web.Request) -> web.Response:
    problems: dict[str, str] = {}
    start, end = _instant_param(request, "date_from", problems), _instant_param(request, "date_to", problems)
    aggregation = request.query.get("aggregation", "day")
    if aggregation not in ("day", "week", "month"):
        problems["aggregation"] = "must be day, week or month"
    if start and end and end < start:
        problems["date_to"] = "must not be before date_from"
    if problems or start is None or end is None:
        return error_response(400, "Invalid parameters: " + ", ".join(sorted(problems)), problems)
    return web.json_response({"items": commission_items(_reports(request).monthly, start, end, aggregation)})


def _derived_performance(state: SandboxState, days: int) -> list[dict[str, Any]]:
    """Each campaign's counters (kept for 30 days) scaled to the requested number of days."""
    factor = days / 30
    rows = []
    for campaign in state.campaigns:
        stats = state.performance.get(f"{campaign['product']}/{campaign['slug']}", {})
        trials = round(stats.get("trials", 0) * factor)
        rows.append(
            {
                # `slug`, `name` and `active` are sandbox extras beside the documented fields.
                "slug": campaign["slug"],
                "name": campaign["name"],
                "active": campaign["active"],
                "product": campaign["product"],
                "campaign_name": campaign["name"],
                "utm_campaign": campaign["slug"],
                "utm_medium": "",
                "utm_content": "",
                "utm_term": "",
                "clicks": round(stats.get("clicks", 0) * factor),
                "trials": trials,
                "qls": round(trials * 0.8),
                "paid": round(stats.get("paid", 0) * factor),
                "partners_referred": 0,
                "commission": round(stats.get("commission", 0.0) * factor, 2),
            }
        )
    return rows


async def get_performance(request: web.Request) -> web.Response:
    problems: dict[str, str] = {}
    start, end = _date_param(request, "date_from", problems), _date_param(request, "date_to", problems)
    if problems:
        return error_response(400, "Invalid parameters: " + ", ".join(sorted(problems)), problems)
    reports = _reports(request)
    if reports.performance_rows is not None:
        return result_response(reports.performance_rows)
    days = (end - start).days + 1 if start and end else 30
    if days < 1:
        return error_response(400, "Invalid parameters: date_to", {"date_to": "must not be before date_from"})
    return result_response(_derived_performance(_state(request), days))


def add_report_routes(app: web.Application) -> None:
    """Mount the routes (before `add_partners_routes`, whose older handlers these replace)."""
    # The same object as the state's, so a world restored into the state is what the routes serve.
    app[REPORTS_STATE] = app[SANDBOX_STATE].reports if SANDBOX_STATE in app else ReportsState()
    p = "/v2/partners"
    app.add_routes(
        [
            web.get(f"{p}/reports/commission", get_commission_report),
            web.get(f"{p}/affiliates/performance", get_performance),
        ]
    )
