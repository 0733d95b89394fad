"""The bot's own posts in the console are titled by kind: a trial alert "(alert)", a digest "(digest)"."""

from __future__ import annotations

from bot.offline.console.events import own_kind


def test_own_posts_are_labelled_by_kind() -> None:
    alert = {"blocks": [{"type": "section", "block_id": "trial_alert_123", "text": {"text": "x"}}]}
    lapsed = {"blocks": [{"type": "section", "block_id": "trial_lapsed_123", "text": {"text": "x"}}]}
    digest = {"blocks": [{"type": "header", "text": {"text": "Daily earnings digest"}}]}
    assert [own_kind(m) for m in (alert, lapsed, digest, {"text": "hello"})] == [
        "alert",
        "alert",
        "digest",
        "",
    ]
