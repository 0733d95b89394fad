"""A scripted stand-in for the terminal: answers from a list, output collected."""

from __future__ import annotations


class ScriptedIO:
    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.out: list[str] = []

    async def ask(self, prompt: str) -> str | None:
        if not self.lines:
            self.out.append(prompt)
            return None
        line = self.lines.pop(0)
        self.out.append(prompt + line)
        return line

    def say(self, text: str) -> None:
        self.out.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.out)
