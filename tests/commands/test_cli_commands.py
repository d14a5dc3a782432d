"""Every command the README documents is reachable from the `cpni-guard` entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _documented_commands() -> list[str]:
    table = (ROOT / "README.md").read_text().split("## Command line", 1)[1].split("\n## ", 1)[0]
    return sorted(set(re.findall(r"^\| `cpni-guard ([a-z-]+)", table, re.M)))


@pytest.mark.parametrize("command", _documented_commands())
def test_each_documented_command_answers_help(command: str) -> None:
    """`cpni-guard COMMAND --help` works for every command in the README's table."""
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_scan_runs_from_the_entry_point_on_the_shipped_examples() -> None:
    """`cpni-guard scan docs/examples/messages.jsonl --format jsonl` emits one object per thread."""
    result = CliRunner().invoke(
        cli, ["scan", str(ROOT / "docs/examples/messages.jsonl"), "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert rows and {"id", "sensitive", "requires_pin", "categories", "reasons"} <= set(rows[0])
    assert any(row["sensitive"] for row in rows) and not all(row["sensitive"] for row in rows)
