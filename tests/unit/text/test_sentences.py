"""Sentence splitting with offsets, boilerplate lines and quoted speech."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.text.sentences import _abbreviations, _ends_sentence, quoted_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "U.S. troops left. Then Maj. Gen. Smith arrived.",
            ["U.S. troops left.", "Then Maj. Gen. Smith arrived."],
        ),
        (
            "It happened on Sept. 3 in Baghdad. Police said so.",
            ["It happened on Sept. 3 in Baghdad.", "Police said so."],
        ),
        (
            "Headline without stop\nBody starts here. And goes on.",
            ["Headline without stop", "Body starts here.", "And goes on."],
        ),
        (
            '"We will respond," he said. The rest followed.',
            ['"We will respond," he said.', "The rest followed."],
        ),
    ],
)
def test_sentences_split(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text)] == expected


@pytest.mark.parametrize(
    "line",
    [
        "Photo: Iraqi soldiers at a checkpoint in Mosul. (AFP)",
        "A protester waves a flag (photo credit: REUTERS)",
        "© 2021 Some Media Group",
        "Leave a Reply",
        "By JOHN SMITH",
        "5 min read",
    ],
)
def test_sentences_boilerplate_lines(line: str) -> None:
    text = f"Rockets hit the base on Monday.\n{line}\nNobody was hurt."
    lo, hi = text.index(line), text.index(line) + len(line)
    for sentence in split_sentences(text):
        assert sentence.boilerplate == (lo <= sentence.start < hi)


def test_sentences_questions_are_flagged() -> None:
    [first, second] = split_sentences("What does the attack mean? Nobody knows.")
    assert first.question and not second.question


def test_sentences_quotes() -> None:
    text = 'He said: "They fired rockets at us." Then he left.'
    [(start, end)] = quoted_spans(text)
    assert text[start:end] == '"They fired rockets at us."'


_WORD_BEFORE = re.compile(r"([\w.]+)[.!?][\"'”’)\]]*$")


def _ends_sentence_by_search(text: str, stop: int) -> bool:
    """The definition: the word and dot run before the stop, read within 20 characters."""
    match = _WORD_BEFORE.search(text, max(0, stop - 20), stop + 1)
    if match is None:
        return True
    word = match.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return False
    return word not in _abbreviations()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"aBz9_. !?)\"\n", "é", "İ", "’", "Mr", "U.S", "x" * 9]),
                max_size=20).map("".join),
       st.sampled_from(".!?"))
def test_sentences_word_before_a_stop_is_read_backwards_like_the_search(
    before: str, stop: str
) -> None:
    text = before + stop + " Next"
    assert _ends_sentence(text, len(before)) == _ends_sentence_by_search(text, len(before))


@pytest.mark.parametrize(("text", "expected"), [
    # a hard-wrapped wire paragraph is one sentence, whatever its line breaks
    ("Three explosions shook the market\nof Mosul on Monday, killing 30 people and wounding\n"
     "more than 100, officials said.",
     ["Three explosions shook the market\nof Mosul on Monday, killing 30 people and wounding\n"
      "more than 100, officials said."]),
    # a headline over its first line stays apart, even when the body starts in lower case
    ("Blasts kill 30 in Mosul.\nthe blasts hit a market.", ["Blasts kill 30 in Mosul.",
                                                          "the blasts hit a market."]),
    ("Blasts kill 30 in Mosul\n\nThree explosions shook the city.",
     ["Blasts kill 30 in Mosul", "Three explosions shook the city."]),
    ("Two soldiers killed in Kirkuk\nGunmen attacked a checkpoint.",
     ["Two soldiers killed in Kirkuk", "Gunmen attacked a checkpoint."]),
])
def test_sentences_hard_wrapped_lines_are_joined(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text)] == expected


def test_sentences_a_joined_wrap_keeps_one_paragraph() -> None:
    text = "Gunmen attacked a checkpoint\nnear Kirkuk on Monday.\n\nTwo soldiers died."
    assert [s.paragraph for s in split_sentences(text)] == [0, 1]
