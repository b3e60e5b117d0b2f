"""An HTTP client that keeps cookies and shows each answer as it came, for servers run in their own process."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import Cookie, CookieJar
from typing import Any

DEMO_PASSWORD = "assess-demo-2026"
CSRF = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects, so each answer can be checked."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def set_cookie(self, name: str, value: str) -> None:
        """Hold a cookie for the server's host, as if the server had set it."""
        host = urllib.parse.urlsplit(self.base).hostname or ""
        self.jar.set_cookie(Cookie(0, name, value, None, False, host, False, False, "/", True, False, None, False,
                                   None, None, {}))

    def request(self, path: str, data: dict[str, Any] | None = None, json_body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        body, sent = None, dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=body, headers=sent)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def get(self, path: str) -> str:
        status, _, page = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        return page

    def csrf(self, path: str) -> str:
        match = CSRF.search(self.get(path))
        assert match, f"no CSRF token on {path}"
        return html.unescape(match.group(1))

    def post(self, path: str, form_page: str, **data: Any) -> tuple[int, str]:
        status, headers, _ = self.request(path, data={"csrf_token": self.csrf(form_page)} | data)
        return status, headers.get("Location", "")

    def sign_in(self, email: str) -> None:
        status, location = self.post("/auth/login", "/auth/login", email=email, password=DEMO_PASSWORD)
        assert status == 302 and "/auth/login" not in location, f"{email} could not sign in"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
