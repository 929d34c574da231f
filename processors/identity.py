"""Event identity shared by extraction and correlation: the event id, how alike reports are.

``event_key`` is the deterministic id an event gets from its first report; ``likeness`` scores
two compatible reports of an event (drafts within one article, and reports across articles).
"""

from __future__ import annotations

import datetime as dt
import hashlib


def event_key(
    country: str | None, admin1: str | None, day: dt.date | None, event_type: str,
    incident_id: str,
) -> str:
    """A deterministic event id from the first report's country, province, day, type and id."""
    key = "|".join((country or "-", admin1 or "-", day.isoformat() if day else "-", event_type,
                    incident_id))
    return "ev-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def likeness(days: tuple[dt.date | None, dt.date | None],
             places: tuple[str | None, str | None], admin1s: tuple[str | None, str | None],
             types: tuple[str, str]) -> int:
    """How much two compatible reports look alike: same day and same place weigh 2, same
    province and same type 1 (drafts within an article, and reports across articles)."""
    score = 0
    if days[0] is not None and days[0] == days[1]:
        score += 2
    if places[0] and places[1] and places[0].lower() == places[1].lower():
        score += 2
    if admin1s[0] and admin1s[0] == admin1s[1]:
        score += 1
    if types[0] == types[1]:
        score += 1
    return score


__all__ = ["event_key", "likeness"]
