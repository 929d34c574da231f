"""Data contracts: Article in, Incident and Alert out.

Each record carries ``schema_version``; the JSON Schemas generated from these models are
committed under ``schemas/`` and a test fails when a model changes without its schema.

Version 2 (SCHEMA.md, worldwide) renamed two version-1 values: the target class
``iraqi_security_forces`` is ``security_forces`` and the perpetrator "Iraqi Security Forces"
is "Iraq" (a state's forces are named by the state). A version-1 incident or alert, read from
a topic, a backfill file or ``sitrep alerts`` input, is upgraded on validation, never rejected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 2

# Version-1 names and what version 2 calls them.
V1_TARGETS: Final[dict[str, str]] = {"iraqi_security_forces": "security_forces"}
V1_PERPETRATORS: Final[dict[str, str]] = {"Iraqi Security Forces": "Iraq"}
# A region is a country (ISO 3166-1 alpha-2) or a first-level unit (ISO 3166-2).
REGION_PATTERN: Final = r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$"

DatePrecision = Literal["day", "week", "month", "unknown"]
EventType = Literal[
    "armed_clash",
    "air_drone_strike",
    "suicide_bomb",
    "shelling_artillery_missile",
    "remote_explosive_ied",
    "grenade",
    "attack",
    "abduction",
    "property_destruction",
    "disrupted_weapons_use",
]
Target = Literal[
    "security_forces",
    "us_forces",
    "coalition_forces",
    "foreign_forces",
    "peacekeepers",
    "civilians",
    "aid_workers",
    "journalists",
    "government",
    "diplomatic",
    "infrastructure",
    "militants",
]
Attribution = Literal["stated", "claimed", "blamed", "suspected"]
AlertStatus = Literal["raised", "escalated", "resolved", "withdrawn"]
Severity = Literal["low", "medium", "high", "critical"]

EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
TARGETS: tuple[str, ...] = Target.__args__  # type: ignore[attr-defined]


def upgrade_target(value: str | None) -> str | None:
    """A target class in version 2's words (``iraqi_security_forces`` -> ``security_forces``)."""
    return V1_TARGETS.get(value, value) if value is not None else None


def upgrade_perpetrator(value: str | None) -> str | None:
    """A perpetrator in version 2's words ("Iraqi Security Forces" -> "Iraq")."""
    return V1_PERPETRATORS.get(value, value) if value is not None else None


def _upgrade_dimension(value: str) -> str:
    kind, sep, name = value.partition(":")
    if kind == "target":
        return f"{kind}{sep}{upgrade_target(name)}"
    if kind == "perpetrator":
        return f"{kind}{sep}{upgrade_perpetrator(name)}"
    return value


def _older(data: Any) -> dict[str, Any] | None:
    """The record as a mutable dict when it is a mapping (a version-1 name may be in it)."""
    if not isinstance(data, dict):
        return None
    upgraded = dict(data)
    version = upgraded.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version < SCHEMA_VERSION:
        upgraded["schema_version"] = SCHEMA_VERSION
    return upgraded


class Article(BaseModel):
    """A news article as fed to the ``articles`` topic."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    schema_version: int = SCHEMA_VERSION
    id: str = Field(min_length=1, max_length=512)
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published_at: dt.datetime | dt.date | None = None
    body: str = Field(min_length=1)

    @field_validator("body")
    @classmethod
    def _body_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("body is blank")
        return value

    def published_date(self) -> dt.date | None:
        """The publication day, whether ``published_at`` was a date or a date-time."""
        if isinstance(self.published_at, dt.datetime):
            return self.published_at.date()
        return self.published_at


class Evidence(BaseModel):
    """The sentence an incident came from, with character offsets into the article body."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Incident(BaseModel):
    """One violent event as reported by one article (the prediction format of SCHEMA.md)."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    incident_id: str
    event_id: str
    article_id: str
    event_date: dt.date | None
    date_precision: DatePrecision
    country: str | None
    admin1: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: Literal[1, 2, 3] | None = None
    event_type: EventType
    perpetrator: str | None = None
    attribution: Attribution | None = None
    target: Target | None = None
    killed: int | None = Field(default=None, ge=0)
    injured: int | None = Field(default=None, ge=0)
    kidnapped: int | None = Field(default=None, ge=0)
    background: bool = False
    evidence: list[Evidence] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    extractor_version: str
    # The article version it came from: a digest of the body (a changed body, same article id,
    # is a new version of the article, whose incidents update the events of the old one).
    article_digest: str | None = None
    # Corroboration: filled by the stream's event store, one version per new report.
    version: int = Field(default=1, ge=1)
    sources: list[str] = Field(default_factory=list)
    corroboration: int = Field(default=1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        """Read a version-1 incident as version 2 (renamed target class and state forces).

        Version-1 names are upgraded whatever ``schema_version`` says: records written
        before the field existed carry none.
        """
        old = _older(data)
        if old is None:
            return data
        if isinstance(old.get("target"), str):
            old["target"] = upgrade_target(old["target"])
        if isinstance(old.get("perpetrator"), str):
            old["perpetrator"] = upgrade_perpetrator(old["perpetrator"])
        return old


class Alert(BaseModel):
    """One change in the lifecycle of an escalation alert for a region (or region × actor)."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    alert_id: str
    region: str = Field(pattern=REGION_PATTERN)
    dimension: str = "all"
    window_start: dt.date
    window_end: dt.date
    status: AlertStatus
    # When it was decided: the event-time day through which the verdict saw data, and
    # whether it is the week's final verdict (replay-deterministic) or an early one.
    as_of: dt.date
    final: bool
    observed: int = Field(ge=0)
    expected: float = Field(ge=0.0)
    score: float
    severity: Severity
    event_ids: list[str] = Field(default_factory=list)
    top_perpetrators: list[str] = Field(default_factory=list)
    detector_version: str = ""

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        """Read a version-1 alert as version 2 (its dimension and perpetrators renamed)."""
        old = _older(data)
        if old is None:
            return data
        if isinstance(old.get("dimension"), str):
            old["dimension"] = _upgrade_dimension(old["dimension"])
        if isinstance(old.get("top_perpetrators"), list):
            old["top_perpetrators"] = [upgrade_perpetrator(p) if isinstance(p, str) else p
                                       for p in old["top_perpetrators"]]
        return old


class DeadLetter(BaseModel):
    """What the dead-letter topic says about a rejected message (the bytes go alongside)."""

    model_config = ConfigDict(frozen=True)

    reason: str
    error: str
    topic: str
    partition: int | None = None
    offset: int | None = None
