"""Synonym file format and query-time expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.errors import GovSearchError
from indexer.query import parse_user_query
from indexer.synonyms import default_synonyms, find_synonym_spans, load_synonyms, parse_synonyms


def test_two_way_group() -> None:
    syn = parse_synonyms("社保 社会保险\n")
    assert syn.expand("社保") == ["社会保险"]
    assert syn.expand("社会保险") == ["社保"]


def test_one_way_rule() -> None:
    syn = parse_synonyms("新冠 => 新型冠状病毒\n")
    assert syn.expand("新冠") == ["新型冠状病毒"]
    assert syn.expand("新型冠状病毒") == []


def test_comments_blank_lines_and_full_width_are_handled() -> None:
    syn = parse_synonyms("# comment\n\nＰＭ２.５，细颗粒物\n")
    assert syn.expand("pm2.5") == ["细颗粒物"]


@pytest.mark.parametrize("bad", ["孤单\n", "a => \n", "a => b => c\n"])
def test_malformed_lines_name_the_line(bad: str) -> None:
    with pytest.raises(GovSearchError, match="syn.txt:1"):
        parse_synonyms(bad, "syn.txt")


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(GovSearchError, match="not found"):
        load_synonyms(tmp_path / "nope.txt")


@pytest.mark.parametrize(
    ("short", "long"),
    [("社保", "社会保险"), ("医保", "医疗保险"), ("公积金", "住房公积金"), ("个税", "个人所得税"), ("一网通办", "政务服务一网通办")],
)
def test_shipped_file_has_the_common_abbreviations(short: str, long: str) -> None:
    syn = default_synonyms()
    assert long in syn.expand(short)
    assert short in syn.expand(long)


def test_extra_file_is_added(tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("两新 设备更新 以旧换新\n", encoding="utf-8")
    syn = default_synonyms(str(extra))
    assert "设备更新" in syn.expand("两新")
    assert "住房公积金" in syn.expand("公积金")


def test_spans_match_runs_of_tokens() -> None:
    syn = parse_synonyms("个税 个人所得税\n")
    assert find_synonym_spans(["个", "税", "退税"], syn) == [(0, 2, "个税")]


def test_query_expands_abbreviation() -> None:
    parsed = parse_user_query("个税 退税")
    assert "个人所得税" in str(parsed.strict)
    assert parsed.expansions["个税"] == ["个人所得税"]


@pytest.mark.parametrize(("word", "other"), [("住房公积金", "社会保险"), ("社会保险", "住房公积金")])
def test_shipped_file_keeps_sibling_concepts_apart(word: str, other: str) -> None:
    # 五险一金 names both; a two-way group would make each stand for the other
    syn = default_synonyms()
    assert other not in syn.expand(word)
    assert {"社会保险", "住房公积金"} <= set(syn.expand("五险一金"))
