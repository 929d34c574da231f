"""Tests for processors.text.fold: length-preserving folding and name keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.text.fold import fold, iter_tokens, name_key


@given(st.text(max_size=2000))
def test_fold_preserves_length_of_any_text(text: str) -> None:
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Ţūz Khūrmātū", "Tuz Khurmatu"),
        ("Kata’ib", "Kata'ib"),
        ("Ra‘s al ‘Ayn", "Ra's al 'Ayn"),
        ("Iraq–Syria border", "Iraq-Syria border"),
        ("Türkiye", "Turkiye"),
        ("İskenderun", "Iskenderun"),
        ("Diyarbakır", "Diyarbakir"),
        ("10\u00a0km", "10 km"),
        ("plain ascii stays", "plain ascii stays"),
    ],
)
def test_fold_maps_accents_apostrophes_dashes_and_spaces(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "variants",
    [
        ("Fallujah", "Falluja", "Fallouja", "al-Fallujah", "Al Fallūjah"),
        ("Baquba", "Baqubah", "Baaqubah"),
        ("Qaim", "Qa'im", "Al-Qa’im", "al Qaim"),
        ("Tal Afar", "Tal-Afar", "Tall ‘Afar"),
        ("Deir ez-Zor", "Deir al Zor", "Deir el-Zor"),
        ("Raqqa", "Raqqah", "Ar-Raqqa"),
    ],
)
def test_fold_name_key_is_shared_by_spelling_variants(variants: tuple[str, ...]) -> None:
    assert len({name_key(v) for v in variants}) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [("Mosul", "Basra"), ("Tal Afar", "Tal Abyad"), ("Hit", "Hay"), ("Iraq", "Iran")],
)
def test_fold_name_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Iraq's west", ["Iraq", "s", "west"]),
        ("Ma'arrat al-Nu'man", ["Ma'arrat", "al", "Nu'man"]),
        ("'quoted' words", ["quoted", "words"]),
    ],
)
def test_fold_tokens_split_possessives_but_keep_inner_apostrophes(
    text: str, tokens: list[str]
) -> None:
    assert [m.group() for m in iter_tokens(fold(text))] == tokens
