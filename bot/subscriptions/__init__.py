"""Creating paid subscriptions for clients' trial licenses: exactly once, audited."""
