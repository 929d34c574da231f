"""The one exception hierarchy of sitrep.

    SitrepError
    ├── InvalidArticle        a message on ``articles`` that cannot become an Article
    │   ├── NotJSON           bytes that are not UTF-8 JSON
    │   ├── SchemaViolation   JSON of the wrong shape or types
    │   └── LimitExceeded     body too large, nesting too deep, ...
    ├── InvalidIncident       an incident line that does not fit the Incident model
    ├── RulesError            a rule or gazetteer data file that does not load
    └── BrokerError           the local Kafka broker could not be fetched, started or reached

Every ``InvalidArticle`` carries a short machine-readable ``reason`` that becomes the
``reason`` header of the dead-letter record.
"""

from __future__ import annotations


class SitrepError(Exception):
    """Base class of every error sitrep raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class InvalidArticle(SitrepError):
    """A message that cannot become an Article; it goes to the dead-letter topic."""

    reason = "invalid_article"


class NotJSON(InvalidArticle):
    """The bytes are not UTF-8 encoded JSON."""

    reason = "not_json"


class SchemaViolation(InvalidArticle):
    """The JSON does not have the fields or types of an Article."""

    reason = "schema_violation"


class LimitExceeded(InvalidArticle):
    """The message is over a configured limit (body size, nesting depth)."""

    reason = "limit_exceeded"


class InvalidIncident(SitrepError):
    """An incident record that does not fit the Incident model."""

    reason = "invalid_incident"


class RulesError(SitrepError):
    """A versioned rule or gazetteer file is missing or malformed."""

    reason = "rules_error"


class BrokerError(SitrepError):
    """The local broker could not be fetched, started, stopped or reached."""

    reason = "broker_error"
