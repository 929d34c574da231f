"""Contracts of SCHEMA version 2: version-1 records are upgraded, never rejected."""

from __future__ import annotations

import contextlib

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from processors.evaluate.scoring import evaluate, load_gold
from processors.models import SCHEMA_VERSION, TARGETS, Alert, Incident

_V1_INCIDENT = {
    "schema_version": 1,
    "incident_id": "i1",
    "event_id": "e1",
    "article_id": "a1",
    "event_date": "2024-03-02",
    "date_precision": "day",
    "country": "IQ",
    "admin1": "IQ-AN",
    "event_type": "attack",
    "perpetrator": "Iraqi Security Forces",
    "target": "iraqi_security_forces",
    "confidence": 0.5,
    "extractor_version": "old",
}


def test_models_schema_version_is_two() -> None:
    assert SCHEMA_VERSION == 2
    assert Incident.model_validate({**_V1_INCIDENT, "schema_version": 2,
                                    "target": None, "perpetrator": None}).schema_version == 2


@pytest.mark.parametrize("target", ["security_forces", "foreign_forces", "peacekeepers",
                                    "aid_workers", "journalists"])
def test_models_version_two_target_classes_exist(target: str) -> None:
    assert target in TARGETS
    assert "iraqi_security_forces" not in TARGETS


@pytest.mark.parametrize("version", [1, None])
def test_models_version_one_incident_is_upgraded_from_json(version: int | None) -> None:
    raw = dict(_V1_INCIDENT)
    if version is None:
        del raw["schema_version"]  # records written before the field existed
    incident = Incident.model_validate_json(orjson.dumps(raw))
    assert incident.schema_version == 2
    assert incident.target == "security_forces"
    assert incident.perpetrator == "Iraq"


def test_models_upgrade_leaves_other_names_alone() -> None:
    incident = Incident.model_validate({**_V1_INCIDENT, "perpetrator": "Islamic State",
                                        "target": "civilians"})
    assert (incident.perpetrator, incident.target) == ("Islamic State", "civilians")


def test_models_unknown_target_still_rejected() -> None:
    with pytest.raises(ValidationError):
        Incident.model_validate({**_V1_INCIDENT, "target": "iraqi_police"})


def _alert(**kw: object) -> dict[str, object]:
    return {"alert_id": "x", "region": "IQ-AN", "window_start": "2024-01-01",
            "window_end": "2024-01-07", "status": "raised", "as_of": "2024-01-07",
            "final": True, "observed": 3, "expected": 0.5,
            "score": 4.0, "severity": "high", **kw}


def test_models_version_one_alert_dimension_upgraded() -> None:
    alert = Alert.model_validate(_alert(schema_version=1,
                                        dimension="target:iraqi_security_forces",
                                        top_perpetrators=["Iraqi Security Forces", "PKK"]))
    assert alert.dimension == "target:security_forces"
    assert alert.top_perpetrators == ["Iraq", "PKK"]
    assert alert.schema_version == 2


@pytest.mark.parametrize("region", ["NG-BO", "SO-BN", "AF-KAN", "UA-14", "MX-GUA", "ML", "IQ"])
def test_models_alert_region_any_iso_3166_code(region: str) -> None:
    assert Alert.model_validate(_alert(region=region)).region == region


@pytest.mark.parametrize("region", ["", "Borno", "ng-bo", "NGA-BO", "NG-BORNO"])
def test_models_alert_region_not_a_code_rejected(region: str) -> None:
    with pytest.raises(ValidationError):
        Alert.model_validate(_alert(region=region))


@given(st.dictionaries(st.sampled_from(sorted(_V1_INCIDENT)),
                       st.one_of(st.none(), st.integers(), st.text(max_size=8), st.booleans())))
def test_models_upgrade_never_raises_anything_but_validation_errors(patch: dict[str, object]
                                                                    ) -> None:
    with contextlib.suppress(ValidationError):
        Incident.model_validate({**_V1_INCIDENT, **patch})


def test_scoring_reads_version_one_gold_names_as_version_two() -> None:
    gold = load_gold(orjson.dumps({"article": "a1", "published_at": "2024-03-02",
                                   "incidents": [{**_V1_INCIDENT, "required": True}]}))
    predicted = Incident.model_validate({**_V1_INCIDENT, "schema_version": 2,
                                         "perpetrator": "Iraq", "target": "security_forces"})
    report = evaluate([predicted], gold)
    assert report.field_accuracy["target"] == 1.0
    assert report.field_accuracy["perpetrator"] == 1.0
