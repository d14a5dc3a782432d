"""Settings: the only reader of the environment, validated once at start-up.

Settings come from environment variables (prefix ``CPNI_``, plus the ``SLACK_*`` and
``ZENDESK_*`` names the platforms' own documentation uses), an optional ``.env`` file, and an
optional policy YAML (``CPNI_POLICY_FILE``) for tuning. :func:`load_config` gathers *every*
problem into one :class:`~bot.errors.ConfigurationError` so an operator fixes the configuration
in one pass (style rule 6). Secrets are :class:`pydantic.SecretStr`, so they print masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigurationError
from bot.policy import Policy

__all__ = ["AppConfig", "Settings", "describe", "load_config"]

_SUPPORTED_DB_SCHEMES = ("sqlite", "postgresql+psycopg")
_MASK = "********"


def _env(name: str) -> Any:
    """Bind a field to a platform's own variable name instead of the ``CPNI_`` prefix."""
    return Field(default=None, validation_alias=AliasChoices(name))


class Settings(BaseSettings):
    """Every environment setting, with its default. See the README's configuration reference."""

    model_config = SettingsConfigDict(
        env_prefix="CPNI_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(default="sqlite:///cpni-guard.db", repr=False)  # may hold a password
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:3000"
    policy_file: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"

    worker_in_process: bool = True
    worker_batch_size: int = Field(default=10, ge=1, le=500)
    worker_lease_seconds: float = Field(default=60.0, gt=0)
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    worker_max_attempts: int = Field(default=10, ge=1, le=100)
    worker_backoff_base_seconds: float = Field(default=2.0, gt=0)
    worker_backoff_max_seconds: float = Field(default=900.0, gt=0)

    pin_pepper: SecretStr | None = None
    pin_pepper_fallbacks: SecretStr | None = None
    pin_hash_concurrency: int = Field(default=4, ge=1, le=256)

    slack_bot_token: SecretStr | None = _env("SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = _env("SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = _env("SLACK_APP_TOKEN")
    slack_client_id: str | None = _env("SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = _env("SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL")
    )

    zendesk_subdomain: str | None = _env("ZENDESK_SUBDOMAIN")
    zendesk_email: str | None = _env("ZENDESK_EMAIL")
    zendesk_api_token: SecretStr | None = _env("ZENDESK_API_TOKEN")
    zendesk_api_url: str | None = _env("ZENDESK_API_URL")
    zendesk_webhook_secret: SecretStr | None = _env("ZENDESK_WEBHOOK_SECRET")

    # --- settings: append below this line, one commented block per feature ---


@dataclass(frozen=True, slots=True)
class AppConfig:
    """The validated configuration the application is built from."""

    settings: Settings
    policy: Policy


def _env_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return str(first)
    return f"CPNI_{field.upper()}"


def _format_errors(error: ValidationError, *, prefix: str, to_name: Any) -> list[str]:
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        loc = [str(part) for part in item["loc"]]
        name = to_name(loc[0]) if loc else prefix
        rest = ".".join(loc[1:])
        where = f"{name}.{rest}" if rest else name
        problems.append(f"{where}: {item['msg']}")
    return problems


def _cross_checks(settings: Settings) -> list[str]:
    problems = []
    scheme = settings.database_url.split("://", 1)[0]
    if scheme not in _SUPPORTED_DB_SCHEMES:
        problems.append(
            f"CPNI_DATABASE_URL: unsupported scheme {scheme!r}; "
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    zendesk = (settings.zendesk_subdomain, settings.zendesk_email, settings.zendesk_api_token)
    if any(zendesk) and not all(zendesk):
        problems.append(
            "ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN: set all three or none"
        )
    if settings.slack_client_id and not settings.slack_client_secret:
        problems.append("SLACK_CLIENT_SECRET: required with SLACK_CLIENT_ID (OAuth install)")
    if settings.slack_bot_token and not settings.slack_signing_secret:
        problems.append("SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN")
    # --- cross-checks: append below this line ---
    return problems


def _load_policy(path: Path | None) -> tuple[Policy, list[str]]:
    if path is None:
        return Policy(), []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        return Policy(), [f"CPNI_POLICY_FILE: cannot read {path}: {exc.strerror}"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return Policy(), [f"CPNI_POLICY_FILE: {path} is not valid YAML{where}"]
    if not isinstance(raw, dict):
        return Policy(), [f"CPNI_POLICY_FILE: {path} must hold a mapping of sections"]
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        return Policy(), _format_errors(exc, prefix="policy", to_name=lambda s: f"policy {s}")
    return policy, policy.problems()


def load_config(
    env: Mapping[str, str] | None = None, *, env_file: str | None = ".env"
) -> AppConfig:
    """Read and validate the whole configuration once.

    Args:
        env: the environment to read; ``None`` reads ``os.environ``.
        env_file: an optional dotenv file; ``None`` skips it.

    Returns:
        The validated configuration.

    Raises:
        ConfigurationError: listing every problem found, each naming its setting.
    """
    problems: list[str] = []
    try:
        settings = _build_settings(env, env_file, overrides={})
    except ValidationError as exc:
        problems.extend(_format_errors(exc, prefix="settings", to_name=_env_name))
        # Check the rest too, with the bad fields at their defaults, so one message lists all.
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        defaults = {_alias_or_field(f): Settings.model_fields[f].default for f in bad}
        try:
            settings = _build_settings(env, env_file, overrides=defaults)
        except ValidationError:
            settings = Settings.model_construct()
    problems.extend(_cross_checks(settings))
    policy, policy_problems = _load_policy(settings.policy_file)
    problems.extend(policy_problems)
    if problems:
        raise ConfigurationError(problems)
    return AppConfig(settings=settings, policy=policy)


def _build_settings(
    env: Mapping[str, str] | None, env_file: str | None, *, overrides: dict[str, Any]
) -> Settings:
    if env is None:
        return Settings(_env_file=env_file, **overrides)
    names = {_env_name(field): field for field in Settings.model_fields}
    values: dict[str, Any] = {_alias_or_field(f): env[n] for n, f in names.items() if n in env}
    return Settings.model_validate(values | overrides)


def _alias_or_field(field: str) -> str:
    name = _env_name(field)
    return name if not name.startswith("CPNI_") else field


def describe(settings: Settings) -> dict[str, str]:
    """The effective settings by environment name, with every secret masked."""
    shown: dict[str, str] = {}
    for field in Settings.model_fields:
        value = getattr(settings, field)
        if isinstance(value, SecretStr):
            text = _MASK
        elif value is None:
            text = "(unset)"
        else:
            text = str(value)
        if field == "database_url":
            text = _mask_url_password(text)
        shown[_env_name(field)] = text
    return shown


def _mask_url_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user, has_pw, _ = creds.partition(":")
    return f"{scheme}://{user}:{_MASK}@{host}" if has_pw else url
