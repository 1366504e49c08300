"""The JSON API, CORS, rate limiting, /embed, the widget files and OpenSearch, over the demo index."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from indexer.config import Config
from indexer.models import FACET_FIELDS
from search_web import create_app

ROOT = Path(__file__).resolve().parents[2]


def make_client(config: Config, **changes: Any):  # type: ignore[no-untyped-def]
    app = create_app(config.replace(**changes))
    app.config["TESTING"] = True
    return app.test_client()


@pytest.fixture
def api(demo_config: Config):  # type: ignore[no-untyped-def]
    """A client with no rate limit (tests below make many requests)."""
    return make_client(demo_config, rate_limit="")


def search(api, **params: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    return response.get_json()


# ---------------------------------------------------------------------- search
def test_search_hits_carry_the_documented_fields(api) -> None:  # type: ignore[no-untyped-def]
    body = search(api, q="养老")
    assert body["total"] >= 2
    assert body["query"] == "养老"
    assert body["page"] == 1
    hit = body["hits"][0]
    for key in ("id", "title", "title_html", "doc_number", "issuer", "written_date", "published_date", "doc_type",
                "score", "snippet", "filename", "url", "download_url", "page_url", "interpretations", "interprets"):
        assert key in hit, key
    assert "path" not in hit
    assert "<mark>养老</mark>" in hit["snippet"]
    assert "<mark>" not in hit["title"]
    assert hit["page_url"] == f"http://localhost/doc/{hit['id']}"
    assert hit["download_url"] == f"http://localhost/doc/{hit['id']}/download"


def test_search_never_reveals_a_server_path(api, demo_index: Path) -> None:  # type: ignore[no-untyped-def]
    for params in ({"q": "养老"}, {"q": ""}, {"q": "通知", "page_size": 50}):
        text = api.get("/api/v1/search", query_string=params).get_data(as_text=True)
        assert str(ROOT / "corpus") not in text
        assert str(demo_index) not in text
        assert '"path"' not in text


def test_empty_query_lists_everything_newest_first(api) -> None:  # type: ignore[no-untyped-def]
    body = search(api, page_size=100)
    assert body["total"] == len(body["hits"]) > 10
    dates = [h["written_date"] or h["published_date"] for h in body["hits"]]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True)


def test_snippet_and_title_escape_document_text(api) -> None:  # type: ignore[no-untyped-def]
    body = search(api, page_size=100)
    for hit in body["hits"]:
        for field in ("snippet", "title_html"):
            stripped = hit[field].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in stripped, (field, hit[field])


def test_highlight_false_marks_nothing(api) -> None:  # type: ignore[no-untyped-def]
    body = search(api, q="养老", highlight="false")
    assert body["hits"]
    assert all("<mark>" not in h["snippet"] and "<mark>" not in h["title_html"] for h in body["hits"])


def test_facets_false_returns_no_counts(api) -> None:  # type: ignore[no-untyped-def]
    assert search(api, q="养老", facets="false")["facets"] == {}
    assert set(search(api, q="养老")["facets"]) == set(FACET_FIELDS)


def test_facet_filter_narrows_and_repeats_as_or(api) -> None:  # type: ignore[no-untyped-def]
    everything = search(api, page_size=100)
    doc_types = everything["facets"]["doc_type"]
    assert len(doc_types) >= 2
    (first, n1), (second, n2) = (doc_types[0]["value"], doc_types[0]["count"]), (doc_types[1]["value"], doc_types[1]["count"])
    one = search(api, doc_type=first, page_size=100)
    assert one["total"] == n1
    assert {h["doc_type"] for h in one["hits"]} == {first}
    both = api.get("/api/v1/search", query_string=[("doc_type", first), ("doc_type", second), ("page_size", "100")]).get_json()
    assert both["total"] == n1 + n2
    # the selected field keeps counting its other values (multi-select)
    assert {v["value"] for v in one["facets"]["doc_type"]} >= {first, second}


def test_date_range_and_year_filter(api) -> None:  # type: ignore[no-untyped-def]
    body = search(api, **{"from": "2024-01-01", "to": "2024-12-31", "page_size": 100})
    assert body["total"] > 0
    for hit in body["hits"]:
        assert (hit["written_date"] or hit["published_date"]).startswith("2024")
    assert search(api, year="2024", page_size=100)["total"] == body["total"]
    assert search(api, **{"from": "2024", "to": "2024"})["total"] == body["total"]


def test_sort_newest_and_oldest(api) -> None:  # type: ignore[no-untyped-def]
    newest = [h["id"] for h in search(api, q="通知", sort="newest", page_size=100)["hits"]]
    oldest = [h["id"] for h in search(api, q="通知", sort="oldest", page_size=100)["hits"]]
    assert len(newest) > 1 and set(newest) == set(oldest)
    assert newest[0] != oldest[0]


def test_paging_walks_through_all_results(api) -> None:  # type: ignore[no-untyped-def]
    first = search(api, page_size=5)
    assert first["pages"] == -(-first["total"] // 5)
    seen: list[str] = []
    for page in range(1, first["pages"] + 1):
        seen += [h["id"] for h in search(api, page_size=5, page=page)["hits"]]
    assert len(seen) == len(set(seen)) == first["total"]


def test_scope_title(api) -> None:  # type: ignore[no-untyped-def]
    body = search(api, q="通知", scope="title", page_size=100)
    assert body["hits"] and all("通知" in h["title"] for h in body["hits"])


def test_search_by_doc_number_in_another_spelling(api) -> None:  # type: ignore[no-untyped-def]
    numbered = next(h for h in search(api, page_size=100)["hits"] if h["doc_number"])
    spelled = numbered["doc_number"].replace("〔", "[").replace("〕", "]")
    body = search(api, q=spelled)
    assert body["hits"][0]["id"] == numbered["id"]
    assert body["notes"]


def test_interpretation_links_in_hits(api) -> None:  # type: ignore[no-untyped-def]
    hits = search(api, page_size=100)["hits"]
    linked = [h for h in hits if h["interprets"]]
    assert linked, "the demo corpus links at least one interpretation to its policy"
    target = linked[0]["interprets"]
    assert set(target) == {"id", "title", "page_url"} and target["title"]
    policy = next(h for h in hits if h["id"] == target["id"])
    assert linked[0]["id"] in [i["id"] for i in policy["interpretations"]]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "101"}, "page"),
        ({"page": ""}, "page"),
        ({"sort": "best"}, "sort"),
        ({"scope": "everywhere"}, "scope"),
        ({"highlight": "maybe"}, "highlight"),
        ({"facets": "1"}, "facets"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "20240101"}, "to"),
        ({"validity": "有效"}, "validity"),
        ({"validity": ""}, "validity"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(api, params: dict[str, str], param: str) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_parameter"
    assert body["param"] == param
    assert body["message"]


def test_page_size_limit_follows_config(demo_config: Config) -> None:
    client = make_client(demo_config, max_page_size=20, rate_limit="")
    assert client.get("/api/v1/search?page_size=20").status_code == 200
    assert client.get("/api/v1/search?page_size=21").get_json()["param"] == "page_size"


def test_odd_queries_do_not_break(api) -> None:  # type: ignore[no-untyped-def]
    for q in ('"', "标题:", "((", "*", "\u0000", "a" * 2000, "国办发〔", "<script>alert(1)</script>"):
        response = api.get("/api/v1/search", query_string={"q": q})
        assert response.status_code == 200, (q, response.get_data(as_text=True)[:200])
        for hit in response.get_json()["hits"]:
            assert "<script>" not in hit["snippet"] + hit["title_html"]


# ---------------------------------------------------------------------- documents
def test_document_has_text_metadata_links_and_urls(api) -> None:  # type: ignore[no-untyped-def]
    hit = next(h for h in search(api, page_size=100)["hits"] if h["interprets"])
    body = api.get(f"/api/v1/documents/{hit['id']}").get_json()
    assert body["id"] == hit["id"]
    assert body["title"] == hit["title"]
    assert body["text"] and len(body["text"]) > 50
    assert body["filename"] == hit["filename"]
    assert body["download_url"].endswith(f"/doc/{hit['id']}/download")
    assert body["interprets"]["id"] == hit["interprets"]["id"]
    assert "path" not in body
    policy = api.get(f"/api/v1/documents/{hit['interprets']['id']}").get_json()
    assert hit["id"] in [i["id"] for i in policy["interpretations"]]


def test_urls_in_answers_lead_to_the_site(api) -> None:  # type: ignore[no-untyped-def]
    hit = search(api, q="养老")["hits"][0]
    with api.get(hit["page_url"].removeprefix("http://localhost")) as page:
        assert page.status_code == 200
    with api.get(hit["download_url"].removeprefix("http://localhost")) as download:
        assert download.status_code == 200
        assert len(download.data) > 0


def test_unknown_document_is_404_json(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/documents/0000000000000000")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


# ---------------------------------------------------------------------- suggest / facets
def test_suggest_completes_what_was_typed(api) -> None:  # type: ignore[no-untyped-def]
    titles = {h["title"] for h in search(api, page_size=100)["hits"]}
    prefix = "示例市人民"  # the demo corpus has several 示例市人民政府 documents
    body = api.get("/api/v1/suggest", query_string={"q": prefix}).get_json()
    assert body["query"] == prefix
    suggestions = body["suggestions"]
    assert 2 <= len(suggestions) <= 8
    assert all(prefix in s for s in suggestions)
    assert set(suggestions) & titles


def test_suggest_limit_and_empty(api) -> None:  # type: ignore[no-untyped-def]
    assert len(api.get("/api/v1/suggest?q=示例&limit=3").get_json()["suggestions"]) == 3
    assert api.get("/api/v1/suggest?q=").get_json()["suggestions"] == []
    assert api.get("/api/v1/suggest?q=示例&limit=21").status_code == 400


def test_facets_endpoint_matches_search(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/facets", query_string={"q": "养老"}).get_json()
    full = search(api, q="养老")
    assert body["total"] == full["total"]
    assert body["facets"] == full["facets"]


# ---------------------------------------------------------------------- errors
def test_unknown_api_path_is_404_json(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_writing_methods_are_405_json(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/search")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_missing_index_is_503_json(tmp_path: Path) -> None:
    client = make_client(Config.from_env({}, index_dir=tmp_path / "none"))
    for path in ("/api/v1/search?q=养老", "/api/v1/suggest?q=养老", "/api/v1/documents/abc", "/api/v1/facets"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.get_json()["error"] == "index_unavailable"


# ---------------------------------------------------------------------- CORS
def test_no_cors_by_default(demo_config: Config) -> None:
    client = make_client(demo_config)
    response = client.get("/api/v1/search?q=养老", headers={"Origin": "https://portal.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_cors_allows_only_configured_origins(demo_config: Config) -> None:
    client = make_client(demo_config, cors_origins="https://portal.example, https://intranet.example:8443")
    ok = client.get("/api/v1/search?q=养老", headers={"Origin": "https://portal.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    assert "Retry-After" in ok.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in ok.headers
    other = client.get("/api/v1/search?q=养老", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    # errors carry the headers too, so the widget can show the message
    bad = client.get("/api/v1/search?page=0", headers={"Origin": "https://intranet.example:8443"})
    assert bad.status_code == 400
    assert bad.headers["Access-Control-Allow-Origin"] == "https://intranet.example:8443"
    # pages outside the API never get CORS headers
    assert "Access-Control-Allow-Origin" not in client.get("/opensearch.xml", headers={"Origin": "https://portal.example"}).headers


def test_cors_preflight(demo_config: Config) -> None:
    client = make_client(demo_config, cors_origins="https://portal.example")
    headers = {
        "Origin": "https://portal.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Accept-Language, X-Custom",
    }
    response = client.options("/api/v1/search", headers=headers)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "accept-language"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    denied = client.options("/api/v1/search", headers={**headers, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers
    assert "Access-Control-Allow-Methods" not in denied.headers


def test_cors_wildcard(demo_config: Config) -> None:
    client = make_client(demo_config, cors_origins="*")
    response = client.get("/api/v1/suggest?q=示例", headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------------- rate limit
def test_rate_limit_answers_429_with_retry_after(demo_config: Config) -> None:
    client = make_client(demo_config, rate_limit="3/minute", cors_origins="https://portal.example")
    remaining = [client.get("/api/v1/suggest?q=示例").headers["RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    response = client.get("/api/v1/search?q=养老", headers={"Origin": "https://portal.example"})
    assert response.status_code == 429
    assert response.get_json()["error"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    # another client is counted apart; pages outside the API are not limited
    other = client.get("/api/v1/suggest?q=示例", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    assert client.get("/opensearch.xml").status_code == 200


def test_rate_limit_disabled_when_empty(demo_config: Config) -> None:
    client = make_client(demo_config, rate_limit="")
    responses = [client.get("/api/v1/suggest?q=示例") for _ in range(5)]
    assert all(r.status_code == 200 and "RateLimit-Limit" not in r.headers for r in responses)


def test_bad_rate_limit_setting_fails_at_startup(demo_config: Config) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        create_app(demo_config.replace(rate_limit="lots"))


# ---------------------------------------------------------------------- openapi
def test_openapi_document_is_served_and_matches_config(demo_config: Config) -> None:
    client = make_client(demo_config, max_page_size=40, rate_limit="")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["servers"] == [{"url": "http://localhost/api/v1"}]
    assert set(spec["paths"]) == {"/search", "/facets", "/suggest", "/documents/{id}"}
    params = {p["name"]: p for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert params["page_size"]["schema"]["maximum"] == 40
    assert set(FACET_FIELDS) <= set(params)
    assert params["issuer"]["schema"]["type"] == "array"


# ---------------------------------------------------------------------- embed, widget, opensearch
def test_widget_files_are_served_for_other_origins(api) -> None:  # type: ignore[no-untyped-def]
    with api.get("/widget.js") as js:
        assert js.status_code == 200
        assert js.mimetype == "text/javascript"
        assert js.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert b"data-govsearch" in js.data
    with api.get("/widget.css") as css:
        assert css.mimetype == "text/css"
        assert b"--govsearch-accent" in css.data


def test_embed_page_is_not_frameable_by_default(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/embed")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_page_frame_ancestors_from_config(demo_config: Config) -> None:
    client = make_client(demo_config, frame_ancestors="https://portal.example https://intranet.example")
    response = client.get("/embed?q=养老&placeholder=<b>查找</b>")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://portal.example https://intranet.example" in csp
    assert "X-Frame-Options" not in response.headers
    html = response.get_data(as_text=True)
    assert "data-govsearch" in html and 'src="http://localhost/widget.js"' in html
    assert 'data-query="养老"' in html
    assert "<b>查找</b>" not in html and "&lt;b&gt;查找&lt;/b&gt;" in html
    # the rest of the site stays unframeable
    assert "frame-ancestors 'none'" in client.get("/opensearch.xml").headers["Content-Security-Policy"]


def test_opensearch_description(demo_config: Config) -> None:
    client = make_client(demo_config, site_title="示例市政务公开文件检索")
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    root = ET.fromstring(response.data)
    assert root.find("os:ShortName", ns).text == "示例市政务公开文件检索"  # type: ignore[union-attr]
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    suggest_url = templates["application/x-suggestions+json"].replace("http://localhost", "").replace("{searchTerms}", "示例")
    body = client.get(suggest_url).get_json()
    assert body[0] == "示例" and body[1]
