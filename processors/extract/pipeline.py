"""Article in, incidents out: the apply step of extraction.

``extract_incidents`` resolves each mention's date, place, type, actors and casualties into
a draft, merges the drafts that tell one event twice, fills what the article says only
once (the perpetrator of a string of unattributed attacks), and returns ``Incident`` records.
Each incident's ``event_id`` is provisional: the id ``processors.correlate.dedup.EventIndex``
gives it if no other article reported the event first (``processors.correlate.corpus``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from functools import cache

from processors.extract.actors import state_sides
from processors.extract.fallback import default_targets, fill_perpetrators, inherit_types
from processors.extract.mentions import (
    ArticleSpans,
    Mention,
    find_mentions,
    match_article,
)
from processors.extract.merge import Draft, absorb, best_match
from processors.extract.place_context import country_evidence
from processors.extract.places import PlaceMatch, gazetteer_version
from processors.extract.roles import target_of
from processors.extract.world_actors import bind_place_forces
from processors.identity import event_key
from processors.models import Article, DatePrecision, Evidence, Incident
from processors.text.dates import ANAPHORIC_KINDS, UNKNOWN, DateMention, ResolvedDate, resolve_date
from processors.text.indexed import Indexed, within
from processors.text.rules import load_rules, rules_version
from processors.text.sentences import Sentence, regional_countries

_KIND_RANK = {"facility": 0, "city": 1, "province": 2, "region": 3, "country": 4}
_LEDE_SENTENCES = 3
_ANAPHORA_REACH = 3  # sentences back that "the attack" or "no one was hurt" may refer to
_BACKGROUND_DAYS = 365
_RECENT_MONTH_DAYS = 62  # the first of last month, seen from the end of this one
_MAX_MULTIPLICITY = 5


@cache
def extractor_version() -> str:
    """The rule-set version every incident carries: rule files and gazetteer."""
    return f"{rules_version()}+gazetteer@{gazetteer_version()}"


def prepare() -> None:
    """Load every rule file and compile every matcher now, so no article pays for it."""
    from processors.extract import actors, events
    from processors.text import dates, numbers, sentences

    extractor_version()
    match_article("Prepared.")
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


def extract_incidents(
    article: Article, *, include_background: bool = False,
    fallback_date: dt.date | None = None, max_incidents: int = 200,
) -> list[Incident]:
    """Every concrete violent event ``article`` reports, one incident per event."""
    spans = match_article(article.body)
    # Soldiers and police without a nationality are the forces of the story's country.
    country = _dominant_country(spans)
    spans = replace(spans, actors=Indexed(bind_place_forces(list(spans.actors), country)))
    published = article.published_date()
    base = published or fallback_date
    context = _Context(spans, base, base_is_fallback=published is None and base is not None,
                       title=article.title, country=country)
    drafts = _draft_all(context, find_mentions(spans))
    drafts = [d for d in drafts if _keep(d, published, include_background)]
    fill_perpetrators(spans, drafts, previous=context.previous, country=context.country)
    default_targets(drafts)
    inherit_types(drafts)
    return _to_incidents(article, drafts[:max_incidents])



class _Context:
    """What every mention of one article is resolved against."""

    def __init__(self, spans: ArticleSpans, base: dt.date | None, *, base_is_fallback: bool,
                 title: str | None, country: str | None):
        self.spans = spans
        self.base = base
        self.base_is_fallback = base_is_fallback
        live = [s for s in spans.sentences if not s.boilerplate]
        self.previous = {s.index: (live[i - 1] if i else None) for i, s in enumerate(live)}
        self.headlines = _headlines(spans, live, title)
        self.lede = {s.index for s in live[:_LEDE_SENTENCES]} - self.headlines
        self.country = country
        self.sentence_of = {s.index: s for s in spans.sentences}

    def resolve(self, mention: DateMention, anchor: ResolvedDate | None) -> list[ResolvedDate]:
        return resolve_date(mention, self.base, base_is_fallback=self.base_is_fallback,
                            anchor=anchor)


def _headlines(spans: ArticleSpans, live: list[Sentence], title: str | None) -> set[int]:
    """Sentences that are the headline (repeated in the body, or a first line on its own)."""
    def norm(text: str) -> str:
        return " ".join(text.lower().split()).strip(" .")

    found: set[int] = set()
    wanted = norm(title) if title else None
    for sentence in live[:4]:
        text = spans.body[sentence.start : sentence.end]
        if wanted and norm(text) == wanted:
            found.add(sentence.index)
    if live:
        first = live[0]
        alone = len(live) == 1 or live[1].paragraph != first.paragraph
        text = spans.body[first.start : first.end].rstrip()
        if alone and len(text) < 200 and not text.endswith((".", "!", "?", '"', "”")):
            found.add(first.index)
    return found


def _dominant_country(spans: ArticleSpans) -> str | None:
    """The country the article is about: its places' votes (``country_evidence``), outside
    boilerplate; a tie goes to the country named first."""
    boiler = [(s.start, s.end) for s in spans.sentences if s.boilerplate]
    places = [p for p in spans.places if not any(a <= p.start < b for a, b in boiler)]
    votes = country_evidence(places)
    if not votes:
        return None
    first = {p.country: i for i, p in reversed(list(enumerate(places)))}
    return max(votes, key=lambda c: (votes[c], -first[c]))


def _draft_all(ctx: _Context, mentions: list[Mention]) -> list[Draft]:
    drafts: list[Draft] = []
    headlines: list[Draft] = []
    last: Draft | None = None
    for group, mention in enumerate(mentions):
        if mention.generic:
            continue
        days = _days(ctx, mention, last)
        new = [_draft(ctx, mention, group, day) for day in days]
        if mention.sentence in ctx.headlines:
            headlines.extend(new[:1])
            continue
        if mention.anaphoric or (mention.quoted and not new[0].own_date):
            host = _antecedent_draft(drafts, new[0], mention.sentence)
            if host is not None:
                absorb(host, new[0], detail_only=True)
            continue
        taken: set[int] = set()
        for draft in new:
            target = best_match(drafts, draft, taken)
            if target is None and mention.merge_only and not _dated_past(draft, ctx.base):
                continue  # a reference to an event the article does not report itself
            if target is None:
                drafts.append(draft)
                last = draft
            else:
                taken.add(drafts.index(target))
                absorb(target, draft)
                last = target
    return _place_headlines(ctx, drafts, headlines)


def _dated_past(draft: Draft, base: dt.date | None) -> bool:
    """Whether a draft is background by its date (kept only if asked for)."""
    return _is_background(draft, base)


def _antecedent_draft(drafts: list[Draft], detail: Draft, sentence: int) -> Draft | None:
    """The event a referring mention adds to: a recent draft, one hit the same way if any."""
    recent = [d for d in drafts if sentence - max(d.sentences) <= _ANAPHORA_REACH]
    if not recent:
        return None
    if detail.target is not None:
        same = [d for d in recent if d.target in (None, detail.target)]
        if same:
            return max(same, key=lambda d: max(d.sentences))
    return max(recent, key=lambda d: max(d.sentences))


def _place_headlines(ctx: _Context, drafts: list[Draft], headlines: list[Draft]) -> list[Draft]:
    """A headline retells an event of the body; alone, it is an event of the publication day."""
    body = list(drafts)
    for headline in headlines:
        target = best_match(body, headline, set())
        if target is not None:
            if target.generic_attacker:
                headline.perpetrator = None
            absorb(target, headline, detail_only=True)
        elif not body:
            if headline.day is None and ctx.base is not None:
                headline.day = ctx.base
                headline.precision = "week" if ctx.base_is_fallback else "day"
            drafts.append(headline)
    return drafts


def _days(ctx: _Context, mention: Mention, last: Draft | None) -> list[ResolvedDate]:
    """The day(s) of a mention: its own date, else the sentence's or previous one's, else none."""
    anchor = None if last is None or last.day is None else ResolvedDate(last.day, last.precision)
    if mention.date is not None:
        days = ctx.resolve(mention.date, anchor)
    else:
        days = [_inherited(ctx, mention, anchor)]
    count = max((t.count or 1 for t in mention.triggers), default=1)
    if len(days) == 1 and count > 1:
        days = days * min(count, _MAX_MULTIPLICITY)
    return days


def _inherited(ctx: _Context, mention: Mention, anchor: ResolvedDate | None) -> ResolvedDate:
    sentence = ctx.sentence_of[mention.sentence]
    first = min(t.start for t in mention.triggers)
    here = within(ctx.spans.dates, sentence.start, sentence.end)
    if here:
        nearest = min(here, key=lambda d: abs(d.start - first))
        return ctx.resolve(nearest, anchor)[0]
    previous = ctx.previous.get(mention.sentence)
    if previous is not None:
        before = [d for d in within(ctx.spans.dates, previous.start, previous.end)
                  if d.kind not in ANAPHORIC_KINDS]
        if before:
            return ctx.resolve(before[-1], anchor)[0]
    if mention.sentence in ctx.headlines:
        return UNKNOWN
    if mention.sentence in ctx.lede and ctx.base is not None and not mention.anaphoric:
        precision: DatePrecision = "week" if ctx.base_is_fallback else "day"
        return ResolvedDate(ctx.base, precision)
    return UNKNOWN


def _draft(ctx: _Context, mention: Mention, group: int, day: ResolvedDate) -> Draft:
    spans = ctx.spans
    place = _place(mention)
    country = place.country if place else ctx.country
    if (place is not None and place.kind == "country" and ctx.country
            and place.country != ctx.country and place.country not in regional_countries()):
        place, country = None, ctx.country  # "Washington said" names no venue
    top = max(mention.triggers, key=lambda t: (t.weight, _precedence(t.type)))
    event_type = top.type
    killed = _total(mention, "killed")
    injured = _total(mention, "injured")
    kidnapped = _total(mention, "kidnapped")
    agent = mention.agent
    countries = agent.actor.countries if agent is not None else None
    if countries is not None and country not in countries:
        agent = None  # "soldiers" and "police" are Iraqi security forces only in Iraq
    perpetrator = agent.actor.name if agent else None
    exclude = agent.actor if agent else None
    cues = within(spans.targets, mention.start, mention.end)
    target = target_of(spans.folded, mention.triggers, cues,
                       within(spans.actors, mention.start, mention.end),
                       mention.casualties, country=country, exclude=exclude,
                       lo=mention.start, hi=mention.end)
    event_type = _refine_type(event_type, top.weight, target, agent.actor.side if agent else None,
                              killed)
    if event_type == "disrupted_weapons_use" and target is None:
        target = "militants"  # weapons are seized from armed groups
    admin1 = place.admin1 if place else None
    sentence = ctx.sentence_of[mention.sentence]
    return Draft(
        sentence=mention.sentence, segment=mention.segment, group=group,
        day=day.day, precision=day.precision, country=country,
        admin1=admin1, place=place.place if place else None,
        place_kind=place.kind if place else "country",
        latitude=place.latitude if place else None, longitude=place.longitude if place else None,
        geo_precision=_geo_precision(place), event_type=event_type, type_weight=top.weight,
        generic_type=top.weight <= 1, inherit_type=top.weight <= 1 and top.form != "casualty",
        perpetrator=perpetrator,
        attribution=agent.attribution if agent and agent.actor.name else None,
        generic_attacker=mention.generic_attacker, pronoun=mention.pronoun, target=target,
        killed=killed, injured=injured, kidnapped=kidnapped,
        background=mention.background, quoted=mention.quoted, separate=mention.separate,
        own_date=mention.date is not None and day.day is not None,
        evidence=[(sentence.start, sentence.end)], sentences={mention.sentence},
    )


def _place(mention: Mention) -> PlaceMatch | None:
    if not mention.places:
        return None
    first = min(t.start for t in mention.triggers)
    return min(mention.places, key=lambda p: (_KIND_RANK.get(p.kind, 5), abs(p.start - first)))


def _geo_precision(place: PlaceMatch | None) -> int:
    return 3 if place is None else max(1, min(3, place.geo_precision))


@cache
def _precedences() -> dict[str, int]:
    order: list[str] = load_rules("events").get("type_precedence", [])
    return {name: len(order) - i for i, name in enumerate(order)}


def _precedence(event_type: str) -> int:
    return _precedences().get(event_type, 0)


def _refine_type(
    event_type: str, weight: int, target: str | None, side: str | None, killed: int | None
) -> str:
    """ACLED's reading of a generic trigger: fights with militants are clashes, and so on."""
    state = side in state_sides()
    if weight <= 1 and event_type == "attack" and target == "infrastructure":
        return "property_destruction"
    if event_type == "attack" and target == "militants" and (state or weight <= 1):
        return "armed_clash"
    if event_type == "disrupted_weapons_use" and killed:
        return "armed_clash" if state or target == "militants" else "attack"
    return event_type


def _total(mention: Mention, kind: str) -> int | None:
    values = [c.value for c in mention.casualties if c.kind == kind]
    return sum(values) if values else None


def _is_background(draft: Draft, published: dt.date | None) -> bool:
    """"In January", "in December 2019", "in 2014", "since last year" allude to the past;
    "earlier this month" and "last month" still report news."""
    age = (published - draft.day).days if draft.day is not None and published else None
    distant_month = draft.precision == "month" and (age is None or age > _RECENT_MONTH_DAYS)
    return draft.background or distant_month or (
        draft.precision == "unknown" and draft.day is not None) or (
        age is not None and age > _BACKGROUND_DAYS)


def _keep(draft: Draft, published: dt.date | None, include_background: bool) -> bool:
    """Whether a draft is reported: placed somewhere, not only quoted, not background."""
    if draft.country is None:
        return False
    if draft.day is None and draft.geo_precision == 3 and draft.precision != "week":
        return False
    if draft.quoted and not draft.own_date:
        return False
    if _is_background(draft, published):
        draft.background = True
    return include_background or not draft.background


def _confidence(draft: Draft) -> float:
    score = 0.3 + {1: 0.0, 2: 0.1}.get(draft.type_weight, 0.2)
    score += {"day": 0.15, "week": 0.1, "month": 0.05}.get(draft.precision, 0.0)
    score += 0.1 if draft.geo_precision and draft.geo_precision <= 2 else 0.0
    score += 0.1 if draft.attribution in ("stated", "claimed") else 0.0
    score += min(0.1, 0.05 * (draft.mentions - 1))
    score -= 0.15 if draft.quoted else 0.0
    return round(max(0.05, min(0.95, score)), 3)


def _to_incidents(article: Article, drafts: list[Draft]) -> list[Incident]:
    body = article.body
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    version = extractor_version()
    out: list[Incident] = []
    for index, draft in enumerate(drafts):
        incident_id = hashlib.sha256(f"{article.id}|{digest}|{index}".encode()).hexdigest()[:24]
        incident = Incident(
            incident_id=incident_id, article_id=article.id,
            event_id=event_key(draft.country, draft.admin1, draft.day, draft.event_type,
                               incident_id),
            event_date=draft.day, date_precision=draft.precision,
            country=draft.country, admin1=draft.admin1, place=draft.place,
            latitude=draft.latitude, longitude=draft.longitude,
            geo_precision=draft.geo_precision, event_type=draft.event_type,
            perpetrator=draft.perpetrator, attribution=draft.attribution, target=draft.target,
            killed=draft.killed, injured=draft.injured, kidnapped=draft.kidnapped,
            background=draft.background,
            evidence=[Evidence(text=body[s:e], start=s, end=e) for s, e in sorted(draft.evidence)],
            confidence=_confidence(draft), extractor_version=version,
            sources=[article.id], article_digest=digest,
        )
        out.append(incident)
    return out
