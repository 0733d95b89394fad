"""Async client for LiveChat's Partner Program API (shapes: docs/partners-api.md).

One `aiohttp.ClientSession` for the process. GETs retry on 429, 5xx and connection errors with
exponential backoff and jitter (honouring `Retry-After`), at most `max_attempts` times; writes are
never retried automatically, since a timed-out POST may have been applied, and never follow a
redirect (a 3xx on a write is an error that changed nothing). The token lives only in the request
header and never in a log line, a repr or an exception; API error bodies are never passed on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

import aiohttp
from pydantic import SecretStr, ValidationError

from bot.partners.cache import SingleFlightCache
from bot.partners.errors import (
    PartnersAppliedUnreadable,
    PartnersError,
    PartnersUnavailable,
    error_for_status,
)
from bot.partners.models import (
    Campaign,
    CampaignSearchPage,
    Coupon,
    Earnings,
    License,
    LicenseDetails,
    Profile,
)
from bot.partners.reports import (
    Balance,
    CampaignPerformance,
    CommissionMetric,
    CommissionReport,
    Invoice,
    LicenseCounts,
    SolutionSummary,
    Stats,
    StatusLicensePage,
    Withdrawal,
)
from bot.partners.transport import (
    RETRYABLE_STATUSES,
    RetryPolicy,
    answer_error,
    parse_body,
    result_of,
    retry_after_seconds,
)
from bot.partners.wire import WriteOutcome, WriteResult, api_instant, match_slug, query_params

log = logging.getLogger(__name__)

SEARCH_PAGE_SIZE = 15
MAX_SEARCH_PAGES = 20
SubscriptionPath = Literal["current", "2018"]
PRODUCT_HOMEPAGES = {
    "livechat": "https://www.livechat.com/",
    "chatbot": "https://www.chatbot.com/",
    "helpdesk": "https://www.helpdesk.com/",
    "partner_program": "https://partners.livechat.com/",
}


class PartnersClient:
    """Calls the Partner Program API; see docs/partners-api.md for the endpoints and shapes."""

    def __init__(
        self,
        base_url: str,
        token: SecretStr | str,
        *,
        connect_timeout: float = 3.0,
        total_timeout: float = 10.0,
        cache_seconds: float = 30.0,
        retry: RetryPolicy | None = None,
        subscription_path: SubscriptionPath = "current",
        session: aiohttp.ClientSession | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        self.timeout = aiohttp.ClientTimeout(total=total_timeout, connect=connect_timeout)
        self.retry = retry or RetryPolicy()
        self.subscription_path = subscription_path
        self._session = session
        self._owns_session = session is None
        self.earnings_cache: SingleFlightCache[Earnings] = SingleFlightCache(cache_seconds)
        self.coupons_cache: SingleFlightCache[list[Coupon]] = SingleFlightCache(max(cache_seconds, 300.0))
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"PartnersClient(base_url={self.base_url!r})"

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    # Account and money -------------------------------------------------------------------

    async def status(self) -> bool:
        """True when `GET /v2/partners/status` answers 200."""
        try:
            await self._request("GET", "/v2/partners/status", expect_json=False)
        except PartnersError:
            return False
        return True

    async def profile(self) -> Profile:
        return parse_body(Profile, await self._request("GET", "/v2/partners"))

    async def earnings(self, *, fresh: bool = False) -> Earnings:
        """Earnings, shared by concurrent callers and reused for `cache_seconds`."""
        if fresh:
            self.earnings_cache.invalidate("earnings")
        return await self.earnings_cache.get("earnings", self._fetch_earnings)

    async def _fetch_earnings(self) -> Earnings:
        return parse_body(Earnings, await self._request("GET", "/v2/partners/earnings"))

    async def balance(self) -> Balance:
        return parse_body(Balance, await self._request("GET", "/v2/partners/balance"))

    async def coupons(self) -> list[Coupon]:
        """Coupons the partner may attach to LiveChat campaigns (cached for minutes)."""
        return await self.coupons_cache.get("coupons", self._fetch_coupons)

    async def _fetch_coupons(self) -> list[Coupon]:
        body = await self._request("GET", "/v2/partners/coupons")
        return parse_body(list[Coupon], result_of(body))

    async def withdrawals(
        self, date_from: date | str | None = None, date_to: date | str | None = None
    ) -> list[Withdrawal]:
        params = query_params(date_from=date_from, date_to=date_to)
        body = await self._request("GET", "/v2/partners/withdrawals", params=params or None)
        return parse_body(list[Withdrawal], result_of(body))

    async def request_withdrawal(self) -> Withdrawal | None:
        """Ask for a payout of the available balance (no body). None when the 2xx had no readable body.

        Never retried: a timeout sets `maybe_applied`; re-read `withdrawals()` before asking again.
        """
        result = await self._write("POST", "/v2/partners/withdrawals")
        if isinstance(result.body, dict):
            try:
                return Withdrawal.model_validate(result.body)
            except ValidationError:
                log.warning(
                    "withdrawal requested (HTTP %s) but its answer is not a withdrawal", result.status
                )
        return None

    async def commission_report(
        self,
        date_from: datetime | str,
        date_to: datetime | str,
        aggregation: Literal["day", "week", "month"] = "month",
        filters: list[dict[str, str]] | None = None,
    ) -> CommissionReport:
        """Commission history; `date_*` sent as `YYYY-MM-DDTHH:mm:ssZ` (datetimes in UTC)."""
        params = query_params(
            date_from=api_instant(date_from), date_to=api_instant(date_to), aggregation=aggregation
        )
        if filters:
            params["filters"] = json.dumps(filters, separators=(",", ":"))
        body = await self._request("GET", "/v2/partners/reports/commission", params=params)
        return parse_body(CommissionReport, body)

    async def commission_metric(
        self,
        date_from: str,
        date_to: str,
        product: Literal["livechat", "chatbot", "helpdesk", "all"] = "all",
        program: Literal["solution", "affiliate", "all"] = "all",
    ) -> CommissionMetric:
        params = query_params(date_from=date_from, date_to=date_to, product=product, program=program)
        body = await self._request("GET", "/v2/partners/metrics/commission", params=params)
        return parse_body(CommissionMetric, body)

    async def stats(self) -> Stats:
        return parse_body(Stats, await self._request("GET", "/v2/partners/stats"))

    # Affiliate campaigns -----------------------------------------------------------------

    async def create_campaign(
        self,
        *,
        product: str,
        name: str,
        link: str | None = None,
        trial_duration: int | None = None,
        coupon_id: int | None = None,
    ) -> Campaign:
        """Create a campaign; `link` is always sent (today's docs require it): the homepage if empty."""
        form: dict[str, str] = {"name": name, "link": link or PRODUCT_HOMEPAGES.get(product, "")}
        if trial_duration is not None:
            form["trial_duration"] = str(trial_duration)
        if coupon_id is not None:
            form["coupon_id"] = str(coupon_id)
        result = await self._write(
            "POST", "/v2/partners/affiliates/campaigns", params={"product": product}, form=form
        )
        body = result.body
        if isinstance(body, dict) and "product" not in body:
            body = {**body, "product": product}  # the 2018 answer had no product
        try:
            return parse_body(Campaign, body)
        except PartnersUnavailable:
            # A 2xx means it exists: never report an unreadable answer as "not created".
            raise PartnersAppliedUnreadable(
                f"LiveChat created the campaign (HTTP {result.status}) but its answer could not be read",
                status=result.status,
            ) from None

    async def campaigns(self, state: Literal["active", "disabled"] | None = None) -> list[Campaign]:
        """Campaigns in `state`; the API answers only active ones when no state is sent."""
        params = {"state": state} if state else None
        body = await self._request("GET", "/v2/partners/affiliates/campaigns", params=params)
        return parse_body(list[Campaign], result_of(body))

    async def all_campaigns(self) -> list[Campaign]:
        """Active and disabled campaigns (two calls: without `state` the API answers active ones only)."""
        active, disabled = await asyncio.gather(self.campaigns("active"), self.campaigns("disabled"))
        return [*active, *(c.model_copy(update={"active": False}) for c in disabled)]

    async def search_campaigns(
        self, *, page: int = 1, state: Literal["active", "archived"] | None = None, product: str | None = None
    ) -> CampaignSearchPage:
        params = query_params(
            page=page, state=state, product=product, sort_by="creation_timestamp", sort_order="desc"
        )
        body = await self._request("GET", "/v2/partners/affiliates/campaigns/search", params=params)
        return parse_body(CampaignSearchPage, body)

    async def find_campaign_id(self, *, product: str, slug: str) -> int | None:
        """The id of the active campaign with `slug` (the list gives no ids), walking search pages."""
        for page in range(1, MAX_SEARCH_PAGES + 1):
            found = await self.search_campaigns(page=page, state="active", product=product)
            hit = match_slug(found.results, product, slug)
            if hit is not None:
                return hit.id
            if not found.results or page * max(found.limit, 1) >= found.total:
                return None
        return None

    async def disable_campaign(self, *, product: str, slug: str) -> None:
        """Disable by id (`DELETE …/campaigns/<id>`); the id comes from `search`, matched by slug.

        A slug no search page shows is reported like the API's own 403 (unknown or already disabled).
        """
        campaign_id = await self.find_campaign_id(product=product, slug=slug)
        if campaign_id is None:
            raise error_for_status(403)
        await self._write("DELETE", f"/v2/partners/affiliates/campaigns/{campaign_id}")

    async def performance(self, date_from: date | str, date_to: date | str) -> list[CampaignPerformance]:
        params = query_params(date_from=date_from, date_to=date_to)
        body = await self._request("GET", "/v2/partners/affiliates/performance", params=params)
        return parse_body(list[CampaignPerformance], result_of(body))

    async def affiliate_summary(self) -> LicenseCounts:
        return parse_body(LicenseCounts, await self._request("GET", "/v2/partners/affiliates/summary"))

    # Solution licenses and subscriptions -------------------------------------------------

    async def licenses(
        self, date_from: date | str | None = None, date_to: date | str | None = None
    ) -> list[License]:
        params = query_params(date_from=date_from, date_to=date_to)
        body = await self._request("GET", "/v2/partners/solutions/licenses", params=params or None)
        return parse_body(list[License], result_of(body))

    async def licenses_by_status(
        self,
        status: Literal["paid", "trial", "expired"],
        *,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        limit: int = 15,
        next_cursor: str | None = None,
    ) -> StatusLicensePage:
        params = query_params(
            date_from=date_from, date_to=date_to, limit=min(limit, 15), next_cursor=next_cursor
        )
        body = await self._request("GET", f"/v2/partners/solutions/licenses/{status}", params=params)
        return parse_body(StatusLicensePage, body)

    async def license_counts(
        self, date_from: date | str | None = None, date_to: date | str | None = None
    ) -> LicenseCounts:
        params = query_params(date_from=date_from, date_to=date_to)
        body = await self._request("GET", "/v2/partners/solutions/licenses/count", params=params or None)
        return parse_body(LicenseCounts, body)

    async def solution_summary(self) -> SolutionSummary:
        return parse_body(SolutionSummary, await self._request("GET", "/v2/partners/solutions/summary"))

    async def license(self, license_id: str, product: str = "livechat") -> LicenseDetails:
        body = await self._request("GET", f"/v2/partners/solutions/licenses/{product}/{license_id}")
        return parse_body(LicenseDetails, body)

    async def invoices(self, license_id: str) -> list[Invoice]:
        body = await self._request("GET", f"/v2/partners/solutions/licenses/{license_id}/invoices")
        return parse_body(list[Invoice], result_of(body))

    async def create_subscription(
        self, license_id: str, *, token: SecretStr, plan: str, billing_cycle: str, seats: int
    ) -> WriteResult:
        """Create the paid subscription: a JSON body (today's docs) answered by 201 with no body.

        `PARTNERS_SUBSCRIPTION_PATH=2018` uses the 2018 path with a form body. Never retried (a
        timeout sets `maybe_applied`); a 3xx raises `PartnersRedirected` (nothing was created).
        """
        fields = {"token": token.get_secret_value(), "plan": plan, "billing_cycle": billing_cycle}
        if self.subscription_path == "2018":
            path = f"/v2/partners/resellers/licenses/{license_id}/subscription"
            return await self._write("POST", path, form={**fields, "seats": str(seats)})
        path = f"/v2/partners/solutions/licenses/livechat/{license_id}/subscription"
        return await self._write("POST", path, json_body={**fields, "seats": seats})

    # Plumbing ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.get_secret_value()}", "Accept": "application/json"}

    async def _write(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> WriteResult:
        """One attempt at a write; only a 2xx returns, and says whether it created something."""
        status, body = await self._send(method, path, params, form, json_body, expect_json=False)
        outcome = WriteOutcome.CREATED if status == 201 else WriteOutcome.APPLIED
        return WriteResult(outcome, status, body)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        expect_json: bool = True,
    ) -> Any:
        """A read, retried on transient failures; its JSON body."""
        if self._session is None:
            await self.start()
        attempts = self.retry.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                _, body = await self._send(method, path, params, None, None, expect_json=expect_json)
                return body
            except PartnersUnavailable as exc:
                transient = exc.status is None or exc.status in RETRYABLE_STATUSES
                if not transient or attempt == attempts:
                    raise
                delay = self.retry.delay(attempt, exc.retry_after)
                log.warning(
                    "Partners API %s %s failed (%s); retry %d/%d in %.2fs",
                    method,
                    path,
                    exc.message,
                    attempt,
                    attempts - 1,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        form: Mapping[str, str] | None,
        json_body: Mapping[str, Any] | None,
        *,
        expect_json: bool,
    ) -> tuple[int, Any]:
        if self._session is None:
            await self.start()
        assert self._session is not None
        self.requests_sent += 1
        write = method != "GET"
        try:
            async with self._session.request(
                method,
                self.base_url + path,
                params=params,
                data=form,
                json=json_body,
                headers=self._headers(),
                timeout=self.timeout,
                # A redirected write could land anywhere (and resend the card token): never follow.
                allow_redirects=not write,
            ) as response:
                text = await response.text(errors="replace")
                status = response.status
                retry_after = retry_after_seconds(response.headers)
        except TimeoutError:
            raise PartnersUnavailable(
                f"The Partners API did not answer {method} {path} in time", maybe_applied=write
            ) from None
        except aiohttp.ClientError as exc:
            raise PartnersUnavailable(
                f"Could not reach the Partners API ({type(exc).__name__})",
                # Only a refused connection proves the write never left; any later failure may not.
                maybe_applied=write and not isinstance(exc, aiohttp.ClientConnectorError),
            ) from None

        body: Any = None
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                body = None
        if not 200 <= status < 300:
            raise answer_error(method, path, status, text, body, retry_after)
        if expect_json and body is None:
            problem = (
                f"sent an empty answer to {method} {path}"
                if not text.strip()
                else f"answered {method} {path} with something that is not JSON"
            )
            raise PartnersUnavailable(f"The Partners API {problem}", status=200)
        return status, body
