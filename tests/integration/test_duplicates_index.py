"""Near-identical copies of a text fold into one hit: in the engine, the API and the site."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.models import SearchRequest
from indexer.sync import sync_paths
from indexer.writing import IndexSession
from search_web import create_app

from .docs_factory import write_doc

BODY = (
    "为贯彻落实党中央、国务院关于统筹推进疫情防控和经济社会发展工作的决策部署，切实减轻企业负担，"
    "现就阶段性减免企业基本养老保险、失业保险、工伤保险单位缴费有关问题通知如下：自2020年2月起，"
    "免征中小微企业三项社会保险单位缴费部分，免征期限不超过5个月；对大型企业等其他参保单位，"
    "三项社会保险单位缴费部分可减半征收，减征期限不超过3个月。受疫情影响生产经营出现严重困难的企业，"
    "可申请缓缴社会保险费，缓缴期限原则上不超过6个月，缓缴期间免收滞纳金。各区要加强组织领导，"
    "抓紧制定具体实施办法，确保政策落实到位，及时将减免政策落实到参保单位。"
)
OTHER = (
    "为做好疫情防控期间住房公积金管理服务工作，支持受疫情影响的企业和职工共渡难关，现就有关事项通知如下："
    "受疫情影响的企业，可按规定申请在2020年6月30日前缓缴住房公积金，缓缴期间缴存时间连续计算，"
    "不影响职工正常提取和申请住房公积金贷款。受疫情影响的缴存人，不能正常偿还住房公积金贷款的，"
    "不作逾期处理。职工支付房租压力较大的，可合理提高租房提取额度，社会保险经办机构同步做好服务。"
)
TITLE = "示例市人力资源和社会保障局关于阶段性减免企业社会保险费的通知"


@pytest.fixture
def copies(engine: SearchEngine, tmp_path: Path) -> SearchEngine:
    docs = tmp_path / "docs"
    write_doc(docs, "original.txt", title=TITLE, number="示人社发〔2020〕3号", body=BODY,
              issuer="示例市人力资源和社会保障局", date="2020年2月20日")
    # the same notice republished by a district's site: its own header line, same text
    write_doc(docs, "republished.txt", title=TITLE, number="示人社发〔2020〕3号", body="来源：示例市东区政务网\n" + BODY,
              issuer="示例市人力资源和社会保障局", date="2020年2月20日")
    write_doc(docs, "fund.txt", title="示例市住房公积金管理中心关于疫情防控期间住房公积金阶段性支持政策的通知",
              number="示公积金发〔2020〕1号", body=OTHER, issuer="示例市住房公积金管理中心", date="2020年2月25日")
    sync_paths(engine, [docs])
    return engine


def _titles(engine: SearchEngine, **kwargs: object) -> list[tuple[str, int]]:
    res = engine.search(SearchRequest(**kwargs))  # type: ignore[arg-type]
    return [(h.filename, len(h.duplicates)) for h in res.hits]


def test_a_republished_copy_folds_into_the_hit_above_it(copies: SearchEngine) -> None:
    res = copies.search(SearchRequest(q="社会保险 缓缴"))
    assert len(res.hits) == 2  # the notice (one hit for both copies) and the fund notice
    first = res.hits[0]
    assert first.filename in {"original.txt", "republished.txt"}
    assert [d.title for d in first.duplicates] == [TITLE]
    other = {"original.txt", "republished.txt"} - {first.filename}
    assert copies.get(first.duplicates[0].id).filename in other
    assert res.hits[1].filename == "fund.txt" and res.hits[1].duplicates == []
    assert res.total == 3  # every matching document is counted, copies too


def test_collapse_off_lists_every_copy(copies: SearchEngine) -> None:
    hits = _titles(copies, q="社会保险 缓缴", collapse=False)
    assert sorted(name for name, _ in hits) == ["fund.txt", "original.txt", "republished.txt"]
    assert all(n == 0 for _, n in hits)


def test_copies_fold_in_date_order_too(copies: SearchEngine) -> None:
    hits = _titles(copies, q="", sort="newest")
    assert len(hits) == 2 and sum(n for _, n in hits) == 1


def test_a_relinked_or_touched_document_keeps_its_fingerprint(copies: SearchEngine, tmp_path: Path) -> None:
    # a touched file whose bytes did not change is re-added from its stored fields
    # (IndexSession.set_fields); the fingerprint, a column, is computed again
    path = tmp_path / "docs" / "republished.txt"
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 100))
    summary = sync_paths(copies, [tmp_path / "docs"])
    assert summary.unchanged == 3
    res = copies.search(SearchRequest(q="社会保险 缓缴"))
    assert len(res.hits) == 2 and len(res.hits[0].duplicates) == 1


def test_api_lists_duplicates_and_takes_collapse(copies: SearchEngine, config: Config) -> None:
    app = create_app(config.replace(rate_limit=""))
    client = app.test_client()
    body = client.get("/api/v1/search", query_string={"q": "社会保险 缓缴"}).get_json()
    assert len(body["hits"]) == 2
    dup = body["hits"][0]["duplicates"]
    assert len(dup) == 1 and dup[0]["title"] == TITLE and dup[0]["page_url"].endswith(dup[0]["id"])
    flat = client.get("/api/v1/search", query_string={"q": "社会保险 缓缴", "collapse": "false"}).get_json()
    assert len(flat["hits"]) == 3 and all(h["duplicates"] == [] for h in flat["hits"])
    bad = client.get("/api/v1/search", query_string={"q": "社会保险", "collapse": "maybe"})
    assert bad.status_code == 400 and bad.get_json()["param"] == "collapse"


def test_site_shows_the_other_copies_under_the_hit(copies: SearchEngine, config: Config) -> None:
    client = create_app(config.replace(rate_limit="")).test_client()
    html = client.get("/", query_string={"q": "社会保险 缓缴"}).get_data(as_text=True)
    assert "另有 1 份内容相同的文件" in html
    assert html.count('class="duplicate-link"') == 1


class _Schema:
    def __init__(self, names: list[str]) -> None:
        self._names = names

    def names(self) -> list[str]:
        return self._names


class _Writer:
    def __init__(self, names: list[str]) -> None:
        self.schema = _Schema(names)


def test_an_index_built_before_fingerprints_is_written_without_them() -> None:
    session = IndexSession(_Writer(["id", "title", "body"]))
    fields = {"id": "x", "title": "t", "body": "b", "_stored_body": "b", "fingerprint": 7}
    assert session._known(fields) == {"id": "x", "title": "t", "body": "b", "_stored_body": "b"}
    full = IndexSession(_Writer(["id", "title", "body", "fingerprint"]))
    assert full._known(fields) is fields


def test_cli_shows_copies_and_lists_them_apart_on_request(copies: SearchEngine, config: Config) -> None:
    from click.testing import CliRunner

    from indexer.cli import main

    runner = CliRunner()
    base = ["search", "社会保险 缓缴", "--index", str(config.index_dir)]
    folded = runner.invoke(main, base)
    assert folded.exit_code == 0, folded.output
    assert folded.output.count("内容相同：") == 1
    payload = json.loads(runner.invoke(main, [*base, "--json"]).output)
    assert [len(h["duplicates"]) for h in payload["hits"]] == [1, 0]
    apart = json.loads(runner.invoke(main, [*base, "--json", "--all-copies"]).output)
    assert len(apart["hits"]) == 3 and all(h["duplicates"] == [] for h in apart["hits"])


def test_document_page_and_api_list_the_other_copies(copies: SearchEngine, config: Config) -> None:
    res = copies.search(SearchRequest(q="社会保险 缓缴", collapse=False))
    by_name = {h.filename: h.id for h in res.hits}
    original, republished, fund = by_name["original.txt"], by_name["republished.txt"], by_name["fund.txt"]
    assert [link.id for link in copies.copies_of(original)] == [republished]
    assert [link.id for link in copies.copies_of(republished)] == [original]
    assert copies.copies_of(fund) == [] and copies.copies_of("no-such-id") == []
    client = create_app(config.replace(rate_limit="")).test_client()
    body = client.get(f"/api/v1/documents/{original}").get_json()
    assert [d["id"] for d in body["duplicates"]] == [republished]
    html = client.get(f"/doc/{original}").get_data(as_text=True)
    assert "内容相同的文件" in html and f"/doc/{republished}" in html
    # a copy is not also offered as a "related" document
    related = html.split('id="related-heading"')[-1] if 'id="related-heading"' in html else ""
    assert f"/doc/{republished}" not in related
    assert "内容相同的文件" not in client.get(f"/doc/{fund}").get_data(as_text=True)


def test_a_deleted_copy_is_no_longer_listed(copies: SearchEngine, tmp_path: Path) -> None:
    (tmp_path / "docs" / "republished.txt").unlink()
    sync_paths(copies, [tmp_path / "docs"])
    res = copies.search(SearchRequest(q="社会保险 缓缴"))
    assert [len(h.duplicates) for h in res.hits] == [0, 0]
    assert copies.copies_of(res.hits[0].id) == []
