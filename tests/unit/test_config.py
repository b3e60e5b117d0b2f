from pathlib import Path

import pytest

from assess import create_app
from assess.config import DEV_SECRET_KEY, Config, ConfigError

LONG_SECRET = "s" * 48


def test_defaults_are_safe_for_development_and_use_sqlite_in_instance() -> None:
    config = Config.from_env({})
    assert config.env == "development"
    assert config.database_url.startswith("sqlite:///")
    assert config.database_url.endswith("instance/assess.sqlite3")
    assert config.redis_url is None
    config.check()


def test_every_setting_is_read_from_assess_variables(tmp_path: Path) -> None:
    config = Config.from_env(
        {
            "ASSESS_ENV": "production",
            "ASSESS_SECRET_KEY": LONG_SECRET,
            "ASSESS_DATABASE_URL": "postgresql+psycopg://db/assess",
            "ASSESS_REDIS_URL": "redis://cache:6379/0",
            "ASSESS_SMTP_HOST": "smtp.example.org",
            "ASSESS_SMTP_PORT": "2525",
            "ASSESS_SMTP_USER": "mailer",
            "ASSESS_SMTP_PASSWORD": "pw",
            "ASSESS_SMTP_STARTTLS": "false",
            "ASSESS_MAIL_FROM": "Hiring <hiring@example.org>",
            "ASSESS_CONTENT_DIR": str(tmp_path),
        }
    )
    assert config.production
    assert config.database_url == "postgresql+psycopg://db/assess"
    assert config.redis_url == "redis://cache:6379/0"
    assert (config.smtp_host, config.smtp_port, config.smtp_user) == ("smtp.example.org", 2525, "mailer")
    assert config.smtp_starttls is False
    assert config.mail_from == "Hiring <hiring@example.org>"
    assert config.content_dir == tmp_path.resolve()


def test_instance_dir_moves_the_default_database_with_it(tmp_path: Path) -> None:
    config = Config().with_overrides({"instance_dir": tmp_path})
    assert config.database_url == f"sqlite:///{tmp_path / 'assess.sqlite3'}"


@pytest.mark.parametrize("secret", [DEV_SECRET_KEY, "short-secret"])
def test_production_refuses_a_default_or_short_secret(secret: str) -> None:
    config = Config(env="production", secret_key=secret)
    with pytest.raises(ConfigError, match="ASSESS_SECRET_KEY"):
        config.check()


def test_the_app_refuses_to_start_in_production_with_the_default_secret() -> None:
    with pytest.raises(ConfigError, match="ASSESS_SECRET_KEY"):
        create_app(Config(env="production"))


def test_a_port_that_is_not_a_number_is_explained() -> None:
    with pytest.raises(ConfigError, match="ASSESS_SMTP_PORT must be a whole number of at least 1"):
        Config.from_env({"ASSESS_SMTP_PORT": "twenty-five"})


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="ASSESS_ENV"):
        Config(env="staging").check()


def test_unknown_override_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown configuration keys: colour"):
        Config().with_overrides({"colour": "blue"})


def test_links_use_the_address_make_run_serves_unless_assess_base_url_says_otherwise(tmp_path: Path) -> None:
    assert Config.from_env({"ASSESS_INSTANCE_DIR": str(tmp_path)}).base_url == "http://127.0.0.1:5000"
    (tmp_path / "base_url").write_text("http://127.0.0.1:5102\n")
    assert Config.from_env({"ASSESS_INSTANCE_DIR": str(tmp_path)}).base_url == "http://127.0.0.1:5102"
    chosen = {"ASSESS_INSTANCE_DIR": str(tmp_path), "ASSESS_BASE_URL": "https://assess.example.org"}
    assert Config.from_env(chosen).base_url == "https://assess.example.org"
