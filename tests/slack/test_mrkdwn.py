"""Escaping user-controlled labels and URLs for Slack mrkdwn."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import escape, escape_url, link


def test_escape_turns_control_characters_into_text():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_a_plain_url_links_to_itself():
    url = "https://lc.chat/x?a=1&b=2"
    assert link(url) == "<https://lc.chat/x?a=1&b=2|https://lc.chat/x?a=1&amp;b=2>"


def test_a_pipe_in_the_url_cannot_disguise_the_link():
    text = link("https://evil.example/|https://www.livechat.com")
    url, _, label = text[1:-1].partition("|")
    assert url == "https://evil.example/%7Chttps://www.livechat.com"
    assert label == "https://evil.example/|https://www.livechat.com"  # the reader sees the real target


@pytest.mark.parametrize("url", ["https://x.example/><!channel>", "https://x.example/<!here|now>"])
def test_angle_brackets_in_the_url_cannot_close_the_link_or_ping(url):
    text = link(url)
    inner = text[1:-1]
    assert "<" not in inner and ">" not in inner
    assert "<!channel>" not in text and "<!here" not in text


def test_a_label_is_escaped_too():
    assert link("https://x.example", "<!channel> *win*") == "<https://x.example|&lt;!channel&gt; *win*>"


def test_no_url_is_a_dash():
    assert link(None) == "—" and link("") == "—"


def test_escape_url_leaves_ordinary_urls_unchanged():
    url = "https://www.livechat.com/?a=AgP7x2Lq&utm_campaign=pp_x"
    assert escape_url(url) == url
