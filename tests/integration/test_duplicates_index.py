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
from search_web import create_app

from .docs_factory import write_doc

BODY = (
    "为贯彻落实党中央、国务院关于统筹推进疫情防控和经济社会发展工作的决策部署，切实减轻企业负担，"
    "现就阶段性减免企业基本养老保险、失业保险、工伤保险单位缴费有关问题通知如下：自2020年2月起，"
    "免征中小微企业三项社会保险单位缴费部分，免征期限不超过5个月；对大型企业等其他参保单位，"
    "三项社会保险单位缴费部分可减半征收，减征期限不超过3个月。受疫情影响生产经营出现严重困难的企业，"
    "可申请缓缴社会保险费，缓缴期限原则上不超过6个月，缓缴期间免收滞纳金。各区要加强组织领导，"
    "抓紧制定具体实施办法，确保政策落实到位，及时将减免政策落实到参保单位。\n"
    "一、明确减免范围。本通知所称中小微企业，按照工业和信息化部、国家统计局、国家发展改革委、"
    "财政部印发的中小企业划型标准规定认定；以单位方式参保的个体工商户参照企业办法执行。\n"
    "二、规范办理程序。参保单位无需提出申请，社会保险经办机构依据登记信息直接办理减免，"
    "已经缴纳的费款可以冲抵以后月份应缴费款，也可以按照规定申请退回。\n"
    "三、加强基金管理。各区要统筹考虑基金收支情况，确保各项社会保险待遇按时足额发放，"
    "密切跟踪政策执行情况，发现问题及时报告。"
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


def test_an_interpretation_quoting_its_policy_whole_stays_a_hit_of_its_own(copies: SearchEngine, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "republished.txt").unlink()
    interpretation = docs / "interpretation.txt"
    interpretation.write_text(
        f"《{TITLE}》政策解读\n\n近日，市人力资源和社会保障局印发通知，现将全文转发如下：\n\n" + BODY, encoding="utf-8"
    )
    sync_paths(copies, [docs])
    res = copies.search(SearchRequest(q="社会保险 缓缴"))
    names = {h.filename: h for h in res.hits}
    assert {"original.txt", "interpretation.txt"} <= set(names)
    assert names["interpretation.txt"].is_interpretation
    assert names["original.txt"].duplicates == [] and names["interpretation.txt"].duplicates == []
    assert copies.copies_of(names["original.txt"].id) == []
    # it is listed where it belongs: as the policy's interpretation
    assert [link.id for link in names["original.txt"].interpretations] == [names["interpretation.txt"].id]


def _many_copies(docs: Path) -> list[str]:
    for i in range(15):  # one notice republished 15 times
        write_doc(docs, f"copy{i:02d}.txt", title=TITLE, number="示人社发〔2020〕3号", body=BODY, date="2020年2月20日")
    distinct = []
    for i in range(12):
        # distinct texts: each its own subject, so no two fold
        body = f"第{i}号专项工作。" + OTHER[i * 7 :] + "各单位" + "认真落实，" * (i + 1) + f"编号{i}。" + BODY[::-1][: 40 + 9 * i]
        write_doc(docs, f"other{i:02d}.txt", title=f"示例市关于第{i}项专项工作的通知", number=f"示政发〔2021〕{i + 1}号",
                  body=body, date=f"2021年{i % 12 + 1}月1日")
        distinct.append(f"other{i:02d}.txt")
    return distinct


def test_pages_stay_full_and_reach_every_document_when_copies_abound(engine: SearchEngine, tmp_path: Path) -> None:
    distinct = _many_copies(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    seen: list[str] = []
    folded: list[int] = []
    first = engine.search(SearchRequest(q="", sort="newest", page_size=5))
    assert first.total == 27
    assert first.pages == 3 and first.hit_count == 13  # 12 distinct texts and one notice
    for page in range(1, first.pages + 1):
        res = engine.search(SearchRequest(q="", sort="newest", page=page, page_size=5))
        assert len(res.hits) == (5 if page < 3 else 3)
        seen += [h.filename for h in res.hits]
        folded += [len(h.duplicates) for h in res.hits]
    assert sorted(folded)[-1] == 14 and sum(folded) == 14
    assert sorted(n for n in seen if n.startswith("other")) == distinct
    assert sum(1 for n in seen if n.startswith("copy")) == 1
    assert len(seen) == len(set(seen))


def test_a_large_result_set_folds_as_far_as_the_page_and_loses_nothing(
    engine: SearchEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer import engine as engine_module

    distinct = _many_copies(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    monkeypatch.setattr(engine_module, "FOLD_WHOLE_RESULTS", 0)  # as if 27 matches were many
    first = engine.search(SearchRequest(q="", sort="oldest", page_size=5))
    assert first.hit_count is None and first.pages == 6  # estimated from the 27 documents
    seen: list[str] = []
    for page in range(1, 7):
        res = engine.search(SearchRequest(q="", sort="oldest", page=page, page_size=5))
        assert len(res.hits) == (5 if page < 3 else 3 if page == 3 else 0)
        seen += [h.filename for h in res.hits]
    assert seen[0].startswith("copy")  # the oldest: the notice, with its 14 copies folded in
    assert sorted(n for n in seen if n.startswith("other")) == distinct and len(seen) == 13


class _NoFingerprintSchema:
    """``build_schema`` as it was before fingerprints (schema v3)."""

    def __init__(self, original):  # type: ignore[no-untyped-def]
        self.original = original

    def __call__(self):  # type: ignore[no-untyped-def]
        schema = self.original()
        schema.remove("fingerprint")
        return schema


def test_an_index_built_before_fingerprints_searches_and_updates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import store

    docs = tmp_path / "docs"
    write_doc(docs, "original.txt", title=TITLE, body=BODY)
    write_doc(docs, "republished.txt", title=TITLE, body="来源：示例市东区政务网\n" + BODY)
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=1)
    monkeypatch.setattr(store, "build_schema", _NoFingerprintSchema(store.build_schema))
    with SearchEngine(config) as old:
        sync_paths(old, [docs])
    monkeypatch.undo()
    # two workers and four new files: the path that sends prepared postings (add_prepared)
    with SearchEngine(config.replace(workers=2)) as engine:
        with engine.searcher() as s:
            assert "fingerprint" not in s.schema
        # no fingerprints: nothing folds, and nothing fails
        res = engine.search(SearchRequest(q="社会保险 缓缴"))
        assert len(res.hits) == 2 and all(h.duplicates == [] for h in res.hits)
        assert engine.copies_of(res.hits[0].id) == []
        # written by this code: a new file, a touched one (re-added from stored fields)
        for i in range(4):
            write_doc(docs, f"fund{i}.txt", title=f"示例市住房公积金管理中心关于住房公积金阶段性支持政策的通知（{i}）", body=OTHER)
        path = docs / "original.txt"
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 100))
        summary = sync_paths(engine, [docs])
        assert summary.failed == [] and len(summary.added) == 4 and summary.unchanged == 2
        assert engine.search(SearchRequest(q="住房公积金 缓缴")).total >= 1
    client = create_app(config.replace(rate_limit="")).test_client()
    assert client.get("/", query_string={"q": "社会保险"}).status_code == 200
    assert client.get(f"/doc/{res.hits[0].id}").status_code == 200
    assert client.get("/api/v1/search", query_string={"q": "社会保险"}).status_code == 200


def test_site_links_keep_collapse_off(copies: SearchEngine, config: Config) -> None:
    client = create_app(config.replace(rate_limit="")).test_client()
    html = client.get("/", query_string={"q": "社会保险 缓缴", "collapse": "false", "page_size": "1"}).get_data(as_text=True)
    assert "另有" not in html  # every copy is a hit of its own
    assert "collapse=false" in html.split('class="pagination"', 1)[1]


def test_a_repealed_version_does_not_fold_into_the_version_in_force(copies: SearchEngine, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "republished.txt.json").write_text(json.dumps({"validity": "已废止"}, ensure_ascii=False), encoding="utf-8")
    (docs / "original.txt.json").write_text(json.dumps({"validity": "现行有效"}, ensure_ascii=False), encoding="utf-8")
    sync_paths(copies, [docs])
    res = copies.search(SearchRequest(q="社会保险 缓缴"))
    assert len(res.hits) == 3 and all(h.duplicates == [] for h in res.hits)
    assert {h.validity for h in res.hits if h.filename != "fund.txt"} == {"已废止", "现行有效"}
    assert copies.copies_of(res.hits[0].id) == []
