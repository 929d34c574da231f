"""Offline correlation of a corpus: every article extracted, every incident given its event.

``extract_corpus`` extracts the articles in order and gives each incident its cross-article
event id, as the stream's ingest and correlate agents do in turn.
"""

from __future__ import annotations

from collections.abc import Iterable

from processors.correlate.dedup import EventIndex
from processors.extract.pipeline import extract_incidents
from processors.models import Article, Incident


def extract_corpus(
    articles: Iterable[Article], *, include_background: bool = False, max_incidents: int = 200,
) -> list[Incident]:
    """Extract every article in order and give each incident its cross-article event id."""
    index = EventIndex()
    out: list[Incident] = []
    for article in articles:
        for incident in extract_incidents(article, include_background=include_background,
                                          max_incidents=max_incidents):
            assignment = index.assign(incident)
            out.append(incident.model_copy(update={
                "event_id": assignment.event_id, "version": assignment.version,
                "sources": list(assignment.sources), "corroboration": assignment.corroboration,
            }))
    return out


__all__ = ["extract_corpus"]
