"""Money formatting with babel: Decimal in, locale text out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.money import format_delta, format_money

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (Decimal("16519.12"), "en_US", "$16,519.12"),
        (Decimal("16519.12"), "de_DE", f"16.519,12{NBSP}$"),
        (Decimal("641.5"), "en_US", "$641.50"),
        (Decimal("0"), "en_US", "$0.00"),
        (Decimal("9894"), "en_US", "$9,894.00"),
        (Decimal("1234567.891"), "en_US", "$1,234,567.89"),
        (Decimal("-5.5"), "en_US", "-$5.50"),
        (Decimal("21569.8"), "de_DE", f"21.569,80{NBSP}$"),
    ],
)
def test_format_money(amount: Decimal, locale: str, expected: str):
    assert format_money(amount, locale) == expected


def test_default_locale_is_en_us():
    assert format_money(Decimal("16519.12")) == "$16,519.12"


def test_decimal_is_not_float_rounded():
    # 0.1 + 0.2 as floats is 0.30000000000000004; Decimal keeps exact cents.
    assert format_money(Decimal("0.1") + Decimal("0.2")) == "$0.30"
    assert format_money(Decimal("10000000000000000.01")) == "$10,000,000,000,000,000.01"


@pytest.mark.parametrize(
    ("change", "locale", "expected"),
    [
        (Decimal("120"), "en_US", "▲ $120.00"),
        (Decimal("-5.5"), "en_US", "▼ $5.50"),
        (Decimal("0"), "en_US", "no change"),
        (Decimal("0.00"), "en_US", "no change"),
        (Decimal("-1234.5"), "de_DE", f"▼ 1.234,50{NBSP}$"),
    ],
)
def test_format_delta(change: Decimal, locale: str, expected: str):
    assert format_delta(change, locale) == expected


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2))
def test_delta_is_arrow_plus_absolute_amount(amount: Decimal):
    assert format_delta(amount) == "▲ " + format_money(amount)
    assert format_delta(-amount) == "▼ " + format_money(amount)


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("1e12"), places=2))
def test_en_us_round_trips_cents(amount: Decimal):
    text = format_money(amount, "en_US")
    assert text.startswith("$")
    assert Decimal(text[1:].replace(",", "")) == amount
