"""The dates stage: date mentions ("on Tuesday", "July 24, 27 and 30", "last week") as spans.

Matching is ``processors.text.dates.find_dates``; resolving a mention to a day against the
publication date happens when mentions become drafts (``processors.extract.merge``).
"""

from __future__ import annotations

from processors.extract.document import Document
from processors.text.dates import find_dates
from processors.text.indexed import Indexed


def tag_dates(doc: Document) -> None:
    """Set ``dates``: every date mention of the folded body."""
    doc.dates = Indexed(find_dates(doc.folded))
