"""ADMIN_USER_IDS / ALLOWED_USER_IDS and PLAN_PRICES: malformed values are named, good ones read."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize("raw", ["alice", "u012abcdef", "U1,bob", "@U012ABCDEF", "C012ABCDEF"])
def test_user_id_lists_refuse_names_and_lower_case_ids(monkeypatch: pytest.MonkeyPatch, raw: str):
    """A name or lower-case id would never match Slack's ids: the admin would silently not be one."""
    monkeypatch.setenv("ADMIN_USER_IDS", raw)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("ADMIN_USER_IDS is malformed: not a Slack user id") and "\n" not in message


def test_user_id_lists_accept_user_and_enterprise_ids(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ALLOWED_USER_IDS", "U012ABCDEF, W0ENTERPRISE,U_ADMIN")
    assert load_settings().allowed_user_ids == {"U012ABCDEF", "W0ENTERPRISE", "U_ADMIN"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ('{"Team": 41}', "unknown plan 'Team'"),
        ('{"pro": 41}', "unknown plan 'pro'"),
        ('{"team": -5}', "positive"),
        ('{"team": 0}', "positive"),
        ('{"team": "abc"}', "team: "),
    ],
)
def test_plan_prices_name_the_plan_that_is_wrong(monkeypatch: pytest.MonkeyPatch, raw: str, says: str):
    """A misspelt plan used to be accepted and then silently show no price in /subscribe."""
    monkeypatch.setenv("PLAN_PRICES", raw)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("PLAN_PRICES is malformed") and says in str(caught.value)


def test_plan_prices_accept_the_three_plans(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLAN_PRICES", '{"starter": 20, "team": "41.50", "business": 59}')
    assert {k: str(v) for k, v in load_settings().plan_prices.items()} == {
        "starter": "20",
        "team": "41.50",
        "business": "59",
    }
