"""A real Prometheus scrapes a real worker on the real broker; every dashboard query has data.

Debian's ``prometheus`` runs on 127.0.0.1 with a generated config that scrapes the worker
every second and loads ``deploy/prometheus/rules.yml``. It starts scraping before the seed
articles are fed, so rates and latency percentiles cover real processing. Each panel query
of ``deploy/grafana/dashboards/sitrep.json`` then runs through ``/api/v1/query`` with
Grafana's macros and the template variables substituted, as Grafana would send it.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams import topics
from streams.client import produce
from streams.demo import free_port, worker_env
from tests.integration.workers import RunningWorker, module_worker

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "sitrep.json"

SCRAPE_INTERVAL_S = 1
# What Grafana would substitute for a dashboard showing the last 10 minutes: the rate
# window spans at least four scrapes ($__rate_interval ≥ 4 × scrape interval) and, like
# the other two, covers the whole test, so the fed articles are inside every window.
MACROS = {"__rate_interval": "5m", "__interval": "5m", "__range": "10m"}
# Messages the worker must reject: one that is not JSON, one that is JSON but no article.
BAD_ARTICLES = [(b"bad-1", b"\xff not json at all"), (b"bad-2", b'{"id": "x"}')]


@dataclass
class Prometheus:
    """A running Prometheus server and the instance label of the worker it scrapes."""

    url: str
    instance: str
    log: Path

    def get(self, path: str, **params: str) -> Any:
        """GET an HTTP API path; the ``data`` of a successful answer."""
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
            body = json.loads(response.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The result of an instant query at the current time."""
        data = self.get("/api/v1/query", query=expr)
        result: list[dict[str, Any]] = data["result"]
        return result


def wait_for(what: str, check: Callable[[], bool], timeout: float, log: Callable[[], str],
             ) -> None:
    """Poll ``check`` until it holds; fail with ``log()`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{log()}")


def scrape(worker: RunningWorker) -> str:
    """The worker's /metrics page."""
    url = f"http://127.0.0.1:{worker.settings.web_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        text: str = response.read().decode()
    return text


def totals(text: str) -> dict[str, float]:
    """Sum of every series' value per sample name in an exposition."""
    sums: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
    return sums


def cli(worker: RunningWorker, *args: str) -> None:
    """Run a ``sitrep`` command against the worker's topics."""
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", *args], env=worker_env(worker.settings),
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def dashboard_targets() -> list[tuple[str, str, str]]:
    """(panel title, refId, expr) of every target of every panel."""
    board = json.loads(DASHBOARD.read_text())
    found = []
    for panel in board["panels"]:
        for inner in [*panel.get("panels", []), panel]:
            for target in inner.get("targets", []):
                found.append((inner["title"], target["refId"], target["expr"]))
    return found


def substitute(expr: str, variables: dict[str, str]) -> str:
    """``expr`` with ``$name`` and ``${name}`` replaced, longest names first."""
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace(f"${{{name}}}", variables[name]).replace(f"${name}", variables[name])
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def promql_regex(value: str) -> str:
    """A literal label value as Grafana puts it into a =~ matcher: regex- and string-escaped."""
    return re.escape(value).replace("\\", "\\\\")


@pytest.fixture(scope="module")
def worker(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[RunningWorker]:
    with module_worker(kafka_bootstrap, "prom", tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module")
def prometheus(worker: RunningWorker, tmp_path_factory: pytest.TempPathFactory,
               ) -> Iterator[Prometheus]:
    executable = shutil.which("prometheus")
    assert executable, "prometheus is missing: apt-get install prometheus"
    tmp = tmp_path_factory.mktemp("prometheus")
    instance = f"127.0.0.1:{worker.settings.web_port}"
    config = tmp / "prometheus.yml"
    config.write_text(
        f"global:\n"
        f"  scrape_interval: {SCRAPE_INTERVAL_S}s\n"
        f"  evaluation_interval: {SCRAPE_INTERVAL_S}s\n"
        f"rule_files: [{json.dumps(str(RULES))}]\n"
        f"scrape_configs:\n"
        f"  - job_name: sitrep\n"
        f"    static_configs:\n"
        f"      - targets: [{json.dumps(instance)}]\n"
    )
    port = free_port()
    log = tmp / "prometheus.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [executable, f"--config.file={config}", f"--storage.tsdb.path={tmp / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            stdout=handle, stderr=subprocess.STDOUT,
        )
    server = Prometheus(url=f"http://127.0.0.1:{port}", instance=instance, log=log)
    try:
        wait_for("prometheus to scrape the worker",
                 lambda: bool(server.query(f'up{{instance="{instance}"}} == 1')),
                 60, lambda: log.read_text(errors="replace"))
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def fed(worker: RunningWorker, prometheus: Prometheus) -> dict[str, float]:
    """Feed history, the seed articles and two bad messages; wait until Prometheus has it all."""
    cli(worker, "backfill", str(SEEDS / "history.jsonl"))
    cli(worker, "feed", str(SEEDS / "articles.jsonl"))
    asyncio.run(produce(worker.settings, worker.settings.topic(topics.ARTICLES), BAD_ARTICLES))

    wanted = ("sitrep_incidents_total", "sitrep_events_total", "sitrep_alerts_total",
              "sitrep_dead_letters_total", "sitrep_articles_rejected_total")
    articles = len((SEEDS / "articles.jsonl").read_bytes().splitlines()) + len(BAD_ARTICLES)

    last: dict[str, float] = {}

    def processed() -> bool:
        last.update(totals(scrape(worker)))
        return (last.get("sitrep_articles_consumed_total", 0) >= articles
                and all(last.get(name, 0) > 0 for name in wanted))

    def report() -> str:
        counts = {name: last.get(name) for name in ("sitrep_articles_consumed_total", *wanted)}
        return f"last counts: {counts}\n{worker.log_text()}"

    wait_for("the worker's counters", processed, 180, report)
    seen = totals(scrape(worker))
    # A few more scrapes so Prometheus holds the final values as well as the climb to them.
    wait_for("prometheus to catch up",
             lambda: bool(prometheus.query(
                 f'sum(sitrep_articles_consumed_total{{instance="{prometheus.instance}"}})'
                 f' >= {seen["sitrep_articles_consumed_total"]}')),
             30, lambda: prometheus.log.read_text(errors="replace"))
    time.sleep(3 * SCRAPE_INTERVAL_S)
    return seen


def test_prometheus_check_metrics_accepts_the_live_scrape(worker: RunningWorker,
                                                          fed: dict[str, float]) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: apt-get install prometheus"
    result = subprocess.run([promtool, "check", "metrics"], input=scrape(worker).encode(),
                            capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr).decode()
    assert not (result.stdout + result.stderr).strip(), (result.stdout + result.stderr).decode()


def test_prometheus_template_variables_have_values(prometheus: Prometheus,
                                                   fed: dict[str, float]) -> None:
    instances = prometheus.get("/api/v1/label/instance/values", **{"match[]": 'up{job="sitrep"}'})
    assert prometheus.instance in instances
    regions = prometheus.get(
        "/api/v1/label/province/values",
        **{"match[]": f'sitrep_events_total{{instance=~"{promql_regex(prometheus.instance)}"}}'},
    )
    assert regions


@pytest.mark.parametrize("worker_value", ["instance", "all"])
@pytest.mark.parametrize(("title", "ref", "expr"), dashboard_targets(),
                         ids=[f"{t}/{r}" for t, r, _ in dashboard_targets()])
def test_prometheus_every_dashboard_query_returns_data(
    prometheus: Prometheus, fed: dict[str, float], worker_value: str, title: str, ref: str,
    expr: str,
) -> None:
    worker = promql_regex(prometheus.instance) if worker_value == "instance" else ".*"
    query = substitute(expr, {**MACROS, "worker": worker, "region": ".*"})
    result = prometheus.query(query)
    assert result, f"{title} ({ref}) has no data: {query}"
    values = [float(r["value"][1]) for r in result]
    assert any(math.isfinite(v) for v in values), f"{title} ({ref}) gives {values}: {query}"


def test_prometheus_rules_evaluate_without_errors(prometheus: Prometheus,
                                                  fed: dict[str, float]) -> None:
    groups = prometheus.get("/api/v1/rules")["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert len(rules) >= 5
    assert all(rule["health"] == "ok" for rule in rules), [
        (rule["name"], rule.get("lastError")) for rule in rules if rule["health"] != "ok"
    ]


def test_prometheus_escalation_alert_fires_for_regions_in_alert(prometheus: Prometheus,
                                                                fed: dict[str, float]) -> None:
    in_alert = {r["metric"]["region"] for r in prometheus.query("sitrep_alert_active == 1")}
    assert in_alert, "the seeds raise no alert that is still active"

    def firing() -> set[str]:
        alerts = prometheus.get("/api/v1/alerts")["alerts"]
        return {a["labels"]["region"] for a in alerts
                if a["labels"]["alertname"] == "SitrepEscalationAlertRaised"
                and a["state"] == "firing"}

    wait_for("SitrepEscalationAlertRaised", lambda: in_alert <= firing(), 30,
             lambda: prometheus.log.read_text(errors="replace"))


def test_prometheus_sees_the_worker_ready(worker: RunningWorker, prometheus: Prometheus,
                                          fed: dict[str, float]) -> None:
    # The fixture waited for /health to answer 200, so the gauge must agree with it.
    wait_for("sitrep_ready == 1",
             lambda: bool(prometheus.query(
                 f'sitrep_ready{{instance="{prometheus.instance}"}} == 1')),
             30, worker.log_text)


def test_prometheus_consumer_lag_is_the_agents_input_topics_caught_up(
    worker: RunningWorker, prometheus: Prometheus, fed: dict[str, float],
) -> None:
    # Changelog and assignor topics are not consumed through the group's commits: their
    # "lag" would be their whole length and grow with every table write.
    inputs = {worker.settings.topic(t)
              for t in (topics.ARTICLES, topics.INCIDENTS_EXTRACTED, topics.INCIDENTS)}
    series = prometheus.query(
        f'sitrep_consumer_lag_messages{{instance="{prometheus.instance}"}}')
    reported = {s["metric"]["topic"] for s in series}
    assert worker.settings.topic(topics.ARTICLES) in reported
    assert reported <= inputs, f"lag reported for topics no agent consumes: {reported - inputs}"
    wait_for("the lag of every input partition to reach 0",
             lambda: bool(prometheus.query(
                 f'max(sitrep_consumer_lag_messages{{instance="{prometheus.instance}"}}) == 0')),
             60, worker.log_text)
