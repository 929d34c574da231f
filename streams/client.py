"""Plain aiokafka producers and consumers for the CLI (feed, tail, backfill), from Settings.

When a connection fails, ``diagnose`` connects once more to the first bootstrap address by
hand, step by step (TCP, TLS, SASL), and says in one line which step failed and what to change:
aiokafka itself only says "Unable to bootstrap" and logs the cause. No message names the
password or the key file.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.conn import create_conn
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    TransactionalIdAuthorizationFailed,
    UnsupportedSaslMechanismError,
)

from processors.errors import BrokerError
from streams.settings import Settings

_DENIED = (TopicAuthorizationFailedError, GroupAuthorizationFailedError,
           ClusterAuthorizationFailedError, TransactionalIdAuthorizationFailed)


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


UNREACHABLE_HINT = ("start the local broker with 'sitrep kafka start' "
                    "or set SITREP_BOOTSTRAP_SERVERS")


def _first_address(settings: Settings) -> tuple[str, int]:
    first = settings.bootstrap_servers.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port) if port.isdigit() else 9092


def _who(settings: Settings) -> str:
    return f"user {settings.sasl_username!r}" if settings.sasl_username else "this client"


async def diagnose(settings: Settings, *, timeout: float = 10.0) -> str:
    """Why a client with these settings cannot connect, in one line with what to do."""
    host, port = _first_address(settings)
    where = f"{host}:{port}"
    try:
        context = ssl_context(settings)
    except (OSError, ssl.SSLError) as exc:
        return (f"cannot load the TLS files of SITREP_SSL_CAFILE / SITREP_SSL_CERTFILE / "
                f"SITREP_SSL_KEYFILE: {getattr(exc, 'strerror', None) or type(exc).__name__}")
    options: dict[str, Any] = {"ssl_context": context,
                               "security_protocol": settings.security_protocol}
    if settings.security_protocol.startswith("SASL"):
        options.update(
            sasl_mechanism=settings.sasl_mechanism or "PLAIN",
            sasl_plain_username=settings.sasl_username,
            sasl_plain_password=(settings.sasl_password.get_secret_value()
                                 if settings.sasl_password else None))
    try:
        async with asyncio.timeout(timeout):
            conn = await create_conn(host, port, request_timeout_ms=int(timeout * 1000),
                                     **options)
    except ssl.SSLCertVerificationError as exc:
        return (f"the broker at {where} has a certificate this client does not trust "
                f"({exc.verify_message}); set SITREP_SSL_CAFILE to the CA that signed it")
    except ssl.SSLError as exc:
        return (f"TLS with the broker at {where} failed ({exc.reason or type(exc).__name__}); "
                f"is SITREP_SECURITY_PROTOCOL={settings.security_protocol} what it speaks?")
    except (SaslAuthenticationFailed, UnsupportedSaslMechanismError) as exc:
        return (f"the broker at {where} refused {_who(settings)} "
                f"({settings.sasl_mechanism or 'PLAIN'}): {_sasl_reason(exc)}; check "
                "SITREP_SASL_USERNAME, SITREP_SASL_PASSWORD and SITREP_SASL_MECHANISM")
    except (ConnectionRefusedError, KafkaConnectionError) as exc:
        if isinstance(exc, ConnectionRefusedError) or "refused" in str(exc).lower():
            return (f"cannot reach Kafka at {where} (connection refused: no broker listens "
                    f"there); {UNREACHABLE_HINT}")
        return (f"cannot reach Kafka at {where} ({type(exc).__name__}); check "
                "SITREP_BOOTSTRAP_SERVERS and SITREP_SECURITY_PROTOCOL")
    except TimeoutError:
        return (f"cannot reach Kafka at {where} (no answer within {timeout:.0f} s); check "
                "SITREP_BOOTSTRAP_SERVERS and SITREP_SECURITY_PROTOCOL")
    except OSError as exc:
        return f"cannot reach Kafka at {where} ({exc.strerror or exc}); {UNREACHABLE_HINT}"
    conn.close()
    return f"the broker at {where} accepts {_who(settings)}, but the client could not start"


def _sasl_reason(exc: KafkaError) -> str:
    text = str(exc)
    if "invalid credentials" in text:
        return "invalid credentials"
    return text.split(": ", 1)[-1] if ": " in text else type(exc).__name__


def refused(settings: Settings, exc: KafkaError, *, action: str) -> BrokerError:
    """A one-line BrokerError for an operation the broker's ACLs do not allow."""
    return BrokerError(f"the broker does not allow {_who(settings)} to {action} "
                       f"({type(exc).__name__}); ask the cluster's admin for that right")


async def _start(client: AIOKafkaProducer | AIOKafkaConsumer, settings: Settings, *,
                 action: str) -> None:
    """Start a client; on a connection failure or a refusal raise a BrokerError that says why."""
    try:
        await client.start()
    except KafkaConnectionError:
        await client.stop()
        raise BrokerError(await diagnose(settings)) from None
    except _DENIED as exc:
        await client.stop()
        raise refused(settings, exc, action=action) from None


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
    await _start(producer, settings, action=f"write to {topic!r}")
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
    except _DENIED as exc:
        raise refused(settings, exc, action=f"write to {topic!r}") from None
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
    await _start(consumer, settings, action=f"read {topic!r}")
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
    except _DENIED as exc:
        raise refused(settings, exc, action=f"read {topic!r}") from None
    finally:
        await consumer.stop()
