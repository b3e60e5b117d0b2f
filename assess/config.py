"""One configuration, read from ASSESS_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


# `make run` writes the address it serves here, so commands run beside it (invite, the worker)
# put that address in the links they print and send.
SERVED_ADDRESS_FILE = "base_url"


def _served_address(instance: Path) -> str | None:
    try:
        return (instance / SERVED_ADDRESS_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _default_database_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'assess.sqlite3'}"


@dataclass(frozen=True)
class Config:
    env: str = "development"
    secret_key: str = DEV_SECRET_KEY
    instance_dir: Path = PROJECT_ROOT / "instance"
    database_url: str = ""
    redis_url: str | None = None
    content_dir: Path = PROJECT_ROOT
    base_url: str = "http://127.0.0.1:5000"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "assess <no-reply@assess.local>"
    # The AI aid: the openai client's own OPENAI_API_KEY / OPENAI_BASE_URL, and our model and timeout.
    ai_api_key: str | None = None
    ai_base_url: str | None = None
    # Azure OpenAI, through the client's AzureOpenAI: AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION
    # (and AZURE_OPENAI_API_KEY); the model is the deployment's name.
    ai_azure_endpoint: str | None = None
    ai_api_version: str | None = None
    ai_model: str | None = None
    ai_timeout: float = 60.0
    # Staff sessions end after this long without a request, and this long after sign-in at most.
    staff_idle_minutes: int = 60
    staff_session_hours: int = 12
    # How many proxies in front of the app set X-Forwarded-For/-Proto (0: none, use the peer address).
    proxy_hops: int = 0
    # What one API token may ask in a minute, across every route.
    api_requests_per_minute: int = 600
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", _default_database_url(self.instance_dir))

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        """Cookies travel only over HTTPS in production and wherever the site is served over HTTPS."""
        return self.production or self.base_url.startswith("https://")

    @property
    def ai_configured(self) -> bool:
        return bool(self.ai_api_key and self.ai_model)

    def check(self) -> None:
        """Refuse settings that are unsafe for the chosen environment."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(
                f"ASSESS_ENV is {self.env!r}; use one of {', '.join(ENVIRONMENTS)}."
            )
        if self.production and (self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32):
            raise ConfigError(
                "ASSESS_SECRET_KEY must be set to a long random value in production "
                "(at least 32 characters), for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        if self.ai_azure_endpoint and self.ai_base_url:
            raise ConfigError("Set either AZURE_OPENAI_ENDPOINT (Azure OpenAI) or OPENAI_BASE_URL (any other "
                              "OpenAI-compatible server) for the AI aid, not both.")
        if self.ai_azure_endpoint and not self.ai_api_version:
            raise ConfigError("AZURE_OPENAI_ENDPOINT is set, so OPENAI_API_VERSION must be too: the Azure API "
                              "version, for example 2024-10-21 (structured outputs need 2024-08-01-preview or later).")

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown configuration keys: {', '.join(unknown)}")
        updated = replace(self, **overrides)
        if "database_url" not in overrides and "instance_dir" in overrides:
            updated = replace(updated, database_url=_default_database_url(updated.instance_dir))
        return updated

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read every ASSESS_* variable, falling back to development defaults."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"ASSESS_{name}")
            return value if value not in (None, "") else None

        values: dict[str, Any] = {}
        for name, key in (
            ("ENV", "env"),
            ("SECRET_KEY", "secret_key"),
            ("DATABASE_URL", "database_url"),
            ("REDIS_URL", "redis_url"),
            ("BASE_URL", "base_url"),
            ("SMTP_HOST", "smtp_host"),
            ("SMTP_USER", "smtp_user"),
            ("SMTP_PASSWORD", "smtp_password"),
            ("MAIL_FROM", "mail_from"),
        ):
            value = get(name)
            if value is not None:
                values[key] = value
        for name, key in (("INSTANCE_DIR", "instance_dir"), ("CONTENT_DIR", "content_dir")):
            value = get(name)
            if value is not None:
                values[key] = Path(value).resolve()
        for name, key in (("AZURE_OPENAI_API_KEY", "ai_api_key"), ("OPENAI_API_KEY", "ai_api_key"),
                          ("OPENAI_BASE_URL", "ai_base_url"), ("AZURE_OPENAI_ENDPOINT", "ai_azure_endpoint"),
                          ("OPENAI_API_VERSION", "ai_api_version")):
            if env.get(name):
                values[key] = env[name]
        if get("AI_MODEL") is not None:
            values["ai_model"] = get("AI_MODEL")
        timeout = get("AI_TIMEOUT")
        if timeout is not None:
            try:
                values["ai_timeout"] = float(timeout)
            except ValueError as error:
                raise ConfigError(f"ASSESS_AI_TIMEOUT must be a number of seconds, not {timeout!r}.") from error
        for name, key, lowest in (("SMTP_PORT", "smtp_port", 1), ("STAFF_IDLE_MINUTES", "staff_idle_minutes", 1),
                                  ("STAFF_SESSION_HOURS", "staff_session_hours", 1), ("PROXY_HOPS", "proxy_hops", 0),
                                  ("API_REQUESTS_PER_MINUTE", "api_requests_per_minute", 1)):
            number = get(name)
            if number is not None:
                if not number.isdigit() or int(number) < lowest:
                    raise ConfigError(f"ASSESS_{name} must be a whole number of at least {lowest}, not {number!r}.")
                values[key] = int(number)
        if "base_url" not in values:
            served = _served_address(values.get("instance_dir", cls.instance_dir))
            if served:
                values["base_url"] = served
        starttls = get("SMTP_STARTTLS")
        if starttls is not None:
            values["smtp_starttls"] = starttls.lower() in ("1", "true", "yes", "on")
        return cls(**values)
