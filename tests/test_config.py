"""Settings and policy: defaults, one aggregated message for every problem, masked secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import describe, load_config
from bot.errors import ConfigurationError


def test_an_empty_environment_gives_the_embedded_defaults() -> None:
    """With nothing set, the bot runs on SQLite on 127.0.0.1:3000."""
    config = load_config({})
    assert config.settings.database_url == "sqlite:///cpni-guard.db"
    assert (config.settings.host, config.settings.port) == ("127.0.0.1", 3000)
    assert config.policy.verification.ttl_minutes == 30


def test_every_bad_setting_is_named_in_one_error() -> None:
    """Field errors and cross-setting errors are reported together, each by its variable name."""
    with pytest.raises(ConfigurationError) as caught:
        load_config(
            {
                "CPNI_PORT": "99999",
                "CPNI_DATABASE_URL": "mysql://db/x",
                "CPNI_WORKER_MAX_ATTEMPTS": "zero",
                "ZENDESK_SUBDOMAIN": "acme",
                "SLACK_BOT_TOKEN": "xoxb-not-a-real-token",
            }
        )
    names = [p.split(":")[0] for p in caught.value.problems]
    assert names == [
        "CPNI_PORT",
        "CPNI_WORKER_MAX_ATTEMPTS",
        "CPNI_DATABASE_URL",
        "ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN",
        "SLACK_SIGNING_SECRET",
    ]
    assert "xoxb-not-a-real-token" not in str(caught.value)


def test_platform_variables_use_the_platforms_own_names() -> None:
    """SLACK_* and ZENDESK_* are read under their documented names, not with the CPNI_ prefix."""
    config = load_config(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s3cret",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_EMAIL": "bot@acme.test",
            "ZENDESK_API_TOKEN": "t",
        }
    )
    assert config.settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert config.settings.zendesk_subdomain == "acme"
    assert config.settings.slack_signing_secret is not None
    assert config.settings.slack_signing_secret.get_secret_value() == "s3cret"


def test_secrets_are_masked_wherever_settings_are_printed() -> None:
    """describe() and repr() never show a secret or a database password."""
    config = load_config(
        {
            "SLACK_BOT_TOKEN": "xoxb-visible-no-more",
            "SLACK_SIGNING_SECRET": "sig-secret-value",
            "CPNI_DATABASE_URL": "postgresql+psycopg://bot:hunter2@db.local/cpni",
        }
    )
    shown = describe(config.settings)
    text = " ".join(shown.values()) + repr(config.settings)
    for secret in ("xoxb-visible-no-more", "sig-secret-value", "hunter2"):
        assert secret not in text
    assert shown["CPNI_DATABASE_URL"] == "postgresql+psycopg://bot:********@db.local/cpni"


def test_policy_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    """An unknown key and an out-of-range value in the policy YAML are both reported."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("verification:\n  ttl_minutes: 0\n  colour: blue\n")
    with pytest.raises(ConfigurationError) as caught:
        load_config({"CPNI_POLICY_FILE": str(policy)})
    assert len(caught.value.problems) == 2
    assert all(p.startswith("policy verification.") for p in caught.value.problems)


def test_a_policy_file_that_is_not_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    """Broken YAML is a configuration problem with a line number, not a traceback."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("verification:\n  ttl_minutes: [1,\n")
    with pytest.raises(ConfigurationError, match=r"not valid YAML at line \d"):
        load_config({"CPNI_POLICY_FILE": str(policy)})


def test_config_check_exits_2_listing_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """`cpni-guard config check` with bad settings exits with status 2 and names each one."""
    monkeypatch.setenv("CPNI_PORT", "0")
    monkeypatch.setenv("CPNI_LOG_LEVEL", "LOUD")
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 2
    assert "CPNI_PORT" in result.output and "CPNI_LOG_LEVEL" in result.output


def test_config_check_prints_the_effective_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """A good configuration is printed, secrets masked, and the command succeeds."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "topsecret")
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "SLACK_SIGNING_SECRET" in result.output and "topsecret" not in result.output
    assert "configuration OK" in result.output


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings can come from a .env file in the working directory."""
    (tmp_path / ".env").write_text("CPNI_PORT=4123\n")
    monkeypatch.chdir(tmp_path)
    assert load_config().settings.port == 4123
