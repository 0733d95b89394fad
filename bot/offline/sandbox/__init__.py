"""A local, deterministic, instrumentable fake of the LiveChat Partners API and Recurly's token URL.

Used by ``partners-bot sandbox``, the offline console, the test suite and the benchmarks.
"""

from bot.offline.sandbox.server import (
    RunningSandbox,
    SandboxOptions,
    create_sandbox_app,
    serve_sandbox,
    start_sandbox,
)
from bot.offline.sandbox.state import SANDBOX_STATE, SandboxState

__all__ = [
    "SANDBOX_STATE",
    "RunningSandbox",
    "SandboxOptions",
    "SandboxState",
    "create_sandbox_app",
    "serve_sandbox",
    "start_sandbox",
]
