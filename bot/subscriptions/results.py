"""What a subscription attempt ended with, as facts: `Outcome`, the finer `Reason`, and `Result`.

`bot.subscriptions.service` produces them; `handlers/subscribe_views.py` words them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.partners.models import LicenseDetails


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
    REFUSED = "refused"  # the confirmation does not match what was reviewed: nothing was sent


class Reason(StrEnum):
    """The fact behind an outcome, finer than `Outcome`; handlers/subscribe_views.py words each one."""

    CREATED = "created"
    CREATED_AFTER_SLOW_ANSWER = "created_after_slow_answer"  # the POST timed out; LiveChat shows it
    LICENSE_PAID = "license_paid"  # subscribed already (seen before the POST, or a 409)
    CONFIRMED_PAID = "confirmed_paid"  # an earlier attempt's unknown outcome turned out created
    EARLIER_ATTEMPT_DONE = "earlier_attempt_done"  # the license claim is done; `user_id` did it
    LICENSE_NOT_FOUND = "license_not_found"
    NOT_SUBSCRIBABLE = "not_subscribable"
    STILL_RUNNING = "still_running"  # another attempt holds the license claim
    CONTENDED = "contended"  # the claim kept changing hands
    NO_ANSWER = "no_answer"  # the POST's fate is unknown and LiveChat does not show it yet
    STILL_UNCONFIRMED = "still_unconfirmed"  # an earlier attempt's fate is still unknown
    REDIRECTED = "redirected"  # a redirect answered the POST: not followed, so nothing was created
    REJECTED = "rejected"  # LiveChat refused the request: `fields`, `detail` its message
    CARD_REFUSED = "card_refused"  # `detail`: Recurly's safe sentence
    VAULT_PROBLEM = "vault_problem"  # `detail`: what is wrong with the vault or the card
    API_ERROR = "api_error"  # `detail`: the Partners API failure, worded by `error_text`
    UNEXPECTED = "unexpected"
    # Confirm is bound to the order stored at Review (bot.subscriptions.pending):
    REVIEW_MISSING = "review_missing"  # no reviewed order under this request id, or it expired
    REVIEW_MISMATCH = "review_mismatch"  # the confirmation names something other than was reviewed
    OTHER_REVIEWER = "other_reviewer"  # another admin reviewed this order
    CARD_CHANGED = "card_changed"  # the card under the reviewed label is not the one reviewed


@dataclass(frozen=True)
class Result:
    """How an attempt ended, as facts: `reason` says why, `detail` carries a safe upstream message
    (API, vault, Recurly) when there is one, `fields` the API's complaints, `user_id` who subscribed."""

    outcome: Outcome
    detail: str = ""
    api_status: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    card_last4: str = ""
    request_id: str = ""
    user_id: str = ""
    at: str = ""
    # None only for results recorded before reasons existed: their `detail` is a finished sentence.
    reason: Reason | None = None
    # True only for the call that did the work (it posts the success note; duplicates do not).
    fresh: bool = False
    # The subscription LiveChat shows (for "already subscribed"), when it could be read.
    existing_plan: str = ""
    existing_seats: int | None = None
    existing_cycle: str = ""
    # Unknown outcomes: until when no new POST goes out for the license (unless LiveChat shows it paid).
    locked_until: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["reason"] = self.reason.value if self.reason is not None else None
        data.pop("fresh")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Result | None:
        if not data or "outcome" not in data:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "fresh"}
        reason = Reason(data["reason"]) if data.get("reason") else None
        return cls(**{**known, "outcome": Outcome(data["outcome"]), "reason": reason})


def result(outcome: Outcome, reason: Reason, **facts: Any) -> Result:
    return Result(outcome, reason=reason, **facts)


UNEXPECTED_RESULT = result(Outcome.FAILED, Reason.UNEXPECTED)
BUSY_RESULT = result(Outcome.BUSY, Reason.STILL_RUNNING)


def with_existing(outcome: Result, details: LicenseDetails | None) -> Result:
    """`outcome` carrying the plan, seats and billing cycle LiveChat shows for the license."""
    if details is None:
        return outcome
    return replace(
        outcome,
        existing_plan=details.plan or "",
        existing_seats=details.seats,
        existing_cycle=details.billing_cycle or "",
    )
