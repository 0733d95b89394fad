"""A scripted stand-in for the terminal: answers from a list, output collected."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.paths import ROOT as PATHS_ROOT

ROOT = PATHS_ROOT

# A script line is what the user types, or a coroutine function the test awaits before the next line
# (e.g. "the scheduler ticks now"); the console waits at its prompt meanwhile, as it would for a person.
Line = str | Callable[[], Awaitable[None]]


class ScriptedIO:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = list(lines)
        self.out: list[str] = []

    async def ask(self, prompt: str) -> str | None:
        while self.lines and callable(self.lines[0]):
            step = self.lines.pop(0)
            assert callable(step)
            await step()
        if not self.lines:
            self.out.append(prompt)
            return None
        line = self.lines.pop(0)
        assert isinstance(line, str)
        self.out.append(prompt + line)
        return line

    def say(self, text: str) -> None:
        self.out.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.out)

    def after(self, typed: str) -> str:
        """What the screen shows after the line `typed` up to the next prompt."""
        return self.text.split(f"> {typed}\n", 1)[1].split("\n> ", 1)[0]


def cli_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PARTNERS_", "RECURLY_", "DATABASE_", "VAULT_", "ADMIN_", "ALLOWED_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def cli(args: list[str], stdin: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`partners-bot ARGS` as a user runs it, stdin piped."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_env(**env),
        cwd=cwd,
        timeout=90,
    )
