from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.offline.slack_standin import (
    RunningStandin,
    StandinChannel,
    StandinOptions,
    StandinUser,
    start_slack_standin,
)


def standin_options(**overrides: object) -> StandinOptions:
    options = StandinOptions(
        users=[
            StandinUser("U_ADMIN", "ada.admin", "Ada Admin", is_admin=True),
            StandinUser("U_PARTNER", "pat.partner", "Pat Partner", tz="America/New_York"),
        ],
        channels=[
            StandinChannel("C_GENERAL", "general"),
            StandinChannel("C_ARCHIVED", "old", is_archived=True),
            StandinChannel("C_NOBOT", "secret", bot_is_member=False),
            StandinChannel("C_FEW", "few", members={"U_ADMIN"}),
        ],
    )
    for key, value in overrides.items():
        setattr(options, key, value)
    return options


@pytest.fixture
async def standin() -> AsyncIterator[RunningStandin]:
    running = await start_slack_standin(options=standin_options(trigger_ttl=0.3))
    yield running
    await running.close()


@pytest.fixture
async def client(standin: RunningStandin) -> AsyncIterator[AsyncWebClient]:
    web_client = AsyncWebClient(token=standin.state.options.bot_token, base_url=standin.api_url)
    yield web_client
