"""The README stays true: its two commands come first and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings, describe

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
