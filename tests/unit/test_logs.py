"""Request lines in logs keep neither link tokens nor query strings."""

import logging

from assess.logs import GunicornLogger, RedactRequestLines, redact


def test_tokens_and_queries_are_masked() -> None:
    line = '"GET /c/start/Zx_9-abcDEF123 HTTP/1.1" 302 "GET /admin/candidates?email=ann%40example.org HTTP/1.1"'
    assert redact(line) == '"GET /c/start/… HTTP/1.1" 302 "GET /admin/candidates?… HTTP/1.1"'


def test_the_development_servers_request_lines_are_filtered() -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s "%s" %s',
                               ("127.0.0.1", "GET /c/start/secret-token HTTP/1.1", "302"), None)
    RedactRequestLines().filter(record)
    assert "secret-token" not in record.getMessage() and "/c/start/…" in record.getMessage()


def test_gunicorns_access_log_atoms_are_redacted() -> None:
    from gunicorn.config import Config

    class Request:
        method, path, query, uri, version = "GET", "/c/start/secret-token", "email=a%40b.c", "/c/start/secret-token?email=a%40b.c", (1, 1)
        headers: list[tuple[str, str]] = []

    class Response:
        status, sent, headers = "302 FOUND", 0, []

    from datetime import timedelta

    atoms = GunicornLogger(Config()).atoms(Response(), Request(), {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "RAW_URI": Request.uri, "PATH_INFO": Request.path, "QUERY_STRING": Request.query, "SERVER_PROTOCOL": "HTTP/1.1"}, timedelta(seconds=0.01))
    assert "secret-token" not in atoms["U"] and "secret-token" not in atoms["r"] and atoms["q"] == ""
