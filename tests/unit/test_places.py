"""Place names: long and short forms of provinces, cities and counties."""

from __future__ import annotations

import pytest

from indexer.places import place_forms
from indexer.query import parse_user_query


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("陕西", {"陕西省", "陕西"}),
        ("陕西省", {"陕西省", "陕西"}),
        ("广西", {"广西壮族自治区", "广西"}),
        ("陕西省政府", {"陕西省", "陕西"}),  # a province's name followed by more
        ("漯河市", {"漯河市", "漯河"}),
        ("平凉市", {"平凉市", "平凉"}),
        # jieba knows the stem only: the city stands for the stem's forms (大理州 in documents)
        ("大理市", {"大理市", "大理州", "大理"}),
        ("东营市", {"东营市", "东营"}),
    ],
)
def test_forms_of_a_place(word: str, expected: set[str]) -> None:
    assert expected <= set(place_forms(word))


def test_a_city_known_by_its_stem_is_not_every_place_of_that_name() -> None:
    # 通化市 and 通化县 are two places; neither borrows the other's name
    assert "通化县" not in place_forms("通化市")
    assert "和田市" not in place_forms("和田县")


@pytest.mark.parametrize("word", ["上市", "城市", "超市", "企业", "国务院", "市区", "开发区", "山区县", "自治州", "自治市", "大城市"])
def test_words_that_only_look_like_places(word: str) -> None:
    assert place_forms(word) == ()


def test_a_place_typed_in_one_form_matches_the_other() -> None:
    text = str(parse_user_query("陕西省 复工").strict)
    assert "陕西省" in text and "陕西" in text.replace("陕西省", "")
