"""deploy/grafana: the dashboard is well-formed and queries only metrics the worker exposes.

tests/integration/test_prometheus.py runs every query below against a real Prometheus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from streams import metrics

ROOT = Path(__file__).resolve().parents[3]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "sitrep.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "sitrep.yml"
OPERATIONS = ROOT / "docs" / "operations.md"

# Series Prometheus makes itself (up) or Grafana's built-in variables.
SERVER_SERIES = {"up"}
GRAFANA_VARIABLES = {"__rate_interval", "__interval", "__range"}


def dashboard() -> dict[str, Any]:
    """The dashboard JSON."""
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panels() -> list[dict[str, Any]]:
    """Every panel that shows data (rows excluded), nested rows flattened."""
    found: list[dict[str, Any]] = []
    for panel in dashboard()["panels"]:
        found.extend(panel.get("panels", []))
        if panel["type"] != "row":
            found.append(panel)
    return found


def exprs() -> list[str]:
    """Every PromQL expression of every panel target."""
    return [t["expr"] for p in panels() for t in p["targets"]]


def datasource_uid() -> str:
    """The uid the provisioned Prometheus datasource gets."""
    match = re.search(r"^\s*uid:\s*(\S+)\s*$", DATASOURCES.read_text(), flags=re.MULTILINE)
    assert match, "the provisioned datasource has no fixed uid"
    return match.group(1)


def test_deploy_grafana_dashboard_is_a_current_schema() -> None:
    board = dashboard()
    assert board["uid"] == "sitrep"
    assert 36 <= board["schemaVersion"] <= 41
    assert panels()


@pytest.mark.parametrize("panel", panels(), ids=lambda p: str(p["title"]))
def test_deploy_grafana_panel_has_datasource_targets_and_description(
    panel: dict[str, Any],
) -> None:
    assert panel["datasource"] == {"type": "prometheus", "uid": datasource_uid()}
    assert panel["targets"]
    assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])
    for target in panel["targets"]:
        assert target["datasource"] == panel["datasource"]
        assert target["expr"].strip()
    assert panel["description"].strip()


def test_deploy_grafana_panels_do_not_overlap_and_fit_the_grid() -> None:
    cells: set[tuple[int, int]] = set()
    for panel in dashboard()["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        mine = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"])
                for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


@pytest.mark.parametrize("expr", exprs())
def test_deploy_grafana_queries_use_only_exposed_metrics(expr: str) -> None:
    names = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{", expr))
    assert names, f"no metric selector in {expr}"
    assert names - SERVER_SERIES <= metrics.Metrics().series_names(), expr


@pytest.mark.parametrize("expr", exprs())
def test_deploy_grafana_queries_use_only_known_variables(expr: str) -> None:
    known = GRAFANA_VARIABLES | {v["name"] for v in dashboard()["templating"]["list"]}
    used = set(re.findall(r"\$\{?(\w+)", expr))
    assert used <= known, expr
    assert "[[" not in expr, "deprecated [[var]] syntax"


def test_deploy_grafana_template_variables_worker_and_region() -> None:
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    assert variables["worker"]["definition"] == 'label_values(up{job="sitrep"}, instance)'
    assert variables["region"]["definition"].startswith("label_values(sitrep_events_total")
    for variable in variables.values():
        assert variable["datasource"]["uid"] == datasource_uid()
        # "All" must be a regex for `=~`, not Grafana's default (a|b|...) list.
        assert variable["includeAll"] and variable["allValue"] == ".*"
    filtered = [e for e in exprs() if "sitrep_" in e or "process_" in e]
    assert all('instance=~"$worker"' in e for e in filtered)


@pytest.mark.parametrize(
    "metric",
    [
        "sitrep_articles_consumed_total", "sitrep_articles_rejected_total",
        "sitrep_dead_letters_total", "sitrep_consumer_lag_messages",
        "sitrep_stage_duration_seconds_bucket", "sitrep_ingest_to_incident_seconds_bucket",
        "sitrep_incident_to_alert_seconds_bucket", "sitrep_rebalances_total",
        "sitrep_incidents_total", "sitrep_events_total", "sitrep_alert_severity_level",
        "sitrep_alert_observed_events", "sitrep_alert_expected_events", "up",
    ],
)
def test_deploy_grafana_dashboard_covers_the_issue(metric: str) -> None:
    assert any(re.search(rf"\b{metric}\{{", e) for e in exprs()), metric


def test_deploy_grafana_latency_panels_show_percentiles() -> None:
    quantiles = {
        (m.group(2), m.group(1))
        for e in exprs()
        if (m := re.search(r"histogram_quantile\((0\.\d+), .*?\((sitrep_\w+)_bucket", e))
    }
    assert {("sitrep_stage_duration_seconds", q) for q in ("0.5", "0.95", "0.99")} <= quantiles
    for metric in ("sitrep_ingest_to_incident_seconds", "sitrep_incident_to_alert_seconds"):
        assert {(metric, "0.5"), (metric, "0.99")} <= quantiles


def test_deploy_grafana_operations_doc_describes_every_panel() -> None:
    text = OPERATIONS.read_text()
    missing = [p["title"] for p in panels() if f"**{p['title']}**" not in text]
    assert not missing, f"docs/operations.md does not describe: {missing}"


def test_deploy_grafana_provider_loads_the_mounted_dashboards() -> None:
    providers = PROVIDERS.read_text()
    assert "type: file" in providers
    assert re.search(r"path:\s*/etc/grafana/dashboards\s*$", providers, flags=re.MULTILINE)
