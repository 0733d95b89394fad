"""The daily digest's fixtures (fake servers, manual clock, real Deps per replica) for these tests."""

from tests.digest.conftest import clock, fakes, make_deps  # noqa: F401
