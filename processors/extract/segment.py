"""The segment stage: the folded body, its sentences and quotes, headline and lede.

Every later stage reads offsets into ``doc.folded`` (same length as the body) and the
sentences cut here; the headline and the first sentences are told apart because a headline
retells an event of the body and the lede's events happen on the publication day.
"""

from __future__ import annotations

from processors.extract.document import Document
from processors.text.fold import fold
from processors.text.sentences import Sentence, quoted_spans, split_sentences

_LEDE_SENTENCES = 3


def segment(doc: Document) -> None:
    """Set ``folded``, ``sentences``, ``quotes``, ``previous``, ``headlines``, ``lede``."""
    body = doc.body
    doc.folded = folded = fold(body)
    doc.sentences = split_sentences(body, folded=folded)
    doc.quotes = quoted_spans(folded)
    live = [s for s in doc.sentences if not s.boilerplate]
    doc.previous = {s.index: (live[i - 1] if i else None) for i, s in enumerate(live)}
    doc.headlines = headlines(body, live, doc.article.title)
    doc.lede = {s.index for s in live[:_LEDE_SENTENCES]} - doc.headlines
    doc.sentence_of = {s.index: s for s in doc.sentences}


def headlines(body: str, live: list[Sentence], title: str | None) -> set[int]:
    """Sentences that are the headline (repeated in the body, or a first line on its own)."""
    def norm(text: str) -> str:
        return " ".join(text.lower().split()).strip(" .")

    found: set[int] = set()
    wanted = norm(title) if title else None
    for sentence in live[:4]:
        text = body[sentence.start : sentence.end]
        if wanted and norm(text) == wanted:
            found.add(sentence.index)
    if live:
        first = live[0]
        alone = len(live) == 1 or live[1].paragraph != first.paragraph
        text = body[first.start : first.end].rstrip()
        if alone and len(text) < 200 and not text.endswith((".", "!", "?", '"', "”")):
            found.add(first.index)
    return found
