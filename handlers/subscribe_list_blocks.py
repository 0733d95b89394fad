"""Block Kit for the `/subscribe` license list: each subscribable trial with its Create subscription button.

The list is ephemeral, so it is written for the one admin who asked: when each trial ends is said in
their Slack time zone with the phrase the trial alerts and the Home tab use ("in 2 days, Saturday
20:06"), so the three never disagree about the same trial.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alerts.blocks import ends_phrase
from bot.partners.models import License
from bot.slack.blocks import Json, button, context, header, message, notice_message, section
from handlers.subscribe_views import OPEN_ACTION_PREFIX, client_text, id_text, short_hash

MAX_LISTED = 40  # a message holds 50 blocks; header, notes and the "more" line need the rest


def license_list_message(
    licenses: Sequence[License],
    *,
    now: datetime,
    zone: ZoneInfo,
    vault_note: str | None = None,
    unconfirmed: dict[str, datetime] | None = None,
) -> Json:
    """The ephemeral `/subscribe` reply: each subscribable trial with a Create subscription button,
    except those whose last request has an unknown outcome (`unconfirmed`: until when they are locked).
    Trial ends are said relative to `now` in the reader's `zone`."""
    unconfirmed = unconfirmed or {}
    if not licenses:
        text = (
            "There are no licenses you can subscribe for right now: no LiveChat trial is partner-paid, "
            "unpaid and active."
        )
        return notice_message(text)
    blocks: list[Json] = [header("Create a subscription")]
    for lic in licenses[:MAX_LISTED]:
        card = "client card on file" if lic.cc_added else "no client card"
        name = client_text(lic.client_name)
        ends = ""
        if lic.end_timestamp is not None:
            ends = f" · ends {ends_phrase(lic.end_timestamp, now, zone)} ({zone.key})"
        text = f"*{name}*\nLicense {id_text(lic.license)} · LiveChat trial{ends} · {card}"
        block_id = f"subscribe_license_{short_hash(lic.license)}"
        locked = unconfirmed.get(lic.license)
        if locked is not None:
            text += (
                f"\n:hourglass: *Being confirmed* — a subscription request got no clear answer from LiveChat; "
                f"no new request until {locked.astimezone(zone):%H:%M} ({zone.key}) unless LiveChat shows it subscribed."
            )
            blocks.append(section(text, block_id=block_id))
            continue
        # The id rides in the value (up to 2,000 characters); the action id only needs to be unique.
        create = button(
            "Create subscription", action_id=OPEN_ACTION_PREFIX + short_hash(lic.license), value=lic.license
        )
        blocks.append(section(text, block_id=block_id, accessory=create))
    if len(licenses) > MAX_LISTED:
        more = len(licenses) - MAX_LISTED
        blocks.append(
            section(f"…and {more} more. Subscribe the ones above first, then run /subscribe again.")
        )
    note = "Only admins can subscribe. You will confirm plan, seats and price before anything is charged."
    if vault_note:
        note = f":warning: {vault_note}"
    blocks.append(context(note))
    count = len(licenses)
    return message(f"{count} license{'s' if count != 1 else ''} can be subscribed", blocks)
