"""Users read our own sentence per Partners API status, never the API's error body."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.partners import PartnersClient, PartnersError, PartnersRedirected, RetryPolicy
from bot.partners.errors import PartnersRateLimited, PartnersUnavailable, error_for_status
from handlers.messages import partners_error_text

HOSTILE = '<html><script>alert(1)</script> token=pp-secret cvv=737 "Nope"</html>'


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (400, "rejected these parameters: coupon_id, name"),
        (401, "PARTNERS_API_TOKEN"),
        (403, "refused"),
        (404, "could not find"),
        (409, "already exists"),
        (429, "rate-limiting"),
        (500, "not answering"),
        (503, "not answering"),
    ],
)
async def test_each_status_has_our_sentence_and_at_most_field_names(status, words):
    async def answer(request: web.Request) -> web.Response:
        body = {"error": {"message": HOSTILE, "fields": {"name": HOSTILE, "coupon_id": "x"}}}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/v2/partners/earnings", answer)
    server = TestServer(app)
    await server.start_server()
    client = PartnersClient(str(server.make_url("")), SecretStr("t"), retry=RetryPolicy(max_attempts=1))
    try:
        with pytest.raises(PartnersError) as caught:
            await client.earnings()
    finally:
        await client.close()
        await server.close()
    text = partners_error_text(caught.value)
    assert words in text
    for fragment in ("script", "pp-secret", "737", "Nope", "html"):
        assert fragment not in text and fragment not in str(caught.value)


def test_write_only_errors_say_nothing_changed():
    assert "nothing was changed" in partners_error_text(PartnersRedirected("x", status=302))
    assert "nothing was changed" in partners_error_text(PartnersRateLimited("x", status=429))
    assert "not understand" in partners_error_text(PartnersUnavailable("x", status=200))
    assert (
        partners_error_text(error_for_status(400)) == "LiveChat rejected the request's parameters (HTTP 400)."
    )
