"""Plain aiokafka producers and consumers for the CLI (feed, tail, backfill), from Settings."""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.settings import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context of an SSL or SASL_SSL connection (None for plaintext)."""
    if settings.security_protocol not in ("SSL", "SASL_SSL"):
        return None
    context = ssl.create_default_context(
        cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None
    )
    if settings.ssl_certfile:
        context.load_cert_chain(
            str(settings.ssl_certfile),
            keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
        )
    return context


def connection_options(settings: Settings) -> dict[str, Any]:
    """aiokafka connection keyword arguments: bootstrap servers and SASL/SSL."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.sasl_mechanism or "PLAIN"
        options["sasl_plain_username"] = settings.sasl_username
        if settings.sasl_password is not None:
            options["sasl_plain_password"] = settings.sasl_password.get_secret_value()
    return options


async def produce(
    settings: Settings,
    topic: str,
    records: Iterable[tuple[bytes | None, bytes]],
    *,
    on_sent: Any = None,
) -> int:
    """Send (key, value) records with an idempotent producer; return how many were sent."""
    producer = AIOKafkaProducer(
        **connection_options(settings),
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_request_size=max(settings.max_message_bytes * 2, 1_048_576),
    )
    await producer.start()
    sent = 0
    try:
        pending = []
        for key, value in records:
            pending.append(await producer.send(topic, value=value, key=key))
            sent += 1
            if on_sent is not None:
                on_sent()
        for future in pending:
            await future
        await producer.flush()
    finally:
        await producer.stop()
    return sent


async def consume(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = True,
    idle_timeout: float | None = None,
    group_id: str | None = None,
    deadline: float | None = None,
) -> AsyncIterator[Any]:
    """Yield records of a topic; stop after ``idle_timeout`` seconds without a record, or
    at ``deadline`` (a ``time.monotonic()`` value)."""
    consumer = AIOKafkaConsumer(
        topic,
        **connection_options(settings),
        group_id=group_id,
        enable_auto_commit=group_id is not None,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await consumer.start()
    idle = 0.0
    try:
        while deadline is None or time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                idle += 0.5
                if idle_timeout is not None and idle >= idle_timeout:
                    return
                continue
            idle = 0.0
            for records in batch.values():
                for record in records:
                    yield record
    finally:
        await consumer.stop()
