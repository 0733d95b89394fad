"""The daily digest's fixtures (fake servers, manual clock, real Services per replica) for these tests."""

from tests.digest.conftest import clock, fakes, make_services  # noqa: F401
