"""The attacking tests' fixtures (tests/e2e/support/stacks.py), for every test under tests/e2e/.

They live in a plain module so the constants beside them (tokens, the card) can be imported by tests
elsewhere (tests/payouts/, tests/test_settings.py) without importing a conftest.
"""

from tests.e2e.support.stacks import debug_logs, hstack, sub_hstack

__all__ = ["debug_logs", "hstack", "sub_hstack"]
