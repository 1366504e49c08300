"""The citizen site through Flask's test client, over the demo corpus and small temp indexes.

Expected values come from the engine itself or from corpus/expected.json, never typed in.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask.testing import FlaskClient

from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.models import FACET_FIELDS, SearchRequest
from indexer.sync import sync_paths
from search_web import create_app
from search_web.pages import FACET_LABELS, cn_date, search_url

ROOT = Path(__file__).resolve().parents[2]
DEMO_CORPUS = ROOT / "corpus"
EXPECTED: dict[str, dict] = json.loads((DEMO_CORPUS / "expected.json").read_text(encoding="utf-8"))

HIT_LINK = re.compile(r'<h3 class="hit__title"><a href="/doc/([0-9a-zA-Z_-]+)')


# --------------------------------------------------------------------------- helpers


def hit_ids(html: str) -> list[str]:
    """Document ids of the results on a search page, in order."""
    return HIT_LINK.findall(html)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def fetch(client: FlaskClient, url: str) -> tuple[int, bytes]:
    """Status and body of a response, closed (file responses hold the file open)."""
    with client.get(url) as response:
        return response.status_code, response.data


def all_ids(engine: SearchEngine, **kwargs: object) -> list[str]:
    """Ids of every hit of a search, in the engine's order."""
    req = SearchRequest(page_size=100, facets=False, highlight=False, **kwargs)  # type: ignore[arg-type]
    return [h.id for h in engine.search(req).hits]


@pytest.fixture
def ids_by_file(demo_engine: SearchEngine) -> dict[str, str]:
    """corpus-relative path -> document id."""
    root = str(DEMO_CORPUS.resolve()) + "/"
    return {path.replace(root, ""): state.id for path, state in demo_engine.file_states().items()}


def interpretation_pairs() -> list[tuple[str, str]]:
    """(interpretation file, policy file) pairs the demo corpus declares."""
    return [(f, v["interprets"]) for f, v in EXPECTED.items() if v.get("interprets")]


def build_index(tmp_path: Path, files: dict[str, str], **settings: object) -> tuple[Config, Path]:
    """A temp index of text files written under tmp_path/docs; returns (config, docs folder)."""
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=1, **settings)
    with SearchEngine(config) as engine:
        summary = sync_paths(engine, [docs])
    assert not summary.failed, summary.failed
    return config, docs


def make_client(config: Config) -> FlaskClient:
    app = create_app(config)
    app.config["TESTING"] = True
    return app.test_client()


# --------------------------------------------------------------------------- search page


def test_home_lists_newest_documents(client: FlaskClient, demo_engine: SearchEngine) -> None:
    html = page(client, "/")
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport"' in html
    assert 'rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml"' in html
    assert '<label class="search-form__label" for="q">' in html
    assert f'<strong class="results__total">{demo_engine.count()}</strong>' in html
    ids = hit_ids(html)
    assert ids == all_ids(demo_engine)[: len(ids)] and len(ids) == 10


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    response = client.get("/?q=住房")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and "<style" not in html
    assert "http://" not in html.split("</head>")[0] and "https://" not in html.split("</head>")[0]


def test_search_ranks_highlights_and_counts(client: FlaskClient, demo_engine: SearchEngine) -> None:
    q = "住房公积金"
    html = page(client, "/?q=" + quote(q))
    expected = demo_engine.search(SearchRequest(q=q))
    assert expected.total > 0
    assert f'<strong class="results__total">{expected.total}</strong>' in html
    assert hit_ids(html) == [h.id for h in expected.hits]
    assert "<mark>" in html
    assert re.search(r"用时 \d+\.\d\d 秒", html)
    # result links carry the query so the document page can mark it
    assert f"/doc/{expected.hits[0].id}?q={quote(q)}" in html


def test_result_shows_doc_number_issuer_dates_and_badges(client: FlaskClient, demo_engine: SearchEngine, ids_by_file: dict[str, str]) -> None:
    with_validity = demo_engine.search(SearchRequest(filters={"validity": ["现行有效"]}, page_size=100, facets=False)).hits
    hit = next(h for h in with_validity if h.doc_number and h.written_date and h.published_date and not h.is_interpretation)
    html = page(client, "/?q=" + quote(hit.doc_number))
    assert hit_ids(html)[0] == hit.id
    first = html.split('<li class="hit')[1]
    assert f"<dd>{hit.doc_number}</dd>" in first
    assert f"<dd>{'、'.join(hit.issuer)}</dd>" in first
    assert cn_date(hit.written_date) in first and cn_date(hit.published_date) in first
    assert f">{hit.validity}</span>" in first and f">{hit.doc_type}</span>" in first
    assert "按发文字号检索" in html  # Results.notes shown


@pytest.mark.parametrize("field", FACET_FIELDS)
def test_every_facet_filters_and_is_shown_checked(client: FlaskClient, demo_engine: SearchEngine, field: str) -> None:
    facets = demo_engine.search(SearchRequest()).facets[field]
    assert facets, f"demo corpus has no {field} values"
    value, count = facets[-1]
    html = page(client, f"/?{field}={quote(value)}&page_size=100")
    assert f'<strong class="results__total">{count}</strong>' in html
    assert sorted(hit_ids(html)) == sorted(all_ids(demo_engine, filters={field: [value]}))
    assert f'name="{field}" value="{value}" form="search-form" checked' in html
    assert f"{FACET_LABELS[field]}：{value}" in html  # the "selected" chip
    for doc_id in hit_ids(html):
        stored = demo_engine.stored(doc_id)
        assert stored is not None and value in str(stored.get(field, "")).split(",")


def test_facet_groups_have_labels_and_counts(client: FlaskClient, demo_engine: SearchEngine) -> None:
    html = page(client, "/?q=" + quote("补贴"))
    facets = demo_engine.search(SearchRequest(q="补贴")).facets
    for field, values in facets.items():
        if values:
            assert f'<legend class="facet__legend">{FACET_LABELS[field]}</legend>' in html
            value, count = values[0]
            assert re.search(rf'value="{re.escape(value)}" form="search-form">\s*<label[^>]*><span class="facet__value">{re.escape(value)}</span> <span class="facet__count">{count}<', html)


def test_several_values_of_one_facet_are_ored(client: FlaskClient, demo_engine: SearchEngine) -> None:
    (a, count_a), (b, count_b) = demo_engine.search(SearchRequest()).facets["doc_type"][:2]
    html = page(client, f"/?doc_type={quote(a)}&doc_type={quote(b)}&page_size=100")
    assert f'<strong class="results__total">{count_a + count_b}</strong>' in html
    # the other values of the field stay offered (multi-select)
    assert html.count('name="doc_type"') > 2


def test_filters_across_fields_are_anded(client: FlaskClient, demo_engine: SearchEngine) -> None:
    validity = demo_engine.search(SearchRequest()).facets["validity"][0][0]
    year = demo_engine.search(SearchRequest(filters={"validity": [validity]})).facets["year"][0][0]
    html = page(client, f"/?validity={quote(validity)}&year={year}&page_size=100")
    expected = all_ids(demo_engine, filters={"validity": [validity], "year": [year]})
    assert expected and sorted(hit_ids(html)) == sorted(expected)


def test_date_range(client: FlaskClient, demo_engine: SearchEngine) -> None:
    html = page(client, "/?from=2024-01-01&to=2024-12-31&page_size=100")
    ids = hit_ids(html)
    assert ids and sorted(ids) == sorted(all_ids(demo_engine, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)))
    for doc_id in ids:
        doc = demo_engine.get(doc_id)
        assert doc is not None
        when = doc.meta.written_date or doc.meta.published_date
        assert when is not None and when.year == 2024
    assert "成文日期：2024年1月1日 至 2024年12月31日" in html
    assert 'name="from" form="search-form" value="2024-01-01"' in html


def test_bad_date_is_a_400_page(client: FlaskClient) -> None:
    html = page(client, "/?from=yesterday", status=400)
    assert "请求有误" in html and "yesterday" in html


def test_scope_title_and_doc_number(client: FlaskClient, demo_engine: SearchEngine) -> None:
    word = "住房公积金"
    everywhere = demo_engine.search(SearchRequest(q=word, facets=False)).total
    in_titles = demo_engine.search(SearchRequest(q=word, scope="title", facets=False)).total
    assert 0 < in_titles < everywhere
    html = page(client, f"/?q={quote(word)}&scope=title")
    assert f'<strong class="results__total">{in_titles}</strong>' in html
    assert 'id="scope-title" name="scope" value="title" checked' in html
    number = next(v["doc_number"] for v in EXPECTED.values() if v["doc_number"])
    html = page(client, f"/?q={quote(number)}&scope=doc_number")
    assert hit_ids(html) == all_ids(demo_engine, q=number, scope="doc_number")


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date(client: FlaskClient, demo_engine: SearchEngine, sort: str) -> None:
    html = page(client, f"/?q={quote('补贴')}&sort={sort}&page_size=100")
    dates = []
    for doc_id in hit_ids(html):
        doc = demo_engine.get(doc_id)
        assert doc is not None
        when = doc.meta.written_date or doc.meta.published_date
        if when:  # where undated documents go is the engine's business
            dates.append(when)
    assert len(dates) > 2
    assert dates == sorted(dates, reverse=(sort == "newest"))
    assert re.search(r'class="sort__link is-current" href="[^"]*sort=' + sort, html)


def test_sort_by_relevance_is_engine_order(client: FlaskClient, demo_engine: SearchEngine) -> None:
    html = page(client, "/?q=" + quote("公积金 提取"))
    assert hit_ids(html) == [h.id for h in demo_engine.search(SearchRequest(q="公积金 提取")).hits]


def test_bad_sort_is_a_400_page(client: FlaskClient) -> None:
    assert "请求有误" in page(client, "/?sort=random", status=400)
    assert "请求有误" in page(client, "/?page=abc", status=400)


def test_pagination_keeps_every_parameter(client: FlaskClient, demo_engine: SearchEngine) -> None:
    validity = demo_engine.search(SearchRequest()).facets["validity"][0][0]
    base = f"/?q={quote('示例市')}&validity={quote(validity)}&sort=newest&page_size=3&scope=all"
    expected = all_ids(demo_engine, q="示例市", filters={"validity": [validity]}, sort="newest")
    assert len(expected) > 6
    seen: list[str] = []
    url = base
    pages = 0
    while url:
        html = page(client, url)
        seen += hit_ids(html)
        pages += 1
        nxt = re.search(r'<a class="pagination__next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""
        if url:
            params = parse_qs(urlsplit(url).query)
            assert params["q"] == ["示例市"] and params["validity"] == [validity]
            assert params["sort"] == ["newest"] and params["page_size"] == ["3"] and params["scope"] == ["all"]
            assert params["page"] == [str(pages + 1)]
    assert seen == expected
    assert pages == -(-len(expected) // 3)
    html = page(client, base + "&page=2")
    assert 'aria-current="page"><span class="visually-hidden">第</span>2<' in html
    assert 'rel="prev"' in html


def test_page_beyond_the_last(client: FlaskClient) -> None:
    html = page(client, "/?q=" + quote("住房") + "&page=50")
    assert hit_ids(html) == [] and "回到第 1 页" in html


def test_no_results_explains_and_offers_relaxed_queries(client: FlaskClient, demo_engine: SearchEngine) -> None:
    word = "住房公积金"
    topics = [v for v, _ in demo_engine.search(SearchRequest()).facets["topic"]]
    with_word = {v for v, _ in demo_engine.search(SearchRequest(q=word)).facets["topic"]}
    topic = next(t for t in topics if t not in with_word)
    html = page(client, f"/?q={quote(word)}&topic={quote(topic)}")
    assert hit_ids(html) == []
    assert f"没有找到与“<strong>{word}</strong>”相关的文件" in html
    assert f"主题分类：{topic}" in html
    drop = re.search(r'<li class="suggestion suggestion--no_filters">\s*<a href="([^"]+)">去掉全部筛选条件</a>\s*<span class="suggestion__count">（(\d+) 件）', html)
    assert drop, html
    assert "topic=" not in drop.group(1) and int(drop.group(2)) == demo_engine.search(SearchRequest(q=word)).total


def test_no_results_offers_fewer_words(client: FlaskClient, demo_engine: SearchEngine) -> None:
    # a real word, a word that is nowhere, and a filter no 公积金 document has
    with_word = {v for v, _ in demo_engine.search(SearchRequest(q="公积金")).facets["topic"]}
    topic = next(v for v, _ in demo_engine.search(SearchRequest()).facets["topic"] if v not in with_word)
    html = page(client, "/?q=" + quote("公积金 饕餮") + "&topic=" + quote(topic))
    assert hit_ids(html) == []
    fewer = re.search(r'suggestion--fewer_words">\s*减少关键词，只检索 <a href="([^"]+)">公积金</a>', html)
    assert fewer, html
    target = fewer.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(target).query) == {"q": ["公积金"]}
    assert hit_ids(page(client, target))


def test_relaxed_results_are_explained(client: FlaskClient, demo_engine: SearchEngine) -> None:
    q = "公积金 饕餮"
    results = demo_engine.search(SearchRequest(q=q))
    html = page(client, "/?q=" + quote(q))
    assert results.relaxed and results.total
    assert "没有同时包含全部关键词的文件" in html


# --------------------------------------------------------------------------- interpretations in results


def test_policy_result_links_its_interpretations(client: FlaskClient, ids_by_file: dict[str, str]) -> None:
    interpretation, policy = interpretation_pairs()[0]
    number = EXPECTED[policy]["doc_number"]
    html = page(client, "/?q=" + quote(number))
    first = html.split('<li class="hit')[1]
    assert hit_ids(html)[0] == ids_by_file[policy]
    assert "政策解读：" in first
    assert f'class="interpretation-link" href="/doc/{ids_by_file[interpretation]}?q=' in first


def test_interpretation_result_links_its_policy(client: FlaskClient, ids_by_file: dict[str, str]) -> None:
    interpretation, policy = next(p for p in interpretation_pairs() if p[0].startswith("housing/"))
    html = page(client, "/?q=" + quote(EXPECTED[interpretation]["title"]) + "&scope=title")
    item = next(chunk for chunk in html.split('<li class="hit')[1:] if f"/doc/{ids_by_file[interpretation]}" in chunk.split("</h3>")[0])
    assert "政策解读</span>" in item  # badge
    assert f'class="policy-link" href="/doc/{ids_by_file[policy]}' in item


# --------------------------------------------------------------------------- document page


def test_document_page_metadata_table(client: FlaskClient, demo_engine: SearchEngine, ids_by_file: dict[str, str]) -> None:
    interpretation, policy = next(p for p in interpretation_pairs() if p[0].startswith("housing/"))
    doc = demo_engine.get(ids_by_file[policy])
    assert doc is not None
    html = page(client, f"/doc/{doc.id}")
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td></tr>', html))
    meta = doc.meta
    assert list(rows) == ["索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期", "有效性", "文种"]
    assert rows["索引号"] == meta.index_no and rows["主题分类"] == EXPECTED[policy]["topic"]
    assert rows["发文机关"] == "、".join(EXPECTED[policy]["issuer"])
    assert rows["成文日期"] == cn_date(date.fromisoformat(EXPECTED[policy]["written_date"]))
    assert rows["标题"] == EXPECTED[policy]["title"] and rows["发文字号"] == EXPECTED[policy]["doc_number"]
    assert rows["发布日期"] == cn_date(meta.published_date) and rows["有效性"] == EXPECTED[policy]["validity"]
    assert rows["文种"] == EXPECTED[policy]["doc_type"]
    assert f'<h1 class="document__title" id="doc-title">{EXPECTED[policy]["title"]}</h1>' in html
    # the text in paragraphs, the download link, the interpretation, related documents
    paragraphs = [line for line in doc.text.split("\n") if line.strip()]
    assert html.count('<p class="para') == len(paragraphs)
    assert f'href="/doc/{doc.id}/download"' in html
    assert f'class="interpretation-link" href="/doc/{ids_by_file[interpretation]}"' in html
    assert 'class="related-link"' in html


def test_document_page_hides_rows_without_value(client: FlaskClient, demo_engine: SearchEngine) -> None:
    doc = next(d for d in (demo_engine.get(s["id"]) for s in demo_engine.all_stored()) if d and not d.meta.index_no and d.meta.title)
    html = page(client, f"/doc/{doc.id}")
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td></tr>', html))
    assert "索引号" not in rows and rows["标题"] == doc.meta.title
    assert all(value for value in rows.values())


def test_document_page_marks_query_terms(client: FlaskClient, ids_by_file: dict[str, str]) -> None:
    policy = next(p for _, p in interpretation_pairs() if p.startswith("city-government/2024-szf-3"))
    html = page(client, f"/doc/{ids_by_file[policy]}?q=" + quote("住房公积金"))
    body = html.split('<div class="document__text">')[1]
    assert "<mark>住房公积金</mark>" in body
    assert "“住房公积金”的检索结果" in html  # breadcrumb back to the results
    plain = page(client, f"/doc/{ids_by_file[policy]}")
    assert "<mark>" not in plain


def test_interpretation_page_links_its_policy(client: FlaskClient, demo_engine: SearchEngine, ids_by_file: dict[str, str]) -> None:
    housing = next(p for p in interpretation_pairs() if p[0].startswith("housing/"))
    shown = []
    for interpretation, policy in interpretation_pairs():
        linked, _ = demo_engine.links(ids_by_file[interpretation])
        if linked is None:  # resolution quality is measured in tests/integration/test_links.py
            continue
        html = page(client, f"/doc/{ids_by_file[interpretation]}")
        assert "本文解读的政策" in html
        assert f'class="policy-link" href="/doc/{linked.id}"' in html
        shown.append((interpretation, policy))
        assert linked.id == ids_by_file[policy]
    assert housing in shown


def test_unknown_document_is_404_page(client: FlaskClient) -> None:
    html = page(client, "/doc/0000000000000000", status=404)
    assert "页面不存在" in html and '<html lang="zh-CN">' in html


def test_unknown_address_gets_a_chinese_page_and_the_api_keeps_its_message(client: FlaskClient) -> None:
    html = page(client, "/search?q=公积金", status=404)
    assert "没有找到这个页面" in html and "requested URL" not in html
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.post("/")
    assert response.status_code == 405 and "不支持这种请求方式" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- downloads


def test_download_sends_the_original_file(client: FlaskClient, ids_by_file: dict[str, str]) -> None:
    name = next(n for n in EXPECTED if n.endswith(".pdf"))
    with client.get(f"/doc/{ids_by_file[name]}/download") as response:
        assert response.status_code == 200
        assert response.data == (DEMO_CORPUS / name).read_bytes()
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and Path(name).name in disposition
        assert response.mimetype == "application/pdf"


def test_download_of_unknown_document_is_404(client: FlaskClient) -> None:
    assert client.get("/doc/0000000000000000/download").status_code == 404


def test_download_outside_allowed_roots_is_404(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    config, docs = build_index(tmp_path, {"outside.txt": "关于停车收费的通知\n正文。\n"}, download_roots=str(allowed))
    client = make_client(config)
    with SearchEngine(config) as engine:
        doc_id = engine.search(SearchRequest(q="停车")).hits[0].id
    html = page(client, f"/doc/{doc_id}")
    assert "/download" not in html  # no link offered
    assert fetch(client, f"/doc/{doc_id}/download")[0] == 404
    # and the same file is served once its folder is an allowed root
    client = make_client(config.replace(download_roots=str(docs)))
    assert fetch(client, f"/doc/{doc_id}/download") == (200, (docs / "outside.txt").read_bytes())


def test_download_without_roots_serves_indexed_paths_only(tmp_path: Path) -> None:
    config, docs = build_index(tmp_path, {"a.txt": "关于停车收费的通知\n正文。\n"})
    client = make_client(config)
    with SearchEngine(config) as engine:
        doc_id = engine.search(SearchRequest(q="停车")).hits[0].id
    assert fetch(client, f"/doc/{doc_id}/download") == (200, (docs / "a.txt").read_bytes())
    # a path in the request is never used
    assert fetch(client, f"/doc/{doc_id}/download?path=/etc/passwd") == (200, (docs / "a.txt").read_bytes())
    assert fetch(client, "/doc/..%2F..%2Fetc%2Fpasswd/download")[0] == 404
    (docs / "a.txt").unlink()  # gone from disk since indexing
    assert fetch(client, f"/doc/{doc_id}/download")[0] == 404


# --------------------------------------------------------------------------- escaping


# starts with text: a file starting with <script> would be sniffed as HTML
SCRIPT_TITLE = "关于<script>window.__x=1</script><b>停车</b>收费的通知"


def test_script_in_document_title_and_text_is_escaped(tmp_path: Path) -> None:
    config, _ = build_index(tmp_path, {"evil.txt": f"{SCRIPT_TITLE}\n正文 <script>alert(1)</script> 停车 <img src=x onerror=alert(2)>。\n"})
    client = make_client(config)
    for url in ("/?q=" + quote("停车"), "/", "/?q=" + quote("alert"), "/?q=" + quote("script")):
        html = page(client, url)
        assert "<script>window" not in html and "<script>alert" not in html and "<img src=x" not in html and "<b>停车" not in html
    html = page(client, "/?q=" + quote("停车"))
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in html
    doc_id = hit_ids(html)[0]
    for url in (f"/doc/{doc_id}", f"/doc/{doc_id}?q=" + quote("停车 script")):
        html = page(client, url)
        assert "<script>window" not in html and "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.replace("<mark>", "").replace("</mark>", "")
        assert "&lt;b&gt;" in html


def test_script_in_query_is_escaped(client: FlaskClient) -> None:
    q = '<script>window.__x=1</script>"><img src=x onerror=alert(1)>'
    html = page(client, "/?q=" + quote(q))
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in html
    html = page(client, "/doc/0000000000000000?q=" + quote(q), status=404)
    assert "<script>window" not in html


# --------------------------------------------------------------------------- reindex and health


def test_running_site_picks_up_a_reindex(tmp_path: Path) -> None:
    config, docs = build_index(tmp_path, {"first.txt": "关于停车收费的通知\n正文。\n"})
    client = make_client(config)
    assert hit_ids(page(client, "/?q=" + quote("停车")))
    assert hit_ids(page(client, "/?q=" + quote("垃圾分类"))) == []
    (docs / "second.txt").write_text("关于垃圾分类的通知\n正文。\n", encoding="utf-8")
    with SearchEngine(config) as engine:
        sync_paths(engine, [docs])
    assert len(hit_ids(page(client, "/?q=" + quote("垃圾分类")))) == 1
    # a full rebuild into a new generation is picked up too
    with SearchEngine(config) as engine, engine.rebuild() as session:
        from indexer.ingest import ingest_file

        session.add(ingest_file(docs / "second.txt", config))
    assert hit_ids(page(client, "/?q=" + quote("停车"))) == []
    assert '<strong class="results__total">1</strong>' in page(client, "/")


def test_healthz(client: FlaskClient, demo_engine: SearchEngine, tmp_path: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "documents": demo_engine.count()}
    empty = make_client(Config.from_env({}, index_dir=tmp_path / "none"))
    assert empty.get("/healthz").status_code == 503
    html = page(empty, "/")
    assert "索引尚未建立" in html
    assert page(empty, "/?q=" + quote("住房"), status=503)


def test_search_url_helper_resets_page_and_drops_unknown(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?q=a&page=3&foo=bar&issuer=x&issuer=y"):
        url = search_url(sort="newest")
        params = parse_qs(urlsplit(url).query)
        assert params == {"q": ["a"], "issuer": ["x", "y"], "sort": ["newest"]}
        assert parse_qs(urlsplit(search_url(page=4)).query)["page"] == ["4"]
        assert "page" not in search_url(page=1)
