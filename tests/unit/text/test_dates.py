"""Date expressions: matching spans and resolving them against the publication day."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.text.dates import find_dates, resolve_date

THU = dt.date(2020, 9, 24)  # a Thursday


def _resolve(text: str, base: dt.date | None = THU, **kw: object) -> list[tuple[object, str]]:
    mentions = find_dates(text)
    assert len(mentions) == 1, mentions
    return [(r.day, r.precision) for r in resolve_date(mentions[0], base, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Tuesday", [(dt.date(2020, 9, 22), "day")]),
        ("late on Thursday", [(THU, "day")]),
        ("last Thursday", [(dt.date(2020, 9, 17), "day")]),
        ("yesterday's attack", [(dt.date(2020, 9, 23), "day")]),
        ("Today's blast", [(THU, "day")]),
        ("three days ago", [(dt.date(2020, 9, 21), "day")]),
        ("last week", [(dt.date(2020, 9, 14), "week")]),
        ("earlier this week", [(dt.date(2020, 9, 21), "week")]),
        ("over the weekend", [(dt.date(2020, 9, 19), "week")]),
        ("over the past week", [(None, "week")]),
        ("in recent days", [(None, "week")]),
        ("last month", [(dt.date(2020, 8, 1), "month")]),
        ("in January", [(dt.date(2020, 1, 1), "month")]),
        ("in November", [(dt.date(2019, 11, 1), "month")]),
        ("in March 2019", [(dt.date(2019, 3, 1), "month")]),
        ("on October 17", [(dt.date(2019, 10, 17), "day")]),
        ("on Sept. 3", [(dt.date(2020, 9, 3), "day")]),
        ("on 4 July", [(dt.date(2020, 7, 4), "day")]),
        ("on July 4, 2018", [(dt.date(2018, 7, 4), "day")]),
        ("on 2019-12-31", [(dt.date(2019, 12, 31), "day")]),
        ("July 24, 27 and 30", [(dt.date(2020, 7, d), "day") for d in (24, 27, 30)]),
        (
            "August 3, 9, September 2",
            [
                (dt.date(2020, 8, 3), "day"),
                (dt.date(2020, 8, 9), "day"),
                (dt.date(2020, 9, 2), "day"),
            ],
        ),
        ("overnight on Saturday", [(dt.date(2020, 9, 19), "day")]),
    ],
)
def test_dates_resolve_against_publication_day(
    text: str, expected: list[tuple[object, str]]
) -> None:
    assert _resolve(text) == expected


@pytest.mark.parametrize(
    ("text", "precision"),
    [("yesterday", "week"), ("on Monday", "week"), ("last week", "month"), ("on May 3", "day")],
)
def test_dates_fallback_base_lowers_relative_precision(text: str, precision: str) -> None:
    [(day, got)] = _resolve(text, base_is_fallback=True)
    assert day is not None and got == precision


@pytest.mark.parametrize("text", ["on Tuesday", "yesterday", "last week", "on May 3"])
def test_dates_without_any_base_are_unknown(text: str) -> None:
    assert _resolve(text, base=None) == [(None, "unknown")]


@pytest.mark.parametrize(
    "text",
    [
        "He may 3 times refuse.",  # modal "may", not the month
        "SEPTEMBER 24, 2020 12:34",  # an all-caps byline
        "on July 24, 27 people died",  # a count after a date is not another day
    ],
)
def test_dates_are_not_fooled(text: str) -> None:
    days = [r.day for m in find_dates(text) for r in resolve_date(m, THU)]
    assert days in ([], [dt.date(2020, 7, 24)])


def test_dates_the_same_day_follows_its_anchor() -> None:
    [mention] = find_dates("The same day, police found a cache.")
    anchor = resolve_date(find_dates("on Monday")[0], THU)[0]
    assert resolve_date(mention, THU, anchor=anchor)[0].day == dt.date(2020, 9, 21)


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)),
    st.sampled_from(WEEKDAYS),
)
def test_dates_weekday_is_within_the_past_week(base: dt.date, weekday: str) -> None:
    [resolved] = resolve_date(find_dates(f"on {weekday}")[0], base)
    assert resolved.day is not None
    assert 0 <= (base - resolved.day).days <= 6
    assert WEEKDAYS[resolved.day.weekday()] == weekday


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)),
    st.integers(1, 12),
    st.integers(1, 28),
)
def test_dates_month_day_without_year_is_never_in_the_future(
    base: dt.date, month: int, day: int
) -> None:
    name = dt.date(2000, month, 1).strftime("%B")
    [resolved] = resolve_date(find_dates(f"on {name} {day}")[0], base)
    assert resolved.day is not None
    assert resolved.day <= base + dt.timedelta(days=1)
    assert (base - resolved.day).days < 367


@pytest.mark.parametrize(("text", "shift"), [
    ("two days earlier", -2), ("a week earlier", -7), ("three days later", 3),
    ("This comes a week after", -7), ("The raid came two days after", -2),
    ("10 days later", 10),
])
def test_dates_shifts_count_from_their_anchor(text: str, shift: int) -> None:
    from processors.text.dates import ResolvedDate
    anchor = ResolvedDate(dt.date(2023, 4, 14), "day")
    mentions = find_dates(text)
    assert [m.kind for m in mentions] == ["shift"]
    assert resolve_date(mentions[0], dt.date(2023, 4, 17), anchor=anchor) == [
        ResolvedDate(dt.date(2023, 4, 14) + dt.timedelta(days=shift), "day")]


@pytest.mark.parametrize("text", ["two days after the bombing", "weeks later", "days earlier"])
def test_dates_shifts_need_a_count_and_a_direction(text: str) -> None:
    assert [m.kind for m in find_dates(text)] != ["shift"]
