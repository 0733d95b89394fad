"""What an admin asks for (`Order`), how the modal's answers are checked, and what it costs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Plan = Literal["starter", "team", "business"]
BillingCycle = Literal["monthly", "annual"]
PLANS: tuple[Plan, ...] = ("starter", "team", "business")
CYCLES: tuple[BillingCycle, ...] = ("monthly", "annual")
PLAN_NAMES = {"starter": "Starter", "team": "Team", "business": "Business"}
MAX_SEATS = 1000
ANNUAL_FACTOR = Decimal("0.85")  # annual billing is 15% cheaper per seat-month

# License ids go into the POST path, so only the characters the API uses are accepted.
LicenseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class SubscriptionForm(BaseModel):
    """The modal's answers; field names are the input blocks' block_ids, so errors map straight back."""

    model_config = ConfigDict(hide_input_in_errors=True)

    plan: Plan
    seats: int = Field(ge=1, le=MAX_SEATS)
    billing_cycle: BillingCycle
    card: Annotated[str, StringConstraints(min_length=1, max_length=64)]


FORM_MESSAGES = {
    "plan": "Choose a plan.",
    "seats": f"Enter a whole number of seats from 1 to {MAX_SEATS}.",
    "billing_cycle": "Choose monthly or annual billing.",
    "card": "Choose a card from the vault.",
}


def check_form(answers: dict[str, object]) -> tuple[SubscriptionForm | None, dict[str, str]]:
    """The validated form, or errors keyed by block_id (what `response_action="errors"` needs)."""
    try:
        return SubscriptionForm.model_validate(answers), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors(include_input=False):
            name = str(error["loc"][0]) if error["loc"] else "plan"
            errors.setdefault(name, FORM_MESSAGES.get(name, "This value is not valid."))
        return None, errors


class Order(BaseModel):
    """One confirmed request; `request_id` ties the confirmation view to exactly one attempt."""

    model_config = ConfigDict(frozen=True)

    license_id: LicenseId
    client_name: Annotated[str, StringConstraints(max_length=200)] = ""
    plan: Plan
    seats: int = Field(ge=1, le=MAX_SEATS)
    billing_cycle: BillingCycle
    card_label: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    card_last4: Annotated[str, StringConstraints(pattern=r"^\d{0,4}$")] = ""
    channel_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]{1,32}$")] | None = None
    request_id: Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{32}$")]

    def summary(self) -> str:
        """ "Team plan, 5 seats, annual" — the words of the success note."""
        seats = "1 seat" if self.seats == 1 else f"{self.seats} seats"
        return f"{PLAN_NAMES[self.plan]} plan, {seats}, {self.billing_cycle}"


@dataclass(frozen=True)
class Price:
    """The total per billing period; `per_seat_month` already includes the annual discount."""

    amount: Decimal
    period: Literal["month", "year"]
    per_seat_month: Decimal

    def describe(self) -> str:
        """ "2091.00 USD per year": what the review showed, as recorded (not for display)."""
        return f"{self.amount} USD per {self.period}"


def price_of(plan_prices: dict[str, Decimal], plan: str, seats: int, billing_cycle: str) -> Price | None:
    """The price from `PLAN_PRICES` (monthly USD per seat), or None when the plan has no price set."""
    monthly = plan_prices.get(plan)
    if monthly is None:
        return None
    if billing_cycle == "annual":
        per_seat = monthly * ANNUAL_FACTOR
        return Price(
            (per_seat * seats * 12).quantize(Decimal("0.01")), "year", per_seat.quantize(Decimal("0.01"))
        )
    return Price((monthly * seats).quantize(Decimal("0.01")), "month", monthly)
