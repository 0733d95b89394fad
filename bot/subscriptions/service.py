"""Creating one subscription exactly once: re-check, card → token, POST, and settle the outcome.

Two claims guard the POST (see `bot.storage.idempotency`):
- `subscription_request/<request id>`: the same confirmation arriving twice (double click, Slack
  retry) runs once; the duplicate waits for and reports the same result.
- `subscription/<license id>`: one attempt per license at a time across admins and replicas. It is
  written before the POST, released only when the API proves nothing was created, kept `done` after a
  creation, and kept `unknown` when the POST's fate is unknown (timeout, 5xx): then no new POST goes out
  until LiveChat shows the subscription (→ exists) or `unknown_grace` passes with the license still
  unpaid. A `pending` claim left by a process that died (taken over after 5 minutes) may hide a POST
  that went out, so it is settled the same way: re-read, and `unknown` unless LiveChat shows it paid.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import SecretStr

from bot.clock import Clock
from bot.partners import (
    PartnersClient,
    PartnersConflict,
    PartnersError,
    PartnersNotFound,
    PartnersUnavailable,
    PartnersValidationError,
)
from bot.recurly import RecurlyError
from bot.storage import Claim, ClaimState, IdempotencyStore
from bot.subscriptions.audit import AuditLog
from bot.subscriptions.orders import Order
from bot.vault import Card, CardVault, VaultError, VaultKeyError

log = logging.getLogger(__name__)

LICENSE_SCOPE = "subscription"
REQUEST_SCOPE = "subscription_request"


class Outcome(StrEnum):
    CREATED = "created"
    ALREADY = "already_subscribed"
    NOT_FOUND = "not_found"
    NOT_SUBSCRIBABLE = "not_subscribable"
    INVALID = "invalid"
    CARD_ERROR = "card_error"
    VAULT_ERROR = "vault_error"
    UNKNOWN = "unknown"
    NOT_CREATED = "not_created"
    BUSY = "in_progress"
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    """How an attempt ended; `detail` is a safe sentence for people, `fields` the API's complaints."""

    outcome: Outcome
    detail: str
    api_status: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    card_last4: str = ""
    request_id: str = ""
    user_id: str = ""
    at: str = ""
    # True only for the call that did the work (it posts the success note; duplicates do not).
    fresh: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data.pop("fresh")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Result | None:
        if not data or "outcome" not in data:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "fresh"}
        return cls(**{**known, "outcome": Outcome(data["outcome"])})


Tokenize = Callable[[Card], Awaitable[SecretStr]]
Hook = Callable[[], Awaitable[None]]


class SubscriptionService:
    """Everything between "Confirm" and the answer; knows nothing about Slack."""

    def __init__(
        self,
        *,
        partners: PartnersClient,
        vault: Callable[[], CardVault],
        tokenize: Tokenize,
        claims: IdempotencyStore,
        audit: AuditLog,
        clock: Clock,
        wait_seconds: float = 25.0,
        poll_interval: float = 0.2,
        verify_seconds: float = 30.0,
        verify_interval: float = 2.0,
        unknown_grace: timedelta = timedelta(minutes=15),
        error_text: Callable[[PartnersError], str] = lambda exc: exc.message,
    ):
        self.partners = partners
        self.vault = vault
        self.tokenize = tokenize
        self.claims = claims
        self.audit = audit
        self.clock = clock
        self.wait_seconds = wait_seconds
        self.poll_interval = poll_interval
        self.verify_seconds = verify_seconds
        self.verify_interval = verify_interval
        self.unknown_grace = unknown_grace
        self.error_text = error_text

    async def subscribe(self, order: Order, user_id: str, *, on_unknown: Hook | None = None) -> Result:
        """Run the order once per request id; a duplicate gets the first run's result."""
        ran: Result | None = None

        async def work() -> dict[str, Any]:
            nonlocal ran
            try:
                result = await self._audited(order, user_id, on_unknown)
            except Exception:
                log.exception("subscription for license %s failed unexpectedly", order.license_id)
                result = Result(Outcome.FAILED, "Something went wrong on our side and it has been logged.")
            ran = replace(result, request_id=order.request_id, fresh=True)
            return ran.to_json()

        # No settle_takeover: a request taken over from a dead process runs again, and the license
        # claim it then meets (taken over too) is what re-reads LiveChat instead of POSTing.
        recorded = await self.claims.run_once(
            REQUEST_SCOPE,
            order.request_id,
            work,
            wait_seconds=self.wait_seconds,
            poll_seconds=self.poll_interval,
        )
        if ran is not None:
            return ran
        log.info("duplicate confirmation %s for license %s", order.request_id, order.license_id)
        return Result.from_json(recorded) or Result(Outcome.BUSY, BUSY_TEXT, request_id=order.request_id)

    async def record_refusal(self, order: Order, user_id: str) -> None:
        """Audit a confirmation by someone who is not an admin (nothing else happens)."""
        attempt = await self.audit.start(order, user_id, outcome="refused")
        await self.audit.finish(attempt, "refused", None, "not in ADMIN_USER_IDS")

    # --- one attempt ----------------------------------------------------------------------------

    async def _audited(self, order: Order, user_id: str, on_unknown: Hook | None) -> Result:
        attempt = await self.audit.start(order, user_id)
        result = Result(Outcome.FAILED, "Something went wrong on our side and it has been logged.")
        try:
            result = await self._claim_and_run(order, user_id, attempt, on_unknown)
            return result
        finally:
            await self.audit.finish(attempt, result.outcome.value, result.api_status, result.detail)

    async def _claim_and_run(
        self, order: Order, user_id: str, attempt: int, on_unknown: Hook | None
    ) -> Result:
        for _ in range(3):
            claim = await self.claims.claim(LICENSE_SCOPE, order.license_id)
            if claim.won and claim.taken_over:
                return await self._settle_takeover(order, claim.owner, user_id)
            if claim.won:
                return await self._run(order, user_id, attempt, claim.owner, on_unknown)
            settled = await self._settle_existing(order, claim)
            if settled is not None:
                return settled
            # The earlier claim was given up (it proved nothing was created): compete again.
        return Result(Outcome.BUSY, "Another attempt for this license is running; try again in a minute.")

    async def _run(
        self, order: Order, user_id: str, attempt: int, owner: str, on_unknown: Hook | None
    ) -> Result:
        """We hold the license claim: every path either records the outcome or gives the claim back."""
        posting: list[bool] = []
        try:
            return await self._checks_then_post(order, user_id, attempt, owner, on_unknown, posting)
        except BaseException:
            # Unexpected: give the claim back only if the POST never went out, else its fate is unknown.
            if posting:
                await self._keep_unknown(order, owner, user_id, None)
            else:
                await self.claims.release(LICENSE_SCOPE, order.license_id, owner)
            raise

    async def _checks_then_post(
        self,
        order: Order,
        user_id: str,
        attempt: int,
        owner: str,
        on_unknown: Hook | None,
        posting: list[bool],
    ) -> Result:
        async def give_up(result: Result) -> Result:
            await self.claims.release(LICENSE_SCOPE, order.license_id, owner)
            return result

        # Right before paying, the license must still be a subscribable trial.
        try:
            details = await self.partners.license(order.license_id)
        except PartnersNotFound as exc:
            return await give_up(Result(Outcome.NOT_FOUND, NOT_FOUND_TEXT, exc.status))
        except PartnersError as exc:
            return await give_up(Result(Outcome.FAILED, self.error_text(exc), exc.status))
        if details.paid:
            return await give_up(Result(Outcome.ALREADY, ALREADY_TEXT))
        if not details.subscribable:
            return await give_up(Result(Outcome.NOT_SUBSCRIBABLE, NOT_SUBSCRIBABLE_TEXT))

        try:
            card = await self.vault().get(order.card_label)
        except (VaultError, VaultKeyError) as exc:
            return await give_up(Result(Outcome.VAULT_ERROR, str(exc)))
        last4 = card.last4
        await self.audit.set_card(attempt, last4)

        try:
            token = await self.tokenize(card)
        except RecurlyError as exc:
            log.info("Recurly refused the card for license %s: %r", order.license_id, exc)
            return await give_up(Result(Outcome.CARD_ERROR, exc.user_text, exc.status, card_last4=last4))
        del card

        posting.append(True)
        try:
            await self.partners.create_subscription(
                order.license_id,
                token=token,
                plan=order.plan,
                billing_cycle=order.billing_cycle,
                seats=order.seats,
            )
        except PartnersConflict as exc:
            # It exists (an earlier attempt whose answer was lost, or someone outside the bot).
            result = Result(Outcome.ALREADY, ALREADY_TEXT, exc.status, card_last4=last4)
            await self._record_done(order, owner, result)
            return result
        except PartnersNotFound as exc:
            return await give_up(Result(Outcome.NOT_FOUND, NOT_FOUND_TEXT, exc.status, card_last4=last4))
        except PartnersValidationError as exc:
            result = Result(
                Outcome.INVALID, invalid_text(exc), exc.status, dict(exc.fields), card_last4=last4
            )
            return await give_up(result)
        except PartnersUnavailable as exc:
            log.warning("subscription POST for license %s has an unknown outcome: %r", order.license_id, exc)
            if on_unknown is not None:
                try:
                    await on_unknown()
                except Exception:
                    log.exception("could not show the 'checking' state")
            return await self._verify(order, owner, user_id, exc.status, last4)
        except PartnersError as exc:
            return await give_up(Result(Outcome.FAILED, self.error_text(exc), exc.status, card_last4=last4))
        result = Result(Outcome.CREATED, CREATED_TEXT, 201, card_last4=last4, user_id=user_id, at=self._now())
        await self._record_done(order, owner, result)
        return result

    async def _settle_takeover(self, order: Order, owner: str, user_id: str) -> Result:
        """A process died holding the license claim, perhaps mid-POST: never POST blindly after it.

        Like an unknown outcome: LiveChat showing the license paid settles it; otherwise the claim
        becomes `unknown` and the usual grace period starts before anyone may POST again.
        """
        paid = await self._is_paid(order.license_id)
        if paid:
            result = Result(Outcome.ALREADY, "LiveChat confirms this license has a subscription now.")
            await self._record_done(order, owner, result)
            return result
        log.warning("license %s: took over a claim left by a stopped process; not posting", order.license_id)
        earlier = Result(Outcome.UNKNOWN, UNKNOWN_TEXT, user_id=user_id, at=self._now())
        await self.claims.finish(
            LICENSE_SCOPE, order.license_id, owner, state=ClaimState.UNKNOWN, result=earlier.to_json()
        )
        return Result(Outcome.UNKNOWN, STILL_UNKNOWN_TEXT)

    async def _verify(self, order: Order, owner: str, user_id: str, status: int | None, last4: str) -> Result:
        """After an unknown outcome, watch the license for a while; never POST again meanwhile."""
        deadline = asyncio.get_running_loop().time() + self.verify_seconds
        while True:
            paid = await self._is_paid(order.license_id)
            if paid:
                result = Result(
                    Outcome.CREATED,
                    CREATED_CONFIRMED_TEXT,
                    status,
                    card_last4=last4,
                    user_id=user_id,
                    at=self._now(),
                )
                await self._record_done(order, owner, result)
                return result
            if asyncio.get_running_loop().time() + self.verify_interval > deadline:
                break
            await asyncio.sleep(self.verify_interval)
        return await self._keep_unknown(order, owner, user_id, status, last4)

    async def _keep_unknown(
        self, order: Order, owner: str, user_id: str, status: int | None, last4: str = ""
    ) -> Result:
        result = Result(
            Outcome.UNKNOWN, UNKNOWN_TEXT, status, card_last4=last4, user_id=user_id, at=self._now()
        )
        await self.claims.finish(
            LICENSE_SCOPE, order.license_id, owner, state=ClaimState.UNKNOWN, result=result.to_json()
        )
        return result

    async def _record_done(self, order: Order, owner: str, result: Result) -> None:
        data = {**result.to_json(), "request_id": order.request_id}
        await self.claims.finish(LICENSE_SCOPE, order.license_id, owner, state=ClaimState.DONE, result=data)

    async def _is_paid(self, license_id: str) -> bool | None:
        """True/False from LiveChat; None when it cannot be read right now."""
        try:
            return (await self.partners.license(license_id)).paid
        except PartnersError as exc:
            log.warning("re-reading license %s failed: %r", license_id, exc)
            return None

    # --- somebody else holds the license claim -------------------------------------------------

    async def _settle_existing(self, order: Order, claim: Claim) -> Result | None:
        """The answer when another attempt holds the claim; None when it was released (compete again)."""
        if claim.state == ClaimState.PENDING:
            settled = await self.claims.wait_settled(
                LICENSE_SCOPE,
                order.license_id,
                wait_seconds=self.wait_seconds,
                poll_seconds=self.poll_interval,
            )
            if settled is None:
                return None
            if settled.state == ClaimState.PENDING:
                return Result(Outcome.BUSY, BUSY_TEXT)
            claim = settled
        earlier = Result.from_json(claim.result)
        if claim.state == ClaimState.DONE:
            by = f" by <@{earlier.user_id}>" if earlier and earlier.user_id else ""
            return Result(
                Outcome.ALREADY, f"This license already has a subscription{by} — nothing was sent again."
            )
        if claim.state == ClaimState.UNKNOWN:
            paid = await self._is_paid(order.license_id)
            if paid:
                confirmed = Result(Outcome.ALREADY, "LiveChat confirms this license has a subscription now.")
                await self.claims.finish(
                    LICENSE_SCOPE,
                    order.license_id,
                    claim.owner,
                    state=ClaimState.DONE,
                    result=confirmed.to_json(),
                )
                return confirmed
            since = _parse_time(earlier.at) if earlier else None
            if paid is False and (since is None or self.clock.now() - since >= self.unknown_grace):
                log.info(
                    "license %s: unknown outcome outlived the grace period unpaid; trying again",
                    order.license_id,
                )
                await self.claims.release(LICENSE_SCOPE, order.license_id, claim.owner)
                return None
            return Result(Outcome.UNKNOWN, STILL_UNKNOWN_TEXT)
        return None

    def _now(self) -> str:
        return self.clock.now().isoformat()


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def invalid_text(exc: PartnersValidationError) -> str:
    if exc.fields:
        named = "; ".join(f"{name}: {problem}" for name, problem in exc.fields.items())
        return f"LiveChat rejected the request — {named}."
    return f"LiveChat rejected the request: {exc.message}"


CREATED_TEXT = "The subscription was created."
CREATED_CONFIRMED_TEXT = "The subscription was created (LiveChat confirmed it after a slow answer)."
ALREADY_TEXT = "This license is already subscribed — nothing was charged again."
NOT_FOUND_TEXT = "LiveChat could not find this license (license not found). It may have been removed."
NOT_SUBSCRIBABLE_TEXT = (
    "This license can no longer be subscribed by the partner (it is blocked, inactive or paid by the client)."
)
BUSY_TEXT = (
    "Another attempt for this license is still running (or was interrupted moments ago), so nothing "
    "more was sent. Its result is posted in the channel; if none appears, try again in a few minutes."
)
UNKNOWN_TEXT = (
    "Not confirmed yet — LiveChat did not answer in time and does not show the subscription yet. "
    "The bot will not send it again; run /subscribe in a few minutes to check."
)
STILL_UNKNOWN_TEXT = (
    "An earlier attempt for this license is not confirmed yet, so the bot will not send another one. "
    "Try again in a few minutes."
)
