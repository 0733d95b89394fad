"""The ways a Partners API call can fail, as a small taxonomy handlers map to messages.

Each error carries the HTTP status (None when no response arrived) and a message that is safe to
log and to show: our own sentence for the status, never the API's error body (undocumented, it may
echo what was sent — a token, a CVV — or be an HTML page). `fields` holds at most the names of the
parameters the API flagged, each with our own fixed complaint.
"""

from __future__ import annotations


class PartnersError(Exception):
    """Base class: `status` is the HTTP status, `message` a safe human sentence."""

    kind = "error"

    def __init__(self, message: str, *, status: int | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields: dict[str, str] = dict(fields or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class PartnersAuthError(PartnersError):
    """401: the API token was rejected."""

    kind = "auth"


class PartnersForbidden(PartnersError):
    """403: the call is not allowed (coupon not allowed, campaign already disabled, …)."""

    kind = "forbidden"


class PartnersNotFound(PartnersError):
    """404: the license, campaign or resource does not exist."""

    kind = "not_found"


class PartnersConflict(PartnersError):
    """409: it exists already (campaign name taken, license already subscribed)."""

    kind = "conflict"


class PartnersRedirected(PartnersError):
    """3xx on a write: redirects are never followed, so nothing was sent on and nothing changed."""

    kind = "redirect"


class PartnersRateLimited(PartnersError):
    """429 on a write (GETs retry it): nothing was applied; try again later."""

    kind = "rate_limited"


class PartnersValidationError(PartnersError):
    """400: bad parameters; `fields` maps parameter names to the API's complaint."""

    kind = "validation"


class PartnersUnavailable(PartnersError):
    """5xx, 429 after retries, timeout, connection error, or a body that is not the JSON expected."""

    kind = "unavailable"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        maybe_applied: bool = False,
    ):
        super().__init__(message, status=status)
        self.retry_after = retry_after
        # True when a write may have reached the API before the failure (timeout after sending):
        # the caller must check the outcome before trying again.
        self.maybe_applied = maybe_applied


class PartnersAppliedUnreadable(PartnersUnavailable):
    """A write answered 2xx (so it was applied) with a body the bot cannot read."""

    kind = "applied_unreadable"

    def __init__(self, message: str, *, status: int):
        super().__init__(message, status=status, maybe_applied=True)


_BY_STATUS: dict[int, type[PartnersError]] = {
    400: PartnersValidationError,
    401: PartnersAuthError,
    403: PartnersForbidden,
    404: PartnersNotFound,
    409: PartnersConflict,
    422: PartnersValidationError,
}

# Our sentence per status: what users and the audit log see instead of the API's body.
STATUS_SENTENCES: dict[int, str] = {
    400: "LiveChat rejected the request's parameters",
    401: "LiveChat rejected the API token",
    403: "LiveChat does not allow this",
    404: "LiveChat could not find it",
    409: "LiveChat says it already exists or conflicts with its current state",
    422: "LiveChat rejected the request's parameters",
    429: "LiveChat is rate-limiting the bot",
}
FIELD_COMPLAINT = "is not accepted"
MAX_FIELDS = 20


def status_sentence(status: int) -> str:
    """Our own sentence for an HTTP error status (5xx and unknown ones included)."""
    if status in STATUS_SENTENCES:
        return STATUS_SENTENCES[status]
    if 300 <= status < 400:
        return f"LiveChat answered with a redirect (HTTP {status}), which the bot does not follow for changes"
    if status >= 500:
        return f"LiveChat's Partners API failed (HTTP {status})"
    return f"LiveChat answered HTTP {status}"


def error_for_status(status: int, field_names: list[str] | None = None) -> PartnersError:
    """The taxonomy class for an HTTP error status, with our sentence and the flagged field names."""
    message = status_sentence(status)
    fields = {name: FIELD_COMPLAINT for name in (field_names or [])[:MAX_FIELDS]}
    cls = _BY_STATUS.get(status)
    if cls is None:
        return PartnersUnavailable(message, status=status)
    return cls(message, status=status, fields=fields)
