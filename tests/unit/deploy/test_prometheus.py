"""deploy/prometheus: promtool accepts the configs and rules, and the rule tests pass.

promtool comes with Debian's ``prometheus`` package; a machine without it fails here rather
than skipping, because a skipped rule test is an untested alert.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from streams import metrics

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "rules.yml"
RULES_TEST = PROMETHEUS / "rules_test.yml"
OPERATIONS = ROOT / "docs" / "operations.md"

# Series a Prometheus server makes itself rather than scraping from the worker.
SERVER_SERIES = {"up"}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run promtool from deploy/prometheus, where the configs' relative paths start."""
    executable = shutil.which("promtool")
    assert executable, "promtool is missing: apt-get install prometheus"
    return subprocess.run(
        [executable, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120,
        check=False,
    )


def alert_names() -> list[str]:
    """The alert names defined in rules.yml, in order."""
    return re.findall(r"^\s*- alert:\s*(\w+)\s*$", RULES.read_text(), flags=re.MULTILINE)


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.local.yml"])
def test_deploy_prometheus_config_is_valid(config: str) -> None:
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_prometheus_rules_are_valid() -> None:
    result = promtool("check", "rules", RULES.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_prometheus_rule_unit_tests_pass() -> None:
    result = promtool("test", "rules", RULES_TEST.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_deploy_prometheus_has_the_alerts_the_issue_asks_for() -> None:
    assert {
        "SitrepWorkerDown",
        "SitrepConsumerLagGrowing",
        "SitrepDeadLetterRate",
        "SitrepNoArticles",
        "SitrepEscalationAlertRaised",
    } <= set(alert_names())


@pytest.mark.parametrize("alert", alert_names())
def test_deploy_prometheus_every_alert_is_tested_firing_and_quiet(alert: str) -> None:
    # Each `alertname:` line is followed by its `exp_alerts:`, either `[]` (must stay quiet)
    # or a list of expected alerts (must fire).
    cases = re.findall(
        rf"alertname:\s*{alert}\s*\n\s*exp_alerts:(.*)\n", RULES_TEST.read_text()
    )
    outcomes = {"quiet" if case.strip() == "[]" else "fires" for case in cases}
    assert outcomes == {"quiet", "fires"}, f"{alert}: {cases}"


@pytest.mark.parametrize("alert", alert_names())
def test_deploy_prometheus_every_alert_has_a_runbook_section(alert: str) -> None:
    anchor = f"docs/operations.md#{alert.lower()}"
    assert anchor in RULES.read_text()
    headings = re.findall(r"^#+\s+(\S+)\s*$", OPERATIONS.read_text(), flags=re.MULTILINE)
    assert alert in headings


def test_deploy_prometheus_rules_use_only_metrics_the_worker_exposes() -> None:
    used = set(re.findall(r"\b(sitrep_[a-z_]+)\b", RULES.read_text()))
    used |= set(re.findall(r"\b(up)\{", RULES.read_text()))
    assert used
    assert used - SERVER_SERIES <= metrics.Metrics().series_names()
