"""Throughput and linearity of the CPNI detector, with Presidio as a reference (issue 4).

Usage: ``python bench/detector_throughput.py [--messages 20000] [--skip-presidio]``

Measures, on one core:

* messages per second on a realistic mix: chat-sized messages (<= 280 characters) from the
  dev set, drawn 80 % benign / 20 % sensitive (most support traffic is not CPNI);
* time at 1x, 4x and 16x input length (linearity);
* 100 KB adversarial inputs (digit runs, repeated separators, repeated trigger phrases);
* the same mix through Presidio's ``AnalyzerEngine`` with its pattern recognizers only and
  a blank spaCy pipeline (no model download), when ``presidio_analyzer`` is importable
  (install it in a separate venv, never in the project's: see docs/detection.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.domain.detection import build_detector

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "cpni_dev.jsonl"
ADVERSARIAL: dict[str, str] = {
    "digit run": "7" * 100_000,
    "digits with dashes": "1-" * 50_000,
    "phone numbers, no punctuation": "555-201-3344 " * 7_700,
    "dots and spaces": ". " * 50_000,
    "call + digit pairs": ("call " + "1 " * 10) * 4_000,
    "repeated 'who called'": "who called " * 9_100,
    "repeated full request": "what number called me at 3am " * 3_450,
    "money amounts": "my bill $1.00 " * 7_150,
    "separators ()-.+": "(-.+) " * 16_600,
    "one long word": "a" * 100_000,
}


def pin_one_core() -> str:
    """Pin the process to one CPU where the OS allows it."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def realistic_mix(count: int) -> list[str]:
    """Chat-sized dev-set messages, 80 % benign and 20 % sensitive, in a fixed random order."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    short = [r for r in rows if len(r["text"]) <= 280]
    benign = [r["text"] for r in short if not r["labels"]]
    sensitive = [r["text"] for r in short if r["labels"]]
    rng = random.Random(20)
    return [rng.choice(sensitive if rng.random() < 0.2 else benign) for _ in range(count)]


def rate(analyze: Callable[[str], object], texts: list[str], repeats: int = 3) -> float:
    """Best-of-``repeats`` messages per second (CPU time of this process)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for text in texts:
            analyze(text)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def timed_ms(analyze: Callable[[str], object], text: str, repeats: int = 3) -> float:
    """Best-of-``repeats`` CPU milliseconds to analyse one text."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        analyze(text)
        times.append(time.process_time() - start)
    return min(times) * 1000


def linearity(analyze: Callable[[str], object], texts: list[str]) -> list[tuple[int, float]]:
    """Time for one input made of 1x, 4x and 16x a ~2 KB block of mixed messages."""
    block = " ".join(texts)[:2_000]
    return [(len(block * k), timed_ms(analyze, block * k)) for k in (1, 4, 16)]


def presidio_analyzer() -> Callable[[str], object] | None:
    """Presidio with predefined pattern recognizers and a blank spaCy pipeline, or None."""
    try:
        import spacy  # noqa: PLC0415 - optional, only in the bench venv
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry  # noqa: PLC0415
        from presidio_analyzer.nlp_engine import SpacyNlpEngine  # noqa: PLC0415
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer  # noqa: PLC0415
    except ImportError:
        return None
    # Presidio's e-mail recognizer asks tldextract for the public suffix list online; with no
    # network it falls back to its bundled snapshot after logging a traceback.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    model_dir = Path(tempfile.mkdtemp()) / "blank_en"
    spacy.blank("en").to_disk(model_dir)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": str(model_dir)}])
    engine.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine)
    for recognizer in list(registry.recognizers):
        if isinstance(recognizer, SpacyRecognizer):
            registry.remove_recognizer(recognizer.name)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
    return lambda text: analyzer.analyze(text=text, language="en")


def report(name: str, analyze: Callable[[str], object], texts: list[str]) -> None:
    """Print the three measurements for one engine."""
    print(f"\n## {name}")
    print(f"realistic mix: {rate(analyze, texts):,.0f} messages/s ({len(texts):,} messages)")
    print("linearity (chars -> ms):")
    points = linearity(analyze, texts)
    for chars, ms in points:
        print(f"  {chars:>7,} chars  {ms:8.2f} ms  ({ms / chars * 1000:.3f} us/char)")
    print("100 KB adversarial inputs (ms):")
    worst = []
    for label, text in ADVERSARIAL.items():
        ms = timed_ms(analyze, text[:100_000], repeats=2)
        worst.append(ms)
        print(f"  {label:<32} {ms:8.1f}")
    print(f"  worst {max(worst):.1f} ms, median {statistics.median(worst):.1f} ms")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--skip-presidio", action="store_true")
    args = parser.parse_args()
    print(f"# detector throughput ({pin_one_core()}, CPU time of this process)")
    texts = realistic_mix(args.messages)
    detector = build_detector()
    report("cpni-guard detector", detector.analyze, texts)
    if args.skip_presidio:
        return
    presidio = presidio_analyzer()
    if presidio is None:
        print("\n## Presidio: skipped (presidio_analyzer is not importable; see the docstring)")
        return
    report("Presidio AnalyzerEngine (pattern recognizers, blank spaCy)", presidio, texts[:2_000])


if __name__ == "__main__":
    main()
