"""The one exception hierarchy of sitrep.

    SitrepError
    ├── InvalidArticle        a message on ``articles`` that cannot become an Article
    │   ├── NotJSON           bytes that are not UTF-8 JSON
    │   ├── SchemaViolation   JSON of the wrong shape or types
    │   ├── LimitExceeded     body too large, nesting too deep, ...
    │   └── ExtractionFailed  a valid article on which the extractor raised (a bug)
    ├── InvalidIncident       an incident line that does not fit the Incident model
    ├── RulesError            a rule or gazetteer data file that does not load
    ├── InputFileError        a file given to a command is missing or has a malformed line
    ├── PortInUse             a TCP port the worker must listen on is taken
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


class ExtractionFailed(InvalidArticle):
    """The extractor raised on a valid article: a bug, but one article must not stop a stream.

    The article is dead-lettered with the error, so it can be fed again once the bug is fixed.
    """

    reason = "extraction_failed"


class InvalidIncident(SitrepError):
    """An incident record that does not fit the Incident model."""

    reason = "invalid_incident"


class RulesError(SitrepError):
    """A versioned rule or gazetteer file is missing or malformed."""

    reason = "rules_error"


class InputFileError(SitrepError):
    """A file given on the command line is missing, unreadable or malformed at some line."""

    reason = "input_file"


class PortInUse(SitrepError):
    """A TCP port that sitrep must listen on is held by another process."""

    reason = "port_in_use"


class BrokerError(SitrepError):
    """The local broker could not be fetched, started, stopped or reached."""

    reason = "broker_error"
