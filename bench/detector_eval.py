"""Precision, recall and F1 of the CPNI detector on the labelled dev set (issue 4).

Usage: ``python bench/detector_eval.py [--data FILE ...] [--errors]``

``--data`` may be given several times; each file gets its own table. The default is
``tests/data/cpni_dev.jsonl``; the development data also holds the two former blind sets,
``tests/data/cpni_holdout.jsonl`` and ``tests/data/cpni_blind_b.jsonl`` (read while tuning,
so no longer blind).

Prints the sensitive-vs-benign figures and per-category figures, and exits non-zero when an
acceptance threshold is missed in any file: overall recall >= 0.97, precision >= 0.95, and
recall >= 0.90 for each category. ``--errors`` lists the misclassified rows (this prints the
labelled text, which is written by the team and holds no real customer data).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.domain.detection import Category, Message, Role, build_detector

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "cpni_dev.jsonl"
MIN_RECALL = 0.97
MIN_PRECISION = 0.95
MIN_CATEGORY_RECALL = 0.90


@dataclass
class Counts:
    """True positives, false positives and false negatives of one label."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, *, predicted: bool, expected: bool) -> None:
        """Count one decision."""
        self.tp += predicted and expected
        self.fp += predicted and not expected
        self.fn += expected and not predicted

    @property
    def precision(self) -> float:
        """Precision, 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Recall, 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(path: Path, *, show_errors: bool) -> tuple[Counts, dict[Category, Counts]]:
    """Run the default detector over one labelled file and count outcomes."""
    detector = build_detector()
    overall = Counts()
    per_category = {c: Counts() for c in Category}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        message = Message(row["text"], role=Role(row["author_role"]), channel=row["channel"])
        found = detector.analyze_message(message).categories
        expected = {Category(c) for c in row["labels"]}
        overall.add(predicted=bool(found), expected=bool(expected))
        for category, counts in per_category.items():
            counts.add(predicted=category in found, expected=category in expected)
        if show_errors and (found != expected):
            missing = sorted(c.value for c in expected - found)
            extra = sorted(c.value for c in found - expected)
            print(f"{row['id']}: missing={missing} extra={extra} :: {row['text']!r}")
    return overall, per_category


def report(path: Path, *, show_errors: bool) -> list[str]:
    """Print the table of one file and return the thresholds it misses."""
    overall, per_category = evaluate(path, show_errors=show_errors)
    print(f"\n== {path} ({overall.tp + overall.fn} sensitive)")
    print(f"{'label':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    rows = [("sensitive (any)", overall), *((c.value, n) for c, n in per_category.items())]
    for name, c in rows:
        print(
            f"{name:<22}{c.precision:>10.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.tp:>6}{c.fp:>5}{c.fn:>5}"
        )
    failures = []
    if overall.recall < MIN_RECALL:
        failures.append(f"overall recall {overall.recall:.3f} < {MIN_RECALL}")
    if overall.precision < MIN_PRECISION:
        failures.append(f"overall precision {overall.precision:.3f} < {MIN_PRECISION}")
    failures.extend(
        f"{c.value} recall {n.recall:.3f} < {MIN_CATEGORY_RECALL}"
        for c, n in per_category.items()
        if n.recall < MIN_CATEGORY_RECALL
    )
    for failure in failures:
        print(f"FAIL: {failure}")
    print("PASS" if not failures else f"{len(failures)} threshold(s) missed")
    return failures


def main() -> int:
    """Print the figures of every file and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, action="append", help="labelled JSON Lines file (repeatable)"
    )
    parser.add_argument("--errors", action="store_true", help="list misclassified rows")
    args = parser.parse_args()
    failed = 0
    for path in args.data or [DEFAULT_DATA]:
        failed += bool(report(path, show_errors=args.errors))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
