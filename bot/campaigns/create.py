"""Creating a campaign: one POST per submission, and API answers mapped back onto the form.

`create` turns the Partners API's answer into an outcome the modal can show: the campaign, or
problems keyed by the form's block_id (409 → name, 403 → coupon, 400 → the field the API names),
or a general failure (401, 5xx, timeout) for which the form is offered again with its values.
`CampaignService.once` makes a double click or a Slack retry wait for the first attempt instead of
POSTing, and re-reads LiveChat when the first attempt's process died before recording its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.campaigns.form import BLOCK_FOR_API_FIELD, COUPON_BLOCK, NAME_BLOCK, CampaignRequest
from bot.partners import PartnersClient
from bot.partners.errors import (
    PartnersAppliedUnreadable,
    PartnersConflict,
    PartnersError,
    PartnersForbidden,
    PartnersUnavailable,
    PartnersValidationError,
)
from bot.partners.models import PRODUCT_NAMES, Campaign
from bot.storage.idempotency import IdempotencyStore

log = logging.getLogger(__name__)

SCOPE = "campaign"
CREATED_UNREADABLE = (
    "LiveChat created the campaign, but its answer could not be read, so its links cannot be shown "
    "here. Find them with `/campaign list`; do not submit it again."
)
MAYBE_CREATED = (
    "LiveChat did not answer in time or failed mid-way, so the campaign may or may not exist. "
    "Check `/campaign list` before submitting again."
)


@dataclass(frozen=True)
class CreateOutcome:
    """Exactly one of: `campaign` (created), `field_errors`/`general` (rejected), `error` (failed)."""

    campaign: Campaign | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    general: str | None = None
    error: PartnersError | None = None


def _api_field_errors(exc: PartnersValidationError) -> tuple[dict[str, str], str | None]:
    errors: dict[str, str] = {}
    unplaced: list[str] = []
    for api_field, complaint in exc.fields.items():
        block = BLOCK_FOR_API_FIELD.get(api_field)
        if block is None:
            unplaced.append(api_field)
        else:
            errors.setdefault(block, f"LiveChat says this {complaint}".rstrip("."))
    general = None
    if unplaced or not errors:
        # Only field names: the API's error text is never shown (docs/partners-api.md).
        detail = ", ".join(unplaced) or "its parameters"
        general = f"LiveChat rejected the campaign: check {detail}"
    return errors, general


async def create(partners: PartnersClient, request: CampaignRequest) -> CreateOutcome:
    """POST the campaign once (writes are never retried) and describe the answer for the form."""
    try:
        campaign = await partners.create_campaign(
            product=request.product,
            name=request.name,
            link=request.link,
            trial_duration=request.trial_duration if request.product == "livechat" else None,
            coupon_id=request.coupon_id if request.product == "livechat" else None,
        )
    except PartnersConflict:
        product = PRODUCT_NAMES.get(request.product, request.product)
        return CreateOutcome(
            field_errors={
                NAME_BLOCK: f"A {product} campaign with this name already exists; pick another name"
            }
        )
    except PartnersForbidden:
        return CreateOutcome(
            field_errors={COUPON_BLOCK: "LiveChat does not allow this coupon for your account; pick another"}
        )
    except PartnersValidationError as exc:
        errors, general = _api_field_errors(exc)
        return CreateOutcome(field_errors=errors, general=general)
    except PartnersAppliedUnreadable as exc:
        return CreateOutcome(general=CREATED_UNREADABLE, error=exc)
    except PartnersUnavailable as exc:
        if exc.maybe_applied:
            return CreateOutcome(general=MAYBE_CREATED, error=exc)
        return CreateOutcome(error=exc)
    except PartnersError as exc:
        return CreateOutcome(error=exc)
    return CreateOutcome(campaign=campaign)


class CampaignService:
    """Campaign creation for the listeners: one POST per submission, answers mapped onto the form."""

    def __init__(self, partners: PartnersClient, claims: IdempotencyStore):
        self.partners = partners
        self.claims = claims

    async def create(self, request: CampaignRequest) -> CreateOutcome:
        return await create(self.partners, request)

    async def find_created(self, request: CampaignRequest) -> Campaign | None:
        """The campaign `request` would have created, if LiveChat has it (names are unique per product).

        Raises `PartnersError` when LiveChat cannot be read: then nobody knows whether it exists.
        """
        for campaign in await self.partners.campaigns():
            if campaign.product == request.product and campaign.name == request.name:
                return campaign
        return None

    async def once(
        self,
        key: str,
        work: Callable[[], Awaitable[dict[str, Any]]],
        *,
        settle_takeover: Callable[[], Awaitable[dict[str, Any] | None]],
        wait_seconds: float,
    ) -> dict[str, Any] | None:
        """`work` for the first submission with `key`; a duplicate gets its result (None: still running).

        `settle_takeover` answers for a submission whose first attempt died mid-way (see
        `IdempotencyStore.run_once`): it re-reads LiveChat instead of POSTing blindly.
        """
        return await self.claims.run_once(
            SCOPE, key, work, settle_takeover=settle_takeover, wait_seconds=wait_seconds
        )
