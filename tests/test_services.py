"""The composition root: every service built once, the scheduler started only by run modes, all closed."""

from __future__ import annotations

import dataclasses

from bot.services import Services, open_services
from bot.settings import load_settings


def settings(**overrides):
    values = {
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": "secret",
        "slack_api_url": "http://127.0.0.1:9/api/",
        "partners_api_token": "ptok-test",
        "partners_api_url": "http://127.0.0.1:9",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "vault_key": None,
        **overrides,
    }
    return load_settings(_env_file=None, **values)


async def test_open_services_fills_every_field_and_shares_one_http_session():
    services = await open_services(settings(digest_check_seconds=60))
    try:
        for spec in dataclasses.fields(Services):
            assert getattr(services, spec.name) is not None, spec.name
        assert services.slack.session is services.http
        assert services.subscriptions.claims is services.claims is services.campaigns.claims
        assert services.digest_scheduler.runner is services.digest_runner
        assert services.digest_runner.store is services.digest_store
        assert not services.digest_scheduler.running  # only the run modes start it
        assert services.vault.problem is not None and "VAULT_KEY" in services.vault.problem
    finally:
        await services.close()
    assert services.http.closed


async def test_start_background_runs_the_scheduler_and_close_stops_it():
    services = await open_services(settings(digest_check_seconds=60))
    await services.start_background()
    assert services.digest_scheduler.running
    await services.close()
    assert not services.digest_scheduler.running


async def test_a_zero_check_interval_keeps_the_scheduler_off():
    services = await open_services(settings(digest_check_seconds=0))
    try:
        await services.start_background()
        assert not services.digest_scheduler.running
    finally:
        await services.close()


async def test_the_container_repr_shows_no_settings_or_tokens():
    services = await open_services(settings())
    try:
        text = repr(services)
        assert "xoxb-test" not in text and "ptok-test" not in text and "secret" not in text
    finally:
        await services.close()
