"""One readable line per incident or alert, for ``sitrep tail`` and ``sitrep demo``."""

from __future__ import annotations

from typing import Any


def describe(stream: str, record: dict[str, Any]) -> str:
    """A human-readable line for an incident or alert record."""
    if stream == "alerts":
        phase = "final" if record.get("final", True) else "early"
        return (
            f"ALERT {record.get('status', '?'):9} {phase:5} as of {record.get('as_of')} "
            f"{record.get('severity', '?'):8} "
            f"{record.get('region')} [{record.get('dimension', 'all')}] "
            f"{record.get('window_start')}..{record.get('window_end')} "
            f"observed {record.get('observed')} vs expected {record.get('expected', 0):.2f} "
            f"(score {record.get('score', 0):.2f}, {len(record.get('event_ids') or [])} events)"
        )
    where = record.get("place") or record.get("admin1") or record.get("country") or "?"
    casualties = []
    for field in ("killed", "injured", "kidnapped"):
        if record.get(field):
            casualties.append(f"{record[field]} {field}")
    who = record.get("perpetrator") or "unknown actor"
    target = record.get("target") or "unspecified target"
    return (
        f"{record.get('event_date') or '????-??-??'} {record.get('event_type', '?'):27} "
        f"{where} ({record.get('admin1') or record.get('country')}) {who} -> {target}"
        + (f", {', '.join(casualties)}" if casualties else "")
        + f"  [{record.get('article_id')} v{record.get('version', 1)}, "
        f"{record.get('corroboration', 1)} source(s)]"
    )
