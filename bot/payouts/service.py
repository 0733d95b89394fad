"""Requesting one payout exactly once: claim, re-check the balance, POST, settle the outcome.

Two claims (bot/storage/idempotency.py) are written before the POST:
- `payout_request/<request id>`: the same confirmation arriving twice (double click, Slack retry)
  runs once; the duplicate waits for and reports the first run's result.
- `payout/<UTC date>/<available balance>`: two confirmations of the same balance on the same day
  (two admins, two replicas) send one POST. Kept `done` after a payout (the balance then changes,
  so a later payout gets a new key), released only when LiveChat proves nothing was requested
  (403, 409, 400, a refused connection), kept `unknown` when the POST's fate is open (timeout,
  5xx, redirect). Then `/withdrawals` is re-read: a pending withdrawal that was not there before
  the claim means it went through; until one shows up or `unknown_grace` passes, nothing is sent.
A `pending` claim left by a process that was killed mid-POST is taken over after five minutes and
settled the same way: re-read first, never POST blindly.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from bot.clock import Clock
from bot.partners import (
    PartnersClient,
    PartnersConflict,
    PartnersError,
    PartnersForbidden,
    PartnersUnavailable,
)
from bot.partners.payouts import MINIMUM_WITHDRAWAL, newest_first
from bot.partners.reports import Withdrawal
from bot.payouts.audit import PayoutAudit
from bot.storage import Claim, Database, IdempotencyStore
from bot.storage.idempotency import IdempotencyKey

log = logging.getLogger(__name__)

REQUEST_SCOPE = "payout_request"
PAYOUT_SCOPE = "payout"
# A withdrawal requested this long before the claim still counts as "since the claim" (clock skew).
SKEW = timedelta(minutes=2)


class Outcome(StrEnum):
    REQUESTED = "requested"
    BELOW_MINIMUM = "below_minimum"
    NO_BILLING = "no_billing"
    BALANCE_CHANGED = "balance_changed"
    ALREADY = "already_requested"
    UNKNOWN = "unknown"
    BUSY = "in_progress"
    FAILED = "failed"


@dataclass(frozen=True)
class PayoutResult:
    """How a confirmation ended; `detail` is a safe sentence for people."""

    outcome: Outcome
    detail: str
    api_status: int | None = None
    amount: str = ""
    withdrawal_id: int | None = None
    user_id: str = ""
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "outcome": self.outcome.value}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PayoutResult | None:
        if not data or "outcome" not in data:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "outcome": Outcome(data["outcome"])})


def payout_key(day: str, amount: Decimal) -> str:
    return f"{day}/{amount.quantize(Decimal('0.01'))}"


class PayoutService:
    """Everything between **Confirm** and the answer; knows nothing about Slack."""

    def __init__(
        self,
        *,
        partners: PartnersClient,
        db: Database,
        clock: Clock,
        wait_seconds: float = 25.0,
        poll_interval: float = 0.2,
        unknown_grace: timedelta = timedelta(minutes=15),
        stale_after: timedelta = timedelta(minutes=5),
    ):
        self.partners = partners
        self.db = db
        self.clock = clock
        self.claims = IdempotencyStore(db, clock, stale_after=stale_after)
        self.audit = PayoutAudit(db, clock)
        self.wait_seconds = wait_seconds
        self.poll_interval = poll_interval
        self.unknown_grace = unknown_grace

    async def confirm(self, request_id: str, amount: Decimal, user_id: str) -> PayoutResult:
        """Run the confirmation once per request id; a duplicate gets the first run's result."""
        request = await self.claims.claim(REQUEST_SCOPE, request_id)
        if not request.won:
            log.info("duplicate payout confirmation %s", request_id)
            return await self._wait_for_request(request_id)
        attempt = await self.audit.start(request_id, user_id, amount)
        result = PayoutResult(Outcome.FAILED, FAILED_TEXT)
        try:
            result = await self._claim_and_run(amount, user_id)
        except Exception:
            log.exception("payout confirmation %s failed unexpectedly", request_id)
        finally:
            await self.audit.finish(
                attempt, result.outcome.value, result.api_status, result.detail, result.withdrawal_id
            )
            await self.claims.finish(
                REQUEST_SCOPE, request_id, request.owner, state="done", result=result.to_json()
            )
        return result

    async def record_refusal(self, request_id: str, user_id: str, amount: Decimal) -> None:
        """Audit a confirmation by someone who is not an admin (nothing is sent)."""
        attempt = await self.audit.start(request_id, user_id, amount, outcome="refused")
        await self.audit.finish(attempt, "refused", None, "not in ADMIN_USER_IDS")

    # --- the day/balance claim ---------------------------------------------------------------

    async def _claim_and_run(self, amount: Decimal, user_id: str) -> PayoutResult:
        key = payout_key(self.clock.now().date().isoformat(), amount)
        for _ in range(3):
            claim = await self.claims.claim(PAYOUT_SCOPE, key)
            if claim.won and claim.taken_over:
                return await self._settle_open(key, claim.owner, user_id, amount, await self._claimed_at(key))
            if claim.won:
                return await self._run(key, claim.owner, amount, user_id)
            settled = await self._settle_existing(key, claim, amount, user_id)
            if settled is not None:
                return settled
        return PayoutResult(Outcome.BUSY, BUSY_TEXT)

    async def _run(self, key: str, owner: str, amount: Decimal, user_id: str) -> PayoutResult:
        posting = False
        try:
            try:
                current = await self.partners.balance()
                before = {p.withdrawal_id for p in newest_first(await self.partners.withdrawals())}
            except PartnersError as exc:
                return await self._give_up(
                    key, owner, PayoutResult(Outcome.FAILED, read_failed_text(exc), exc.status)
                )
            if current.available != amount:
                return await self._give_up(key, owner, balance_changed(current.available))
            if current.available < MINIMUM_WITHDRAWAL:
                return await self._give_up(
                    key, owner, PayoutResult(Outcome.BELOW_MINIMUM, BELOW_MINIMUM_TEXT)
                )
            claimed_at = self.clock.now()
            posting = True
            try:
                payout = await self.partners.request_withdrawal()
            except PartnersForbidden as exc:
                return await self._give_up(
                    key, owner, PayoutResult(Outcome.BELOW_MINIMUM, BELOW_MINIMUM_TEXT, exc.status)
                )
            except PartnersConflict as exc:
                return await self._give_up(
                    key, owner, PayoutResult(Outcome.NO_BILLING, NO_BILLING_TEXT, exc.status)
                )
            except PartnersUnavailable as exc:
                if not exc.maybe_applied:
                    return await self._give_up(
                        key, owner, PayoutResult(Outcome.FAILED, NOT_SENT_TEXT, exc.status)
                    )
                log.warning("payout POST has an unknown outcome: %r", exc)
                return await self._settle_open(key, owner, user_id, amount, claimed_at, before, exc.status)
            except PartnersError as exc:
                return await self._give_up(
                    key, owner, PayoutResult(Outcome.FAILED, refused_text(exc), exc.status)
                )
            if payout is None:
                return await self._settle_open(
                    key, owner, user_id, amount, claimed_at, before, 200, accepted=True
                )
            return await self._done(key, owner, requested(payout, user_id, self._now(), REQUESTED_TEXT))
        except BaseException:
            # Unexpected: give the claim back only if the POST never went out; else its fate is open.
            if posting:
                await self._keep_unknown(key, owner, user_id, amount, None)
            else:
                await self.claims.release(PAYOUT_SCOPE, key, owner)
            raise

    async def _settle_open(
        self,
        key: str,
        owner: str,
        user_id: str,
        amount: Decimal,
        since: datetime | None,
        before: set[int] | None = None,
        status: int | None = None,
        *,
        accepted: bool = False,
    ) -> PayoutResult:
        """The POST may have gone through: re-read `/withdrawals` before anything is sent again."""
        found = await self._new_pending(since, before)
        if found is not None:
            text = REQUESTED_TEXT if accepted else CONFIRMED_LATE_TEXT
            return await self._done(key, owner, requested(found, user_id, self._now(), text, status))
        if accepted:
            result = PayoutResult(
                Outcome.REQUESTED, ACCEPTED_UNSEEN_TEXT, status, str(amount), None, user_id, self._now()
            )
            return await self._done(key, owner, result)
        return await self._keep_unknown(key, owner, user_id, amount, status)

    async def _new_pending(self, since: datetime | None, before: set[int] | None) -> Withdrawal | None:
        """A pending withdrawal that appeared since the claim; None when none (or unreadable)."""
        try:
            listed = newest_first(await self.partners.withdrawals())
        except PartnersError as exc:
            log.warning("re-reading withdrawals failed: %r", exc)
            return None
        for payout in listed:
            if payout.status != "pending":
                continue
            if before is not None:
                if payout.withdrawal_id not in before:
                    return payout
            elif (
                since is not None
                and payout.request_timestamp is not None
                and payout.request_timestamp >= since - SKEW
            ):
                return payout
        return None

    async def _settle_existing(
        self, key: str, claim: Claim, amount: Decimal, user_id: str
    ) -> PayoutResult | None:
        """Another attempt holds the key: its answer, or None when it was given up (compete again)."""
        if claim.state == "pending":
            waited = await self._wait_for(PAYOUT_SCOPE, key)
            if waited is None:
                return None
            if waited.state == "pending":
                return PayoutResult(Outcome.BUSY, BUSY_TEXT)
            claim = waited
        earlier = PayoutResult.from_json(claim.result)
        if claim.state == "done":
            by = f" by <@{earlier.user_id}>" if earlier and earlier.user_id else ""
            return PayoutResult(
                Outcome.ALREADY,
                f"This balance was already requested as a payout{by} — nothing was sent again.",
                withdrawal_id=earlier.withdrawal_id if earlier else None,
            )
        if claim.state == "unknown":
            since = await self._claimed_at(key)
            found = await self._new_pending(since, None)
            if found is not None:
                result = requested(
                    found, earlier.user_id if earlier else user_id, self._now(), CONFIRMED_LATE_TEXT
                )
                await self.claims.finish(
                    PAYOUT_SCOPE, key, claim.owner, state="done", result=result.to_json()
                )
                return replace(result, outcome=Outcome.ALREADY, detail=ALREADY_CONFIRMED_TEXT)
            at = _parse_time(earlier.at) if earlier else None
            if at is not None and self.clock.now() - at >= self.unknown_grace:
                log.info(
                    "payout %s: unknown outcome outlived the grace period with no withdrawal; retrying", key
                )
                await self.claims.release(PAYOUT_SCOPE, key, claim.owner)
                return None
            return PayoutResult(Outcome.UNKNOWN, STILL_UNKNOWN_TEXT)
        return None

    # --- plumbing ----------------------------------------------------------------------------

    async def _give_up(self, key: str, owner: str, result: PayoutResult) -> PayoutResult:
        await self.claims.release(PAYOUT_SCOPE, key, owner)
        return result

    async def _done(self, key: str, owner: str, result: PayoutResult) -> PayoutResult:
        await self.claims.finish(PAYOUT_SCOPE, key, owner, state="done", result=result.to_json())
        return result

    async def _keep_unknown(
        self, key: str, owner: str, user_id: str, amount: Decimal, status: int | None
    ) -> PayoutResult:
        result = PayoutResult(Outcome.UNKNOWN, UNKNOWN_TEXT, status, str(amount), None, user_id, self._now())
        await self.claims.finish(PAYOUT_SCOPE, key, owner, state="unknown", result=result.to_json())
        return result

    async def _claimed_at(self, key: str) -> datetime | None:
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(IdempotencyKey.created_at).where(
                        IdempotencyKey.scope == PAYOUT_SCOPE, IdempotencyKey.key == key
                    )
                )
            ).scalar_one_or_none()
            return row

    async def _wait_for(self, scope: str, key: str) -> Claim | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        while True:
            claim = await self.claims.get(scope, key)
            if claim is None or claim.state != "pending" or loop.time() >= deadline:
                return claim
            await asyncio.sleep(self.poll_interval)

    async def _wait_for_request(self, request_id: str) -> PayoutResult:
        claim = await self._wait_for(REQUEST_SCOPE, request_id)
        result = PayoutResult.from_json(claim.result) if claim is not None else None
        return result or PayoutResult(Outcome.BUSY, BUSY_TEXT)

    def _now(self) -> str:
        return self.clock.now().isoformat()


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def requested(payout: Withdrawal, user_id: str, at: str, text: str, status: int | None = 201) -> PayoutResult:
    return PayoutResult(
        Outcome.REQUESTED, text, status, str(payout.amount), payout.withdrawal_id, user_id, at
    )


def balance_changed(available: Decimal) -> PayoutResult:
    return PayoutResult(
        Outcome.BALANCE_CHANGED,
        "The available balance changed since the confirmation was shown, so nothing was sent. "
        "Run `/earnings withdraw` again to see the new amount.",
        amount=str(available),
    )


def read_failed_text(exc: PartnersError) -> str:
    return f"Nothing was sent: the bot could not re-check the balance first ({exc.message}). Try again in a minute."


def refused_text(exc: PartnersError) -> str:
    status = f" (HTTP {exc.status})" if exc.status else ""
    return f"LiveChat refused the payout request{status}; nothing was requested. Try again later."


REQUESTED_TEXT = "The payout was requested. LiveChat lists it as pending until it is paid."
CONFIRMED_LATE_TEXT = (
    "The payout was requested: LiveChat answered slowly, and its withdrawals list now shows it as pending."
)
ACCEPTED_UNSEEN_TEXT = (
    "LiveChat accepted the payout request, but its answer did not describe it and its withdrawals list does "
    "not show it yet. Nothing will be sent again; check `/earnings withdrawals` in a few minutes."
)
ALREADY_CONFIRMED_TEXT = "LiveChat now lists this payout as pending — nothing was sent again."
BELOW_MINIMUM_TEXT = "The available balance is below the $50 minimum, so no payout was requested."
NO_BILLING_TEXT = (
    "LiveChat needs your billing details before it can pay out: add billing details in the Partner App first, "
    "then run `/earnings withdraw` again. Nothing was requested."
)
NOT_SENT_TEXT = "The bot could not reach LiveChat, so nothing was sent. Try again in a minute."
UNKNOWN_TEXT = (
    "Not confirmed yet: LiveChat did not answer in time and its withdrawals list does not show a new payout. "
    "The bot will not send it again; check `/earnings withdrawals` in a few minutes."
)
STILL_UNKNOWN_TEXT = (
    "An earlier payout request for this balance is not confirmed yet, so the bot will not send another one. "
    "Check `/earnings withdrawals` in a few minutes."
)
BUSY_TEXT = (
    "Another payout request for this balance is still running, so nothing more was sent. "
    "Check `/earnings withdrawals` in a minute."
)
FAILED_TEXT = "Something went wrong on our side and it has been logged. Check `/earnings withdrawals` before trying again."
