"""Connection settings for a secured cluster: SASL/SSL options, and secrets never shown."""

from __future__ import annotations

import ssl

from streams.client import connection_options, ssl_context
from streams.settings import Settings


def test_client_plaintext_has_no_tls_or_sasl() -> None:
    options = connection_options(Settings(bootstrap_servers="b:9092"))
    assert options == {"bootstrap_servers": "b:9092", "security_protocol": "PLAINTEXT"}
    assert ssl_context(Settings()) is None


def test_client_sasl_ssl_passes_credentials_and_a_tls_context() -> None:
    settings = Settings(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
                        sasl_username="sitrep", sasl_password="s3cret")
    options = connection_options(settings)
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == "s3cret"


def test_client_secret_never_appears_in_settings_repr() -> None:
    settings = Settings(security_protocol="SASL_PLAINTEXT", sasl_password="s3cret")
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.model_dump())
