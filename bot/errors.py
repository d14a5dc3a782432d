"""The small error tree of cpni-guard.

Expected outcomes (a wrong PIN, a lockout, an unknown account) are values, never exceptions.
Exceptions are kept for the three things a caller cannot handle as a normal result: a bad
configuration, a failing integration, and a state transition the rules forbid.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "CpniBotError",
    "IllegalTransitionError",
    "IntegrationError",
    "RetryLaterError",
]


class CpniBotError(Exception):
    """Root of every error cpni-guard raises on purpose."""


class ConfigurationError(CpniBotError):
    """The settings or the policy file are invalid.

    Args:
        problems: every problem found, each naming the setting it concerns. The message lists
            them all so an operator fixes the configuration in one pass (style rule 6).
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid configuration ({len(self.problems)} problem(s)):\n{lines}")


class IntegrationError(CpniBotError):
    """A platform or service call failed. Always raised ``from`` the library's own error."""


class RetryLaterError(IntegrationError):
    """A delivery failed in a way that is worth retrying.

    Args:
        reason: a short description with no secret and no message body.
        retry_after: seconds the remote side asked us to wait (HTTP ``Retry-After``), if any.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(reason)


class IllegalTransitionError(CpniBotError):
    """A lock state transition that the rules do not allow was requested."""
