"""The resolve-roles stage: who did it, to whom and where, from word order around triggers.

Each clause becomes a ``Mention``: its attacker (``attacker_of``; "the group" is the armed
group named last before it), the places that can be its venue (not those inside an actor's
name), how it reads (new, a detail of an event told before, generic) and, unless generic, its
``Resolution``: venue and country, target (``target_of``) and the type ACLED would give it.
When some mention names no attacker, the article-wide votes the fill stage falls back on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from processors.extract.document import (
    ActorMention,
    Agent,
    Clause,
    Document,
    Mention,
    PlaceMatch,
    Resolution,
    Trigger,
)
from processors.extract.phrases import (
    attribution_before,
    claims_after,
    fought_back,
    instrument_of,
    period_kinds,
    speech_after,
    state_sides,
    target_before,
    target_noun_after,
    type_precedence,
    victim_after,
)
from processors.extract.targets import target_class, target_of
from processors.text.indexed import holding, within
from processors.text.numbers import Casualty, clause_toll
from processors.text.sentences import regional_countries

# Between an agent and an event noun: "carried out an attack", "took credit for the strikes".
_AGENT_VERB = re.compile(
    r"^\W*(?:[\w'.-]+\s+){0,4}?(?:carried out|launched|conducted|staged|claimed|mounted|"
    r"executed|perpetrated|took credit for|claimed responsibility for|(?:was|were) behind|"
    r"behind|responsible for|involved in|took part in|killed|struck|hit|targeted|bombed|shelled|"
    r"fired|destroyed)\s+(?:(?!(?:after|before|in|on|at|for|since|during|following|against|near|"
    r"by|with|from)\b)[\w'-]+\s+){0,5}$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"^\s*(?:[\w-]+\s+){0,3}$")
_ADJACENT = re.compile(r"^[\s-]*(?:[\w-]+\s+){0,1}$")
_STOP = re.compile(r"[;:]|\b(?:said|says|told|according)\b", re.IGNORECASE)
_SAID_THEY = re.compile(r"^\s+(?:said|announced|reported|stated|claimed)\s+(?:that\s+)?"
                        r"(?:they|it)\s+"
                        r"(?:had\s+|have\s+|has\s+)?(?:\w+ly\s+)?$", re.IGNORECASE)
# An infinitive or a relative clause between actor and verb gives the verb another subject:
# "sent forces to find the launchers that targeted diplomats"; the actor right before "who"
# is the relative clause's own subject ("militants who had abducted").
_OTHER_VERB = re.compile(r"\bto\s+(?!the\b|a\b|an\b)\w+|\w\s+(?:that|which|who)\s+(?:\w+\s+){0,2}$",
                         re.IGNORECASE)
# "four workers - an American and a Briton - were abducted": the subject of a passive verb is
# the one it was done to, however far back it stands.
_PASSIVE_AUXILIARY = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?$",
                                re.IGNORECASE)
_RELATIVE_SUBJECT = re.compile(r",?\s+(?:who|that)\s+(?:had\s+|have\s+|has\s+)?(?:\w+ly\s+)?",
                               re.IGNORECASE)
# "soldiers were on patrol when gunmen ambushed them": a subordinate clause has its own subject.
_SUBORDINATE = re.compile(r"\b(?:when|while|after|before|because|until|whereas|although|though)\b",
                          re.IGNORECASE)
# A casualty phrase that opens with its verb ("killed ten") is told of its subject; one that
# opens with the victims ("two died", "six were hurt") is told of them.
_ACTIVE_CASUALTY = re.compile(r"(?:kill|wound|injur|kidnap|abduct|murder|behead|execut|slaughter|"
                              r"shot|shoot|massacr)\w*\b", re.IGNORECASE)
_PLACE_NOUN = re.compile(r"\s+(?:headquarters|stations?|posts?|bases?|barracks|checkpoints?|"
                         r"compounds?|offices?|positions|camps?|outposts?|depots?)\b",
                         re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:]|--|\b(?:where|which|who|that|when|while)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:they|it|he|she)\b", re.IGNORECASE)
_COREFERENT = re.compile(r"\b(?:the|this|that)\s+(?:group|militia|faction|organi[sz]ation|movement|"
                         r"network)$", re.IGNORECASE)
_COREFERENCE_REACH = 400
_BEFORE_TRIGGER = re.compile(r"(?:'s)?\s*(?:[\w-]+\s+){0,2}$")
_AFTER_TRIGGER = re.compile(r"\s+(?:in|at|near|on|outside|inside|against|targeting)\s+"
                            r"(?:the\s+)?(?:[\w'-]+\s+){0,4}$", re.IGNORECASE)
_ASIDE = re.compile(r"\b(?:following|after|in (?:response|retaliation|reprisal|revenge) (?:to|for)|"
                    r"(?:revenge|retaliation) for|to avenge|amid|days? after|hours? after|"
                    r"weeks? after)\b", re.IGNORECASE)
_ARMED = frozenset({"security_forces", "iraqi_security_forces", "us_forces", "coalition_forces",
                    "foreign_forces", "peacekeepers", "militants"})
_ABROAD = frozenset({"us_forces", "foreign_forces"})
_KIND_RANK = {"facility": 0, "city": 1, "province": 2, "region": 3, "country": 4}


def attacker_of(
    folded: str, trigger: Trigger, actors: Sequence[ActorMention], *, lo: int, hi: int
) -> Agent | None:
    """The actor that did what ``trigger`` names, within ``folded[lo:hi]``, if the text says."""
    best: Agent | None = None
    for actor in actors:
        if actor.end <= lo or actor.start >= hi:
            continue
        role = _attacker_role(folded, trigger, actor, lo)
        if role is None:
            continue
        agent = Agent(actor, role)
        if best is None or _rank(agent) > _rank(best):
            best = agent
    return best


def _rank(agent: Agent) -> tuple[int, int]:
    return (agent.actor.name is not None, -agent.actor.start)


def _attacker_role(folded: str, trigger: Trigger, actor: ActorMention, lo: int) -> str | None:
    if claims_after(folded, actor.end):
        return "claimed"
    if actor.start >= trigger.end:
        attribution = attribution_before(folded, actor.start, lo)
        if attribution == "suspected" and target_noun_after(folded, actor.end):
            return None  # "struck suspected PKK positions": the target, not the attacker
        if attribution is not None and actor.start - trigger.end < 120:
            return attribution
        return None
    if actor.end > trigger.start:
        # "Turkish warplanes struck", "a US air strike": the actor is part of the trigger.
        inside = (trigger.form == "noun" and trigger.start <= actor.start
                  and actor.end <= trigger.end)
        runs_in = actor.start < trigger.start and trigger.form in ("verb", "noun")
        return "stated" if inside or runs_in else None
    gap = folded[actor.end : trigger.start]
    if trigger.form == "noun":
        possessive = actor.text.endswith(("'s", "'")) or gap.startswith("'")
        if _ADJACENT.match(gap) or (possessive and _POSSESSIVE.match(gap.lstrip("'s"))):
            return "stated"  # "an Islamic State attack", "Hamas's October 7 attack"
    if _RELATIVE_SUBJECT.fullmatch(gap):
        return "stated"  # "a clampdown on militants who had abducted": the relative's subject
    if (target_before(folded, actor.start, lo) or victim_after(folded, actor.end)
            or _PLACE_NOUN.match(folded, actor.end)):
        return None  # "police headquarters" is where it happened, not who did it
    attribution = attribution_before(folded, actor.start, lo)
    if attribution in ("blamed", "suspected"):
        return attribution
    if speech_after(folded, actor.end) and not _PRONOUN.search(gap):
        return None  # "a police official confirmed a gun battle": the source of the news
    if trigger.form == "casualty" and not _ACTIVE_CASUALTY.match(trigger.text):
        return None  # "the soldiers left the vehicle and two died": the ones who died
    if trigger.form == "noun":
        return "stated" if _AGENT_VERB.match(gap) else None
    if _SAID_THEY.match(gap):
        return "stated"  # "security forces said they had uncovered a stash"
    if trigger.form == "verb" and _PASSIVE_AUXILIARY.search(gap):
        return None
    if len(gap) > 150 or _STOP.search(gap) or _OTHER_VERB.search(gap) or _SUBORDINATE.search(gap):
        return None
    return "stated"


def pronoun_subject(folded: str, lo: int, trigger_start: int) -> bool:
    """Whether a pronoun is the subject just before the trigger ("they announced killing")."""
    start = max(lo, trigger_start - 60)
    found = list(_PRONOUN.finditer(folded, start, trigger_start))
    return bool(found) and _CLAUSE_BREAK.search(folded, found[-1].end(), trigger_start) is None


# -- the stage ------------------------------------------------------------------------------------


def resolve_roles(doc: Document) -> None:
    """Set ``mentions`` from ``clauses``, and the attacker and target votes if any is needed."""
    doc.mentions = mentions = [_mention(doc, clause) for clause in doc.clauses]
    # Only a draft without a perpetrator falls back on the votes, and a draft has one when
    # each of its mentions has (merging never drops one): count them only when needed.
    if any(m.resolution is not None and (m.resolution.agent is None
                                         or m.resolution.agent.actor.name is None)
           for m in mentions):
        doc.attacker_votes, doc.target_votes = article_votes(doc)


def _mention(doc: Document, clause: Clause) -> Mention:
    folded = doc.folded
    lo, hi, triggers = clause.start, clause.end, clause.triggers
    actors = within(doc.actors, lo, hi)
    agent: Agent | None = None
    for trigger in sorted(triggers, key=lambda t: -t.weight):
        found = attacker_of(folded, trigger, actors, lo=lo, hi=hi)
        if found is not None and (agent is None or (agent.actor.name is None and found.actor.name)):
            agent = found
    if (agent is not None and agent.actor.name is None
            and _COREFERENT.search(folded, max(0, agent.actor.start - 6), agent.actor.end)):
        agent = _antecedent(doc, agent) or agent
    first = min(t.start for t in triggers)
    casualties = tuple(c for c in clause.casualties if not c.subset)
    places = tuple(p for p in within(doc.places, lo, hi) if not _hidden(p, actors, agent))
    anaphoric, merge_only, generic = _reading(folded, clause, places)
    resolution = None if generic else _resolve(doc, clause, places, agent, casualties)
    if resolution is not None and resolution.agent is None and agent is not None:
        # an attacker the roles reject ("the US killed ... US troops") hides no venue
        shown = tuple(p for p in within(doc.places, lo, hi) if not _hidden(p, actors, None))
        if shown != places:
            places = shown
            anaphoric, merge_only, generic = _reading(folded, clause, places)
            resolution = None if generic else _resolve(doc, clause, places, agent, casualties)
    return Mention(
        sentence=clause.sentence, segment=clause.segment, start=lo, end=hi, triggers=triggers,
        date=clause.date, places=places, agent=agent,
        pronoun=agent is None and pronoun_subject(folded, lo, first),
        generic_attacker=agent is not None and agent.actor.name is None,
        casualties=casualties, quoted=clause.quoted, anaphoric=anaphoric,
        merge_only=merge_only, background=clause.background, generic=generic,
        separate=clause.separate, resolution=resolution,
    )


def _reading(folded: str, clause: Clause, places: tuple[PlaceMatch, ...]
             ) -> tuple[bool, bool, bool]:
    """Whether a clause at ``places`` reads as anaphoric, as merge-only and as generic."""
    attached = [p for p in places if any(_attached(folded, p, t) for t in clause.triggers)]
    # A clause told apart ("Elsewhere, ...", "The group also attacked ...") at a place of its
    # own is a new event even when its word is weak.
    told_apart = clause.separate and bool(places)
    anaphoric = clause.forced or clause.mode == "refer" or (not clause.own_date and (
        ((clause.definite or clause.weak) and not attached and not told_apart)
        or clause.continues))
    # "the bombing in Sadr City" names an event the reader is assumed to know, and a cause
    # ("in response to a rocket attack") one told elsewhere: they can add to an event of the
    # article, never stand for a new one.
    merge_only = (clause.definite and not clause.own_date) or (
        clause.mode == "cause" and not _told_as_act(clause, places))
    specific_place = any(p.kind in ("city", "facility") for p in places)
    generic = (not clause.own_date and (
        clause.plural_only or clause.toll or (clause.perfect and not specific_place))) or (
        clause.toll and clause.date is not None and clause.date.kind in period_kinds())
    return anaphoric, merge_only, generic


def _resolve(doc: Document, clause: Clause, places: tuple[PlaceMatch, ...], agent: Agent | None,
             casualties: tuple[Casualty, ...]) -> Resolution:
    """The venue, attacker (if of the venue's country), target and refined type of a mention."""
    triggers = clause.triggers
    place = _venue(places, triggers, doc.folded, clause.end, datelines=doc.datelines,
                   country=doc.country)
    country = place.country if place else doc.country
    if (place is not None and place.kind == "country" and doc.country
            and place.country != doc.country and place.country not in regional_countries()):
        place, country = None, doc.country  # "Washington said" names no venue
    top = max(triggers, key=lambda t: (t.weight, type_precedence(t.type)))
    killed = clause_toll(casualties, "killed")
    countries = agent.actor.countries if agent is not None else None
    if countries is not None and country not in countries:
        agent = None  # "soldiers" and "police" are the forces of the story's state only there
    cues = within(doc.targets, clause.start, clause.end)
    target = target_of(doc.folded, triggers, cues, within(doc.actors, clause.start, clause.end),
                       casualties, country=country, exclude=agent.actor if agent else None,
                       lo=clause.start, hi=clause.end)
    if target == "infrastructure" and any(c.value > 0 for c in casualties):
        # "missiles hit a railway station, killing 30": the people hit, not the building
        target = target_of(doc.folded, triggers, [c for c in cues if c.target != target],
                           [], casualties, country=country, exclude=None,
                           lo=clause.start, hi=clause.end) or "civilians"
    if agent is not None and ((target in ("security_forces", "government") and (
            agent.actor.state == country or (agent.actor.side in state_sides()
                                             and country in (agent.actor.countries or ()))))
            or (target in _ABROAD and target == target_class(agent.actor, None,
                                                             country=country))):
        agent = None  # a state's forces do not attack their own: they are the ones hit
    base_type = top.type
    if base_type == "remote_explosive_ied" and any(t.type == "suicide_bomb" for t in triggers):
        base_type = "suicide_bomb"  # "a car bomb driven by a suicide attacker"
    if base_type == "attack":
        base_type = instrument_of(doc.folded, triggers, clause.end) or base_type
    event_type = _refine_type(base_type, top.weight, target, agent.actor.side if agent else None,
                              killed, form=top.form)
    if event_type == "attack" and target in _ARMED and fought_back(
            doc.folded, clause.sentence, doc.sentence_of, reach=_fight_reach(doc, clause)):
        event_type = "armed_clash"  # "soldiers returned fire": both sides fought
    if event_type == "disrupted_weapons_use" and target is None:
        target = "militants"  # weapons are seized from armed groups
    return Resolution(
        place=place, country=country,
        admin1=place.admin1 if place else None,  # SCHEMA v2 codes units everywhere
        top=top, event_type=event_type, agent=agent, target=target, killed=killed,
        injured=clause_toll(casualties, "injured"),
        kidnapped=clause_toll(casualties, "kidnapped"),
    )


def _fight_reach(doc: Document, clause: Clause) -> int:
    """How many sentences after the clause's may still tell its fight (at most two): up to
    the next that tells a new event of its own other than a fight ("In Mogadishu, mortar
    shells crashed ...")."""
    for later in doc.clauses:
        if (clause.sentence < later.sentence <= clause.sentence + 2 and later.mode == "new"
                and not (later.definite or later.continues)
                and any(t.type != "armed_clash" for t in later.triggers)):
            return later.sentence - clause.sentence - 1
    return 2


def _told_as_act(clause: Clause, places: tuple[PlaceMatch, ...]) -> bool:
    """Whether a cause ("hours after rockets slammed into Eilat") is told as an event of its
    own: a verb naming the weapon or act, then a town or facility of its own."""
    acts = [t for t in clause.triggers if t.form == "verb" and t.weight >= 3 and not t.definite]
    return any(p.kind in ("city", "facility") and p.start >= t.end for t in acts for p in places)


def _antecedent(doc: Document, agent: Agent) -> Agent | None:
    """"The group" is the named armed group mentioned last before it, in reach."""
    start = agent.actor.start
    for actor in reversed(within(doc.actors, max(0, start - _COREFERENCE_REACH), start)):
        if actor.name is not None and actor.side not in state_sides():
            return Agent(actor, agent.attribution)
    return None


def _hidden(place: PlaceMatch, actors: list[ActorMention], agent: Agent | None) -> bool:
    """A place inside an actor's name ("Iran-backed") or naming the attacker is no venue."""
    return any(
        actor.start < place.end and place.start < actor.end and actor.name
        and (len(actor.text) > len(place.text) or (agent is not None and agent.actor is actor))
        for actor in actors)


def _attached(folded: str, place: PlaceMatch, trigger: Trigger) -> bool:
    """Whether a place phrase belongs to the trigger ("the attack in Baquba", "the Basra bomb")."""
    if place.end <= trigger.start:
        return _BEFORE_TRIGGER.match(folded, place.end, trigger.start) is not None
    return _AFTER_TRIGGER.match(folded, trigger.end, place.start) is not None


def _venue(
    places: tuple[PlaceMatch, ...], triggers: tuple[Trigger, ...], folded: str, hi: int, *,
    datelines: frozenset[int] = frozenset(), country: str | None = None,
) -> PlaceMatch | None:
    """The most specific place of the clause nearest its first trigger; places told after a
    phrase that names another event ("following claims that a shell struck Sderot", "in
    response to rockets fired at Sderot") are its cause's, not its own, unless none other;
    the dateline (where the report was filed) only when the clause names no other place and
    it lies in the story's ``country``."""
    own = tuple(p for p in places if p.start not in datelines)
    places = own or tuple(p for p in places if p.country == country)
    if not places:
        return None
    first = min(t.start for t in triggers)
    last = max(t.end for t in triggers)
    aside = _ASIDE.search(folded, last, hi)
    if aside is not None:
        own = tuple(p for p in places if p.start < aside.start())
        places = own or places
    return min(places, key=lambda p: (_KIND_RANK.get(p.kind, 5), abs(p.start - first)))


def _refine_type(
    event_type: str, weight: int, target: str | None, side: str | None, killed: int | None,
    *, form: str = "noun",
) -> str:
    """ACLED's reading of a generic trigger: fights with militants are clashes, and an armed
    assault ("an attack on an army post", "came under attack") on forces that can fight back is
    one too; a named act (shot dead, stormed) or a bare toll keeps its own type."""
    state = side in state_sides()
    if event_type == "attack" and weight <= 1 and form in ("noun", "verb") and target in _ARMED:
        return "armed_clash"
    if weight <= 1 and event_type == "attack" and target == "infrastructure":
        return "property_destruction"
    if event_type == "attack" and target == "militants" and (state or weight <= 1):
        return "armed_clash"
    if event_type == "disrupted_weapons_use" and killed:
        return "armed_clash" if state or target == "militants" else "attack"
    return event_type


def article_votes(doc: Document) -> tuple[Counter[str], Counter[str]]:
    """How often each named actor is the attacker of some trigger (generic ones included),
    and each target class what some trigger hits, in one pass over the sentences."""
    attackers: Counter[str] = Counter()
    targets: Counter[str] = Counter()
    # A generic statement ("gunmen linked to X have kidnapped people in the past") names no
    # attacker of the article's events unless it is a claim ("X has claimed two dozen
    # attacks"); a campaign the article tells ("X has stepped up attacks") does.
    told = {m.sentence for m in doc.mentions if not m.generic}
    generic = {m.sentence for m in doc.mentions if m.generic} - told
    for sentence in holding(doc.sentences, sorted(doc.actors.starts + doc.triggers.starts)):
        if sentence.boilerplate:
            continue
        s, e = sentence.start, sentence.end
        actors, cues = within(doc.actors, s, e), within(doc.targets, s, e)
        casualties = within(doc.casualties, s, e)
        for trigger in within(doc.triggers, s, e):
            target = target_of(doc.folded, [trigger], cues, actors, casualties,
                               country=doc.country, exclude=None, lo=s, hi=e)
            if target is not None:
                targets[target] += 1
            agent = attacker_of(doc.folded, trigger, actors, lo=s, hi=e) if actors else None
            if agent is not None and agent.actor.name is not None and (
                    sentence.index not in generic or agent.attribution == "claimed"):
                attackers[agent.actor.name] += 1
                if trigger.weight >= 2 and agent.attribution == "claimed":  # "claimed the bombing"
                    doc.attacker_types.setdefault(agent.actor.name, set()).add(trigger.type)
        for actor in actors:
            # "Officials blamed Kata'ib Hezbollah": blame counts even without an event word.
            if actor.name is not None and (
                attribution_before(doc.folded, actor.start, s) in ("blamed", "suspected")
                or claims_after(doc.folded, actor.end)
            ):
                attackers[actor.name] += 1
    return attackers, targets if attackers else Counter()
