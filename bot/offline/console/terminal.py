"""Line-by-line terminal I/O for the console: works with a pipe, no readline needed."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO


class Terminal:
    """`ask(prompt)` / `say(text)` over text streams.

    Lines are read by a daemon thread so the event loop (and the bot running on it) never blocks;
    when stdin is not a terminal, each answer is echoed after its prompt so transcripts read well.
    """

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, echo: bool | None = None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        if echo is None:
            try:
                echo = not self.stdin.isatty()
            except (AttributeError, ValueError):
                echo = True
        self.echo = echo
        try:
            # Bold and italic as ANSI styles only on a real terminal; a pipe or a file gets plain text.
            self.ansi = bool(self.stdout.isatty())
        except (AttributeError, ValueError):
            self.ansi = False
        self._queue: asyncio.Queue[str | None] | None = None

    def _start(self) -> asyncio.Queue[str | None]:
        if self._queue is None:
            loop = asyncio.get_running_loop()
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            self._queue = queue

            def pump() -> None:
                try:
                    for line in iter(self.stdin.readline, ""):
                        loop.call_soon_threadsafe(queue.put_nowait, line)
                    loop.call_soon_threadsafe(queue.put_nowait, None)
                except (RuntimeError, ValueError, OSError):  # loop closed or stream gone
                    return

            threading.Thread(target=pump, name="console-stdin", daemon=True).start()
        return self._queue

    async def ask(self, prompt: str) -> str | None:
        """Show `prompt` and return the next line without its newline; None at end of input."""
        queue = self._start()
        self.stdout.write(prompt)
        self.stdout.flush()
        line = await queue.get()
        if line is None:
            queue.put_nowait(None)  # stay at EOF for later asks
            self.stdout.write("\n")
            self.stdout.flush()
            return None
        line = line.rstrip("\r\n")
        if self.echo:
            self.stdout.write(line + "\n")
            self.stdout.flush()
        return line

    def reprompt(self, prompt: str) -> None:
        """Show `prompt` again after the bot printed something while the console waited for a line."""
        self.stdout.write(prompt)
        self.stdout.flush()

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()
