"""Counts and casualty figures: killed, injured and kidnapped kept apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.text.numbers import find_casualties, parse_count


@pytest.mark.parametrize(
    ("span", "value"),
    [
        ("twelve", 12), ("at least twelve", 12), ("two dozen", 24), ("a dozen", 12),
        ("dozens", 12), ("more than 20", 20), ("1,400", 1400), ("twenty-one", 21),
        ("one hundred and five", 105), ("hundreds", 100), ("several", 3), ("nearly 40", 40),
    ],
)
def test_numbers_parse_count(span: str, value: int) -> None:
    assert parse_count(span) == value


def _casualties(text: str) -> list[tuple[str, int]]:
    return [(c.kind, c.value) for c in find_casualties(text) if not c.subset]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a car bomb went off, killing 10 and wounding 23", [("killed", 10), ("injured", 23)]),
        ("eight people were killed in the blast", [("killed", 8)]),
        ("the explosion left five dead", [("killed", 5)]),
        ("two soldiers were injured when their vehicle hit a mine", [("injured", 2)]),
        ("causing minor injuries to two personnel", [("injured", 2)]),
        ("gunmen kidnapped three engineers", [("kidnapped", 3)]),
        ("the death toll rose to 41", [("killed", 41)]),
        ("at least a dozen civilians died", [("killed", 12)]),
        ("a policeman was killed", [("killed", 1)]),
        ("shot dead a police officer outside his home", [("killed", 1)]),
        ("wounding the driver and a passer-by", [("injured", 2)]),
        ("there were no casualties", [("killed", 0), ("injured", 0)]),
        ("nobody was hurt", [("injured", 0)]),
    ],
)
def test_numbers_casualties_by_kind(text: str, expected: list[tuple[str, int]]) -> None:
    assert _casualties(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "militants fired 24 rockets at the base",
        "about 2,500 US troops remain in the country",
        "unemployment rose to 16 percent in 2019",
        "the 2014 offensive displaced three million people",
        "a convoy of 40 trucks crossed the border",
    ],
)
def test_numbers_weapon_troop_and_year_counts_are_not_casualties(text: str) -> None:
    assert _casualties(text) == []


def test_numbers_including_marks_a_subset() -> None:
    found = find_casualties("killing 12 people, including three children killed in their beds")
    assert [(c.value, c.subset) for c in found] == [(12, False), (3, True)]


@given(st.integers(min_value=1, max_value=999_999))
def test_numbers_any_digit_count_round_trips(value: int) -> None:
    assert parse_count(f"at least {value:,}") == value
    assert _casualties(f"{value:,} people were killed") == [("killed", value)]


@pytest.mark.parametrize(("text", "expected"), [
    # coordinated victim groups before one passive verb add up
    ("four guards and two customs officers were killed in the raid",
     [("killed", 6)]),
    ("the district governor of Hit and three of his bodyguards were killed",
     [("killed", 4)]),
    ("a soldier, and four civilians were wounded", [("injured", 5)]),
    # a group already counted by an active verb is not counted again
    ("gunmen killed a soldier and two civilians were wounded",
     [("killed", 1), ("injured", 2)]),
    # what stands before "and" is not a victim
    ("gunmen stormed the village and two people were killed", [("killed", 2)]),
    ("the bomb exploded near the market and six were hurt", [("injured", 6)]),
])
def test_numbers_coordinated_groups_add_up(text: str, expected: list[tuple[str, int]]) -> None:
    assert _casualties(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("three rocket strikes have injured 64 people and killed over 30",
     [("injured", 64), ("killed", 30)]),
    ("three bombs had killed 12 people", [("killed", 12)]),
    ("three people were killed", [("killed", 3)]),
])
def test_numbers_a_count_after_the_verb_is_its_object(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert _casualties(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("four guards on Sunday were killed and two others injured",
     [("killed", 4), ("injured", 2)]),
    ("17 members of the Border Security Force died and nine were injured",
     [("killed", 17), ("injured", 9)]),
])
def test_numbers_long_subjects_and_a_day_before_the_verb(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert _casualties(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a perfect tense, an aside in brackets, where the victims came from
    ("Nine officers of the BSF (Border Security Force) have died after the ambush",
     [("killed", 9)]),
    ("Three guards had died before help came", [("killed", 3)]),
    ("At least 8 peacekeepers from Niger have been killed and 12 others wounded",
     [("killed", 8), ("injured", 12)]),
])
def test_numbers_perfect_tense_asides_and_origins_before_the_verb(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert _casualties(text) == expected


@pytest.mark.parametrize(("text", "subset"), [
    # one of a toll told before names a victim, it is no toll of its own
    ("officials said one of the five killed was a local commander", True),
    ("one of the wounded guards died in hospital", True),
    # "of the" before the victims' noun is the toll itself
    ("two of the guards were killed", False),
    ("the gunmen opened fire, killing four of the passengers", False),
])
def test_numbers_one_of_a_toll_told_before_is_a_subset(text: str, subset: bool) -> None:
    found = find_casualties(text)
    assert found and found[0].subset is subset


@pytest.mark.parametrize(("text", "expected"), [
    # the subject of an active killing verb is the attacker, never the dead
    ("three militants killed a shopkeeper near the market", [("killed", 1)]),
    ("two gunmen have wounded them", []),
    ("four gunmen were killed a day after the raid", [("killed", 4)]),
    ("five farmers killed in an ambush", [("killed", 5)]),
])
def test_numbers_attackers_before_an_active_verb_are_not_the_toll(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert _casualties(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("raiders shot and beheaded seven herders", [("killed", 7)]),
    ("officials put the number of dead at at least 19", [("killed", 19)]),
    ("the explosion claimed 23 lives", [("killed", 23)]),
    ("nine bodies were recovered from the river", [("killed", 9)]),
    ("the strike killed one man and injured another in the village",
     [("killed", 1), ("injured", 1)]),
    ("at least 31 were killed and more than 70 others were hospitalised",
     [("killed", 31), ("injured", 70)]),
    ("the rockets killed 14 and wounded more\nthan 60", [("killed", 14), ("injured", 60)]),
])
def test_numbers_toll_forms(text: str, expected: list[tuple[str, int]]) -> None:
    assert _casualties(text) == expected


def test_numbers_a_phrase_never_crosses_a_full_stop() -> None:
    text = "at least six were killed, while another 33 were injured. Among the dead were guards."
    assert _casualties(text) == [("killed", 6), ("injured", 33)]


@pytest.mark.parametrize(("span", "stated"), [
    ("dozens were hurt", False), ("several others were wounded", False),
    ("a dozen people were hurt", True), ("at least 12 were hurt", True),
])
def test_numbers_vague_counts_state_no_figure(span: str, stated: bool) -> None:
    assert [c.stated for c in find_casualties(span)] == [stated]
