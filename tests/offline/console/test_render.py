from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.offline.console.mrkdwn import render_mrkdwn, style_mrkdwn, tidy_mrkdwn
from bot.offline.console.render import render_blocks, render_message, render_view
from bot.partners.models import Earnings
from bot.slack.blocks import notice_message
from handlers.earnings_blocks import earnings_message

USERS = {"U_ADMIN": "ada.admin"}
AS_OF = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)


def _earnings() -> Earnings:
    return Earnings(
        balance=Decimal("16519.12"),
        pending=Decimal("400"),
        withdrawals=Decimal("9252"),
        commission_total=Decimal("26171.12"),
        commission_last_30_days=Decimal("1540.4"),
    )


def test_earnings_message_reads_as_text_with_a_numbered_share_button() -> None:
    message = earnings_message(_earnings(), locale="en_US", as_of=AS_OF)
    rendered = render_message(message, users=USERS)
    lines = rendered.text.split("\n")
    assert lines[0] == "PARTNER EARNINGS"
    assert lines[1] == "=" * len("PARTNER EARNINGS")
    assert "  Balance: $16,519.12" in lines
    assert "  Pending: $400.00" in lines
    assert "  As of 2024-05-06 07:08 UTC · LiveChat Partner Program" in lines
    assert lines[-1] == "  [1] Share in channel"  # every control is indented alike
    [control] = rendered.controls
    assert (control.number, control.action_id, control.block_id, control.value) == (
        1,
        "earnings_share",
        "earnings_actions",
        "share",
    )
    assert control.action()["type"] == "button"


def test_shared_copy_names_the_sharer_and_has_no_button() -> None:
    message = earnings_message(_earnings(), locale="en_US", as_of=AS_OF, shared_by="U_ADMIN")
    rendered = render_message(message, users=USERS, start=7)
    assert "shared by @ada.admin" in rendered.text
    assert rendered.controls == []
    assert "<!date" not in rendered.text


def test_numbering_starts_where_asked_and_covers_overflow_options() -> None:
    blocks = [
        {"type": "divider"},
        {
            "type": "section",
            "block_id": "row",
            "text": {"type": "mrkdwn", "text": "Campaign *spring*"},
            "accessory": {
                "type": "overflow",
                "action_id": "more",
                "options": [
                    {"text": {"type": "plain_text", "text": "Disable"}, "value": "disable"},
                    {"text": {"type": "plain_text", "text": "Stats"}, "value": "stats"},
                ],
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U_ADMIN>"}]},
    ]
    rendered = render_blocks(blocks, start=4, users=USERS)
    assert rendered.text.split("\n")[0] == "-" * 48
    assert "  [4] Disable" in rendered.text and "  [5] Stats" in rendered.text
    assert "  by @ada.admin" in rendered.text
    action = rendered.controls[1].action()
    assert action == {
        "type": "overflow",
        "action_id": "more",
        "block_id": "row",
        "selected_option": {"text": {"type": "plain_text", "text": "Stats"}, "value": "stats"},
    }


def test_mrkdwn_tidying() -> None:
    text = "*Hi* <https://x.io/a?b=1&amp;c=2|docs>, <@U_ADMIN> in <#C1|general> <!here> <!date^1700000000^{date}|Nov 14> &lt;ok&gt;"
    assert tidy_mrkdwn(text, {"U_ADMIN": "ada.admin"}) == (
        "*Hi* docs (https://x.io/a?b=1&c=2), @ada.admin in #general @here Nov 14 <ok>"
    )
    assert tidy_mrkdwn("<mailto:a@b.co|a@b.co> <https://x.io>") == "a@b.co https://x.io"
    assert tidy_mrkdwn("<https://x.io/?a=1&amp;b=2|https://x.io/?a=1&amp;b=2>") == "https://x.io/?a=1&b=2"


def test_notice_and_plain_text_messages() -> None:
    assert render_message(notice_message("Shared in the channel.")).text == "Shared in the channel."
    assert render_message({"text": "hello <@U_ADMIN>"}, users=USERS).text == "hello @ada.admin"


def test_view_shows_title_inputs_and_buttons() -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "New campaign"},
        "submit": {"type": "plain_text", "text": "Create"},
        "blocks": [
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Name"},
                "hint": {"type": "plain_text", "text": "Shown to clients"},
                "element": {"type": "plain_text_input", "action_id": "v"},
            },
            {
                "type": "input",
                "block_id": "product",
                "optional": True,
                "label": {"type": "plain_text", "text": "Product"},
                "element": {"type": "static_select", "action_id": "v", "options": []},
            },
        ],
    }
    text = render_view(view).text
    assert text.startswith("+-- New campaign ")
    assert "| * Name (text)" in text and "|     Shown to clients" in text
    assert "| * Product (choice, optional)" in text
    assert text.endswith("+-- [1] Create  [2] Cancel " + "-" * 22)
    rendered = render_view(view, start=5)
    assert [(c.number, c.kind, c.label) for c in rendered.controls] == [
        (5, "view_submit", "Create"),
        (6, "view_close", "Cancel"),
    ]
    without_inputs = render_view(view, inputs=False).text
    assert "Name (text)" not in without_inputs and "Product" not in without_inputs


def test_styles_are_ansi_on_a_terminal_and_plain_otherwise() -> None:
    text = "*Affiliate program* — _pending_ ~old~ `/earnings digest on` :tada: :no_such_emoji:"
    assert style_mrkdwn(text) == "Affiliate program — pending old `/earnings digest on` 🎉 :no_such_emoji:"
    assert style_mrkdwn(text, ansi=True) == (
        "\x1b[1mAffiliate program\x1b[0m — \x1b[3mpending\x1b[0m \x1b[9mold\x1b[0m "
        "`/earnings digest on` 🎉 :no_such_emoji:"
    )


def test_markers_inside_words_code_and_links_stay_as_typed() -> None:
    assert (
        style_mrkdwn("2*3*4 snake_case_name `a *b* c` 09:00:00") == "2*3*4 snake_case_name `a *b* c` 09:00:00"
    )
    assert render_mrkdwn("<https://x.io/a_b_c|*docs*> :warning:") == "docs (https://x.io/a_b_c) ⚠️"


def test_earnings_message_shows_no_raw_markers() -> None:
    message = earnings_message(_earnings(), locale="en_US", as_of=AS_OF)
    plain = render_message(message, users=USERS).text
    assert "*" not in plain
    bold = render_message(message, users=USERS, ansi=True).text
    assert "\x1b[1m" in bold and "*" not in bold


def test_a_home_tab_frame_ends_with_a_plain_rule_not_an_empty_button_bar() -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}
    rendered = render_view(home)
    assert rendered.text.splitlines()[-1] == "+" + "-" * 47
    assert rendered.controls == []
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    assert render_view(modal).text.splitlines()[-1].startswith("+-- [1] Cancel ")
