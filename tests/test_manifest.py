"""manifest.yml against the limits of Slack's app manifest schema (slackapi/manifest-schema 1.0.0)."""

from __future__ import annotations

import re

import yaml

from handlers.earnings_blocks import SHARE_ACTION_ID  # noqa: F401  (the app must import cleanly)
from tests.paths import ROOT as PATHS_ROOT

ROOT = PATHS_ROOT
KNOWN_BOT_SCOPES = {
    "commands",
    "chat:write",
    "chat:write.public",
    "files:write",
    "im:write",
    "users:read",
    "users:read.email",
}


def load() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_top_level_keys_are_those_the_schema_allows():
    manifest = load()
    allowed = {"_metadata", "display_information", "features", "oauth_config", "settings", "app_directory"}
    assert set(manifest) <= allowed
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert 1 <= len(info["description"]) <= 140
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])
    assert 1 <= len(manifest["features"]["bot_user"]["display_name"]) <= 80


def test_declares_every_command_within_schema_limits():
    commands = {c["command"]: c for c in load()["features"]["slash_commands"]}
    assert set(commands) == {"/earnings", "/campaign", "/subscribe"}
    for entry in commands.values():
        assert set(entry) <= {"command", "url", "description", "usage_hint", "should_escape"}
        assert 2 <= len(entry["command"]) <= 32
        assert 1 <= len(entry["description"]) <= 2000
        assert 1 <= len(entry["usage_hint"]) <= 1000
        assert re.match(r"https?://", entry["url"]) and entry["url"].endswith("/slack/events")


def test_scopes_and_interactivity_match_what_the_features_use():
    manifest = load()
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # files:write: the history chart is uploaded with files_upload_v2.
    assert {"commands", "chat:write", "chat:write.public", "files:write", "im:write", "users:read"} <= scopes
    assert scopes <= KNOWN_BOT_SCOPES
    assert all(len(s) <= 50 for s in scopes)
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"].endswith("/slack/events")


def test_procfile_migrates_in_release_then_runs_serve_on_port():
    assert (ROOT / "Procfile").read_text().strip().splitlines() == [
        "release: partners-bot db upgrade",
        "web: partners-bot serve --host 0.0.0.0 --port $PORT",
    ]


def test_home_tab_and_its_event_are_enabled_within_schema_limits():
    manifest = load()
    app_home = manifest["features"]["app_home"]
    assert set(app_home) <= {"home_tab_enabled", "messages_tab_enabled", "messages_tab_read_only_enabled"}
    assert app_home["home_tab_enabled"] is True
    assert all(isinstance(v, bool) for v in app_home.values())
    events = manifest["settings"]["event_subscriptions"]
    assert set(events) <= {"request_url", "bot_events", "user_events", "metadata_subscriptions"}
    assert re.match(r"https?://", events["request_url"]) and len(events["request_url"]) <= 3500
    assert events["request_url"].endswith("/slack/events")
    bot_events = events["bot_events"]
    assert "app_home_opened" in bot_events
    assert len(bot_events) == len(set(bot_events)) <= 100 and all(len(e) <= 50 for e in bot_events)


def test_new_campaign_global_shortcut_within_schema_limits():
    from handlers.home import SHORTCUT_CALLBACK

    shortcuts = load()["features"]["shortcuts"]
    assert 1 <= len(shortcuts) <= 10
    for entry in shortcuts:
        assert set(entry) == {"name", "type", "callback_id", "description"}
        assert entry["type"] in {"global", "message"}
        assert 1 <= len(entry["name"]) <= 24
        assert 1 <= len(entry["callback_id"]) <= 255
        assert 1 <= len(entry["description"]) <= 150
    new_campaign = next(s for s in shortcuts if s["callback_id"] == SHORTCUT_CALLBACK)
    assert (new_campaign["name"], new_campaign["type"]) == ("New campaign", "global")


def _subcommands(usage: str, command: str) -> set[str]:
    """The first word after `command` in each backticked example of a usage text."""
    return set(re.findall(rf"`{command} (\w+)", usage))


def test_usage_hints_name_every_subcommand_the_help_texts_list():
    from handlers.campaign_views import USAGE as CAMPAIGN_USAGE
    from handlers.earnings_blocks import USAGE as EARNINGS_USAGE

    hints = {c["command"]: c["usage_hint"] for c in load()["features"]["slash_commands"]}
    for command, usage in (("/earnings", EARNINGS_USAGE), ("/campaign", CAMPAIGN_USAGE)):
        listed = _subcommands(usage, command)
        assert {"help"} < listed
        hinted = set(re.findall(r"\w+", hints[command]))
        assert listed <= hinted, f"{command} usage_hint lacks {sorted(listed - hinted)}"
    assert _subcommands(EARNINGS_USAGE, "/earnings") == {
        "history",
        "withdraw",
        "withdrawals",
        "digest",
        "help",
    }
    assert {"weekly", "monthly", "on", "off", "status"} <= set(re.findall(r"\w+", hints["/earnings"]))
