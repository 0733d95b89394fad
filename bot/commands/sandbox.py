"""`partners-bot sandbox`: a local Partners API + Recurly token API with realistic data."""

from __future__ import annotations

import argparse
import logging

from bot.offline.sandbox import SandboxOptions, serve_sandbox


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local Partners API + Recurly sandbox",
        description="A local Partners API and Recurly token API with realistic data, for trying the "
        "bot (point PARTNERS_API_URL and RECURLY_API_URL at it). Test card 4111 1111 1111 1111.",
        epilog="Settings: none.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8040, help="port (default: %(default)s)")
    parser.add_argument(
        "--token", default="sandbox-token", help="the bearer token it accepts (default: %(default)s)"
    )
    parser.add_argument(
        "--shape",
        choices=["today", "2018"],
        default="today",
        help="earnings JSON shape (default: %(default)s)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every answer (default: %(default)s)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = SandboxOptions(token=args.token, earnings_shape=args.shape, latency=args.latency)
    serve_sandbox(args.host, args.port, options)
    return 0
