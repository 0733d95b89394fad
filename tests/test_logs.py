"""RedactingFilter: secrets and secret-looking strings never reach a formatted log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import MASK, RedactingFilter, setup_logging

SECRET = "partners-token-Zx81"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO, RedactingFilter]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    redactor = RedactingFilter([SECRET, "abc", ""])
    handler.addFilter(redactor)
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream, redactor
    logger.handlers.clear()


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        (f"token is {SECRET} ok", SECRET),
        ("bot token xoxb-1234-5678-AbCdEf in use", "xoxb-1234-5678-AbCdEf"),
        ("user token xoxp-99-88-zz", "xoxp-99-88-zz"),
        ("app token xapp-1-A0B-123-deadbeef", "xapp-1-A0B-123-deadbeef"),
        ("card 4111111111111111 declined", "4111111111111111"),
        ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111 declined", "4111-1111-1111-1111"),
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("authorization: bearer s3cr3t!", "s3cr3t!"),
    ],
)
def test_redact_masks(text: str, leaked: str):
    redacted = RedactingFilter([SECRET]).redact(text)
    assert leaked not in redacted
    assert MASK in redacted
    assert redacted.split(MASK)[0] == text.split(leaked)[0]
    assert redacted.endswith(text.split(leaked)[1])


def test_bearer_keeps_the_word_bearer():
    assert RedactingFilter().redact("Authorization: Bearer tok123") == f"Authorization: Bearer {MASK}"


@pytest.mark.parametrize(
    "text",
    [
        "order 12345 shipped",
        "license 123456789 active",
        "2024-05-01 12:00:00 balance $16,519.12",
        "phone +48 600 700 800",
        "nothing to see",
    ],
)
def test_innocent_text_untouched(text: str):
    assert RedactingFilter([SECRET]).redact(text) == text


def test_short_and_empty_secrets_ignored():
    redactor = RedactingFilter(["", "abc", "abcd"])
    assert redactor.secrets == ["abcd"]
    assert redactor.redact("abc abcd") == f"abc {MASK}"


def test_longer_secret_masked_before_its_prefix():
    redactor = RedactingFilter(["secret", "secret-and-more"])
    assert redactor.redact("x secret-and-more y") == f"x {MASK} y"


def test_plain_message(capture):
    logger, stream, _ = capture
    logger.info("calling with %s", "nothing secret")
    logger.warning(f"token {SECRET} and xoxb-1-2-3")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "INFO calling with nothing secret"
    assert lines[1] == f"WARNING token {MASK} and {MASK}"


def test_args_formatted_message(capture):
    logger, stream, _ = capture
    logger.error(
        "headers=%r card=%s token=%s", {"Authorization": f"Bearer {SECRET}"}, "4111 1111 1111 1111", SECRET
    )
    out = stream.getvalue()
    assert SECRET not in out
    assert "4111" not in out
    assert out.count(MASK) >= 3
    assert "headers={'Authorization': 'Bearer " in out


def test_record_args_cleared_so_later_handlers_see_clean_text(capture):
    logger, _stream, redactor = capture
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "t=%s n=%d", (SECRET, 5), None)
    assert redactor.filter(record) is True
    assert record.args is None
    assert record.getMessage() == f"t={MASK} n=5"


def test_exception_traceback_redacted(capture):
    logger, stream, _ = capture
    try:
        raise RuntimeError(f"upstream said Bearer {SECRET} for card 4111111111111111 via xapp-1-xyz")
    except RuntimeError:
        logger.exception("call failed for %s", "xoxb-77-88-secret")
    out = stream.getvalue()
    assert "Traceback" in out
    assert "RuntimeError" in out
    assert SECRET not in out
    assert "4111111111111111" not in out
    assert "xapp-1-xyz" not in out
    assert "xoxb-77-88-secret" not in out
    assert out.count(MASK) >= 4


def test_preformatted_exc_text_redacted(capture):
    logger, _stream, redactor = capture
    record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "boom", (), None)
    record.exc_text = f"Traceback...\nValueError: {SECRET}"
    redactor.filter(record)
    assert record.exc_text == f"Traceback...\nValueError: {MASK}"


def test_setup_logging_installs_redacting_handler(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        redactor = setup_logging("DEBUG", [SECRET])
        assert isinstance(redactor, RedactingFilter)
        assert root.level == logging.DEBUG
        assert len(root.handlers) == 1
        logging.getLogger("some.module").debug("using %s", SECRET)
        err = capsys.readouterr().err
        assert "using " + MASK in err
        assert SECRET not in err
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
