"""Phrase queries and highlighting through a real (in-memory) Whoosh index with our analyzer."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import fields, highlight, query
from whoosh.filedb.filestore import RamStorage
from whoosh.index import Index
from whoosh.qparser import QueryParser

from indexer.analysis import index_analyzer, normalize_width, query_analyzer

SHARED_CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

DOCS = {
    "d1": "国务院办公厅关于优化营商环境的意见",
    "d2": "营商与环境两个词分开出现：营商活动，环境保护。",
    "d3": "中华人民共和国住房和城乡建设部发布通知",
    "d4": "国办发〔2024〕1号 关于做好住房公积金工作的通知",
    "d5": "ＰＭ２．５浓度下降，Whoosh 与 jieba 测试",
    "d6": "参加城乡居民基本医疗保险的居民",
    "d7": "政务公开\n一网通办\n减税降费",
}


class Brackets(highlight.Formatter):
    """Marks each match as [text] so expected strings are easy to read."""

    between = "|"

    def format_token(self, text: str, token: highlight.Token, replace: bool = False) -> str:
        return "[" + highlight.get_text(text, token, replace) + "]"


def build(schema: fields.Schema, docs: dict[str, str]) -> Index:
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for key, text in docs.items():
            writer.add_document(id=key, content=text, pinpoint=text)
    return ix


@pytest.fixture(scope="module")
def ix() -> Iterator[Index]:
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        content=fields.TEXT(analyzer=index_analyzer(), stored=True),
        # chars=True stores offsets in the index: Whoosh's "pinpoint" highlighting path
        pinpoint=fields.TEXT(analyzer=index_analyzer(), stored=True, chars=True),
    )
    index = build(schema, DOCS)
    yield index
    index.close()


def ids(ix: Index, text: str, field: str = "content") -> set[str]:
    q = QueryParser(field, ix.schema).parse(text)
    with ix.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(q, limit=None)}


@pytest.mark.parametrize(
    ("qtext", "expected"),
    [
        ('"优化营商环境"', {"d1"}),
        ('"营商环境"', {"d1"}),  # a sub-word as a whole phrase
        ('"营商环境的意见"', {"d1"}),  # a sub-word, then the next main token
        ('"环境的意见"', {"d1"}),
        ('"关于优化"', {"d1"}),
        ('"国务院办公厅关于优化营商环境的意见"', {"d1"}),  # 的 is indexed: the phrase stays whole
        ('"办公厅关于"', {"d1"}),
        ('"人民共和国住房"', {"d3"}),  # two sub-words of consecutive main tokens
        ('"中华人民共和国住房和城乡建设部发布通知"', {"d3"}),
        ('"城乡建设部发布"', set()),  # 城乡建设部 is not a dictionary word inside the token
        ('"国办发〔2024〕1号"', {"d4"}),
        ('"国办发〔２０２４〕１号"', {"d4"}),
        ('"住房公积金工作"', {"d4"}),
        ('"医疗保险的居民"', {"d6"}),
        ('"pm2.5浓度"', {"d5"}),
        ('"WHOOSH 与 JIEBA"', {"d5"}),
        ('"政务公开一网通办"', {"d7"}),  # a line break does not stop a phrase
        # must NOT match: words present but not contiguous, or in another order
        ('"环境营商"', set()),
        ('"意见营商环境"', set()),
        ('"两个出现"', set()),
        ('"出现分开"', set()),
        ('"住房公积金通知"', set()),
        ('"2024号"', set()),
    ],
)
def test_phrase_queries(ix: Index, qtext: str, expected: set[str]) -> None:
    assert ids(ix, qtext) == expected
    assert ids(ix, qtext, field="pinpoint") == expected


@pytest.mark.parametrize(
    ("qtext", "expected"),
    [
        ("营商", {"d1", "d2"}),  # sub-word of 营商环境 in d1, main token in d2
        ("环境", {"d1", "d2"}),
        ("营商环境", {"d1"}),
        ("营商 环境", {"d1", "d2"}),
        ("优化营商环境", {"d1"}),  # one unquoted word, segmented into an AND
        ("医疗保险", {"d6"}),  # a 4-character sub-word of 城乡居民基本医疗保险
        ("城乡", {"d3", "d6"}),
        ("共和国", {"d3"}),
        ("2024", {"d4"}),
        ("1", {"d4"}),
        ("国办发", {"d4"}),
        ("ＰＭ２．５", {"d5"}),
        ("whoosh", {"d5"}),
        ("JIEBA", {"d5"}),
        ("一网通办", {"d7"}),
        ("的", {"d1", "d4", "d6"}),
    ],
)
def test_word_queries(ix: Index, qtext: str, expected: set[str]) -> None:
    assert ids(ix, qtext) == expected


def test_phrase_edge_inside_a_compound_is_a_known_false_positive(ix: Index) -> None:
    """Known limitation of sub-words sharing their main token's position.

    环境 is indexed inside 营商环境 at that word's position, right after 优化, so the
    phrase "优化环境" (not in d1's text) matches d1. A phrase class that also checks
    stored character offsets (query.py) or a re-check against the stored text would
    remove it; this test pins the current behaviour so a fix is noticed.
    """
    assert ids(ix, '"优化环境"') == {"d1"}
    assert "优化环境" not in DOCS["d1"]


def test_query_terms_are_main_tokens_only(ix: Index) -> None:
    q = QueryParser("content", ix.schema).parse('"优化营商环境" 城乡居民基本医疗保险')
    assert {text for _field, text in q.iter_all_terms()} == {"优化", "营商环境", "城乡居民基本医疗保险"}


def highlights(ix: Index, qtext: str, field: str) -> dict[str, str]:
    q = QueryParser(field, ix.schema).parse(qtext)
    with ix.searcher() as searcher:
        results = searcher.search(q, limit=None, terms=True)
        results.fragmenter = highlight.WholeFragmenter()
        results.formatter = Brackets()
        return {hit["id"]: hit.highlights(field) for hit in results}


@pytest.mark.parametrize("field", ["content", "pinpoint"])
@pytest.mark.parametrize(
    ("qtext", "expected"),
    [
        ("营商", {"d1": "国务院办公厅关于优化[营商]环境的意见", "d2": "[营商]与环境两个词分开出现：[营商]活动，环境保护。"}),
        ("营商环境", {"d1": "国务院办公厅关于优化[营商环境]的意见"}),
        ("医疗保险", {"d6": "参加城乡居民基本[医疗保险]的居民"}),
        ("共和国", {"d3": "中华人民[共和国]住房和城乡建设部发布通知"}),
        ("国办发 2024", {"d4": "[国办发]〔[2024]〕1号 关于做好住房公积金工作的通知"}),
        ("pm2.5", {"d5": "[ＰＭ２．５]浓度下降，Whoosh 与 jieba 测试"}),
        ("whoosh", {"d5": "ＰＭ２．５浓度下降，[Whoosh] 与 jieba 测试"}),
        ("一网通办", {"d7": "政务公开\n[一网通办]\n减税降费"}),
    ],
)
def test_highlight_marks_exact_characters(ix: Index, field: str, qtext: str, expected: dict[str, str]) -> None:
    assert highlights(ix, qtext, field) == expected


def test_highlight_merges_a_matched_phrase(ix: Index) -> None:
    got = highlights(ix, '"优化营商环境"', "content")
    assert got == {"d1": "国务院办公厅关于[优化营商环境]的意见"}


def test_standalone_highlight_function() -> None:
    text = "关于优化营商环境的意见（ＰＭ２．５）"
    # Whoosh's highlight() re-analyzes in query mode by default: main tokens only.
    assert highlight.highlight(
        text, {"营商环境", "pm2.5"}, index_analyzer(), highlight.WholeFragmenter(), Brackets()
    ) == "关于优化[营商环境]的意见（[ＰＭ２．５]）"
    # In index mode sub-words can be marked too.
    assert highlight.highlight(
        text, {"环境"}, index_analyzer(), highlight.WholeFragmenter(), Brackets(), mode="index"
    ) == "关于优化营商[环境]的意见（ＰＭ２．５）"


def test_stored_postings_hold_main_position_and_exact_chars() -> None:
    """What Whoosh stores for a sub-word: the main token's position, its own characters."""
    schema = fields.Schema(id=fields.ID(stored=True), content=fields.TEXT(analyzer=index_analyzer(), chars=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        writer.add_document(id="a", content="住房公积金")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        chars = list(reader.postings("content", "公积金").items_as("characters"))
        positions = list(reader.postings("content", "公积金").items_as("positions"))
    assert chars == [(0, [(0, 2, 5)])]
    assert positions == [(0, [0])]
    ix.close()


# --- real documents ------------------------------------------------------------------------


def real_texts(limit: int) -> list[str]:
    path = SHARED_CORPUS / "gov_work_reports" / "government_work_reports.jsonl"
    texts: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line)["content"])
            if len(texts) >= limit:
                break
    return texts


@pytest.mark.realdata
def test_real_reports_every_window_of_main_tokens_is_a_phrase_hit() -> None:
    """Every run of 2-4 consecutive main tokens of a real report is found by a Phrase query."""
    texts = real_texts(3)
    schema = fields.Schema(id=fields.ID(stored=True), content=fields.TEXT(analyzer=index_analyzer(), stored=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for n, text in enumerate(texts):
            writer.add_document(id=str(n), content=text)
    rng = random.Random(9704)
    parser = QueryParser("content", schema)
    reparsed = found_reparsed = 0
    with ix.searcher() as searcher:
        for n, text in enumerate(texts):
            main = [(t.text, t.pos, t.startchar, t.endchar) for t in query_analyzer()(text, chars=True, positions=True)]
            assert [p for _t, p, _s, _e in main] == list(range(len(main)))
            folded = normalize_width(text)
            for t, _p, s, e in main:
                assert t == folded[s:e].lower()
            for _ in range(40):
                size = rng.randint(2, 4)
                i = rng.randrange(len(main) - size)
                window = [(t, s, e) for t, _p, s, e in main[i : i + size]]
                hits = searcher.search(query.Phrase("content", [w for w, _s, _e in window]), limit=None)
                assert str(n) in {h["id"] for h in hits}, window
                # The same window as a user would type it: re-segmented by the parser.
                typed = text[window[0][1] : window[-1][2]]
                if '"' in typed:
                    continue
                reparsed += 1
                found_reparsed += str(n) in {h["id"] for h in searcher.search(parser.parse(f'"{typed}"'), limit=None)}
    # Segmenting a fragment can differ from segmenting it in context (jieba's HMM and
    # DAG see different neighbours); sub-words at the main position absorb most of it.
    assert found_reparsed / reparsed >= 0.9, (found_reparsed, reparsed)
    ix.close()
