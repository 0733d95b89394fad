"""Who may use the bot (`ALLOWED_USER_IDS`) and who may change things (`ADMIN_USER_IDS`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Access:
    """An empty `allowed` set lets everyone in the workspace use the read-only commands."""

    allowed: frozenset[str] = frozenset()
    admins: frozenset[str] = frozenset()

    def is_allowed(self, user_id: str | None) -> bool:
        if not user_id:
            return False
        return not self.allowed or user_id in self.allowed or user_id in self.admins

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.admins


NOT_ALLOWED = (
    "Sorry, you are not on this workspace's Partners Bot list. "
    "Ask an admin to add your Slack user id to ALLOWED_USER_IDS."
)
ADMINS_ONLY = "Only Partners Bot admins can do that. Ask an admin to add your user id to ADMIN_USER_IDS."
