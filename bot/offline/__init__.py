"""The offline stack: everything `make run` needs without Slack or LiveChat credentials.

- `sandbox/`: a fake Partner Program + Recurly API answering in the documented shapes, with fault
  injection (`fail_next`, latency) for tests.
- `slack_standin/`: a fake Slack Web API (trigger ids, response URLs, Block Kit validation, rate
  limits, file uploads, Socket Mode) and a driver that sends signed requests like Slack does.
- `local_stack.py`: the real bot app wired to both, on free local ports.
- `console/`: the whole bot in a terminal on top of the local stack.

Shipped with the bot (it is the `console`, `sandbox` and `run` commands), never imported by the
production request path.
"""
