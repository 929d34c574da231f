"""Topic names of sitrep: the event log, its dead letters, and the derived streams."""

from __future__ import annotations

from typing import Final

ARTICLES: Final = "articles"
ARTICLES_DLQ: Final = "articles.dlq"
INCIDENTS_EXTRACTED: Final = "incidents.extracted"
INCIDENTS: Final = "incidents"
ALERTS: Final = "alerts"

ALL: Final = (ARTICLES, ARTICLES_DLQ, INCIDENTS_EXTRACTED, INCIDENTS, ALERTS)
