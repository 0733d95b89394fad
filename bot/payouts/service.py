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

Both claims go through `IdempotencyStore.run` (the same run-once as campaigns and subscriptions):
the work returns a `Verdict` (done, unknown, or released), `recheck_unknown` is the re-read of
`/withdrawals`, and `unknown_grace` when a still-unseen payout may be tried again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

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
from bot.storage import Claim, ClaimState, Database, IdempotencyStore
from bot.storage.idempotency import Found, Ran, Result, Verdict

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
        self.clock = clock
        self.claims = IdempotencyStore(db, clock, stale_after=stale_after)
        self.audit = PayoutAudit(db, clock)
        self.wait_seconds = wait_seconds
        self.poll_interval = poll_interval
        self.unknown_grace = unknown_grace

    async def confirm(self, request_id: str, amount: Decimal, user_id: str) -> PayoutResult:
        """Run the confirmation once per request id; a duplicate gets the first run's result."""

        async def work() -> Result:
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
            return result.to_json()

        # No settle_takeover: a confirmation taken over from a dead process runs again, and the
        # day/balance claim it then meets (taken over too) is what re-reads `/withdrawals`.
        ran = await self.claims.run(
            REQUEST_SCOPE, request_id, work, wait_seconds=self.wait_seconds, poll_seconds=self.poll_interval
        )
        if not ran.ours:
            log.info("duplicate payout confirmation %s", request_id)
        return PayoutResult.from_json(ran.result) or PayoutResult(Outcome.BUSY, BUSY_TEXT)

    async def record_refusal(self, request_id: str, user_id: str, amount: Decimal) -> None:
        """Audit a confirmation by someone who is not an admin (nothing is sent)."""
        attempt = await self.audit.start(request_id, user_id, amount, outcome="refused")
        await self.audit.finish(attempt, "refused", None, "not in ADMIN_USER_IDS")

    # --- the day/balance claim ---------------------------------------------------------------

    async def _claim_and_run(self, amount: Decimal, user_id: str) -> PayoutResult:
        key = payout_key(self.clock.now().date().isoformat(), amount)
        attempt = _Attempt(amount, user_id)

        async def takeover() -> Verdict:
            # Killed mid-POST perhaps: whatever appeared since the first claim is that POST.
            claim = await self.claims.get(PAYOUT_SCOPE, key)
            return await self._settle_open(attempt, claim.created_at if claim else None)

        async def recheck(claim: Claim) -> Found | None:
            try:
                found = await self._new_pending(claim.created_at, None, strict=True)
            except PartnersError:
                # Unreadable is not "nothing there": the outcome stays unknown (its grace starts
                # again), so no second POST goes out while LiveChat cannot say what the first did.
                return Verdict(claim.result, ClaimState.UNKNOWN)
            if found is None:
                return None
            earlier = PayoutResult.from_json(claim.result)
            by = earlier.user_id if earlier else user_id  # who confirmed the payout that went through
            return requested(found, by, self._now(), CONFIRMED_LATE_TEXT).to_json()

        def on_error(exc: BaseException) -> Verdict | None:
            # Unexpected: give the claim back only if the POST never went out; else its fate is open.
            return self._unknown(attempt, None) if attempt.posting else None

        ran = await self.claims.run(
            PAYOUT_SCOPE,
            key,
            lambda: self._run(attempt),
            settle_takeover=takeover,
            recheck_unknown=recheck,
            unknown_grace=self.unknown_grace,
            on_error=on_error,
            attempts=3,
            wait_seconds=self.wait_seconds,
            poll_seconds=self.poll_interval,
        )
        return _answer(ran)

    async def _run(self, attempt: _Attempt) -> Verdict:
        amount = attempt.amount
        try:
            current = await self.partners.balance()
            before = {p.withdrawal_id for p in newest_first(await self.partners.withdrawals())}
        except PartnersError as exc:
            return _give_up(PayoutResult(Outcome.FAILED, read_failed_text(exc), exc.status))
        if current.available != amount:
            return _give_up(balance_changed(current.available))
        if current.available < MINIMUM_WITHDRAWAL:
            return _give_up(PayoutResult(Outcome.BELOW_MINIMUM, BELOW_MINIMUM_TEXT))
        claimed_at = self.clock.now()
        attempt.posting = True
        try:
            payout = await self.partners.request_withdrawal()
        except PartnersForbidden as exc:
            return _give_up(PayoutResult(Outcome.BELOW_MINIMUM, BELOW_MINIMUM_TEXT, exc.status))
        except PartnersConflict as exc:
            return _give_up(PayoutResult(Outcome.NO_BILLING, NO_BILLING_TEXT, exc.status))
        except PartnersUnavailable as exc:
            if not exc.maybe_applied:
                return _give_up(PayoutResult(Outcome.FAILED, NOT_SENT_TEXT, exc.status))
            log.warning("payout POST has an unknown outcome: %r", exc)
            return await self._settle_open(attempt, claimed_at, before, exc.status)
        except PartnersError as exc:
            return _give_up(PayoutResult(Outcome.FAILED, refused_text(exc), exc.status))
        if payout is None:
            return await self._settle_open(attempt, claimed_at, before, 200, accepted=True)
        return _done(requested(payout, attempt.user_id, self._now(), REQUESTED_TEXT))

    async def _settle_open(
        self,
        attempt: _Attempt,
        since: datetime | None,
        before: set[int] | None = None,
        status: int | None = None,
        *,
        accepted: bool = False,
    ) -> Verdict:
        """The POST may have gone through: re-read `/withdrawals` before anything is sent again."""
        found = await self._new_pending(since, before)
        if found is not None:
            text = REQUESTED_TEXT if accepted else CONFIRMED_LATE_TEXT
            return _done(requested(found, attempt.user_id, self._now(), text, status))
        if accepted:
            return _done(
                PayoutResult(
                    Outcome.REQUESTED,
                    ACCEPTED_UNSEEN_TEXT,
                    status,
                    str(attempt.amount),
                    None,
                    attempt.user_id,
                    self._now(),
                )
            )
        return self._unknown(attempt, status)

    async def _new_pending(
        self, since: datetime | None, before: set[int] | None, *, strict: bool = False
    ) -> Withdrawal | None:
        """A pending withdrawal that appeared since the claim; None when none (or unreadable,
        unless `strict`, which raises the read's PartnersError instead)."""
        try:
            listed = newest_first(await self.partners.withdrawals())
        except PartnersError as exc:
            log.warning("re-reading withdrawals failed: %r", exc)
            if strict:
                raise
            return None
        for payout in listed:
            if payout.status != "pending":  # the withdrawal's status at LiveChat, not a claim's
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

    def _unknown(self, attempt: _Attempt, status: int | None) -> Verdict:
        result = PayoutResult(
            Outcome.UNKNOWN, UNKNOWN_TEXT, status, str(attempt.amount), None, attempt.user_id, self._now()
        )
        return Verdict(result.to_json(), ClaimState.UNKNOWN)

    def _now(self) -> str:
        return self.clock.now().isoformat()


@dataclass
class _Attempt:
    """One attempt at the day/balance claim; `posting` from the moment the POST may go out."""

    amount: Decimal
    user_id: str
    posting: bool = False


def _give_up(result: PayoutResult) -> Verdict:
    """Release the claim: LiveChat proved nothing was requested (or nothing was sent)."""
    return Verdict(result.to_json(), state=None)


def _done(result: PayoutResult) -> Verdict:
    return Verdict(result.to_json())


def _answer(ran: Ran) -> PayoutResult:
    """What this confirmation is told, given how the day/balance claim ended for it."""
    if ran.ours:
        return PayoutResult.from_json(ran.result) or PayoutResult(Outcome.FAILED, FAILED_TEXT)
    earlier = PayoutResult.from_json(ran.result)
    if ran.rechecked and ran.state == ClaimState.DONE and earlier is not None:
        # Another attempt's unknown outcome, just found in `/withdrawals`.
        return replace(earlier, outcome=Outcome.ALREADY, detail=ALREADY_CONFIRMED_TEXT)
    if ran.state == ClaimState.DONE:
        by = f" by <@{earlier.user_id}>" if earlier and earlier.user_id else ""
        return PayoutResult(
            Outcome.ALREADY,
            f"This balance was already requested as a payout{by} — nothing was sent again.",
            withdrawal_id=earlier.withdrawal_id if earlier else None,
        )
    if ran.state == ClaimState.UNKNOWN:
        return PayoutResult(Outcome.UNKNOWN, STILL_UNKNOWN_TEXT)
    return PayoutResult(Outcome.BUSY, BUSY_TEXT)


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
