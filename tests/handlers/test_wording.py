"""Wording of /earnings, /campaign and digest replies: no raw values, no doubled times (issue 15.14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.digest.blocks import DigestContext, digest_text
from bot.digest.store import Delivery
from bot.partners.models import Earnings
from handlers.campaign_views import campaign_fields
from handlers.digest_blocks import delivery_line, next_line, when
from handlers.earnings_blocks import shared_notice
from tests.handlers.test_campaign_views import campaign

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
AT = datetime(2026, 11, 25, 6, 57, tzinfo=UTC)


def test_a_utc_channel_reads_its_time_once():
    assert when(AT, ZoneInfo("UTC")) == "Wednesday 25 November 2026 at 06:57 UTC"
    assert next_line(AT, ZoneInfo("Etc/UTC"), NOW) == "Next digest: Wednesday 25 November 2026 at 06:57 UTC."


def test_another_zone_still_shows_utc_beside_it():
    assert when(AT, ZoneInfo("Europe/Warsaw")) == "Wednesday 25 November 2026 at 07:57 CET (06:57 UTC)"
    assert (
        when(AT, ZoneInfo("America/Los_Angeles")) == "Tuesday 24 November 2026 at 22:57 PST (Wed 06:57 UTC)"
    )


def _delivery(**changes: object) -> Delivery:
    base = Delivery(
        id=1,
        channel_id="C1",
        local_date=date(2026, 11, 25),
        state="sent",
        claimed_by="x",
        claimed_at=AT,
        attempts=1,
        scheduled_at=AT,
        snapshot_id=None,
        message_ts=None,
        error=None,
        next_attempt_at=None,
        sent_at=AT,
    )
    return replace(base, **changes)


def test_delivery_lines_are_sentences_without_iso_dates_or_plural_brackets():
    utc = ZoneInfo("UTC")
    assert (
        delivery_line(_delivery(), utc, NOW) == "Last digest: sent Wednesday 25 November 2026 at 06:57 UTC."
    )
    late = _delivery(sent_at=datetime(2026, 11, 26, 0, 5, tzinfo=UTC))
    assert delivery_line(late, utc, NOW).startswith(
        "Last digest (the one for Wednesday 25 November 2026): sent "
    )
    failed = _delivery(state="failed", attempts=3, error="Slack said ratelimited", sent_at=None)
    line = delivery_line(failed, utc, NOW)
    assert (
        line == "The digest for Wednesday 25 November 2026 *failed* after 3 attempts: Slack said ratelimited."
    )
    assert "2026-11-25" not in line and "(s)" not in line


def _earnings(balance: str, pending: str, total: str) -> Earnings:
    return Earnings.model_validate(
        {"balance": balance, "pending": pending, "blocked": 0, "withdrawals": 0, "commission_total": total}
    )


def test_digest_fallback_says_up_and_down_in_words():
    context = DigestContext(ZoneInfo("UTC"), date(2026, 12, 2), AT, AT)
    text = digest_text(
        _earnings("17332.57", "10", "20000"), _earnings("17190.67", "15.5", "20000"), context, "en_US"
    )
    assert text == (
        "Earnings digest for Wednesday 2 December 2026: balance $17,332.57 (up $141.90 since the last digest), "
        "pending $10.00 (down $5.50), commission total $20,000.00 (no change)."
    )
    assert "▲" not in text and "▼" not in text and ";" not in text


def test_campaign_without_coupon_or_trial_says_so_in_words():
    fields = [f["text"] for f in campaign_fields(campaign(discount="", trial_duration=0))]
    assert "*Coupon*\nNo coupon" in fields and "*Trial*\nNo trial" in fields
    assert not any(text.endswith("None") or text.endswith("—") for text in fields)


def test_shared_notice_names_who_and_when_and_has_no_button():
    notice = shared_notice("U0ADA", AT)
    assert notice["text"] == (
        "<@U0ADA> shared these earnings in the channel on "
        f"<!date^{int(AT.timestamp())}^{{date_short_pretty}} at {{time}}|2026-11-25 06:57 UTC>."
    )
    # One plain section: all() over no blocks would pass, and a section can carry a button too.
    (block,) = notice["blocks"]
    assert block["type"] == "section" and "accessory" not in block
