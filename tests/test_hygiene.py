"""Rules the test suite keeps so that any subset of it runs the same as the whole."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent


def test_no_test_module_imports_conftest_by_name() -> None:
    """`import conftest` resolves to whichever conftest pytest loaded last; use *_support.py."""
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if path.name != "conftest.py"
        and re.search(r"^\s*(from conftest import|import conftest)", path.read_text(), re.M)
    ]
    assert offenders == []
