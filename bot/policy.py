"""The tuning policy: an optional YAML file (``CPNI_POLICY_FILE``) with one section per concern.

Every section has safe defaults, so an empty or absent file is a valid policy. Unknown keys are
errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.detection.policy import DetectionPolicy
from bot.domain.lockout_policy import LockoutPolicy
from bot.domain.pin_policy import PinPolicy, validate_backup_questions
from bot.domain.pretexting import PretextingPolicy

__all__ = ["NoticePolicy", "Policy", "VerificationPolicy"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VerificationPolicy(_Section):
    """How long a verification unlocks a conversation (R17)."""

    ttl_minutes: int = Field(default=30, ge=1, le=24 * 60)
    link_ttl_minutes: int = Field(default=15, ge=1, le=24 * 60)


class NoticePolicy(_Section):
    """Account-change notice rules (R20-R25)."""

    address_of_record_days: int = Field(default=30, ge=30)
    service_initiation_window_days: int = Field(default=1, ge=0, le=90)


class Policy(_Section):
    """The whole tuning policy."""

    verification: VerificationPolicy = VerificationPolicy()
    notices: NoticePolicy = NoticePolicy()
    detection: DetectionPolicy = DetectionPolicy()
    # --- policy sections: append below this line ---
    # PIN vault (issue 3): attempt limits, PIN rules, R26 thresholds, backup questions (R15).
    lockout: LockoutPolicy = LockoutPolicy()
    pin: PinPolicy = PinPolicy()
    pretexting: PretextingPolicy = PretextingPolicy()
    backup_questions: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """Cross-section problems that a single field's validation cannot see."""
        problems: list[str] = []
        # --- policy cross-checks: append below this line ---
        problems += validate_backup_questions(
            self.backup_questions, setting="policy backup_questions"
        )
        return problems
