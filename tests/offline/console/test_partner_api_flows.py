"""The Partner API as LiveChat documents it today, typed into the console field by field.

Each test runs the real console (`console_main`, scripted input) on the real bot, the sandbox and the
Slack stand-in, and checks both what the screen shows and what the sandbox received: campaigns are
created with a coupon (form body), listed with the coupon's label (the API's `discount` is a text
label), disabled by id (`DELETE …/campaigns/<id>`); trials are 14-30 days; expired trials are not
offered by `/subscribe`; a confirmed subscription is one JSON POST answered "Subscribed".
"""

from __future__ import annotations

import re

from bot.offline.console.repl import console_main
from bot.offline.local_stack import LocalStack
from bot.offline.sandbox.state import SandboxState
from tests.offline.console.helpers import Line, ScriptedIO

CAMPAIGNS = "/v2/partners/affiliates/campaigns"
SUB_PATH = "/v2/partners/solutions/licenses/livechat/"
TRIAL_ERROR = "  ! Trial length must be between 14 and 30 days"


async def _run(lines: list[Line]) -> ScriptedIO:
    io = ScriptedIO([*lines, "quit"])
    assert await console_main(io=io) == 0
    return io


def _number(io: ScriptedIO, label: str) -> str:
    """The number of the last control printed as `[N] label`."""
    found = re.findall(rf"\[(\d+)\] {re.escape(label)}\b", io.text)
    assert found, f"no [N] {label} in:\n{io.text}"
    return found[-1]


def _click_last(io: ScriptedIO, label: str) -> Line:
    """A script step: press the last `[N] label` on screen (its number is known only then)."""

    async def press() -> None:
        io.lines.insert(0, f"click {_number(io, label)}")

    return press


def _shown_after(io: ScriptedIO, typed_line: str) -> str:
    """What the screen shows after the whole line `typed_line` (prompt and answer) up to the next prompt."""
    return io.text.split(typed_line + "\n", 1)[1].split("\n> ", 1)[0]


def _campaign(state: SandboxState, name: str) -> dict:
    (found,) = [c for c in state.campaigns if c["name"] == name]
    return found


async def test_a_campaign_with_a_coupon_is_created_listed_with_its_label_and_disabled_by_id(
    stacks: list[LocalStack],
) -> None:
    io = ScriptedIO([])
    io.lines = [
        "/campaign",
        "Autumn webinar",  # Name
        "1",  # Product: LiveChat
        "21",  # Trial length
        "2",  # Coupon: the second of the partner's coupons
        "https://agency.example/autumn",  # Landing page
        "cancel",  # close "Campaign created"
        "/campaign list",
        "/campaign disable autumn WEBINAR",
        _click_last(io, "Disable"),
        "y",  # Slack's "Disable campaign?" dialog
        "/campaign list disabled",
        "quit",
    ]
    assert await console_main(io=io) == 0
    state = stacks[0].sandbox.state
    coupon = state.coupons[1]

    (post,) = state.calls_to("POST", CAMPAIGNS)
    assert post.query == {"product": "livechat"}
    assert post.form == {
        "name": "Autumn webinar",
        "trial_duration": "21",
        "coupon_id": str(coupon["id"]),
        "link": "https://agency.example/autumn",
    }
    created = _campaign(state, "Autumn webinar")
    assert created["discount"] == coupon["label"]  # what the API lists: the coupon's label, as text
    assert f"Coupon: {coupon['label']}" in _shown_after(
        io, "Landing page (Enter skips): https://agency.example/autumn"
    )

    listed = io.after("/campaign list")
    line = next(row for row in listed.splitlines() if row.startswith("Autumn webinar"))
    assert line == f"Autumn webinar · LiveChat · `{created['slug']}` · {coupon['label']}"
    assert created["short_url"] in listed

    assert "Disable this campaign?" in io.after("/campaign disable autumn WEBINAR")
    # Disabled by the id `campaigns/search` gives, never by the pre-2023 `?product&slug`.
    (delete,) = state.calls_to("DELETE", CAMPAIGNS)
    assert delete.path == f"{CAMPAIGNS}/{created['id']}" and delete.query == {}
    assert state.count("GET", f"{CAMPAIGNS}/search") >= 1
    assert created["active"] is False
    assert [c["name"] for c in state.campaigns if not c["active"]] == ["Black Friday 2023", "Autumn webinar"]
    disabled = io.after("/campaign list disabled")
    assert f"Autumn webinar · LiveChat · `{created['slug']}` · {coupon['label']} · disabled" in disabled


async def test_a_31_day_trial_gets_the_inline_error_and_14_to_30_pass(stacks: list[LocalStack]) -> None:
    # Name, Product (LiveChat), Trial length, Coupon (none), Landing page (none), then the fix.
    longest = ["/campaign", "Longest trial", "1", "31", "", "", "30", "cancel"]
    shortest = ["/campaign", "Shortest trial", "1", "13", "", "", "14", "cancel"]
    io = await _run([*longest, *shortest])
    state = stacks[0].sandbox.state
    text = io.text
    # Each refused length is shown under its field, then only that field is asked again.
    assert text.count(TRIAL_ERROR) == 2
    for refused, accepted in (("31", "30"), ("13", "14")):
        asked_again = text.split(f"Trial length (days) (Enter skips): {refused}\n", 1)[1]
        assert asked_again.index(TRIAL_ERROR) < asked_again.index(
            f"Trial length (days) [{refused}] (Enter keeps it, - clears it): {accepted}"
        )
        assert asked_again.index(f"Trial: {accepted} days") > asked_again.index(TRIAL_ERROR)
    # Nothing was sent for 31 or 13: one POST per campaign, with the accepted length.
    posts = state.calls_to("POST", CAMPAIGNS)
    assert [(p.form["name"], p.form["trial_duration"]) for p in posts] == [
        ("Longest trial", "30"),
        ("Shortest trial", "14"),
    ]
    assert _campaign(state, "Longest trial")["trial_duration"] == 30
    assert _campaign(state, "Shortest trial")["trial_duration"] == 14


def _offered(listing: str) -> list[str]:
    return re.findall(r"^License (\S+) · ", listing, flags=re.M)


async def test_an_expired_trial_is_not_offered_by_subscribe(stacks: list[LocalStack]) -> None:
    sunrise = "11223307"  # the sandbox's partner-paid LiveChat trial that ends in 1.2 days
    expired: list[set[str]] = []

    async def note_expired() -> None:
        licenses = stacks[0].sandbox.state.licenses
        expired.append({lid for lid, lic in licenses.items() if lic["status"] == "expired"})

    io = await _run(["/subscribe", note_expired, "tomorrow 2", "/subscribe", note_expired])
    before, after = io.text.split("> /subscribe\n")[1:]
    # Trials whose end had passed already at the start: listed as expired by the API, not offered.
    assert {"11223305", "11223310"} <= expired[0] and sunrise not in expired[0]
    assert sunrise in _offered(before) and not expired[0] & set(_offered(before))
    # Two days later the 1.2-day trial has expired too: no longer offered, the others still are.
    assert expired[1] == expired[0] | {sunrise}
    assert not expired[1] & set(_offered(after))
    assert _offered(after) == [lid for lid in _offered(before) if lid != sunrise]
    assert _offered(after), "the list still offers the trials that have not ended"


async def test_subscribe_form_confirm_sends_one_json_post_and_says_subscribed(
    stacks: list[LocalStack],
) -> None:
    io = await _run(
        [
            "/subscribe",
            "click 1",  # Create subscription for the first license listed
            "2",  # Plan: Team
            "4",  # Seats
            "2",  # Billing cycle: Annual
            "",  # Card: the demo card
            "y",  # Confirm
        ]
    )
    state = stacks[0].sandbox.state
    confirm = io.text.split("+-- Confirm subscription", 1)[1]
    license_id = re.search(r"License: (\S+)", confirm)[1]  # type: ignore[index]
    assert re.search(rf"License {license_id} · .*\n  \[1\] Create subscription", io.after("/subscribe"))

    (post,) = state.calls_to("POST", SUB_PATH)
    assert post.path == f"{SUB_PATH}{license_id}/subscription"
    assert post.headers["Content-Type"].startswith("application/json") and post.form == {}
    assert post.json is not None and set(post.json) == {"token", "plan", "billing_cycle", "seats"}
    assert (post.json["plan"], post.json["billing_cycle"], post.json["seats"]) == ("team", "annual", 4)
    assert state.issued_tokens[post.json["token"]].used
    assert state.subscriptions[license_id]["seats"] == 4

    result = _shown_after(io, f"(or `click {_number(io, 'Back')}` for Back) y")
    assert "✅ Subscribed." in result
    assert "Not subscribed" not in result and "not confirmed" not in result.lower()
