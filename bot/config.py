"""Settings: the only reader of the environment, validated once at start-up.

Settings come from environment variables (prefix ``CPNI_``, plus the ``SLACK_*`` and
``ZENDESK_*`` names the platforms' own documentation uses), an optional ``.env`` file, and an
optional policy YAML (``CPNI_POLICY_FILE``) for tuning. :func:`load_config` gathers *every*
problem into one :class:`~bot.errors.ConfigurationError` so an operator fixes the configuration
in one pass (style rule 6). Secrets are :class:`pydantic.SecretStr`, so they print masked.
"""

from __future__ import annotations

import os
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
    # argon2 runs on every core it is given: leave one core for acknowledgements and workers.
    pin_hash_concurrency: int = Field(
        default_factory=lambda: max(1, min(4, (os.cpu_count() or 2) - 1)), ge=1, le=256
    )

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
    # Sonar connector (issue 9): GraphQL API, change webhooks, who notifies, notes, sync.
    sonar_url: str | None = _env("SONAR_URL")
    sonar_api_token: SecretStr | None = _env("SONAR_API_TOKEN")
    sonar_webhook_secret: SecretStr | None = None
    sonar_webhook_allow_ips: str | None = None
    sonar_portal_api_user: str = "customer_portal_api"
    sonar_notify_password: Literal["auto", "cpni_guard", "sonar"] = "auto"  # noqa: S105
    sonar_notify_address: Literal["auto", "cpni_guard", "sonar"] = "auto"
    sonar_notes: bool = False
    sonar_sync_interval_minutes: int = Field(default=0, ge=0, le=10080)
    sonar_requests_per_minute: int = Field(default=300, ge=1, le=399)
    sonar_page_size: int = Field(default=100, ge=1, le=500)
    # Account-change notices (issue 7): SMTP email, Twilio SMS, templates, the events API.
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)  # 25 / 587 / 465 by security
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_url: str | None = None
    notice_templates_dir: Path | None = None
    notice_report_contact: str | None = None
    account_events_secret: SecretStr | None = None
    # Compliance toolkit (issue 8): audit retention floor, incident alerts, breach-rule flag.
    audit_min_retention_days: int = Field(default=730, ge=730)  # R31-R32: at least 2 years
    alert_slack_channel: str | None = None
    alert_email: str | None = None
    breach_rule: Literal["2007", "2023"] = "2007"  # R35 (in force) or R36 (FCC 23-111)
    # PIN vault (issue 3): argon2id cost profile with optional explicit overrides.
    argon2_profile: Literal["rfc9106_low_memory", "cheapest"] = "rfc9106_low_memory"
    argon2_time_cost: int | None = Field(default=None, ge=1, le=64)
    argon2_memory_kib: int | None = Field(default=None, ge=8, le=4 * 1024 * 1024)
    argon2_parallelism: int | None = Field(default=None, ge=1, le=64)
    # Slack surface (issue 5): supervisors, pinned notes, token encryption, thread pools.
    slack_supervisor_group: str | None = None
    slack_pin_notes: bool = False
    slack_token_key: SecretStr | None = None
    slack_ack_threads: int = Field(default=8, ge=1, le=256)
    # Zendesk surface (issue 6): sidebar app JWT secret, lock field, supervisors, rate limits.
    zendesk_app_secret: SecretStr | None = None
    zendesk_lock_field_id: int | None = Field(default=None, ge=1)
    zendesk_supervisor_group: int | None = Field(default=None, ge=1)
    zendesk_ratelimit_budget: int = Field(default=10, ge=1, le=600)
    zendesk_webhook_max_age_seconds: int = Field(default=300, ge=30, le=3600)
    zendesk_email_prompt: bool = True


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
    if settings.slack_app_token and not (settings.slack_bot_token or settings.slack_client_id):
        problems.append(
            "SLACK_APP_TOKEN: Socket Mode also needs SLACK_BOT_TOKEN (or an OAuth install)"
        )
    # --- cross-checks: append below this line ---
    from bot.domain.sonar import settings_problems as _sonar  # noqa: PLC0415 (issue 9)

    problems.extend(
        _sonar(
            url=settings.sonar_url,
            token_set=settings.sonar_api_token is not None,
            webhook_secret=(
                settings.sonar_webhook_secret.get_secret_value()
                if settings.sonar_webhook_secret
                else None
            ),
            allow_ips=settings.sonar_webhook_allow_ips,
        )
    )
    # Account-change notices (issue 7): complete SMTP/Twilio settings and a report contact.
    twilio = (settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from)
    templates_dir = settings.notice_templates_dir
    problems.extend(
        message
        for failed, message in (
            (
                settings.smtp_host and not settings.smtp_sender,
                "CPNI_SMTP_SENDER: required with CPNI_SMTP_HOST (the From address)",
            ),
            (
                settings.smtp_username and not settings.smtp_password,
                "CPNI_SMTP_PASSWORD: required with CPNI_SMTP_USERNAME",
            ),
            (
                any(twilio) and not all(twilio),
                "CPNI_TWILIO_ACCOUNT_SID, CPNI_TWILIO_AUTH_TOKEN, CPNI_TWILIO_FROM: all or none",
            ),
            (
                (settings.smtp_host or all(twilio)) and not settings.notice_report_contact,
                "CPNI_NOTICE_REPORT_CONTACT: required to send notices (how to report a change)",
            ),
            (
                templates_dir is not None and not templates_dir.is_dir(),
                f"CPNI_NOTICE_TEMPLATES_DIR: {templates_dir} is not a directory",
            ),
        )
        if failed
    )
    # Compliance toolkit (issue 8): Slack incident alerts need the bot token.
    if settings.alert_slack_channel and not settings.slack_bot_token:
        problems.append("CPNI_ALERT_SLACK_CHANNEL: needs SLACK_BOT_TOKEN to post alerts")
    # PIN vault (issue 3): the pepper parses (no secret is ever quoted) and argon2 fits.
    from bot.security import PepperConfigError, parse_pepper_keys  # noqa: PLC0415

    if settings.pin_pepper is not None:
        retired = settings.pin_pepper_fallbacks
        try:
            parse_pepper_keys(
                settings.pin_pepper.get_secret_value(),
                retired.get_secret_value() if retired else None,
            )
        except PepperConfigError as exc:
            problems.extend(exc.problems)
    cheap = settings.argon2_profile == "cheapest"
    lanes = settings.argon2_parallelism or (1 if cheap else 4)
    if (settings.argon2_memory_kib or (8 if cheap else 65536)) < 8 * lanes:
        problems.append("CPNI_ARGON2_MEMORY_KIB: must be at least 8 x CPNI_ARGON2_PARALLELISM")
    if settings.slack_client_id and not settings.slack_token_key:
        problems.append("CPNI_SLACK_TOKEN_KEY: required with SLACK_CLIENT_ID (tokens at rest)")
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
