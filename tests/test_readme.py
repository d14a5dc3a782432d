"""The README stays true: its two commands come first and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings, describe, load_config

README = Path(__file__).parent.parent / "README.md"


def test_the_readme_begins_with_the_run_and_test_commands() -> None:
    """The first code block holds exactly the run command and the test command."""
    block = re.search(r"```sh\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    lines = block.group(1).strip().splitlines()
    assert lines == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/cpni-guard serve",
        "bash scripts/test",
    ]
    assert (README.parent / "scripts" / "test").exists()


def test_every_setting_is_in_the_configuration_reference() -> None:
    """Each environment variable the bot reads appears in the README."""
    text = README.read_text()
    missing = [name for name in describe(Settings()) if f"`{name}`" not in text]
    assert missing == []


def test_the_example_policy_file_in_the_readme_is_valid(tmp_path: Path) -> None:
    """The README's policy YAML loads without a single problem."""
    block = re.search(r"```yaml\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    policy = tmp_path / "policy.yaml"
    policy.write_text(block.group(1))
    config = load_config({"CPNI_POLICY_FILE": str(policy)})
    assert config.policy.lockout.max_failures == 5
    assert list(config.policy.backup_questions) == ["What was the name of your first pet?"]
