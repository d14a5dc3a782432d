"""Notice templates: shipped defaults per locale, overridable from ``CPNI_NOTICE_TEMPLATES_DIR``.

Layout (the same in the shipped ``templates/`` folder and in an operator's directory)::

    <locale>/phrases.yaml          what changed, per change kind; what happened, per action
    <locale>/email.txt             "Subject: ..." line, a blank line, then the plain-text body
    <locale>/email.html            the HTML body
    <locale>/sms.txt               the text message
    <locale>/<kind>.email.txt      optional, per change kind (also .email.html, .sms.txt)

For each file the operator's directory is searched first, then the shipped one; a per-kind file
wins over the generic one, and a locale falls back to its language (``es-MX`` -> ``es``) and
then to ``en``. Operator phrases are merged over the shipped ones. Only the placeholders of
:data:`bot.domain.notice_text.PLACEHOLDERS` may be used; there is none for a changed value.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.domain.notice_text import NoticeTemplates, template_problems
from bot.domain.notifications import ChangeAction, ChangeKind

__all__ = ["BUILTIN_DIR", "TemplateStore"]

BUILTIN_DIR = Path(__file__).with_name("templates")
_LOCALE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


def _locales(locale: str) -> list[str]:
    wanted = locale.strip().lower().replace("_", "-")
    if not _LOCALE.fullmatch(wanted):  # never let a caller's string near a file path
        return ["en"]
    chain = [wanted, wanted.split("-")[0], "en"]
    return list(dict.fromkeys(chain))


class TemplateStore:
    """Finds and caches the templates for a locale and change kind.

    Args:
        override_dir: the operator's template directory, if any.
    """

    def __init__(self, override_dir: Path | None = None) -> None:
        self.roots = [override_dir, BUILTIN_DIR] if override_dir else [BUILTIN_DIR]
        self.for_notice = lru_cache(maxsize=256)(self._load)

    def _find(self, locale: str, kind: str, name: str) -> str:
        for loc in _locales(locale):
            for root in self.roots:
                for candidate in (root / loc / f"{kind}.{name}", root / loc / name):
                    if candidate.is_file():
                        return candidate.read_text(encoding="utf-8")
        raise FileNotFoundError(f"no template {name} for locale {locale}")

    def _phrases(self, locale: str) -> dict[str, str]:
        phrases: dict[str, str] = {}
        for loc in reversed(_locales(locale)):
            for root in reversed(self.roots):
                path = root / loc / "phrases.yaml"
                if path.is_file():
                    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                    phrases.update({str(k): str(v) for k, v in loaded.items()})
        return phrases

    def _load(self, locale: str, kind: str) -> NoticeTemplates:
        email = self._find(locale, kind, "email.txt")
        first, _, rest = email.partition("\n")
        subject = first.removeprefix("Subject:").strip() if first.startswith("Subject:") else ""
        return NoticeTemplates(
            subject=subject,
            text=rest.lstrip("\n") if subject else email,
            html=self._find(locale, kind, "email.html"),
            sms=self._find(locale, kind, "sms.txt"),
            phrases=self._phrases(locale),
        )

    def locales(self) -> list[str]:
        """Every locale with templates in any root."""
        found = {p.name for root in self.roots if root.is_dir() for p in root.iterdir()}
        return sorted(name for name in found if _LOCALE.fullmatch(name))

    def problems(self) -> list[str]:
        """Every problem in every locale's templates, for a start-up check."""
        problems: list[str] = []
        for locale in self.locales():
            for kind in ChangeKind:
                where = f"CPNI_NOTICE_TEMPLATES_DIR {locale}/{kind}"
                try:
                    templates = self.for_notice(locale, kind)
                except (OSError, yaml.YAMLError, AttributeError) as exc:
                    problems.append(f"{where}: {type(exc).__name__}: {exc}")
                    continue
                if not templates.subject:
                    problems.append(f"{where}: email.txt must start with a 'Subject:' line")
                problems.extend(template_problems(templates, where=where))
                needed = [str(kind)] + [f"action_{a}" for a in ChangeAction]
                missing = [k for k in needed if k not in templates.phrases]
                if missing:
                    problems.append(f"{where}: phrases.yaml lacks {', '.join(missing)}")
        return sorted(set(problems))
