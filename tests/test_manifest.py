"""manifest.yml against the limits of Slack's app manifest schema (slackapi/manifest-schema 1.0.0)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from handlers.earnings_blocks import SHARE_ACTION_ID  # noqa: F401  (the app must import cleanly)

ROOT = Path(__file__).resolve().parents[1]
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


def test_procfile_runs_serve_on_port():
    assert (ROOT / "Procfile").read_text().strip() == "web: partners-bot serve --host 0.0.0.0 --port $PORT"
