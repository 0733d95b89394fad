"""The stand-in's file upload: `files.getUploadURLExternal` → POST the bytes → `files.completeUploadExternal`.

What slack-sdk's `files_upload_v2` does against real Slack (files.upload was retired in 2025). The
stand-in checks what Slack would: the declared length matches the bytes, every file was uploaded
before it is completed, the channel accepts posts, and (for `.png` names) that the bytes really are
a PNG, chunk by chunk with CRCs, so a broken chart fails a test instead of showing a broken image.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.offline.slack_standin.workspace import ApiResult, SlackApiFailure

if TYPE_CHECKING:
    from bot.offline.slack_standin.state import StandinState

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_UPLOAD = 50 * 1024 * 1024


@dataclass
class UploadedFile:
    """One file as the stand-in holds it; `channels` is where completeUploadExternal shared it."""

    id: str
    filename: str
    length: int
    alt_txt: str = ""
    title: str = ""
    data: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str = ""


def png_problem(data: bytes) -> str | None:
    """Why `data` is not a well-formed PNG (None when it is): signature, IHDR first, CRCs, IEND last."""
    if not data.startswith(PNG_SIGNATURE):
        return "not a PNG (bad signature)"
    offset, first, seen_end, has_data = len(PNG_SIGNATURE), True, False, False
    while offset < len(data):
        if offset + 8 > len(data):
            return "truncated chunk header"
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if end > len(data):
            return f"truncated {kind!r} chunk"
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            return f"bad CRC in {kind!r} chunk"
        if first:
            if kind != b"IHDR" or length != 13:
                return "IHDR is not the first chunk"
            width, height = struct.unpack(">II", body[:8])
            if width == 0 or height == 0:
                return "zero-sized image"
            first = False
        has_data = has_data or kind == b"IDAT"
        offset = end
        if kind == b"IEND":
            seen_end = True
            break
    if not seen_end:
        return "no IEND chunk"
    if offset != len(data):
        return "bytes after IEND"
    return None if has_data else "no image data (IDAT)"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG already checked by `png_problem`."""
    return struct.unpack(">II", data[16:24])


def save_upload(uploaded: UploadedFile, directory: Path) -> Path:
    """Write a completed upload's bytes to `directory` (the offline console shows files this way)."""
    directory.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in uploaded.filename) or "file"
    path = directory / f"{uploaded.id}-{safe}"
    path.write_bytes(uploaded.data or b"")
    return path


def _files(state: StandinState) -> dict[str, UploadedFile]:
    return state.files


def get_upload_url(state: StandinState, args: dict[str, Any]) -> ApiResult:
    filename = str(args.get("filename") or "")
    try:
        length = int(args.get("length") or 0)
    except (TypeError, ValueError):
        length = 0
    if not filename or length <= 0 or length > MAX_UPLOAD:
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["filename and length"]})
    file_id = state.workspace.new_id("F")
    _files(state)[file_id] = UploadedFile(file_id, filename, length, alt_txt=str(args.get("alt_txt") or ""))
    return ApiResult({"ok": True, "upload_url": f"{state.base_url}/upload/{file_id}", "file_id": file_id})


def complete_upload(state: StandinState, args: dict[str, Any]) -> ApiResult:
    raw = args.get("files")
    try:
        wanted = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        wanted = None
    if not isinstance(wanted, list) or not wanted:
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["files"]})
    channel_id = args.get("channel_id") or ""
    if channel_id:
        state.workspace.channel_for_post(channel_id)
    done = []
    for item in wanted:
        uploaded = _files(state).get(str((item or {}).get("id")))
        if uploaded is None or uploaded.data is None:
            raise SlackApiFailure("file_not_found")
        if uploaded.filename.lower().endswith(".png") and png_problem(uploaded.data):
            raise SlackApiFailure("invalid_file", detail=png_problem(uploaded.data))
        uploaded.title = str(item.get("title") or uploaded.filename)
        uploaded.completed = True
        uploaded.initial_comment = str(args.get("initial_comment") or "")
        if channel_id:
            uploaded.channels.append(channel_id)
        done.append(
            {
                "id": uploaded.id,
                "name": uploaded.filename,
                "title": uploaded.title,
                "mimetype": "image/png"
                if uploaded.filename.lower().endswith(".png")
                else "application/octet-stream",
                "size": uploaded.length,
                "alt_txt": uploaded.alt_txt,
            }
        )
    return ApiResult({"ok": True, "files": done})


async def upload_handler(request: web.Request) -> web.Response:
    """Step 2: the raw bytes, POSTed to the URL step 1 handed out (any other method is refused)."""
    from bot.offline.slack_standin.web_api import STANDIN_STATE

    state = request.app[STANDIN_STATE]
    uploaded = _files(state).get(request.match_info["file_id"])
    if uploaded is None:
        return web.Response(status=404, text="unknown upload URL")
    data = await request.read()
    if uploaded.data is not None:
        return web.Response(status=400, text="already uploaded")
    if len(data) != uploaded.length:
        return web.Response(status=400, text=f"expected {uploaded.length} bytes, got {len(data)}")
    uploaded.data = data
    state.notify()
    return web.Response(status=200, text=f"OK - {len(data)}")


METHODS = {"files.getUploadURLExternal": get_upload_url, "files.completeUploadExternal": complete_upload}
