"""Adapters: one package per surface (Slack, Zendesk, Sonar, mail, the web), both directions."""
