"""The console's `home`: open the App Home tab as the current user and press its buttons.

`home` sends `app_home_opened` (as Slack does when the user opens the tab); the session prints the
published Home with numbered buttons. Home buttons live in a Home view, not a modal, so `click N`
on one of them goes through `click_home` here, which sends the `block_actions` a Home tab sends.
"""

from __future__ import annotations

import time

from bot.offline.console.session import ConsoleSession
from bot.offline.slack_standin import DriverResult


async def show_home(session: ConsoleSession) -> DriverResult:
    """Open the current user's Home tab and print what the bot publishes."""
    driver = session.stack.driver
    return await session._cycle(lambda: driver.app_home_opened(session.user_id), session.channel_id)


def _home_of(session: ConsoleSession, number: int) -> dict | None:
    """The Home view control `number` belongs to, or None when it is not a Home button."""
    entry = session.controls.get(number)
    if entry is None:
        return None
    _, source = entry
    for stored in session.state.home_views.values():
        if source.view_id is not None and stored.id == source.view_id:
            return stored.view
    return None


async def click_home(session: ConsoleSession, number: int) -> bool:
    """Press Home button `number`; False when `number` is not on a Home tab (the caller handles it)."""
    view = _home_of(session, number)
    if view is None:
        return False
    control, _ = session.controls[number]
    action = {**control.action(), "action_ts": f"{time.time():.6f}"}
    driver = session.stack.driver
    await session._cycle(
        lambda: driver.block_action(
            control.action_id, control.value, user_id=session.user_id, view=view, action=action
        ),
        session.channel_id,
    )
    return True
