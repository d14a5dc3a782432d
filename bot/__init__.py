"""cpni-guard: the CPNI PIN gate for telecom and ISP support teams.

The core (``bot``) holds the domain rules, use cases, storage and security; it imports no chat
platform SDK or web framework. Adapters for Slack, Zendesk, Sonar, mail and the web live in
``handlers``.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
