"""Response helpers shared by the fake APIs, so every error has the Partners API's one shape."""

from __future__ import annotations

from typing import Any

from aiohttp import web


def error_response(status: int, message: str, fields: dict[str, str] | None = None) -> web.Response:
    """Build ``{"error": {"message": ..., "fields": {...}}}``; ``fields`` only when given."""
    error: dict[str, Any] = {"message": message}
    if fields:
        error["fields"] = fields
    return web.json_response({"error": error}, status=status)


def result_response(items: list[dict[str, Any]]) -> web.Response:
    """Wrap a list the way the list endpoints do: ``{"result": [...]}``."""
    return web.json_response({"result": items})
