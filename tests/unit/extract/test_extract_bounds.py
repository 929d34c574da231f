"""No input makes extraction raise or take more than 50 ms per 10 kB of text."""

from __future__ import annotations

import datetime as dt
import gc
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processors.extract.pipeline import extract_incidents, prepare
from processors.models import Article

prepare()

VOCABULARY = [
    "rockets", "were", "fired", "at", "the", "base", "on", "Tuesday", "killing", "two",
    "soldiers", "and", "wounding", "5", ".", "Islamic", "State", "ISIS", "Daesh", "claimed",
    "the", "attack", "in", "Kirkuk", ";", "a", "roadside", "bomb", "exploded", "near",
    "Baghdad", "July", "24", ",", "27", "and", "30", "last", "week", "over", "the", "weekend",
    "yesterday", "gunmen", "stormed", "police", "the", "Green", "Zone", "drone", "strikes",
    "on", "two", "bases", "at", "least", "twelve", "two", "dozen", "dozens", "of", "Kata'ib",
    "Hezbollah", "Iran-backed", "militias", "could", "attack", "vowed", "to", "since", "2019",
    "no", "casualties", "suicide", "bomber", "blew", "himself", "up", "kidnapped", "seized",
    "a", "cache", "of", "weapons", '"', "“", "”", "'", "-", "—", "(", ")", "\n", "1,400",
    "people", "died", "in", "the", "October", "7", "attack", "on", "Israel", ".", "Photo:", "©",
    "the", "same", "day"
]

texts = st.one_of(
    st.text(min_size=1, max_size=10_000),
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=1800).map(" ".join),
    st.lists(st.sampled_from(["July 24, ", "27, ", "and ", "1, ", "2 ", ", "]), max_size=1500)
    .map(lambda parts: "Rockets were fired on " + "".join(parts)),
    st.lists(st.sampled_from(["attack ", "the ", "a ", "killed ", "two ", "and "]), max_size=2000)
    .map("".join),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2035, 1, 1))))
def test_extract_any_text_never_raises_and_is_fast(body: str, published: dt.date | None) -> None:
    if not body.strip():
        body = "x"
    article = Article(id="h", published_at=published, body=body)
    gc.disable()  # a collector pause says nothing about the input; time the extraction only
    try:
        started = time.thread_time()
        incidents = extract_incidents(article, include_background=True)
        spent = time.thread_time() - started
    finally:
        gc.enable()
    budget = 0.050 * max(1.0, len(body.encode("utf-8")) / 10_000)
    assert spent <= budget, f"{spent * 1000:.1f} ms for {len(body)} chars"
    for incident in incidents:
        for evidence in incident.evidence:
            assert body[evidence.start : evidence.end] == evidence.text
