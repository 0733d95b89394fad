"""A license claim another attempt holds: wait for it, report it, or re-read its unknown outcome.

Split from `service.py` so that module keeps to the attempt that wins the claim. Everything here is
a function of the claim, LiveChat's view of the license and the service's current settings, which
are passed in on every call (tests and operators may change them on a running service).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.partners.models import LicenseDetails
from bot.storage import Claim, ClaimState, IdempotencyStore
from bot.subscriptions.results import BUSY_RESULT, Outcome, Reason, Result, result, with_existing

log = logging.getLogger(__name__)

LICENSE_SCOPE = "subscription"

# Reads a license from LiveChat; None when it cannot be read right now.
ReadLicense = Callable[[str], Awaitable[LicenseDetails | None]]


async def settle_held(
    claims: IdempotencyStore,
    read_license: ReadLicense,
    clock: Clock,
    license_id: str,
    claim: Claim,
    *,
    wait_seconds: float,
    poll_seconds: float,
    grace: timedelta,
) -> Result | None:
    """The answer when another attempt holds the claim; None when it was released (compete again)."""
    if claim.state == ClaimState.PENDING:
        settled = await claims.wait_settled(
            LICENSE_SCOPE, license_id, wait_seconds=wait_seconds, poll_seconds=poll_seconds
        )
        if settled is None:
            return None
        if settled.state == ClaimState.PENDING:
            return BUSY_RESULT
        claim = settled
    earlier = Result.from_json(claim.result)
    if claim.state == ClaimState.DONE:
        done = result(
            Outcome.ALREADY, Reason.EARLIER_ATTEMPT_DONE, user_id=earlier.user_id if earlier else ""
        )
        return with_existing(done, await read_license(license_id))
    if claim.state == ClaimState.UNKNOWN:
        # Never POST again on an unknown outcome before LiveChat has been re-read.
        details = await read_license(license_id)
        is_paid = paid(details)
        if is_paid:
            confirmed = result(Outcome.ALREADY, Reason.CONFIRMED_PAID)
            await claims.finish(
                LICENSE_SCOPE, license_id, claim.owner, state=ClaimState.DONE, result=confirmed.to_json()
            )
            return with_existing(confirmed, details)  # the read that proved it paid describes it too
        since = parse_time(earlier.at) if earlier else None
        if is_paid is False and (since is None or clock.now() - since >= grace):
            log.info("license %s: unknown outcome outlived the grace period unpaid; trying again", license_id)
            await claims.release(LICENSE_SCOPE, license_id, claim.owner)
            return None
        return result(
            Outcome.UNKNOWN,
            Reason.STILL_UNCONFIRMED,
            at=earlier.at if earlier else "",
            locked_until=lock_end(since, grace) if since else "",
        )
    return None


async def unconfirmed(
    claims: IdempotencyStore, clock: Clock, license_ids: list[str], grace: timedelta
) -> dict[str, datetime]:
    """Licenses whose last POST has an unknown outcome, with when their lock ends (still ahead)."""
    now = clock.now()
    locked: dict[str, datetime] = {}
    for license_id, claim in (await claims.get_many(LICENSE_SCOPE, license_ids)).items():
        if claim.state != ClaimState.UNKNOWN:
            continue
        earlier = Result.from_json(claim.result)
        since = parse_time(earlier.at) if earlier else None
        ends = since + grace if since else now + grace
        if ends > now:
            locked[license_id] = ends
    return locked


def paid(details: LicenseDetails | None) -> bool | None:
    """True/False from LiveChat; None when the license could not be read right now."""
    return details.has_subscription if details is not None else None


def lock_end(since: datetime, grace: timedelta) -> str:
    """When a license locked by an unknown outcome since `since` may be tried again."""
    return (since + grace).isoformat()


def parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
