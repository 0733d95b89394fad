"""The ways a Partners API call can fail, as a small taxonomy handlers map to messages.

Each error carries the HTTP status (None when no response arrived) and a message that is safe to
log and to show: it never contains the API token or request headers.
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


_BY_STATUS: dict[int, type[PartnersError]] = {
    400: PartnersValidationError,
    401: PartnersAuthError,
    403: PartnersForbidden,
    404: PartnersNotFound,
    409: PartnersConflict,
    422: PartnersValidationError,
}


def error_for_status(status: int, message: str, fields: dict[str, str] | None = None) -> PartnersError:
    """The taxonomy class for an HTTP error status."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        return PartnersUnavailable(message, status=status)
    return cls(message, status=status, fields=fields)
