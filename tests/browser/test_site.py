"""The citizen site in Debian's chromium: search, facets, documents, interpretations, phone, keyboard, injection.

Run with ``pytest --browser tests/browser``; screenshots land in ``screenshots/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.sync import sync_paths
from tests.browser.conftest import serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXPECTED: dict[str, dict] = json.loads((ROOT / "corpus" / "expected.json").read_text(encoding="utf-8"))
PHONE = {"width": 375, "height": 812}


def console_errors(page: Any) -> list[str]:
    """Collects console errors (a CSP violation by an inline script or style would be one)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def total(page: Any) -> int:
    return int(page.locator(".results__total").inner_text())


def housing_pair() -> tuple[str, str]:
    """(interpretation, policy) files of the demo corpus's housing measures."""
    return next((f, v["interprets"]) for f, v in EXPECTED.items() if v.get("interprets") and f.startswith("housing/"))


def test_search_from_the_home_page(page: Any, live_server: str, screenshot_dir: Path) -> None:
    errors = console_errors(page)
    page.goto(live_server + "/")
    page.screenshot(path=str(screenshot_dir / "home.png"), full_page=True)
    page.get_by_label("检索政策文件").fill("住房公积金")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=%E4%BD%8F"))
    assert total(page) > 0
    assert page.locator(".hit").count() > 0
    assert page.locator(".hit mark").count() > 0
    assert "住房公积金" in page.locator(".results__summary").inner_text()
    page.screenshot(path=str(screenshot_dir / "search-results.png"), full_page=True)
    assert errors == []


def test_click_a_facet(page: Any, live_server: str, screenshot_dir: Path) -> None:
    errors = console_errors(page)
    page.goto(live_server + "/?q=" + quote("补贴"))
    before = total(page)
    group = page.locator("#facet-doc_type")
    label = group.locator("label").first
    value = label.locator(".facet__value").inner_text()
    count = int(label.locator(".facet__count").inner_text().split()[0])
    label.click()  # site.js submits the form on change
    page.wait_for_url(re.compile(r"doc_type="))
    assert total(page) == count <= before
    assert page.locator(".chip", has_text=value).count() == 1
    assert group.get_by_label(re.compile(re.escape(value))).first.is_checked()
    page.screenshot(path=str(screenshot_dir / "facet-selected.png"), full_page=True)
    # removing it through the chip restores the full result set
    page.locator(".chip", has_text=value).click()
    page.wait_for_url(lambda url: "doc_type=" not in url)
    assert total(page) == before
    assert errors == []


def test_facets_work_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server + "/?q=" + quote("补贴"))
        label = page.locator("#facet-validity label").first
        count = int(label.locator(".facet__count").inner_text().split()[0])
        label.click()
        page.get_by_role("button", name="应用筛选").click()
        page.wait_for_url(re.compile(r"validity="))
        assert total(page) == count
    finally:
        context.close()


def test_open_a_document(page: Any, live_server: str, screenshot_dir: Path) -> None:
    errors = console_errors(page)
    page.goto(live_server + "/?q=" + quote("住房公积金"))
    first = page.locator(".hit__title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("h1").inner_text() == title
    headers = page.locator(".meta-table th").all_inner_texts()
    assert "标题" in headers and "发文机关" in headers
    assert page.locator(".document__text mark").count() > 0
    assert page.locator(".download-link").count() == 1
    page.screenshot(path=str(screenshot_dir / "document.png"), full_page=True)
    page.go_back()
    assert page.locator(".hit__title a").first.inner_text() == title
    assert errors == []


def test_interpretation_links_both_ways(page: Any, live_server: str, screenshot_dir: Path) -> None:
    interpretation, policy = housing_pair()
    page.goto(live_server + "/?q=" + quote(EXPECTED[policy]["doc_number"]))
    hit = page.locator(".hit").first
    assert hit.locator(".hit__title").inner_text() == EXPECTED[policy]["title"]
    link = hit.locator(".interpretation-link", has_text=EXPECTED[interpretation]["title"])
    page.screenshot(path=str(screenshot_dir / "policy-with-interpretation.png"), full_page=True)
    link.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("h1").inner_text() == EXPECTED[interpretation]["title"]
    page.screenshot(path=str(screenshot_dir / "interpretation.png"), full_page=True)
    page.locator(".policy-link").click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("h1").inner_text() == EXPECTED[policy]["title"]
    assert page.locator(".interpretation-link", has_text=EXPECTED[interpretation]["title"]).count() == 1
    # and from the interpretation's own result back to the policy
    page.goto(live_server + "/?scope=title&q=" + quote(EXPECTED[interpretation]["title"]))
    item = page.locator(".hit", has=page.locator(".badge--interpretation")).first
    item.locator(".policy-link").click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("h1").inner_text() == EXPECTED[policy]["title"]


@pytest.mark.parametrize("name,path", [("home", "/"), ("results", "/?q=" + quote("补贴") + "&doc_type=" + quote("通知")), ("document", None)])
def test_phone_viewport_has_no_horizontal_scroll(browser: Any, live_server: str, screenshot_dir: Path, name: str, path: str | None) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        if path is None:
            page.goto(live_server + "/?q=" + quote("住房公积金"))
            page.locator(".hit__title a").first.click()
            page.wait_for_url(re.compile(r"/doc/"))
        else:
            page.goto(live_server + path)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == PHONE["width"], widths
        if name == "home":
            # filters fold away on a phone when none is in use, so results come first
            assert page.locator("#filters").get_attribute("open") is None
            assert page.locator(".filters__summary").is_visible()
        if name == "results":
            assert page.locator("#filters").get_attribute("open") is not None
        page.screenshot(path=str(screenshot_dir / f"phone-{name}.png"), full_page=True)
    finally:
        context.close()


def test_keyboard_reaches_results(page: Any, live_server: str) -> None:
    page.goto(live_server + "/?q=" + quote("住房公积金"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到检索结果"
    page.keyboard.press("Enter")
    for _ in range(6):  # past sort links to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.hit__title') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('.hit__title') !== null")
    first_href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/doc/"))
    assert first_href.split("?")[0] in page.url
    # "/" jumps back to the search box
    page.goto(live_server + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_every_form_control_has_a_label(page: Any, live_server: str) -> None:
    page.goto(live_server + "/?q=" + quote("补贴"))
    unlabeled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
             .map(el => el.outerHTML)"""
    )
    assert unlabeled == []
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert page.locator("main").count() == 1 and page.locator("header").count() >= 1 and page.locator("footer").count() == 1


@pytest.fixture
def evil_server(tmp_path: Path) -> Iterator[str]:
    """A site over one document whose title and text carry scripts."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "evil.txt").write_text(
        # starts with text: a file starting with <script> would be sniffed as HTML
        "关于<script>window.__x=1</script><img src=x onerror=\"window.__x=2\">停车收费的通知\n"
        "正文 <script>window.__x=3</script> 停车 <b onmouseover=\"window.__x=4\">加粗</b>。\n",
        encoding="utf-8",
    )
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=1)
    with SearchEngine(config) as engine:
        sync_paths(engine, [docs])
    with serve(config) as server:
        yield server.url


def test_script_injection_never_runs(page: Any, live_server: str, evil_server: str, screenshot_dir: Path) -> None:
    page.goto(live_server + "/?q=" + quote("<script>window.__x=1</script>"))
    assert page.evaluate("typeof window.__x") == "undefined"
    assert "<script>window.__x=1</script>" in page.locator(".results__summary").inner_text()
    page.goto(evil_server + "/?q=" + quote("停车"))
    assert page.evaluate("typeof window.__x") == "undefined"
    title = page.locator(".hit__title").first.inner_text()
    assert "<script>window.__x=1</script>" in title
    page.locator(".hit__title a").first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator(".document__text b, .document__text img, .document__title img").count() == 0
    assert page.evaluate("typeof window.__x") == "undefined"
    assert "<script>window.__x=3</script>" in page.locator(".document__text").inner_text()
    page.screenshot(path=str(screenshot_dir / "escaped-document.png"), full_page=True)
