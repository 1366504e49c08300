"""The drop-in widget and /embed, embedded in a portal page served from another origin.

A second small server (the "portal", another port, so another origin) serves plain HTML
host pages. Our API runs on its own server whose config allows the portal's origin
(CORS and frame-ancestors); the session ``live_server`` allows no origin, so a page
pointing at it must get no data.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.config import Config

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
#: What the host page's own stylesheet does, to prove nothing crosses the shadow boundary.
HOST_STYLE = """
body { font-family: serif; color: rgb(10, 20, 30); }
li, p, button { color: rgb(0, 128, 0) !important; font-size: 30px; }
.gs-hit, .gs-facets { display: none !important; }
[data-govsearch] { --govsearch-accent: rgb(179, 38, 30); }
"""


class Server:
    """A WSGI app on a free loopback port in a daemon thread."""

    def __init__(self, app: Callable[..., Any]) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class Portal:
    """The other site: host pages keyed by path, set by the test before the server is hit."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.server = Server(self)
        self.origin = self.server.url

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = self.pages.get(environ.get("PATH_INFO", ""))
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode("utf-8")]


def widget_page(endpoint: str, *, page_size: int = 5) -> str:
    e = html.escape(endpoint)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>示例门户</title>
<style>{HOST_STYLE}</style>
<script src="{e}/widget.js" defer></script></head>
<body>
<h1>示例门户网站</h1>
<p id="host-text">门户自己的内容</p>
<div id="search" data-govsearch data-endpoint="{e}" data-placeholder="搜索本站政策文件" data-page-size="{page_size}"></div>
</body></html>"""


def iframe_page(src: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>示例门户 iframe</title></head>
<body><h1>示例门户网站</h1>
<iframe id="gs-frame" title="政务公开文件检索" src="{html.escape(src)}" width="1000" height="700"></iframe>
</body></html>"""


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    site = Portal()
    yield site
    site.server.close()


@pytest.fixture(scope="module")
def api_server(demo_index: Path, portal: Portal) -> Iterator[str]:
    """Our site, allowing the portal's origin for CORS and framing."""
    from search_web import create_app

    config = Config.from_env(
        {},
        index_dir=demo_index,
        download_roots=str(ROOT / "corpus"),
        cors_origins=portal.origin,
        frame_ancestors=portal.origin,
    )
    app = create_app(config)
    server = Server(app)
    yield server.url
    server.close()


def hits(page: Any) -> Any:
    return page.locator("#search .gs-hit")


def status_total(page: Any) -> int:
    text = page.locator("#search .gs-status").inner_text()
    m = re.search(r"共找到 (\d+) 份文件", text)
    assert m, text
    return int(m.group(1))


def test_widget_from_another_origin_suggests_searches_filters_and_pages(
    page: Any, portal: Portal, api_server: str, screenshot_dir: Path
) -> None:
    portal.pages["/allowed"] = widget_page(api_server)
    page.goto(portal.origin + "/allowed")
    box = page.get_by_role("combobox", name="检索关键词")
    box.wait_for()
    assert box.get_attribute("placeholder") == "搜索本站政策文件"

    # suggestions: debounced, a listbox driven from the keyboard
    box.press_sequentially("通知", delay=60)
    listbox = page.get_by_role("listbox", name="搜索建议")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert options.count() >= 2
    assert all("通知" in t for t in options.all_inner_texts())
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert not listbox.is_visible()

    # results with highlights, inserted as markup only for <mark>
    box.press("Enter")
    hits(page).first.wait_for()
    total = status_total(page)
    assert total > 5
    assert hits(page).count() == 5
    assert page.locator("#search .gs-hit-snippet mark").count() > 0
    assert page.locator("#search .gs-hit-snippet mark").first.inner_text() == "通知"
    first_title = hits(page).first.locator(".gs-hit-title a")
    assert first_title.get_attribute("href").startswith(api_server + "/doc/")
    assert first_title.get_attribute("target") == "_blank"
    page.screenshot(path=str(screenshot_dir / "widget-results.png"), full_page=True)

    # styles stay on their side of the shadow boundary; the theme variable goes through
    assert hits(page).first.evaluate("e => getComputedStyle(e).display") != "none"
    assert hits(page).first.locator(".gs-hit-snippet").evaluate("e => getComputedStyle(e).color") != "rgb(0, 128, 0)"
    assert page.locator("#search .gs-button").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    assert page.locator("#host-text").evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"

    # paging
    pager = page.get_by_role("navigation", name="分页")
    first_ids = hits(page).locator(".gs-hit-title a").evaluate_all("els => els.map(e => e.href)")
    pager.get_by_role("button", name="第 2 页").click()
    page.wait_for_function(
        "() => document.querySelector('#search').shadowRoot.querySelector('[aria-current=page]')?.textContent === '2'"
    )
    second_ids = hits(page).locator(".gs-hit-title a").evaluate_all("els => els.map(e => e.href)")
    assert second_ids and not set(first_ids) & set(second_ids)
    assert "第 2/" in page.locator("#search .gs-status").inner_text()

    # a facet: narrows to its count, back to page 1, marked pressed
    facet = page.locator("#search .gs-facet-value[data-field=doc_type]").first
    value = facet.get_attribute("data-value")
    count = int(facet.locator(".gs-count").inner_text())
    assert 0 < count < total
    facet.click()
    page.wait_for_function(
        "() => document.querySelector('#search').shadowRoot"
        ".querySelector('.gs-facet-value[data-field=doc_type][aria-pressed=true]')"
    )
    assert status_total(page) == count
    assert all(value in m for m in hits(page).locator(".gs-hit-meta").all_inner_texts())
    pressed = page.locator("#search .gs-facet-value[aria-pressed=true]")
    assert pressed.count() == 1 and pressed.get_attribute("data-value") == value
    page.screenshot(path=str(screenshot_dir / "widget-facet.png"), full_page=True)


def test_widget_on_a_page_from_a_non_allowed_origin_gets_no_data(page: Any, portal: Portal, live_server: str) -> None:
    # live_server allows no origin (the default)
    portal.pages["/denied"] = widget_page(live_server)
    page.goto(portal.origin + "/denied")
    box = page.get_by_role("combobox", name="检索关键词")
    box.wait_for()
    box.press_sequentially("通知", delay=60)
    page.wait_for_timeout(800)  # past the suggestion delay: nothing may appear
    assert page.locator("#search [role=option]").count() == 0
    box.press("Enter")
    alert = page.locator("#search [role=alert]")
    alert.wait_for()
    assert "无法连接检索服务" in alert.inner_text()
    assert hits(page).count() == 0
    # and a script of that page cannot read the API either
    outcome = page.evaluate(
        """url => fetch(url).then(r => r.text()).then(() => 'read', e => 'blocked: ' + e.name)""",
        live_server + "/api/v1/search?q=通知",
    )
    assert outcome == "blocked: TypeError"


def test_embed_iframe_in_an_allowed_parent(page: Any, portal: Portal, api_server: str, screenshot_dir: Path) -> None:
    portal.pages["/iframe"] = iframe_page(api_server + "/embed?q=养老")
    page.goto(portal.origin + "/iframe")
    frame = page.frame_locator("#gs-frame")
    first = frame.locator("[data-govsearch] .gs-hit").first
    first.wait_for()
    assert frame.locator("[data-govsearch] .gs-hit-snippet mark").first.inner_text() == "养老"
    assert frame.get_by_role("combobox").input_value() == "养老"
    page.screenshot(path=str(screenshot_dir / "widget-iframe.png"), full_page=True)


def test_embed_iframe_refused_in_a_parent_not_allowed(page: Any, portal: Portal, live_server: str) -> None:
    portal.pages["/iframe-denied"] = iframe_page(live_server + "/embed?q=养老")
    page.goto(portal.origin + "/iframe-denied")
    page.wait_for_timeout(1500)
    frame = next(f for f in page.frames if f is not page.main_frame)
    # chromium replaces a frame refused by frame-ancestors with its own error page
    assert frame.url.startswith("chrome-error://"), frame.url
    assert frame.locator("[data-govsearch]").count() == 0
