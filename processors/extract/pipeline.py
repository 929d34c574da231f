"""Article in, incidents out: extraction as an ordered list of stages over one document.

``extract_incidents`` makes a ``Document`` of the article and hands it to each stage of
``STAGES`` in turn; each stage reads the layers the earlier ones set and adds its own, as
spaCy's components do with a ``Doc``. The match stages find spans (casualty figures before
triggers, because the cues that cancel triggers are looked for around both; triggers before
places and actors, which are looked up only where something is reported); the apply stages
make clauses, mentions with their roles, drafts and incidents of them. Each incident's
``event_id`` is provisional: the id ``processors.correlate.dedup.EventIndex`` gives it if no
other article reported the event first (``processors.correlate.corpus``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from processors.extract import (
    actors,
    casualties,
    dating,
    emit,
    events,
    fallback,
    mentions,
    merge,
    places,
    roles,
    segment,
)
from processors.extract.document import Document
from processors.models import Article, Incident
from processors.text import dates, numbers, sentences
from processors.text.rules import rules_version

Stage = Callable[[Document], None]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("segment", segment.segment),                    # folded text, sentences, headline, lede
    ("find_casualties", casualties.tag_casualties),  # "two soldiers were killed"
    ("find_triggers", events.tag_triggers),          # "ambushed", and the cues that cancel them
    ("find_places", places.tag_places),              # "Kirkuk", and the dominant country
    ("find_actors", actors.tag_actors),              # "Islamic State militants", target cues
    ("find_dates", dating.tag_dates),                # "on Monday", "July 24, 27 and 30"
    ("form_mentions", mentions.form_mentions),       # clauses that each report one event
    ("resolve_roles", roles.resolve_roles),          # who did it, to whom, where
    ("merge_drafts", merge.merge_drafts),            # one draft per event, days resolved
    ("fill_from_article", fallback.fill_from_article),  # perpetrators the article says once
    ("emit_incidents", emit.emit_incidents),         # Incident records
)


@cache
def extractor_version() -> str:
    """The rule-set version every incident carries: rule files and gazetteer."""
    return f"{rules_version()}+gazetteer@{places.gazetteer_version()}"


def extract_incidents(
    article: Article, *, include_background: bool = False,
    fallback_date: dt.date | None = None, max_incidents: int = 200,
) -> list[Incident]:
    """Every concrete violent event ``article`` reports, one incident per event."""
    published = article.published_date()
    base = published or fallback_date
    doc = Document(article=article, include_background=include_background,
                   max_incidents=max_incidents, version=extractor_version(),
                   published=published, base=base,
                   base_is_fallback=published is None and base is not None)
    for _, stage in STAGES:
        stage(doc)
    return doc.incidents


def prepare() -> None:
    """Load every rule file and compile every matcher now, so no article pays for it."""
    extractor_version()
    dates.warm_calendar()
    numbers.parse_count("twelve")
    lexicon = events._lexicon()
    tables = actors._tables()
    matchers = [lexicon.triggers, lexicon.suppress, lexicon.cues,
                tables.folded_ci, tables.exact, tables.generic, tables.cue_regex,
                dates._DATES, numbers._casualty_regex(), numbers._keywords(),
                sentences._boilerplate()[1]]
    for matcher in matchers:
        matcher.prime()
    extract_incidents(_WARM_UP)


_WARM_UP = Article(
    id="warm-up", published_at=dt.date(2020, 1, 2), title="Warm-up",
    body=("Warm-up\n\nIslamic State militants ambushed a patrol near Kirkuk on Monday, killing "
          "two soldiers. The group had blamed Iran-backed militias. Two rockets were fired at "
          "the base on July 24, 27 and 30. They said it happened last week."))


__all__ = ["STAGES", "extract_incidents", "extractor_version", "prepare"]
