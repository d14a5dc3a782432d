"""``cpni-guard scan FILE``: audit past tickets and chats for CPNI handled without a PIN."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click
import yaml
from pydantic import ValidationError

from bot.domain.detection import DetectionPolicy, build_detector
from bot.policy import Policy
from bot.services.scan import (
    ConversationResult,
    ScanProblem,
    ScanRow,
    ScanSummary,
    read_messages,
    scan_rows,
)

__all__ = ["load_detection_policy", "scan"]


def load_detection_policy(path: Path) -> DetectionPolicy:
    """Read a policy YAML file and return its ``detection:`` section, validated.

    Args:
        path: the policy file (the same file as ``CPNI_POLICY_FILE``).

    Returns:
        The detection policy (defaults when the file has no ``detection:`` section).

    Raises:
        click.BadParameter: listing every problem with its location.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise click.BadParameter(f"cannot read {path}: {exc}", param_hint="--policy") from None
    if not isinstance(raw, dict):
        raise click.BadParameter(f"{path} must hold a mapping of sections", param_hint="--policy")
    try:
        return Policy.model_validate(raw).detection
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise click.BadParameter(problems, param_hint="--policy") from None


def _with_progress(items: Iterator[ScanRow | ScanProblem]) -> Iterator[ScanRow | ScanProblem]:
    """Show a progress bar on stderr when it is a terminal (never in pipes or CI logs)."""
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label="scanning", file=sys.stderr, show_pos=True) as bar:
        yield from bar


def _print_table(results: list[ConversationResult], summary: ScanSummary, out: TextIO) -> None:
    for r in results:
        d = r.decision
        if not d.sensitive:
            continue
        flags = "PIN required" if d.requires_pin else "sensitive"
        if d.disclosure:
            flags += ", agent disclosure"
        click.echo(f"{r.id}: {flags} [{', '.join(c.value for c in d.categories)}]", file=out)
        for reason in d.reasons():
            click.echo(f"    - {reason}", file=out)
    click.echo("", file=out)
    rows = [
        ("conversations", summary.conversations),
        ("messages", summary.messages),
        ("sensitive", summary.sensitive),
        ("requires PIN", summary.requires_pin),
        ("agent disclosures", summary.disclosures),
        ("input problems", summary.problems),
        *sorted((f"  {k}", v) for k, v in (summary.categories or {}).items()),
    ]
    width = max(len(name) for name, _ in rows)
    click.echo(f"{'summary':<{width}}  count", file=out)
    click.echo(f"{'-' * width}  -----", file=out)
    for name, value in rows:
        click.echo(f"{name:<{width}}  {value:>5}", file=out)


@click.command("scan")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="table for people; jsonl for one JSON object per conversation.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="CPNI_POLICY_FILE",
    help="Policy YAML whose detection: section tunes the detector.",
)
def scan(file: Path, output_format: str, policy_file: Path | None) -> None:
    """Scan FILE (JSON Lines, CSV, Zendesk export or Slack export folder) for CPNI.

    Prints one decision per conversation; problems in the input are reported on stderr with
    their location and the scan goes on. No message text is printed.
    """
    policy = load_detection_policy(policy_file) if policy_file else DetectionPolicy()
    detector = build_detector(policy)
    summary = ScanSummary()

    def report(problem: ScanProblem) -> None:
        summary.problems += 1
        click.echo(f"{problem.location}: {problem.message}", err=True)

    results = scan_rows(_with_progress(read_messages(file)), detector=detector, on_problem=report)
    out = sys.stdout
    if output_format == "jsonl":
        for result in results:
            summary.add(result)
            click.echo(json.dumps(result.to_json(), ensure_ascii=False), file=out)
        return
    collected = []
    for result in results:
        summary.add(result)
        collected.append(result)
    _print_table(collected, summary, out)
