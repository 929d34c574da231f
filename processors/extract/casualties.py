"""The numbers stage: casualty figures ("two soldiers were killed", "12 wounded") as spans.

The matching and number parsing is ``processors.text.numbers``; this stage sets its figures on
the document before the triggers, because the trigger stage anchors its cues on both.
"""

from __future__ import annotations

from processors.extract.document import Document
from processors.text.indexed import Indexed
from processors.text.numbers import find_casualties


def tag_casualties(doc: Document) -> None:
    """Set ``casualties``: every casualty figure of the folded body."""
    doc.casualties = Indexed(find_casualties(doc.folded))
