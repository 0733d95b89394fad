"""In-process stand-in for Slack: a fake Web API server and a driver that sends signed requests.

- `state`: `StandinState`, the one object tests, the driver and the console use; it composes
- `workspace` (users, channels, options, ids; auth/conversations/users methods),
- `recording` (recorded requests and response_url posts, `wait_for`),
- `faults` (`fail_next`/`delay` injection, per-channel rate limits),
- `views` (trigger ids, modal stacks and Home tabs; views.* methods),
- `messages` (channel and ephemeral messages, response_urls; chat.* methods),
- `validation` (Block Kit checks), `files` (file uploads), `socket_mode` (Socket Mode);
- `web_api`: the aiohttp server; `driver`: signed events, commands and interactions; `signing`.
"""

from bot.offline.slack_standin.driver import (
    DriverResult,
    SlackDriver,
    build_state_values,
    element_value,
    input_elements,
)
from bot.offline.slack_standin.signing import signed_headers, slack_signature
from bot.offline.slack_standin.socket_mode import SocketEnvelope, SocketModeHub
from bot.offline.slack_standin.state import (
    RecordedRequest,
    ResponsePost,
    StandinChannel,
    StandinOptions,
    StandinState,
    StandinUser,
    StoredView,
)
from bot.offline.slack_standin.web_api import (
    STANDIN_STATE,
    RunningStandin,
    create_slack_standin_app,
    start_slack_standin,
)

__all__ = [
    "STANDIN_STATE",
    "DriverResult",
    "RecordedRequest",
    "ResponsePost",
    "RunningStandin",
    "SlackDriver",
    "SocketEnvelope",
    "SocketModeHub",
    "StandinChannel",
    "StandinOptions",
    "StandinState",
    "StandinUser",
    "StoredView",
    "build_state_values",
    "create_slack_standin_app",
    "element_value",
    "input_elements",
    "signed_headers",
    "slack_signature",
    "start_slack_standin",
]
