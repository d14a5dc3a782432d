"""Use cases: load through ports, call the domain, apply effects, commit."""
