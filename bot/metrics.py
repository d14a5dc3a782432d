"""Prometheus metrics the core records. Queue depths are read at scrape time by the web tier."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["INBOUND_RECEIVED", "PROCESSING_LATENCY", "QUEUE_ERRORS"]

PROCESSING_LATENCY = Histogram(
    "cpni_queue_processing_latency_seconds",
    "Time from enqueue to done, per queue.",
    ["queue"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
QUEUE_ERRORS = Counter(
    "cpni_queue_errors_total",
    "Queue items whose processing failed, and whether they were dead-lettered.",
    ["queue", "dead"],
)
INBOUND_RECEIVED = Counter(
    "cpni_inbound_events_total",
    "Inbound platform events received, and whether they were new or redeliveries.",
    ["source", "duplicate"],
)
