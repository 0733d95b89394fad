"""Keeps aioresponses working with the installed aiohttp (imported by the root conftest)."""

from __future__ import annotations

import inspect
from typing import Any

import aiohttp
import aioresponses.core


class _StreamWriterStub:
    output_size = 0


class _CompatClientResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.x builds responses without `stream_writer`, which aiohttp >= 3.12 requires."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _StreamWriterStub())
        super().__init__(*args, **kwargs)


if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
    aioresponses.core.ClientResponse = _CompatClientResponse  # type: ignore[misc]
