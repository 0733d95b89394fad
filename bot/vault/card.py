"""A payment card and its validation: Luhn, expiry, country code and required fields.

The number and CVV are `SecretStr`, so a card's repr, str or a pydantic error never shows them.
Validation problems come back per field as sentences that never quote the rejected value.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from babel import Locale
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError

_COUNTRIES = frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())
_FIELD_ORDER = (
    "label",
    "first_name",
    "last_name",
    "number",
    "month",
    "year",
    "cvv",
    "address1",
    "city",
    "state",
    "zip",
    "country",
)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every card number carries (catches typos and swapped digits)."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The card network, from the number's prefix; shown next to the last 4 digits."""
    if digits.startswith("4"):
        return "Visa"
    if re.match(r"5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)", digits):
        return "Mastercard"
    if digits[:2] in ("34", "37"):
        return "American Express"
    if digits.startswith(("6011", "65")) or re.match(r"64[4-9]", digits):
        return "Discover"
    if digits[:2] in ("36", "38", "39") or re.match(r"30[0-5]", digits):
        return "Diners Club"
    if re.match(r"35(2[89]|[3-8]\d)", digits):
        return "JCB"
    return "Card"


def _text(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _digits(value: object) -> object:
    value = _text(value)
    return re.sub(r"[\s-]", "", value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=100)]


def _luhn_number(value: SecretStr) -> SecretStr:
    number = value.get_secret_value()
    if not (number.isdigit() and 12 <= len(number) <= 19):
        raise ValueError("must be 12–19 digits")
    if not luhn_valid(number):
        raise ValueError("is not a valid card number (checksum failed) — check for a typo")
    return value


def _cvv(value: SecretStr) -> SecretStr:
    if not re.fullmatch(r"\d{3,4}", value.get_secret_value()):
        raise ValueError("must be 3 or 4 digits")
    return value


def _country(value: str) -> str:
    if value.upper() not in _COUNTRIES:
        raise ValueError("must be a two-letter ISO country code, e.g. US or DE")
    return value.upper()


class Card(BaseModel):
    """One card as imported; `number` and `cvv` stay secret in reprs, logs and errors."""

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    label: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=64)]
    first_name: Text
    last_name: Text
    number: Annotated[SecretStr, BeforeValidator(_digits), AfterValidator(_luhn_number)]
    month: int = Field(ge=1, le=12)
    year: int = Field(ge=2000, le=2100)
    cvv: Annotated[SecretStr, BeforeValidator(_digits), AfterValidator(_cvv)]
    address1: Text
    city: Text
    state: Annotated[str, BeforeValidator(_text), Field(max_length=100)] = ""
    zip: Text
    country: Annotated[str, BeforeValidator(_text), AfterValidator(_country)]

    @property
    def last4(self) -> str:
        return self.number.get_secret_value()[-4:]

    @property
    def brand(self) -> str:
        return card_brand(self.number.get_secret_value())

    def summary(self) -> str:
        """ "Company Visa · Visa ending 1111": what a person may see of this card."""
        return f"{self.label} · {self.brand} ending {self.last4}"


class CardInvalid(ValueError):
    """A card that cannot be stored; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str], *, index: int | None = None, label: str | None = None):
        self.errors = errors
        self.index = index
        self.label = label
        where = f"card {label!r}" if label else f"card #{index + 1}" if index is not None else "card"
        problems = "; ".join(f"{name}: {message}" for name, message in errors.items())
        super().__init__(f"{where}: {problems}")


_MESSAGES = {
    "missing": "is required",
    "string_too_short": "is required",
    "too_short": "is required",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "string_type": "must be text",
}


def _field_problems(exc: ValidationError) -> dict[str, str]:
    problems: dict[str, str] = {}
    for error in exc.errors(include_input=False, include_url=False):
        name = str(error["loc"][0]) if error["loc"] else "card"
        if name in problems:
            continue
        kind = error["type"]
        if name == "month" and kind in ("greater_than_equal", "less_than_equal"):
            problems[name] = "must be 1–12"
        elif name == "year" and kind in ("greater_than_equal", "less_than_equal"):
            problems[name] = "must be a four-digit year, e.g. 2029"
        elif kind == "value_error":
            problems[name] = str(error["msg"]).removeprefix("Value error, ")
        elif kind in ("string_too_long", "too_long"):
            problems[name] = "is too long"
        else:
            problems[name] = _MESSAGES.get(kind, "is not valid")
    return problems


STATE_REQUIRED = "is required: Recurly needs the billing state or region (e.g. CA, Bavaria, Mazowieckie)"


def _expired(data: dict[str, Any], today: date) -> str | None:
    """The expiry problem of raw card data, if month and year are readable at all."""
    try:
        month, year = int(str(data.get("month")).strip()), int(str(data.get("year")).strip())
    except ValueError:
        return None
    if 1 <= month <= 12 and (year, month) < (today.year, today.month):
        return f"the card expired at the end of {month:02d}/{year}"
    return None


def validate_card(data: Any, today: date, *, index: int | None = None) -> Card:
    """A valid `Card` from a JSON object, or `CardInvalid` naming every field that is wrong."""
    if not isinstance(data, dict):
        raise CardInvalid({"card": "must be a JSON object with label, number, month, …"}, index=index)
    label = data.get("label") if isinstance(data.get("label"), str) else None
    data = {**data}
    if "cvv" not in data and "verification_value" in data:
        data["cvv"] = data["verification_value"]
    problems: dict[str, str] = {}
    card: Card | None = None
    try:
        card = Card.model_validate(data)
    except ValidationError as exc:
        problems = _field_problems(exc)
    expired = _expired(data, today)
    if expired and "month" not in problems and "year" not in problems:
        problems["year"] = expired
    if card is not None and not card.state and "state" not in problems:
        # Stored cards may predate this rule (the model keeps `state` optional), imports may not.
        problems["state"] = STATE_REQUIRED
    if problems or card is None:
        raise CardInvalid(_ordered(problems), index=index, label=label)
    return card


def _ordered(problems: dict[str, str]) -> dict[str, str]:
    rank = {name: i for i, name in enumerate(_FIELD_ORDER)}
    return dict(sorted(problems.items(), key=lambda item: rank.get(item[0], len(rank))))


def parse_cards(payload: Any, today: date) -> tuple[list[Card], list[CardInvalid]]:
    """Every card of an import file (one object or a list): the valid ones and the problems."""
    items = payload if isinstance(payload, list) else [payload]
    cards: list[Card] = []
    problems: list[CardInvalid] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            card = validate_card(item, today, index=index)
        except CardInvalid as exc:
            problems.append(exc)
            continue
        if card.label in seen:
            # Stored in turn, the later card would silently replace the earlier one.
            problems.append(
                CardInvalid(
                    {"label": "is used by an earlier card in this file"}, index=index, label=card.label
                )
            )
            continue
        seen.add(card.label)
        cards.append(card)
    return cards, problems
