"""``sonar check``: Sonar's own notices, who notifies each change kind, and permissions.

The report says which of Sonar's CPNI-relevant triggered messages are on, which side notifies
each change kind under the current settings (never both, never neither), whether the
customer-portal API user can still update contacts (``UPDATE_CONTACT`` or super admin), what
turning that off breaks, and whether the bot's own token holds ``UPDATE_CONTACT`` (it must not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.notifications import ChangeKind
from bot.domain.sonar import (
    ALWAYS_OURS,
    SONAR_TRIGGERS,
    Notifier,
    PortalAssessment,
    assess_portal_user,
    who_notifies,
)

__all__ = ["PORTAL_BREAKS", "CheckReport", "CheckSource", "run_check"]

#: What the self-hosted customer portal loses without UPDATE_CONTACT (sonar-notes.md 5).
PORTAL_BREAKS = (
    "profile edits (name, email address, phone numbers)",
    "password changes",
    "first-time portal registration (username and password)",
    "the forgotten-password reset",
)


class CheckSource(Protocol):
    """What the check reads from Sonar."""

    def trigger_states(self) -> dict[str, bool]:
        """``MessageTrigger`` -> enabled."""
        ...

    def permissions(self, username: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The portal API user (or ``None``) and the token's own user."""
        ...


@dataclass(slots=True)
class CheckReport:
    """The findings; ``ok`` is False when something needs the operator."""

    triggers: dict[str, bool | None] = field(default_factory=dict)
    notifiers: dict[str, str] = field(default_factory=dict)
    portal: PortalAssessment | None = None
    bot_has_update_contact: bool | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing needs attention."""
        return not self.warnings


def run_check(
    source: CheckSource, *, portal_user: str, notify_password: str, notify_address: str
) -> CheckReport:
    """Read Sonar and build the report (each read failing is reported as unknown)."""
    report = CheckReport()
    try:
        states: dict[str, bool] | None = source.trigger_states()
    except Exception:  # no access to triggered messages: unknown, reported as such
        states = None
        report.warnings.append("cannot read triggered messages (READ_TRIGGERED_EMAIL?)")
    settings = {ChangeKind.PASSWORD: notify_password, ChangeKind.POSTAL_ADDRESS: notify_address}
    for kind, trigger in SONAR_TRIGGERS.items():
        enabled = states.get(trigger, False) if states is not None else None
        report.triggers[trigger] = enabled
        who = who_notifies(kind, setting=settings[kind], trigger_enabled=enabled)
        report.notifiers[str(kind)] = str(who)
        if who is Notifier.SONAR and enabled is not True:
            report.warnings.append(
                f"{kind} changes are left to Sonar but {trigger} is not enabled: no one notifies"
            )
    for kind in ALWAYS_OURS:
        report.notifiers[str(kind)] = str(Notifier.CPNI_GUARD)
    _permissions(source, portal_user, report)
    return report


def _permissions(source: CheckSource, portal_user: str, report: CheckReport) -> None:
    try:
        user, me = source.permissions(portal_user)
    except Exception:  # the token cannot read users or roles
        report.warnings.append("cannot read users and roles; portal permissions unknown")
        return
    report.portal = assess_portal_user(user)
    if report.portal.compliant is None:
        report.warnings.append(f"portal API user {portal_user!r} not found or not readable")
    elif not report.portal.compliant:
        report.warnings.append(
            f"portal API user {portal_user!r} can update contacts "
            "(UPDATE_CONTACT or super admin): customers can change CPNI contacts online"
        )
    role = me.get("role") or {}
    report.bot_has_update_contact = bool(me.get("super_admin")) or "UPDATE_CONTACT" in (
        role.get("applied_permissions") or []
    )
    if report.bot_has_update_contact:
        report.warnings.append(
            "the bot's token holds UPDATE_CONTACT (or is super admin): "
            "give it a least-privilege role"
        )
