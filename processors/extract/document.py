"""The document extraction passes along its stages, and the span records the stages add.

One ``Document`` is made per article and handed to each stage of ``processors.extract.pipeline``
in order, as spaCy hands a ``Doc`` to the components of its pipeline: every stage reads the
layers earlier stages set and adds its own (``segment`` the sentences, ``find_triggers`` the
triggers and cancelling cues, ..., ``emit_incidents`` the incidents). The span records are
plain frozen dataclasses with character offsets into the body (and its folded copy, which has
the same length), so a layer can be tested on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from processors.models import Article, DatePrecision, Incident
from processors.text.dates import DateMention
from processors.text.indexed import Indexed
from processors.text.numbers import Casualty
from processors.text.sentences import Sentence

# -- spans the match stages find ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing a place name can mean (a gazetteer entry): coordinates and how it was sourced."""

    name: str | None  # display name; None means "as written in the text"
    kind: str
    country: str
    admin1: str | None
    latitude: float | None
    longitude: float | None
    precision: int
    score: float
    strict: bool = False  # an ambiguous word: needs capitalised, mid-sentence, standalone use
    weak: bool = False  # a small place: not when it is part of a longer capitalised name




@dataclass(frozen=True, slots=True)
class Trigger:
    """An event word or phrase with its ACLED sub-event type and how much it says."""

    start: int
    end: int
    text: str
    type: str
    weight: int
    form: str
    plural: bool
    count: int | None
    approx_count: bool
    definite: bool
    counted: bool = False


@dataclass(frozen=True, slots=True)
class Cue:
    """A span that cancels triggers (kinds: modality, aggregate_np/plural, clause)."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """One place mention, with character offsets into the text that was searched."""

    start: int
    end: int
    text: str
    place: str | None
    country: str
    admin1: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int
    kind: str
    # What else the name can mean elsewhere (other countries' towns and units, gazetteer
    # entries), best first: ``place_context`` picks among them by the article's other places.
    alternatives: tuple[Entry, ...] = ()
    curated: bool = False  # from hand-written data, or a large town: no guess
    weak: bool = False  # a small town (under 50,000 people): proves little on its own


@dataclass(frozen=True, slots=True)
class ActorMention:
    """A named actor (``name`` canonical) or a generic attacker (``name`` None: "gunmen")."""

    start: int
    end: int
    text: str
    name: str | None
    side: str | None
    target: str | None
    countries: frozenset[str] | None = None
    target_if_state: str | None = None
    state: str | None = None  # the ISO code of the state whose forces these are


@dataclass(frozen=True, slots=True)
class TargetCue:
    """A phrase naming what was attacked, with its target class and weight."""

    start: int
    end: int
    text: str
    target: str
    weight: int
    countries: frozenset[str] | None


# -- what the mention, role and merge stages make of them --------------------------------------


@dataclass(frozen=True, slots=True)
class Agent:
    """An actor in the attacker role of a mention, with how the text attributes it."""

    actor: ActorMention
    attribution: str


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause that reports one event (or one per date of a date list), before its roles.

    ``mode`` says whether its triggers tell something new ("new"), refer back to an event told
    before ("refer") or name a cause or antecedent ("cause"); ``forced`` marks a clause made
    only of "no one was hurt" figures. The flags are what the clause's own words say.
    """

    sentence: int
    segment: int
    start: int
    end: int
    triggers: tuple[Trigger, ...]
    date: DateMention | None
    casualties: tuple[Casualty, ...]
    mode: str
    forced: bool
    own_date: bool
    definite: bool
    weak: bool
    continues: bool
    perfect: bool
    plural_only: bool
    toll: bool
    quoted: bool
    background: bool
    separate: bool


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a mention's event happened, who did it to whom, and its refined type."""

    place: PlaceMatch | None
    country: str | None
    admin1: str | None
    top: Trigger
    event_type: str
    agent: Agent | None
    target: str | None
    killed: int | None
    injured: int | None
    kidnapped: int | None


@dataclass(frozen=True, slots=True)
class Mention:
    """A clause with its roles read: the attacker, the places that can be its venue, and how
    it reads (a new event, a detail of one told before, a generic statement)."""

    sentence: int
    segment: int
    start: int
    end: int
    triggers: tuple[Trigger, ...]
    date: DateMention | None
    places: tuple[PlaceMatch, ...]
    agent: Agent | None
    pronoun: bool
    generic_attacker: bool
    casualties: tuple[Casualty, ...]
    quoted: bool
    anaphoric: bool
    merge_only: bool
    background: bool
    generic: bool
    separate: bool
    resolution: Resolution | None  # None for a generic mention, which never becomes a draft


@dataclass(slots=True)
class Draft:
    """An incident under construction, with what is needed to merge and score it."""

    sentence: int
    segment: int
    group: int
    day: dt.date | None
    precision: DatePrecision
    country: str | None
    admin1: str | None
    place: str | None
    place_kind: str
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    event_type: str
    type_weight: int
    generic_type: bool
    inherit_type: bool
    perpetrator: str | None
    attribution: str | None
    generic_attacker: bool
    pronoun: bool
    target: str | None
    killed: int | None
    injured: int | None
    kidnapped: int | None
    background: bool
    quoted: bool
    own_date: bool
    separate: bool = False
    evidence: list[tuple[int, int]] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)
    mentions: int = 1


# -- the document -------------------------------------------------------------------------------


@dataclass(slots=True)
class Document:
    """One article on its way through the stages: its text and every layer found so far."""

    article: Article
    include_background: bool
    max_incidents: int
    version: str
    published: dt.date | None
    base: dt.date | None  # the day relative dates count from: published, else the record's
    base_is_fallback: bool
    # segment
    folded: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[tuple[int, int]] = field(default_factory=list)
    previous: dict[int, Sentence | None] = field(default_factory=dict)
    headlines: set[int] = field(default_factory=set)
    lede: set[int] = field(default_factory=set)
    sentence_of: dict[int, Sentence] = field(default_factory=dict)
    # find_casualties, find_triggers
    casualties: Indexed[Casualty] = field(default_factory=lambda: Indexed(()))
    triggers: Indexed[Trigger] = field(default_factory=lambda: Indexed(()))
    cues: Indexed[Cue] = field(default_factory=lambda: Indexed(()))
    standing_triggers: Indexed[Trigger] = field(default_factory=lambda: Indexed(()))
    standing_casualties: Indexed[Casualty] = field(default_factory=lambda: Indexed(()))
    busy: list[tuple[int, int]] = field(default_factory=list)  # sentences that report something
    # find_places, find_actors, find_dates
    places: Indexed[PlaceMatch] = field(default_factory=lambda: Indexed(()))
    country: str | None = None  # the article's dominant country
    actors: Indexed[ActorMention] = field(default_factory=lambda: Indexed(()))
    targets: Indexed[TargetCue] = field(default_factory=lambda: Indexed(()))
    dates: Indexed[DateMention] = field(default_factory=lambda: Indexed(()))
    # form_mentions, resolve_roles
    clauses: list[Clause] = field(default_factory=list)
    looks_back: bool = False  # some sentence tells of a trial, an anniversary, "years ago"
    datelines: frozenset[int] = frozenset()  # starts of a dateline's places and dates
    mentions: list[Mention] = field(default_factory=list)
    attacker_votes: Counter[str] | None = None  # None: every mention names its attacker
    attacker_types: dict[str, set[str]] = field(default_factory=dict)  # what each one did
    target_votes: Counter[str] = field(default_factory=Counter)
    # merge_drafts, fill_from_article, emit_incidents
    drafts: list[Draft] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The article body every offset points into."""
        return self.article.body


__all__ = ["ActorMention", "Agent", "Clause", "Cue", "Document", "Draft", "Mention", "PlaceMatch",
           "Resolution", "TargetCue", "Trigger"]
