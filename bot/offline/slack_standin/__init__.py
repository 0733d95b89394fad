"""In-process stand-in for Slack: a fake Web API server and a driver that sends signed requests."""

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
