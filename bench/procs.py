"""Child processes of the benchmark: started on free ports, always stopped (terminate, then kill).

Every child is registered in `_LIVE` so that an exception, Ctrl-C, SIGTERM or a normal exit all end
them; on Linux each child also gets SIGKILL from the kernel if the benchmark itself dies abruptly.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiohttp

_LIVE: set[subprocess.Popen[bytes]] = set()
_ENV_PREFIXES = ("SLACK_", "PARTNERS_", "RECURLY_", "DATABASE_", "VAULT_", "ADMIN_", "ALLOWED_", "LOG_")
_PR_SET_PDEATHSIG = 1
REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any bot setting (a developer's exports must not leak in),
    importing this tree's code whatever the child's working directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(extra)
    return env


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def start(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path, log_path: Path
) -> subprocess.Popen[bytes]:
    """Start a child in its own session (Ctrl-C reaches only the benchmark, which then stops it)."""
    log = log_path.open("wb")
    try:
        proc = subprocess.Popen(
            list(args),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    finally:
        log.close()
    _LIVE.add(proc)
    return proc


def stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; always reaps the child."""
    try:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    finally:
        _LIVE.discard(proc)


def stop_all() -> None:
    for proc in list(_LIVE):
        stop(proc, grace=2.0)


def install_cleanup() -> None:
    """End every child at exit, whatever the way out (see also `cancel_on_sigterm`)."""
    atexit.register(stop_all)


def cancel_on_sigterm() -> None:
    """Make SIGTERM cancel the running main task, as Ctrl-C does under `asyncio.run`, so every
    `finally` (stopping processes, dropping the bench database) runs in order in a live loop."""
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def log_tail(log_path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _read_if_written(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


async def wait_for_file(
    path: Path, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 20
) -> str:
    """Wait until a child wrote `path` (its readiness signal); fail fast if the child died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = _read_if_written(path)
        if text:
            return text
        if proc.poll() is not None:
            raise RuntimeError(f"child exited with {proc.returncode}:\n{log_tail(log_path)}")
        await asyncio.sleep(0.05)
    raise RuntimeError(f"child not ready after {timeout}s:\n{log_tail(log_path)}")


async def wait_for_http(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 30) -> None:
    """Wait until GET `url` answers 200 (e.g. `/healthz`); fail fast if the child died."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"child exited with {proc.returncode}:\n{log_tail(log_path)}")
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                async with session.get(url) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout}s:\n{log_tail(log_path)}")
