"""The numbers stage: casualty figures ("two soldiers were killed", "12 wounded") as spans.

The matching and number parsing is ``processors.text.numbers``; this stage sets its figures on
the document before the triggers, because the trigger stage anchors its cues on both.
"""

from __future__ import annotations

from collections.abc import Iterable

from processors.extract.document import Document
from processors.text.indexed import Indexed
from processors.text.numbers import Casualty, find_casualties


def tag_casualties(doc: Document) -> None:
    """Set ``casualties``: every casualty figure of the folded body."""
    doc.casualties = Indexed(find_casualties(doc.folded))


def clause_toll(casualties: Iterable[Casualty], kind: str) -> int | None:
    """The toll of one ``kind`` a clause states: its figures added up ("two police officers
    were killed ... and three soldiers"), None when it states none. A vague count
    ("dozens were wounded", "several killed") states no figure (SCHEMA.md: null when not
    stated), even beside a stated one of another kind."""
    values = [c.value for c in casualties if c.kind == kind and c.stated]
    return sum(values) if values else None
