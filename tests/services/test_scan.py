"""The scan use case over JSON Lines, CSV, Zendesk and Slack inputs (issue 4, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain.detection import build_detector
from bot.services.scan import ScanProblem, scan_path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
DETECTOR = build_detector()


def _scan(path: Path) -> tuple[dict[str, dict[str, object]], list[ScanProblem]]:
    problems: list[ScanProblem] = []
    results = {
        r.id: r.to_json() for r in scan_path(path, detector=DETECTOR, on_problem=problems.append)
    }
    return results, problems


def test_jsonl_groups_rows_by_thread_and_reports_bad_lines(tmp_path: Path) -> None:
    """Rows with the same thread form one conversation; a bad line is reported with file:line."""
    path = tmp_path / "m.jsonl"
    lines = [
        {"id": "1", "thread": "t", "text": "my internet is down"},
        "not json",
        {"id": "2", "text": "hello there"},
        {"id": "3", "thread": "t", "text": "who called me at 3am?", "author_role": "customer"},
        {"thread": "t", "text": "no id"},
    ]
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines), encoding="utf-8"
    )
    results, problems = _scan(path)
    assert list(results) == ["t", "2"]
    assert results["t"]["sensitive"] is True
    assert results["t"]["categories"] == ["call_detail"]
    assert results["2"]["sensitive"] is False
    assert [p.location for p in problems] == [f"{path}:2", f"{path}:5"]


def test_output_contract_has_no_message_text(tmp_path: Path) -> None:
    """Each result carries id, sensitive, requires_pin, categories and reasons, never text."""
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "my pin is 738291"}), encoding="utf-8")
    results, _ = _scan(path)
    result = results["x"]
    assert {"id", "sensitive", "requires_pin", "categories", "reasons"} <= set(result)
    assert "738291" not in json.dumps(result)


def test_csv_example(tmp_path: Path) -> None:
    """The shipped CSV example scans, and an empty text row is a located problem."""
    results, problems = _scan(EXAMPLES / "messages.csv")
    assert results["t-1"]["categories"] == ["usage_billing"]
    assert results["t-1"]["disclosure"] is True
    assert results["t-3"]["sensitive"] is False
    assert len(problems) == 1
    assert problems[0].location.endswith("messages.csv:7")


def test_zendesk_export_example() -> None:
    """Zendesk comments become one conversation per ticket; quoted e-mail history is ignored."""
    results, problems = _scan(EXAMPLES / "zendesk-export.json")
    assert results["zendesk:35436"]["categories"] == ["usage_billing"]
    assert results["zendesk:35437"]["sensitive"] is False
    assert [p.location.rsplit(":", 1)[-1] for p in problems] == ["tickets[2].comments[0]"]


def test_slack_export_groups_by_thread_ts() -> None:
    """Slack messages join the thread of their thread_ts, per channel folder."""
    results, problems = _scan(EXAMPLES / "slack-export")
    key = "slack:support-escalations/1717400000.000100"
    assert results[key]["categories"] == ["call_detail"]
    assert results[key]["messages"] == 2
    assert not problems


def test_unreadable_slack_day_is_reported(tmp_path: Path) -> None:
    """A corrupt day file is reported and the other days are still scanned."""
    channel = tmp_path / "c1"
    channel.mkdir()
    (channel / "2024-01-01.json").write_text("{broken", encoding="utf-8")
    (channel / "2024-01-02.json").write_text(
        json.dumps([{"ts": "1.0", "text": "what plan am I on?"}]), encoding="utf-8"
    )
    results, problems = _scan(tmp_path)
    assert results["slack:c1/1.0"]["sensitive"] is True
    assert len(problems) == 1
