"""Async client for LiveChat's Partner Program API.

One `aiohttp.ClientSession` for the process. GETs retry on 429, 5xx and connection errors with
exponential backoff and jitter (honouring `Retry-After`), at most `max_attempts` times; writes are
never retried automatically, since a timed-out POST may have been applied. The token lives only
in the request header and never in a log line, a repr or an exception.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import aiohttp
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError

from bot.partners.cache import SingleFlightCache
from bot.partners.errors import PartnersError, PartnersUnavailable, error_for_status
from bot.partners.models import Campaign, Coupon, Earnings, License, LicenseDetails, Profile, Withdrawal

log = logging.getLogger(__name__)

M = TypeVar("M")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0
MAX_API_MESSAGE = 300
SubscriptionPath = Literal["current", "2018"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`: Retry-After if given, else full jitter."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_details(body: Any) -> tuple[str | None, dict[str, str]]:
    """The API's message and per-field problems from an error body, in any of its shapes."""
    if not isinstance(body, dict):
        return None, {}
    error = body.get("error", body)
    if isinstance(error, str):
        return error, {}
    if not isinstance(error, dict):
        return None, {}
    message = error.get("message") or error.get("error_description") or body.get("message")
    raw_fields = error.get("fields") or body.get("fields") or {}
    if isinstance(raw_fields, list):
        fields = {str(f): "invalid" for f in raw_fields}
    elif isinstance(raw_fields, dict):
        fields = {str(k): str(v) for k, v in raw_fields.items()}
    else:
        fields = {}
    # The message ends up in Slack text (3,000 characters a section at most): keep it a sentence.
    text = str(message)[:MAX_API_MESSAGE] if message else None
    return text, {k[:100]: v[:MAX_API_MESSAGE] for k, v in list(fields.items())[:20]}


class PartnersClient:
    """Calls the Partner Program API; see `../shared/partners-api.md` for the endpoints."""

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

    # Account -----------------------------------------------------------------------------

    async def status(self) -> bool:
        """True when `GET /v2/partners/status` answers 200."""
        try:
            await self._request("GET", "/v2/partners/status", expect_json=False)
        except PartnersError:
            return False
        return True

    async def profile(self) -> Profile:
        return self._parse(Profile, await self._request("GET", "/v2/partners"))

    async def earnings(self, *, fresh: bool = False) -> Earnings:
        """Earnings, shared by concurrent callers and reused for `cache_seconds`."""
        if fresh:
            self.earnings_cache.invalidate("earnings")
        return await self.earnings_cache.get("earnings", self._fetch_earnings)

    async def _fetch_earnings(self) -> Earnings:
        return self._parse(Earnings, await self._request("GET", "/v2/partners/earnings"))

    async def coupons(self) -> list[Coupon]:
        """Coupons the partner may attach to LiveChat campaigns (cached for minutes)."""
        return await self.coupons_cache.get("coupons", self._fetch_coupons)

    async def _fetch_coupons(self) -> list[Coupon]:
        body = await self._request("GET", "/v2/partners/coupons")
        return self._parse(list[Coupon], self._result(body))

    async def withdrawals(self) -> list[Withdrawal]:
        body = await self._request("GET", "/v2/partners/withdrawals")
        return self._parse(list[Withdrawal], self._result(body))

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
        form: dict[str, str] = {"name": name}
        if link:
            form["link"] = link
        if trial_duration is not None:
            form["trial_duration"] = str(trial_duration)
        if coupon_id is not None:
            form["coupon_id"] = str(coupon_id)
        body = await self._request(
            "POST", "/v2/partners/affiliates/campaigns", params={"product": product}, form=form
        )
        return self._parse(Campaign, body)

    async def campaigns(self, state: Literal["active", "disabled"] | None = None) -> list[Campaign]:
        params = {"state": state} if state else None
        body = await self._request("GET", "/v2/partners/affiliates/campaigns", params=params)
        return self._parse(list[Campaign], self._result(body))

    async def disable_campaign(self, *, product: str, slug: str) -> None:
        await self._request(
            "DELETE",
            "/v2/partners/affiliates/campaigns",
            params={"product": product, "slug": slug},
            expect_json=False,
        )

    # Solution licenses and subscriptions -------------------------------------------------

    async def licenses(self) -> list[License]:
        body = await self._request("GET", "/v2/partners/solutions/licenses")
        return self._parse(list[License], self._result(body))

    async def license(self, license_id: str, product: str = "livechat") -> LicenseDetails:
        body = await self._request("GET", f"/v2/partners/solutions/licenses/{product}/{license_id}")
        return self._parse(LicenseDetails, body)

    async def create_subscription(
        self, license_id: str, *, token: SecretStr, plan: str, billing_cycle: str, seats: int
    ) -> dict[str, Any]:
        """Create the paid subscription; never retried (a timeout sets `maybe_applied`)."""
        if self.subscription_path == "2018":
            path = f"/v2/partners/resellers/licenses/{license_id}/subscription"
        else:
            path = f"/v2/partners/solutions/licenses/livechat/{license_id}/subscription"
        form = {
            "token": token.get_secret_value(),
            "plan": plan,
            "billing_cycle": billing_cycle,
            "seats": str(seats),
        }
        body = await self._request("POST", path, form=form)
        return body if isinstance(body, dict) else {}

    # Plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _result(body: Any) -> Any:
        if isinstance(body, dict) and "result" in body:
            return body["result"]
        return body

    @staticmethod
    def _parse(model: type[M] | Any, body: Any) -> M:
        try:
            if isinstance(model, type) and issubclass(model, BaseModel):
                return model.model_validate(body)  # type: ignore[return-value]
            return TypeAdapter(model).validate_python(body)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "body"
            raise PartnersUnavailable(
                f"The Partners API sent an answer the bot does not understand ({where}: {problem['msg']})",
                # The call succeeded (2xx) with a body of the wrong shape: not transient, not "down".
                status=200,
            ) from None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.get_secret_value()}", "Accept": "application/json"}

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        expect_json: bool = True,
    ) -> Any:
        if self._session is None:
            await self.start()
        assert self._session is not None
        retries = method == "GET"
        attempts = self.retry.max_attempts if retries else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._send(method, path, params, form, expect_json)
            except PartnersUnavailable as exc:
                transient = exc.status is None or exc.status in RETRYABLE_STATUSES
                if not (retries and transient) or attempt == attempts or exc.status == 200:
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
        expect_json: bool,
    ) -> Any:
        assert self._session is not None
        self.requests_sent += 1
        url = self.base_url + path
        try:
            async with self._session.request(
                method, url, params=params, data=form, headers=self._headers(), timeout=self.timeout
            ) as response:
                text = await response.text()
                status = response.status
                retry_after = _retry_after(response.headers)
        except TimeoutError:
            raise PartnersUnavailable(
                f"The Partners API did not answer {method} {path} in time", maybe_applied=method != "GET"
            ) from None
        except aiohttp.ClientError as exc:
            raise PartnersUnavailable(
                f"Could not reach the Partners API ({type(exc).__name__})",
                # Only a refused connection proves the write never left; any later failure may not.
                maybe_applied=method != "GET" and not isinstance(exc, aiohttp.ClientConnectorError),
            ) from None

        body: Any = None
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                body = None
                if status < 400 and expect_json:
                    raise PartnersUnavailable(
                        f"The Partners API answered {method} {path} with something that is not JSON",
                        status=status,
                    ) from None
        if status >= 400:
            api_message, fields = _error_details(body)
            message = api_message or f"The Partners API answered {method} {path} with HTTP {status}"
            error = error_for_status(status, message, fields)
            if isinstance(error, PartnersUnavailable):
                error.retry_after = retry_after
            raise error
        if expect_json and body is None:
            raise PartnersUnavailable(
                f"The Partners API sent an empty answer to {method} {path}", status=status
            )
        return body
