"""Payouts from Slack: request a withdrawal of the available balance exactly once, audited."""
