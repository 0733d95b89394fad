"""The create-campaign form: Slack view state in, a validated `CampaignRequest` (or errors) out.

Errors are keyed by the input's block_id, because that is what Slack's `response_action: errors`
needs, and they are worded for a marketer rather than for a developer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from bot.timezones import web_address_problem

NAME_BLOCK = "campaign_name"
PRODUCT_BLOCK = "campaign_product"
TRIAL_BLOCK = "campaign_trial"
COUPON_BLOCK = "campaign_coupon"
LINK_BLOCK = "campaign_link"

NAME_ACTION = "name"
PRODUCT_ACTION = "product"
TRIAL_ACTION = "trial"
COUPON_ACTION = "coupon"
LINK_ACTION = "link"

NAME_MIN, NAME_MAX = 5, 100
# LiveChat's range since April 2024 (the 2018 post said 30-60): 14-30 days, 14 by default.
TRIAL_MIN, TRIAL_MAX, TRIAL_DEFAULT = 14, 30, 14

# The products `POST …/affiliates/campaigns?product=` accepts in today's docs.
Product = Literal["livechat", "chatbot", "helpdesk", "partner_program"]

# The API's parameter names → the form's blocks, so an API 400 lands on the right input.
BLOCK_FOR_API_FIELD = {
    "name": NAME_BLOCK,
    "product": PRODUCT_BLOCK,
    "trial_duration": TRIAL_BLOCK,
    "coupon_id": COUPON_BLOCK,
    "link": LINK_BLOCK,
}
_BLOCK_FOR_MODEL_FIELD = {
    "name": NAME_BLOCK,
    "product": PRODUCT_BLOCK,
    "trial_duration": TRIAL_BLOCK,
    "coupon_id": COUPON_BLOCK,
    "link": LINK_BLOCK,
}


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("campaign_form", message)


@dataclass(frozen=True)
class FormValues:
    """What the user typed or picked, as raw strings: kept so a failed attempt loses nothing."""

    name: str | None = None
    product: str | None = None
    trial: str | None = None
    coupon_id: str | None = None
    link: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


class CampaignRequest(BaseModel):
    """A campaign the API should accept: checked here first so the form can say what is wrong."""

    model_config = ConfigDict(frozen=True)

    name: str
    product: Product
    trial_duration: int | None = None
    coupon_id: int | None = None
    link: str | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> object:
        text = (value or "").strip() if isinstance(value, str | None) else value
        if not text:
            raise _problem("Give the campaign a name")
        if isinstance(text, str) and not NAME_MIN <= len(text) <= NAME_MAX:
            raise _problem(f"The name must be {NAME_MIN}–{NAME_MAX} characters long")
        return text

    @field_validator("product", mode="before")
    @classmethod
    def _product(cls, value: object) -> object:
        if value not in ("livechat", "chatbot", "helpdesk", "partner_program"):
            raise _problem("Pick the product the campaign promotes")
        return value

    @field_validator("trial_duration", mode="before")
    @classmethod
    def _trial(cls, value: object, info: ValidationInfo) -> object:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if info.data.get("product", "livechat") != "livechat":
            raise _problem("Trial length applies to LiveChat campaigns only; leave it empty")
        if not text.isdigit():
            raise _problem(f"Trial length must be a whole number of days ({TRIAL_MIN}–{TRIAL_MAX})")
        days = int(text)
        if not TRIAL_MIN <= days <= TRIAL_MAX:
            raise _problem(f"Trial length must be between {TRIAL_MIN} and {TRIAL_MAX} days")
        return days

    @field_validator("coupon_id", mode="before")
    @classmethod
    def _coupon(cls, value: object, info: ValidationInfo) -> object:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if info.data.get("product", "livechat") != "livechat":
            raise _problem("Coupons apply to LiveChat campaigns only; clear the coupon")
        if not text.isdigit():
            raise _problem("Pick a coupon from the list")
        return int(text)

    @field_validator("link", mode="before")
    @classmethod
    def _link(cls, value: object) -> object:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        problem = web_address_problem(text)
        if problem is not None:
            raise _problem(problem)
        return text

    def idempotency_payload(self) -> str:
        """A canonical text of the request, part of the key that makes a resubmission a no-op."""
        return json.dumps(self.model_dump(), sort_keys=True)


def _value(values: dict[str, Any], block_id: str, action_id: str) -> str | None:
    """One input's submitted value, whatever element kind it is (text, number, URL, select)."""
    entry = (values.get(block_id) or {}).get(action_id) or {}
    if not isinstance(entry, dict):
        return None
    selected = entry.get("selected_option")
    if isinstance(selected, dict):
        return selected.get("value")
    value = entry.get("value")
    return value if isinstance(value, str) else None


def read_form(state_values: dict[str, Any]) -> FormValues:
    """The raw values of a submitted create view (`view.state.values`)."""
    return FormValues(
        name=_value(state_values, NAME_BLOCK, NAME_ACTION),
        product=_value(state_values, PRODUCT_BLOCK, PRODUCT_ACTION),
        trial=_value(state_values, TRIAL_BLOCK, TRIAL_ACTION),
        coupon_id=_value(state_values, COUPON_BLOCK, COUPON_ACTION),
        link=_value(state_values, LINK_BLOCK, LINK_ACTION),
    )


def validate_form(form: FormValues) -> CampaignRequest | dict[str, str]:
    """The request to send, or `{block_id: message}` naming every problem at once."""
    try:
        return CampaignRequest.model_validate(
            {
                "name": form.name,
                "product": form.product,
                "trial_duration": form.trial,
                "coupon_id": form.coupon_id,
                "link": form.link,
            }
        )
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for problem in exc.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "name"
            errors.setdefault(_BLOCK_FOR_MODEL_FIELD.get(field, NAME_BLOCK), problem["msg"])
        return errors


def submission_key(view_id: str, view_hash: str, request: CampaignRequest) -> str:
    """The same submission (double click, Slack retry: same view, same hash, same values) → same key."""
    raw = f"{view_id}\n{view_hash}\n{request.idempotency_payload()}"
    return hashlib.sha256(raw.encode()).hexdigest()
