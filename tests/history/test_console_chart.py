"""In the offline console, **Post chart** writes the PNG to a file and prints its path."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.offline.console.repl import console_main
from bot.offline.slack_standin.files import png_problem
from tests.offline.console.helpers import ScriptedIO


async def test_console_post_chart_saves_the_png_and_prints_where():
    io = ScriptedIO(["/earnings history 6", "click 1", "quit"])
    assert await console_main(io=io) == 0
    found = re.search(
        r"\[file posted in #general: Partner commission per month[^\]]*\] saved to (\S+)", io.text
    )
    assert found, io.text[-2000:]
    path = Path(found.group(1))
    data = await asyncio.to_thread(path.read_bytes)
    assert path.suffix == ".png" and png_problem(data) is None
