"""Sentence splitting with offsets, boilerplate lines and quoted speech."""

from __future__ import annotations

import pytest

from processors.sentences import quoted_spans, split_sentences


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
