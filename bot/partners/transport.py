"""One exchange with the Partner API, below the client's endpoints: retries and reading answers.

`RetryPolicy` says how long a GET waits before trying again; `answer_error` maps a non-2xx answer
to the error taxonomy (bot/partners/errors.py) without passing the body on; `parse_body` checks a
2xx body against its model and reports a wrong shape by where it is, never by what it holds.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.partners.errors import (
    PartnersError,
    PartnersRateLimited,
    PartnersRedirected,
    PartnersUnavailable,
    error_for_status,
)
from bot.partners.wire import flagged_fields

log = logging.getLogger(__name__)

M = TypeVar("M")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0


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


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds from a `Retry-After` header (never negative); None when absent or not a number."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def result_of(body: Any) -> Any:
    """The payload of an answer: its `result` when wrapped in one (some endpoints do)."""
    if isinstance(body, dict) and "result" in body:
        return body["result"]
    return body


def parse_body(model: type[M] | Any, body: Any) -> M:
    """`body` as `model`; a wrong shape is a PartnersUnavailable naming where, never the body."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(body)  # type: ignore[return-value]
        return TypeAdapter(model).validate_python(body)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        raise PartnersUnavailable(
            f"The Partners API sent an answer the bot does not understand (at {where})",
            # The call succeeded (2xx) with a body of the wrong shape: not transient, not "down".
            status=200,
        ) from None


def answer_error(
    method: str, path: str, status: int, text: str, body: Any, retry_after: float | None
) -> PartnersError:
    """The error a non-2xx answer means: our sentence for the status, never the body."""
    # The body is undocumented and may echo what was sent (a Recurly token, a CVV) in a form the
    # redacting filter cannot recognise, so not even the log gets it: its size and the names of
    # the fields it flags are what an operator needs to tell one failure from another.
    fields = flagged_fields(body)
    log.info(
        "Partners API %s %s answered HTTP %s (%d bytes%s)",
        method,
        path,
        status,
        len(text),
        f"; flagged: {', '.join(fields)}" if fields else "",
    )
    error: PartnersError
    if 300 <= status < 400:
        error = PartnersRedirected(
            f"LiveChat answered {method} {path} with a redirect (HTTP {status}); nothing was changed",
            status=status,
        )
    elif status == 429 and method != "GET":
        error = PartnersRateLimited("LiveChat is rate-limiting the bot; nothing was changed", status=status)
    else:
        error = error_for_status(status, fields)
    if isinstance(error, PartnersUnavailable):
        error.retry_after = retry_after
        # A 500/502/504 on a write may come after LiveChat applied it (a crash mid-way, a gateway
        # giving up on it): re-read first. 503 says the request was turned away unprocessed.
        error.maybe_applied = method != "GET" and status >= 500 and status != 503
    return error
