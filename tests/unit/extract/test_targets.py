"""Target classes: cues, who owns them, pronoun objects and what another event's clause hits."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.pipeline import extract_incidents
from processors.models import Article

PUBLISHED = dt.date(2023, 5, 10)


def _targets(body: str) -> list[str | None]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [i.target for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "targets"), [
    # a post or checkpoint of a non-state armed group is that group's: militants
    ("Islamic State fighters attacked a checkpoint of the Syrian Democratic Forces near Raqqa "
     "on Monday, killing two.", ["militants"]),
    ("A car bomb hit an SDF post near Hasakah on Friday, killing three.", ["militants"]),
    # a group's spokesman counting its own dead: "its members" are the group's
    ("Hamas said on Monday that three of its members had been killed in an explosion in "
     "Khan Younis.", ["militants"]),
    # the same cue with a state's forces as owner stays security_forces
    ("Gunmen attacked a checkpoint of the Iraqi army near Tikrit on Monday, killing two.",
     ["security_forces"]),
])
def test_targets_a_cue_belongs_to_the_group_that_owns_it(
    body: str, targets: list[str | None],
) -> None:
    assert _targets(body) == targets


@pytest.mark.parametrize(("body", "targets"), [
    # soldiers with no nationality are the forces of wherever it happened, never foreign
    ("A roadside bomb hit a police patrol in Homs on Monday, killing four policemen.",
     ["security_forces"]),
    # a demonym makes them another state's forces abroad
    ("A roadside bomb hit a convoy of Chadian troops near Gao on Monday, killing four.",
     ["foreign_forces"]),
])
def test_targets_forces_without_a_nationality_are_never_foreign(
    body: str, targets: list[str | None],
) -> None:
    assert _targets(body) == targets


def test_targets_an_object_pronoun_stands_for_the_subject_told_before() -> None:
    body = ("Officials said the soldiers were chasing a band of militants when gunmen, most of "
            "them relatives of the mayor, ambushed them on Tuesday near Jolo.")
    assert _targets(body) == ["security_forces"]


def test_targets_the_victims_of_another_event_stay_with_it() -> None:
    # "hours after" tells an event of its own: the civilian belongs to the main clause's
    body = ("Gunmen stepped up attacks in the capital on Sunday, killing a shopkeeper, hours "
            "after a police commander was shot dead in the port of Kismayo.")
    assert _targets(body) == ["security_forces"]


def test_targets_an_aside_between_dashes_keeps_the_passive_subject_the_victim() -> None:
    body = ("Three journalists - a Dane, a Pole and a Swede - were kidnapped near Gao on "
            "Monday.")
    assert _targets(body) == ["journalists"]


def test_targets_the_head_of_an_of_complement_is_the_passive_subject() -> None:
    body = ("A commander of Police Region 4 reported that telecom towers of three networks "
            "were torched near Yala on Friday.")
    assert _targets(body) == ["infrastructure"]
