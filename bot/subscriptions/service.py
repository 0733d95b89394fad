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
What a caller that meets a claim held by another attempt is told lives in `held.py`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr

from bot.clock import Clock
from bot.partners import (
    PartnersClient,
    PartnersConflict,
    PartnersError,
    PartnersNotFound,
    PartnersRedirected,
    PartnersUnavailable,
    PartnersValidationError,
)
from bot.partners.models import LicenseDetails
from bot.recurly import RecurlyError
from bot.storage import ClaimState, IdempotencyStore
from bot.subscriptions import held
from bot.subscriptions.audit import AuditLog
from bot.subscriptions.held import LICENSE_SCOPE
from bot.subscriptions.orders import Order
from bot.subscriptions.pending import PendingOrders
from bot.subscriptions.results import (
    BUSY_RESULT,
    UNEXPECTED_RESULT,
    Outcome,
    Reason,
    Result,
    result,
    with_existing,
)
from bot.vault import Card, CardVault, VaultError, VaultKeyError

log = logging.getLogger(__name__)

__all__ = ["LICENSE_SCOPE", "REQUEST_SCOPE", "Outcome", "Reason", "Result", "SubscriptionService"]

REQUEST_SCOPE = "subscription_request"


Tokenize = Callable[[Card], Awaitable[SecretStr]]
# Told the HTTP status of an unknown outcome (None: no answer in time) while it is being verified.
Hook = Callable[[int | None], Awaitable[None]]


@dataclass
class Attempt:
    """One confirmation being carried out: what is ordered, by whom, and how far it got."""

    order: Order
    user_id: str
    audit_id: int
    on_unknown: Hook | None
    owner: str = ""  # this attempt's id on the license claim, once won
    card_last4: str = ""
    # The POST went out: from here on, if anything goes wrong, its fate is unknown (never released).
    posted: bool = False
    # The card's fingerprint at Review; the card read before paying must still match it.
    card_fingerprint: str = ""

    @property
    def license_id(self) -> str:
        return self.order.license_id


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
        self.pending = PendingOrders(claims.db, clock)

    async def review(self, order: Order, user_id: str, *, price_shown: str) -> Result | None:
        """Before the price is shown: None when `order` may be confirmed (it is then stored under its
        request id with the card's fingerprint), else why not as a Result (already subscribed…).

        The license is read fresh, so a second run shows "already subscribed", not a price.
        """
        try:
            details = await self.partners.license(order.license_id)
        except PartnersNotFound as exc:
            return result(Outcome.NOT_FOUND, Reason.LICENSE_NOT_FOUND, api_status=exc.status)
        except PartnersError as exc:
            return self._api_error(exc)
        if details.has_subscription:
            return with_existing(result(Outcome.ALREADY, Reason.LICENSE_PAID), details)
        if not details.subscribable:
            return result(Outcome.NOT_SUBSCRIBABLE, Reason.NOT_SUBSCRIBABLE)
        try:
            vault = self.vault()
            fingerprint = vault.fingerprint(await vault.get(order.card_label))
        except (VaultError, VaultKeyError) as exc:
            return result(Outcome.VAULT_ERROR, Reason.VAULT_PROBLEM, detail=str(exc))
        await self.pending.save(order, user_id, card_fingerprint=fingerprint, price_shown=price_shown)
        return None

    async def confirm(self, presented: Order, user_id: str, *, on_unknown: Hook | None = None) -> Result:
        """Execute the order stored at Review under `presented.request_id`, by the admin who reviewed
        it; refuse (audited, nothing sent) when there is none or the confirmation disagrees with it."""
        reviewed = await self.pending.get(presented.request_id)
        refusal: Reason | None = None
        if reviewed is None:
            refusal = Reason.REVIEW_MISSING
        elif reviewed.user_id != user_id:
            refusal = Reason.OTHER_REVIEWER
        elif reviewed.order != presented:
            refusal = Reason.REVIEW_MISMATCH
        if refusal is not None or reviewed is None:
            log.warning("refused confirmation %s by %s: %s", presented.request_id, user_id, refusal)
            audit_id = await self.audit.start(presented, user_id, outcome="refused")
            await self.audit.finish(audit_id, Outcome.REFUSED.value, None, str(refusal))
            return result(Outcome.REFUSED, refusal or Reason.REVIEW_MISSING, request_id=presented.request_id)
        return await self.subscribe(
            reviewed.order, user_id, on_unknown=on_unknown, card_fingerprint=reviewed.card_fingerprint
        )

    async def subscribe(
        self,
        order: Order,
        user_id: str,
        *,
        on_unknown: Hook | None = None,
        card_fingerprint: str = "",
    ) -> Result:
        """Run the order once per request id; a duplicate gets the first run's result."""
        ran: Result | None = None

        async def work() -> dict[str, Any]:
            nonlocal ran
            try:
                outcome = await self._audited(order, user_id, on_unknown, card_fingerprint)
            except Exception:
                log.exception("subscription for license %s failed unexpectedly", order.license_id)
                outcome = UNEXPECTED_RESULT
            ran = replace(outcome, request_id=order.request_id, fresh=True)
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
        return Result.from_json(recorded) or replace(BUSY_RESULT, request_id=order.request_id)

    async def record_refusal(self, order: Order, user_id: str) -> None:
        """Audit a confirmation by someone who is not an admin (nothing else happens)."""
        audit_id = await self.audit.start(order, user_id, outcome="refused")
        await self.audit.finish(audit_id, "refused", None, "not in ADMIN_USER_IDS")

    # --- one attempt ----------------------------------------------------------------------------

    async def _audited(
        self, order: Order, user_id: str, on_unknown: Hook | None, card_fingerprint: str
    ) -> Result:
        attempt = Attempt(order, user_id, await self.audit.start(order, user_id), on_unknown)
        attempt.card_fingerprint = card_fingerprint
        outcome = UNEXPECTED_RESULT
        try:
            outcome = await self._claim_and_run(attempt)
            return outcome
        finally:
            note = outcome.reason.value if outcome.reason is not None else ""
            if outcome.detail:
                note = f"{note}: {outcome.detail}"
            await self.audit.finish(attempt.audit_id, outcome.outcome.value, outcome.api_status, note)

    async def _claim_and_run(self, attempt: Attempt) -> Result:
        for _ in range(3):
            claim = await self.claims.claim(LICENSE_SCOPE, attempt.license_id)
            if claim.won:
                attempt.owner = claim.owner
                if claim.taken_over:
                    return await self._settle_takeover(attempt)
                return await self._run(attempt)
            # Another attempt holds it: wait, report it, or re-read its unknown outcome.
            settled = await held.settle_held(
                self.claims,
                self._details,
                self.clock,
                attempt.license_id,
                claim,
                wait_seconds=self.wait_seconds,
                poll_seconds=self.poll_interval,
                grace=self.unknown_grace,
            )
            if settled is not None:
                return settled
            # The earlier claim was given up (it proved nothing was created): compete again.
        return result(Outcome.BUSY, Reason.CONTENDED)

    async def _run(self, attempt: Attempt) -> Result:
        """We hold the license claim: every path either records the outcome or gives the claim back."""
        try:
            return await self._checks_then_post(attempt)
        except BaseException:
            # Unexpected: give the claim back only if the POST never went out, else its fate is unknown.
            if attempt.posted:
                await self._keep_unknown(attempt, None)
            else:
                await self._give_up(attempt)
            raise

    async def _give_up(self, attempt: Attempt, outcome: Result | None = None) -> Result:
        """Release the license claim: the API proved nothing was created (or nothing was sent)."""
        await self.claims.release(LICENSE_SCOPE, attempt.license_id, attempt.owner)
        return outcome or UNEXPECTED_RESULT

    async def _checks_then_post(self, attempt: Attempt) -> Result:
        order = attempt.order
        # Right before paying, the license must still be a subscribable trial.
        try:
            details = await self.partners.license(order.license_id)
        except PartnersNotFound as exc:
            return await self._give_up(
                attempt, result(Outcome.NOT_FOUND, Reason.LICENSE_NOT_FOUND, api_status=exc.status)
            )
        except PartnersError as exc:
            return await self._give_up(attempt, self._api_error(exc))
        if details.has_subscription:
            already = with_existing(result(Outcome.ALREADY, Reason.LICENSE_PAID), details)
            return await self._give_up(attempt, already)
        if not details.subscribable:
            return await self._give_up(attempt, result(Outcome.NOT_SUBSCRIBABLE, Reason.NOT_SUBSCRIBABLE))

        try:
            vault = self.vault()
            card = await vault.get(order.card_label)
        except (VaultError, VaultKeyError) as exc:
            return await self._give_up(
                attempt, result(Outcome.VAULT_ERROR, Reason.VAULT_PROBLEM, detail=str(exc))
            )
        if attempt.card_fingerprint and vault.fingerprint(card) != attempt.card_fingerprint:
            log.warning(
                "license %s: the card %r changed since Review; not paying", order.license_id, order.card_label
            )
            return await self._give_up(attempt, result(Outcome.REFUSED, Reason.CARD_CHANGED))
        attempt.card_last4 = card.last4
        await self.audit.set_card(attempt.audit_id, card.last4)

        try:
            token = await self.tokenize(card)
        except RecurlyError as exc:
            log.info("Recurly refused the card for license %s: %r", order.license_id, exc)
            refused = result(
                Outcome.CARD_ERROR,
                Reason.CARD_REFUSED,
                detail=exc.user_text,
                api_status=exc.status,
                card_last4=attempt.card_last4,
            )
            return await self._give_up(attempt, refused)
        del card

        attempt.posted = True
        try:
            written = await self.partners.create_subscription(
                order.license_id,
                token=token,
                plan=order.plan,
                billing_cycle=order.billing_cycle,
                seats=order.seats,
            )
        except PartnersConflict as exc:
            # It exists (an earlier attempt whose answer was lost, or someone outside the bot).
            exists = result(
                Outcome.ALREADY, Reason.LICENSE_PAID, api_status=exc.status, card_last4=attempt.card_last4
            )
            await self._record_done(attempt, exists)
            return with_existing(exists, await self._details(order.license_id))
        except PartnersNotFound as exc:
            gone = result(
                Outcome.NOT_FOUND,
                Reason.LICENSE_NOT_FOUND,
                api_status=exc.status,
                card_last4=attempt.card_last4,
            )
            return await self._give_up(attempt, gone)
        except PartnersRedirected as exc:
            # Redirects are not followed, so the POST went nowhere: nothing was created.
            moved = result(
                Outcome.NOT_CREATED, Reason.REDIRECTED, api_status=exc.status, card_last4=attempt.card_last4
            )
            return await self._give_up(attempt, moved)
        except PartnersValidationError as exc:
            rejected = result(
                Outcome.INVALID,
                Reason.REJECTED,
                api_status=exc.status,
                fields=dict(exc.fields),
                card_last4=attempt.card_last4,
            )
            return await self._give_up(attempt, rejected)
        except PartnersUnavailable as exc:
            log.warning("subscription POST for license %s has an unknown outcome: %r", order.license_id, exc)
            if attempt.on_unknown is not None:
                try:
                    await attempt.on_unknown(exc.status)
                except Exception:
                    log.exception("could not show the 'checking' state")
            return await self._verify(attempt, exc.status)
        except PartnersError as exc:
            return await self._give_up(attempt, replace(self._api_error(exc), card_last4=attempt.card_last4))
        # Any 2xx created it (201 has no body; a 2xx with an unreadable body is "applied", not unknown).
        created = self._created(attempt, Reason.CREATED, written.status)
        await self._record_done(attempt, created)
        return created

    def _api_error(self, exc: PartnersError) -> Result:
        return result(Outcome.FAILED, Reason.API_ERROR, detail=self.error_text(exc), api_status=exc.status)

    def _created(self, attempt: Attempt, reason: Reason, status: int | None) -> Result:
        return result(
            Outcome.CREATED,
            reason,
            api_status=status,
            card_last4=attempt.card_last4,
            user_id=attempt.user_id,
            at=self._now(),
        )

    async def _settle_takeover(self, attempt: Attempt) -> Result:
        """A process died holding the license claim, perhaps mid-POST: never POST blindly after it.

        Like an unknown outcome: LiveChat showing the license paid settles it; otherwise the claim
        becomes `unknown` and the usual grace period starts before anyone may POST again.
        """
        if held.paid(await self._details(attempt.license_id)):
            confirmed = result(Outcome.ALREADY, Reason.CONFIRMED_PAID)
            await self._record_done(attempt, confirmed)
            return confirmed
        log.warning(
            "license %s: took over a claim left by a stopped process; not posting", attempt.license_id
        )
        now = self.clock.now()
        earlier = result(
            Outcome.UNKNOWN,
            Reason.NO_ANSWER,
            user_id=attempt.user_id,
            at=now.isoformat(),
            locked_until=held.lock_end(now, self.unknown_grace),
        )
        await self.claims.finish(
            LICENSE_SCOPE,
            attempt.license_id,
            attempt.owner,
            state=ClaimState.UNKNOWN,
            result=earlier.to_json(),
        )
        return result(
            Outcome.UNKNOWN, Reason.STILL_UNCONFIRMED, at=earlier.at, locked_until=earlier.locked_until
        )

    async def _verify(self, attempt: Attempt, status: int | None) -> Result:
        """After an unknown outcome, watch the license for a while; never POST again meanwhile."""
        deadline = asyncio.get_running_loop().time() + self.verify_seconds
        while True:
            if held.paid(await self._details(attempt.license_id)):
                created = self._created(attempt, Reason.CREATED_AFTER_SLOW_ANSWER, status)
                await self._record_done(attempt, created)
                return created
            if asyncio.get_running_loop().time() + self.verify_interval > deadline:
                break
            await asyncio.sleep(self.verify_interval)
        return await self._keep_unknown(attempt, status)

    async def _keep_unknown(self, attempt: Attempt, status: int | None) -> Result:
        now = self.clock.now()
        unknown = result(
            Outcome.UNKNOWN,
            Reason.NO_ANSWER,
            api_status=status,
            card_last4=attempt.card_last4,
            user_id=attempt.user_id,
            at=now.isoformat(),
            locked_until=held.lock_end(now, self.unknown_grace),
        )
        await self.claims.finish(
            LICENSE_SCOPE,
            attempt.license_id,
            attempt.owner,
            state=ClaimState.UNKNOWN,
            result=unknown.to_json(),
        )
        return unknown

    async def _record_done(self, attempt: Attempt, outcome: Result) -> None:
        data = {**outcome.to_json(), "request_id": attempt.order.request_id}
        await self.claims.finish(
            LICENSE_SCOPE, attempt.license_id, attempt.owner, state=ClaimState.DONE, result=data
        )

    async def _details(self, license_id: str) -> LicenseDetails | None:
        try:
            return await self.partners.license(license_id)
        except PartnersError as exc:
            log.warning("re-reading license %s failed: %r", license_id, exc)
            return None

    async def unconfirmed(self, license_ids: list[str]) -> dict[str, datetime]:
        """Licenses whose last POST has an unknown outcome, with when their lock ends (still ahead)."""
        return await held.unconfirmed(self.claims, self.clock, license_ids, self.unknown_grace)

    def _now(self) -> str:
        return self.clock.now().isoformat()
