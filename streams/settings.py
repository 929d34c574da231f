"""The one settings object of sitrep, read once at start from ``SITREP_*`` env variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of sitrep; secrets are SecretStr and never logged."""

    model_config = SettingsConfigDict(env_prefix="SITREP_", env_file=".env", extra="ignore")

    # Kafka
    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    # Topics and app
    app_id: str = "sitrep"
    topic_prefix: str = ""
    # Read articles from this topic instead of <topic_prefix>articles (``sitrep replay``).
    articles_topic: str = ""
    partitions: int = 1
    # Topic creation (README, "Topics"): the worker, feed, backfill and tail create each absent
    # topic they use with these partitions, replication and retention; an existing topic is
    # never changed. False where an operator provisions topics: the worker then waits for them.
    create_topics: bool = True
    replication_factor: int = -1  # -1: three replicas, or one per broker on a smaller cluster
    articles_retention_ms: int = -1  # the event log, kept: replay rebuilds everything from it
    derived_retention_ms: int = 30 * 86_400_000  # incidents.extracted, incidents, alerts
    dlq_retention_ms: int = 30 * 86_400_000
    topic_retry_seconds: float = 10.0
    data_dir: Path = PROJECT_ROOT / "var" / "worker"
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    # How long the group waits for a worker that vanished (SIGKILL, lost host) before its
    # partitions move: the outage after a crash. faust's default; fault tests use less.
    session_timeout_seconds: float = 60.0
    # Warm copies of each table partition that other workers keep by reading its changelog
    # (faust's ``table_standby_replicas``, 1 in faust). 0: a partition that moves is rebuilt
    # from its changelog, as at every restart with the in-memory store, and two workers do
    # 1.48x one worker's work instead of 1.38x (docs/performance.md). A rebalance run that
    # once failed without standbys hit faust's consumer (with 1 too), fixed in transport.py.
    table_standby_replicas: int = 0

    # Local broker (deploy/kafka)
    kafka_home: Path = PROJECT_ROOT / "var" / "kafka"
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    # The local broker secured: SASL_SSL with SCRAM-SHA-512 users and ACLs (kafka.sh).
    kafka_secure: bool = False

    # Input limits
    max_message_bytes: int = 5_000_000
    max_body_chars: int = 1_000_000
    max_json_depth: int = 20
    max_incidents_per_article: int = 200

    # Extraction
    include_background: bool = False

    # Correlation: events leave the dedup index this many days of event time after their
    # day (a later report of one opens a new event); bounds the ``events`` table.
    dedup_retention_days: int = 90
    # Expired events remembered (ids only) to recognise redeliveries after a crash.
    dedup_tombstones: int = 20_000

    # Detection
    grace_days: int = 14
    detector_tick_seconds: float = 30.0
    lag_interval_seconds: float = 5.0
    advance_with_clock: bool = False

    def topic(self, name: str) -> str:
        """The full name of a sitrep topic, with the configured prefix."""
        return f"{self.topic_prefix}{name}"
