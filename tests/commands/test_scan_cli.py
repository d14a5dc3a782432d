"""The ``cpni-guard scan`` command through click's CliRunner (issue 4, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.commands.scan import scan

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize(
    "name", ["messages.jsonl", "messages.csv", "zendesk-export.json", "slack-export"]
)
def test_scan_works_on_every_shipped_example(name: str) -> None:
    """Each sample in docs/examples scans to one JSON object per conversation."""
    result = CliRunner().invoke(scan, [str(EXAMPLES / name), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines
    assert any(line["sensitive"] for line in lines)


def test_table_output_has_decisions_and_summary() -> None:
    """The human format lists sensitive threads with reasons and ends with a summary table."""
    result = CliRunner().invoke(scan, [str(EXAMPLES / "messages.jsonl")])
    assert result.exit_code == 0
    assert "chat-1002: PIN required, agent disclosure [call_detail]" in result.stdout
    assert "summary" in result.stdout
    assert "input problems" in result.stdout
    assert "messages.jsonl:9" in result.stderr
    assert "scanning" not in result.stderr  # no progress bar when stderr is not a terminal


def test_policy_file_tunes_the_detector(tmp_path: Path) -> None:
    """A policy whose pin_required omits call detail leaves such threads unlocked."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("detection:\n  pin_required: [usage_billing]\n", encoding="utf-8")
    result = CliRunner().invoke(
        scan, [str(EXAMPLES / "messages.jsonl"), "--format", "jsonl", "--policy", str(policy)]
    )
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["chat-1002"]["sensitive"] is True
    assert rows["chat-1002"]["requires_pin"] is False


def test_bad_policy_is_a_usage_error_with_location(tmp_path: Path) -> None:
    """An invalid detection section stops the command and names the bad key."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("detection:\n  min_score: 7\n", encoding="utf-8")
    result = CliRunner().invoke(scan, [str(EXAMPLES / "messages.csv"), "--policy", str(policy)])
    assert result.exit_code == 2
    assert "detection.min_score" in result.output
